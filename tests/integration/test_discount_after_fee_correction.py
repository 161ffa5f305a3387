"""A discount larger than the charges after the review lowered the 離島 fee: capped, recorded, held.

Before, every ``accept`` failed (the order's totals refused a discount above its charges) and
the order could never go on.
"""

from __future__ import annotations

from orderflow import Address, Money, OrderLine, OrderStatus, TaxRate
from orderflow.domain.events import DiscountCapped
from orderflow.domain.payment import PaymentOp
from orderflow.domain.review import DISCOUNT_CAPPED
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, place

ISLAND = Address("100-1101", "東京都", "大島町", "元町1-1", "山田 太郎", "03-1234-5678")
TEA = [OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1, TaxRate.REDUCED)]


def _placed_with_a_big_coupon() -> FakeShop:
    s = fake_shop(STOCK)
    # placed with ¥5,000 shipping and a ¥5,000 coupon; the island's fee is ¥1,980
    place(
        s, order_lines=TEA, ship_to=ISLAND, shipping_fee=Money.yen(5000), discount=Money.yen(5000)
    )
    return s


def test_accept_caps_the_discount_at_the_charges_records_it_and_holds() -> None:
    s = _placed_with_a_big_coupon()
    order = s.desk.accept("1001")
    assert order.status is OrderStatus.UNALLOCATED
    assert order.shipping_fee == Money.yen(1980)
    assert order.discount == Money.yen(1080 + 1980)  # the charges: the coupon as far as it goes
    capped = [e for e in order.history if isinstance(e, DiscountCapped)]
    assert [(e.old_discount, e.new_discount) for e in capped] == [("5000", "3060")]
    assert {h.code for h in order.open_holds} == {DISCOUNT_CAPPED, "remote_island"}
    assert s.desk.totals(order).total == Money.yen(0)


def test_the_order_goes_on_once_a_person_confirms_and_nothing_is_charged() -> None:
    s = _placed_with_a_big_coupon()
    desk = s.desk
    desk.accept("1001")
    desk.clear_hold("1001", DISCOUNT_CAPPED)
    desk.clear_hold("1001", "remote_island")
    desk.instruct_shipping("1001")
    desk.ship("1001", "1001-S1", "123456789013")
    desk.deliver("1001", "1001-S1")
    order = desk.book("1001")
    assert order.status is OrderStatus.BOOKED
    assert order.payment.captured == Money.yen(0)
    ops = [(e.op, e.amount) for e in order.payment.ledger]
    assert (PaymentOp.VOID, Money.yen(1080)) in ops  # the authorization given back


def test_accept_again_and_a_repeated_place_change_nothing_more() -> None:
    s = _placed_with_a_big_coupon()
    desk = s.desk
    accepted = desk.accept("1001")
    again = place(
        s,
        order_lines=TEA,
        ship_to=ISLAND,
        shipping_fee=Money.yen(5000),
        discount=Money.yen(5000),
    )
    assert again == accepted  # the same order placed again: as it is
    assert desk.review("1001").discount == Money.yen(3060)
    assert len([e for e in desk.get("1001").history if isinstance(e, DiscountCapped)]) == 1
