"""A change that leaves the coupon above the charges caps it (クーポン利用額は請求額まで).

A ¥1,000 coupon on 緑茶 ¥1,080 + ペン ¥99: the customer cancels the tea. The partial cancel (or
the change, even its dry run) raised ``InvalidValue`` on ``discount``, a field the call does not
have and no ``OrderChange`` can set: the order could only be cancelled whole. As when the review
lowers a fee, the discount is now cut to the charges, recorded (``discount_capped``) and the
order held for a person to confirm.
"""

from orderflow import (
    Money,
    OrderChange,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ShopSettings,
    TaxRate,
)
from orderflow.domain.events import Changed, DiscountCapped
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, TRACKING, place, shop

LINES = [
    OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1, TaxRate.REDUCED),
    OrderLine("L2", "MUG-1", "ペン", Money.yen(99), 1),
]


def _placed(s: FakeShop) -> None:
    place(s, "3001", LINES, shipping_fee=Money.yen(0), discount=Money.yen(1000))
    s.desk.accept("3001")
    s.desk.allocate("3001")


def test_a_partial_cancel_below_the_coupon_caps_it_and_holds() -> None:
    s = shop()
    _placed(s)
    preview = s.desk.change("3001", OrderChange(remove_lines={"L1"}), dry_run=True)
    assert preview.after.discount == Money.yen(99) and preview.after.total == Money.yen(0)
    order = s.desk.cancel("3001", reason="お客様都合", lines={"L1": 1})
    assert [line.line_id for line in order.lines] == ["L2"]
    assert order.discount == Money.yen(99)
    assert s.desk.totals(order).total == Money.yen(0)
    assert [h.code for h in order.open_holds] == ["discount_capped"]
    capped = [e for e in order.history if isinstance(e, DiscountCapped)]
    assert [(e.old_discount, e.new_discount) for e in capped] == [("1000", "99")]
    # the person confirming the coupon does not give the stock away: the pen stays reserved
    assert order.status is OrderStatus.ALLOCATED
    assert s.inventory.reserved.get(("TOKYO", "TEA-1"), 0) == 0
    assert s.inventory.reserved[("TOKYO", "MUG-1")] == 1


def test_the_person_confirms_and_the_order_goes_on() -> None:
    s = shop()
    _placed(s)
    s.desk.change("3001", OrderChange(quantities={"L1": 0}))
    s.desk.clear_hold("3001", "discount_capped")
    order = s.desk.instruct_shipping("3001")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED
    assert s.inventory.reserved[("TOKYO", "MUG-1")] == 1


def test_a_change_behind_a_gate_keeps_its_facts_and_hold() -> None:
    """A change that also switches the payment (or takes more points) waits for the provider's
    yes; when it came, the order took the proposal's lines but the history and holds as they
    were: its ``changed`` event (what was changed) and the cut coupon's hold were lost."""
    s = shop()
    _placed(s)
    change = OrderChange(remove_lines={"L1"}, payment_method=PaymentMethod.POSTPAY)
    order = s.desk.change("3001", change).order
    assert order.payment.method is PaymentMethod.POSTPAY and order.discount == Money.yen(99)
    kinds = [e.name for e in order.history]
    assert kinds.count("changed") == 1 and kinds.count("discount_capped") == 1
    assert kinds.index("change_requested") < kinds.index("changed")
    changed = next(e for e in order.history if isinstance(e, Changed))
    assert dict(changed.changes) == {"removed": "L1", "payment_method": "postpay"}
    assert [h.code for h in order.open_holds] == ["discount_capped"]


def test_more_points_keep_the_changed_event() -> None:
    s = fake_shop(dict(STOCK), settings=ShopSettings(auto_advance=False), points={"C1": 1000})
    place(s, "3002")
    s.desk.accept("3002")
    order = s.desk.change("3002", OrderChange(quantities={"L1": 1}, points_used=300)).order
    assert order.points_used == 300
    changed = [e for e in order.history if isinstance(e, Changed)]
    assert [dict(e.changes) for e in changed] == [{"quantities": "L1→1", "points_used": "300"}]


def test_dropping_the_remainder_below_the_coupon_caps_it() -> None:
    """分納: the pen left, the tea never comes. Dropping it was refused ("a remainder leaving
    charges to discount") while nothing else could move the order: no recall while units wait,
    no cancel once instructed, no stock to come. The order was stuck in 出荷指示済 for good."""
    s = shop({("TOKYO", "MUG-1"): 5, ("TOKYO", "TEA-1"): 0}, ShopSettings(auto_advance=False))
    _placed(s)
    s.desk.ship_available("3001")
    s.desk.ship("3001", "3001-S1", TRACKING)
    order = s.desk.drop_missing("3001")
    assert order.status is OrderStatus.SHIPPED and not order.unallocated()
    assert order.discount == Money.yen(99)
    assert s.desk.totals(order).total == Money.yen(0)
    assert order.payment.captured == Money.yen(0)
    capped = [e for e in order.history if isinstance(e, DiscountCapped)]
    assert [(e.old_discount, e.new_discount) for e in capped] == [("1000", "99")]
    assert s.inventory.on_hand[("TOKYO", "MUG-1")] == 4
