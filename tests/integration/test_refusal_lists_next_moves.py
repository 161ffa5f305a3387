"""A refused move lists the moves ``next_moves`` offers, not every move of the status.

``cancel`` of an order instructed to ship, none of whose parcels had left, answered "allowed
moves: allocate, instruct_shipping, recall, ship, deliver, undo_delivery": 着荷 and 着荷取消 are
declared from 出荷指示済 but stopped while nothing is with the carrier, and ``next_moves`` rightly
leaves them out. A caller picking from the error's list picked a move that is refused too.
"""

import pytest

from orderflow.errors import MoveNotAllowed
from tests.builders import shop, to_allocated


def _offered(s: object, number: str) -> tuple[str, ...]:
    return tuple(m.value for m in s.desk.next_moves(number))  # type: ignore[attr-defined]


def test_a_refused_cancel_of_an_instructed_order_lists_what_next_moves_offers() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    with pytest.raises(MoveNotAllowed) as refused:
        s.desk.cancel("1001", reason="客都合")
    assert "deliver" not in refused.value.allowed and "undo_delivery" not in refused.value.allowed
    assert refused.value.allowed == _offered(s, "1001")
    assert "deliver" not in str(refused.value).split("allowed moves:")[1].split(";")[0]


def test_a_refused_move_of_the_machine_lists_them_too() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    with pytest.raises(MoveNotAllowed) as refused:
        s.desk.book("1001")
    assert refused.value.allowed == _offered(s, "1001")
