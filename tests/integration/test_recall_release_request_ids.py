"""出荷指示取消 and 引当解除 after a lost answer: a request id makes running them again safe.

Neither is naturally idempotent (run again after its move was saved, the order is no longer where
the move starts). With a ``request_id``, the repeat finishes the first call's effects under their
keys and returns the order, as ``refund``, ``change`` and the other such commands do.
"""

from __future__ import annotations

import pytest

from orderflow import OrderStatus
from orderflow.errors import InvalidValue, MoveNotAllowed, OutcomeUnknown
from orderflow.testing import Fault, fake_shop
from tests.builders import STOCK, place, to_allocated


def test_a_recall_whose_answer_was_lost_is_run_again_under_its_request_id() -> None:
    shop = fake_shop(dict(STOCK))
    to_allocated(shop)
    shop.desk.instruct_shipping("1001")
    warehouse = next(iter(shop.warehouses.values()))
    warehouse.fail_next("recall", Fault.TIMEOUT_AFTER)
    with pytest.raises(OutcomeUnknown):
        shop.desk.recall("1001", request_id="R-1")
    again = shop.desk.recall("1001", request_id="R-1")  # finishes it, then the same answer
    assert again.status is OrderStatus.ALLOCATED and not again.outbox
    assert shop.desk.recall("1001", request_id="R-1") == shop.desk.get("1001")
    assert [m for m, _ in warehouse.work_done].count("recall") == 1
    with pytest.raises(MoveNotAllowed):  # another request: the order is no longer instructed
        shop.desk.recall("1001", request_id="R-2")


def test_a_release_run_again_under_its_request_id_returns_the_order() -> None:
    shop = fake_shop(dict(STOCK))
    to_allocated(shop)
    shop.inventory.fail_next("release", Fault.TIMEOUT_AFTER)
    with pytest.raises(OutcomeUnknown):
        shop.desk.release("1001", reason="数量変更", request_id="U-1")
    again = shop.desk.release("1001", reason="数量変更", request_id="U-1")
    assert again.status is OrderStatus.UNALLOCATED and not again.outbox
    assert not again.allocations
    assert [m for m, _ in shop.inventory.work_done].count("release") == len(
        shop.desk.get("1001").lines
    )


def test_a_request_id_that_is_no_text_is_refused_before_anything() -> None:
    shop = fake_shop(dict(STOCK))
    place(shop)
    shop.desk.accept("1001")
    before = shop.desk.get("1001")
    for command in (shop.desk.recall, shop.desk.release):
        with pytest.raises(InvalidValue) as refused:
            command("1001", request_id="")
        assert refused.value.field == "request_id"
    assert shop.desk.get("1001") == before
