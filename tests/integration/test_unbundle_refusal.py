"""An 同梱 order refused its unbundle says what works: the recall, while its box is still in.

``desk.unbundle`` of an instructed order said only "expected an order whose parcel is not
instructed yet", though ``desk.recall`` takes the instruction back and the order out of its
parcel (the path a person takes); once a box has left, no recall works and it says so.
"""

import pytest

from orderflow import OrderStatus
from orderflow.errors import InvalidValue, MoveNotAllowed
from orderflow.testing import fake_shop
from tests.integration.test_bundles import STOCK, TRACKING, _two_accepted


def test_an_instructed_order_is_told_to_recall_first_and_the_recall_takes_it_out() -> None:
    desk = fake_shop(STOCK).desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1002")
    before = [desk.get(n) for n in ("1001", "1002")]
    with pytest.raises(InvalidValue) as refused:
        desk.unbundle("1001")
    assert refused.value.field == "number"
    assert "desk.recall" in str(refused.value)
    assert [desk.get(n) for n in ("1001", "1002")] == before  # nothing changed
    recalled = desk.recall("1001")  # what it names works
    assert recalled.status is OrderStatus.ALLOCATED and recalled.bundle == ()
    assert desk.unbundle("1001") == [recalled]  # out already


def test_once_the_box_left_no_recall_is_suggested() -> None:
    desk = fake_shop(STOCK).desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1002")
    desk.ship("1001", "1001-S1", TRACKING)
    with pytest.raises(InvalidValue) as refused:
        desk.unbundle("1002")
    assert "desk.recall" not in str(refused.value)
    assert "left the warehouse" in str(refused.value)
    with pytest.raises(MoveNotAllowed):  # and a recall would indeed be refused
        desk.recall("1002")
