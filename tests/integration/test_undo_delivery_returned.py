"""着荷取消 is refused once the order has a return: the goods did reach the customer.

Found in review: a delivery could be undone after a return was received and refunded; the
order went back to 出荷済 with a refunded return, and the next delivery restarted the return
window (and the points count) from a second, made-up receipt.
"""

from __future__ import annotations

import pytest

from orderflow import OrderStatus
from orderflow.domain.returns import Disposition, ReturnReason
from orderflow.errors import MoveBlocked
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, delivered


def _delivered() -> FakeShop:
    shop = fake_shop(dict(STOCK))
    delivered(shop)
    return shop


@pytest.mark.parametrize("received", [False, True])
def test_a_delivery_with_a_return_is_not_undone(received: bool) -> None:
    shop = _delivered()
    desk = shop.desk
    desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    if received:
        desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    before = desk.get("1001")
    with pytest.raises(MoveBlocked, match=r"returns \(R1\)"):
        desk.undo_delivery("1001", "1001-S1", reason="誤配達")
    assert desk.get("1001") == before


def test_a_refused_return_does_not_stand_in_the_way() -> None:
    shop = _delivered()
    desk = shop.desk
    desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    desk.refuse_return("1001", "R1", reason="開封済")
    order = desk.undo_delivery("1001", "1001-S1", reason="誤配達")
    assert order.status is OrderStatus.SHIPPED
