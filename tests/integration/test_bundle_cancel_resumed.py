"""A cancelled 同梱 order leaves its parcel: after a time-out, and when its box went without it."""

from __future__ import annotations

import pytest

from orderflow import Address, Customer, Money, OrderDesk, OrderLine, OrderStatus
from orderflow.errors import MoveNotAllowed, OutcomeUnknown
from orderflow.testing import FakeShop, Fault, fake_shop

HOME = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")


def _parcel_of_two() -> tuple[FakeShop, OrderDesk]:
    shop = fake_shop({("TOKYO", "TEA-1"): 10})
    desk = shop.desk
    for number in ("1001", "1002"):
        desk.place(
            number=number,
            customer=Customer("C1", "山田 太郎", "t@example.jp"),
            ship_to=HOME,
            lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)],
            token="tok_visa",
        )
        desk.accept(number)
    for number in ("1001", "1002"):
        for hold in desk.get(number).open_holds:  # the review holds a repeat order
            desk.clear_hold(number, hold.code)
        desk.allocate(number)
    desk.bundle(["1001", "1002"])
    return shop, desk


def _cancel_timed_out(shop: FakeShop, desk: OrderDesk) -> None:
    shop.gateway.fail_next("void", Fault.TIMEOUT_BEFORE)
    with pytest.raises(OutcomeUnknown):
        desk.cancel("1001", reason="お客様都合")


def test_a_resumed_cancel_takes_the_order_out_of_its_parcel() -> None:
    """The void timed out; the docs say resume. The cancel was finished but the order stayed in
    the parcel: the other order, still "packed", was refused 分納 and could not be packed with
    another (fresh campaign seed 20271498)."""
    shop, desk = _parcel_of_two()
    _cancel_timed_out(shop, desk)
    desk.resume_pending()
    cancelled, other = desk.get("1001"), desk.get("1002")
    assert cancelled.status is OrderStatus.CANCELLED and not cancelled.outbox
    assert cancelled.bundle == other.bundle == ()
    assert desk.instruct_shipping("1002").shipments[0].parcel is None  # on its own


def test_instructing_a_cancelled_order_is_refused_and_instructs_no_other() -> None:
    """A cancelled order still listing its parcel (the leave not finished) answered
    instruct_shipping by instructing the parcel's other order."""
    shop, desk = _parcel_of_two()
    _cancel_timed_out(shop, desk)
    desk.executor.drive(desk.get("1001"))  # its effects done, the parcel not left yet
    with pytest.raises(MoveNotAllowed, match="CANCELLED"):
        desk.instruct_shipping("1001")
    assert desk.get("1002").status is OrderStatus.ALLOCATED
    assert not shop.warehouses["TOKYO"].instructed


def test_an_order_whose_box_left_without_it_is_cancelled_without_an_error() -> None:
    """The parcel's instruction timed out after the first order; that order's box left alone.
    Cancelling the other order cancelled it (the card voided) but raised ``InvalidValue``
    naming the shipped order, and every repeat raised it again (fresh campaign seed
    20291937): an error that said nothing was done, after the cancel was done."""
    shop, desk = _parcel_of_two()
    shop.warehouses["TOKYO"].fail_next("instruct", Fault.TIMEOUT_AFTER)
    with pytest.raises(OutcomeUnknown):
        desk.instruct_shipping("1001")
    desk.resume_pending()
    assert desk.get("1002").status is OrderStatus.ALLOCATED  # not in the box
    desk.ship("1001", "1001-S1", "123456789013")
    cancelled = desk.cancel("1002", reason="お客様都合")
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.bundle == ()
    assert desk.cancel("1002", reason="お客様都合").status is OrderStatus.CANCELLED  # a repeat
    assert desk.get("1001").status is OrderStatus.SHIPPED
