"""Review with auto-advance; cancel and change policies; changes; per-line cancel; split."""

from datetime import date

import attrs
import pytest

from orderflow import (
    Address,
    CancelPolicy,
    ChangePolicy,
    Channel,
    CreditStatus,
    Deposit,
    Finding,
    Grant,
    HoldCode,
    Money,
    Order,
    OrderChange,
    OrderLine,
    OrderStatus,
    Party,
    PaymentMethod,
    PaymentOp,
    RemoteIslandRule,
    Requester,
    ReviewContext,
    ShippingFeeTable,
    ShopSettings,
    TaxRate,
    default_rules,
)
from orderflow.errors import (
    ChangeRefused,
    InvalidValue,
    MoveBlocked,
    PaymentDeclined,
    PolicyRefused,
)
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, T0, TRACKING, address, customer, lines, place

SADO = Address("952-0011", "新潟県", "佐渡市両津夷", "1", "佐渡 太郎", "0259-00-0000")


def auto(settings: ShopSettings | None = None, points: int = 0) -> FakeShop:
    """A shop that lets problem-free orders go on by themselves (the default)."""
    s = fake_shop(dict(STOCK), settings=settings or ShopSettings())
    if points:
        s.points.balances["C1"] = points
    return s


def port_calls(s: FakeShop) -> int:
    fakes = (s.gateway, s.amazon_pay, s.postpay, s.bank, s.konbini, s.inventory, s.notifier)
    return sum(len(f.calls) for f in fakes)


# -- review and auto-advance ------------------------------------------------------------------


def test_a_problem_free_order_goes_on_by_itself() -> None:
    s = auto()
    place(s)
    order = s.desk.accept("1001")
    assert order.status is OrderStatus.ALLOCATED
    assert order.holds == ()


def test_a_held_order_waits_and_clearing_the_last_hold_lets_it_go_on() -> None:
    s = auto()
    place(
        s,
        remarks="ギフト包装をお願いします",
        order_lines=[
            *lines()[:1],
            OrderLine("L9", "TEA-1", "緑茶", Money.yen(1080), 20, TaxRate.REDUCED),
        ],
    )
    s.inventory.put("TOKYO", "TEA-1", 30)
    order = s.desk.accept("1001")
    assert order.status is OrderStatus.UNALLOCATED
    assert sorted(h.code for h in order.open_holds) == ["remarks", "unusual_quantity"]
    assert s.desk.clear_hold("1001", "remarks").status is OrderStatus.UNALLOCATED
    released = s.desk.clear_hold("1001", "unusual_quantity", actor="operator:sato")
    assert released.status is OrderStatus.ALLOCATED
    assert {h.cleared_by for h in released.holds} == {"operator", "operator:sato"}


def test_a_remote_island_order_is_repriced_held_and_its_card_follows() -> None:
    s = auto()
    order = place(s, ship_to=SADO)
    old_total = s.desk.totals(order).total
    reviewed = s.desk.accept("1001")
    assert reviewed.shipping_fee == Money.yen(1980)
    assert [h.code for h in reviewed.open_holds] == ["remote_island"]
    new_total = s.desk.totals(reviewed).total
    assert new_total == old_total + Money.yen(1100)
    assert reviewed.payment.open_authorization == new_total  # authorized again, old one voided
    assert len(s.gateway.live_authorizations()) == 1


def test_reviewing_again_leaves_an_order_on_its_way_alone() -> None:
    """A review run again after shipping re-priced the parcel and charged the card again."""
    s = auto()
    place(s, ship_to=SADO)
    s.desk.accept("1001")
    s.desk.clear_hold("1001", "remote_island")
    s.desk.instruct_shipping("1001")
    shipped = s.desk.ship("1001", "1001-S1", TRACKING)
    fees = ShippingFeeTable(Money.yen(880), island_surcharge=Money.yen(2000))
    s.desk.review_rules = (RemoteIslandRule(fees),)  # the carrier's surcharge went up
    calls = len(s.gateway.calls)
    with pytest.raises(InvalidValue, match="status"):
        s.desk.review("1001")
    assert s.desk.get("1001") == shipped and len(s.gateway.calls) == calls


def test_a_lower_island_fee_gives_back_the_points_that_no_longer_fit() -> None:
    """The cart charged ¥3,000 to 佐渡 and points paid it all: the review's ¥1,980 left the
    points above the charges and every accept failed (InvalidValue on the discount)."""
    s = auto(points=5000)
    tea = OrderLine("L1", "TEA-1", "緑茶", Money.yen(100), 1)
    place(s, order_lines=[tea], ship_to=SADO, shipping_fee=Money.yen(3000), points_used=3100)
    order = s.desk.accept("1001")
    assert order.shipping_fee == Money.yen(1980) and order.points_used == 2080
    assert order.points_taken == 2080 and s.points.balances["C1"] == 5000 - 2080
    assert s.desk.totals(order).total == Money.yen(0)
    assert [h.code for h in order.open_holds] == ["remote_island"]


def test_payment_holds_stop_auto_advance_too() -> None:
    s = auto()
    s.postpay.decisions["C1"] = CreditStatus.PENDING
    place(s, payment_method=PaymentMethod.POSTPAY)
    order = s.desk.accept("1001")
    assert order.status is OrderStatus.UNALLOCATED
    assert [h.code for h in order.open_holds] == [HoldCode.POSTPAY_REVIEW]


def test_a_shop_adds_its_own_rule() -> None:
    @attrs.frozen
    class BigOrderRule:
        code: str = "big_order"

        def check(self, order: Order, context: ReviewContext) -> Finding | None:
            if sum(line.quantity for line in order.lines) < 4:
                return None
            return Finding(self.code, "大口注文: 在庫確認", "big order: check the stock")

    s = auto()
    s.desk.review_rules = (*default_rules(), BigOrderRule())
    place(s)
    assert [h.code for h in s.desk.accept("1001").open_holds] == ["big_order"]


# -- cancel policy -------------------------------------------------------------------------------


def test_the_customer_cancels_before_allocation_only() -> None:
    s = fake_shop(dict(STOCK), settings=ShopSettings(auto_advance=False))
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    before = dict(s.store.orders)
    calls = port_calls(s)
    with pytest.raises(PolicyRefused) as caught:
        s.desk.cancel("1001", reason="気が変わった", requester=Requester.customer())
    assert caught.value.party == "customer" and caught.value.status == "ALLOCATED"
    assert "customer via any channel before ALLOCATED" in str(caught.value)
    assert s.store.orders == before and port_calls(s) == calls
    order = s.desk.cancel("1001", reason="お客様のご依頼", requester=Requester.operator("sato"))
    assert order.status is OrderStatus.CANCELLED
    assert order.history[-1].actor == "operator:sato"


def test_nobody_cancels_after_shipping_is_instructed_without_a_recall() -> None:
    s = auto()
    place(s)
    s.desk.accept("1001")
    s.desk.instruct_shipping("1001")
    with pytest.raises(PolicyRefused):
        s.desk.cancel("1001", reason="x", requester=Requester.operator())


def test_a_policy_can_name_channels() -> None:
    only_my_page = CancelPolicy((Grant(Party.CUSTOMER, OrderStatus.ALLOCATED, (Channel.MY_PAGE,)),))
    s = auto(ShopSettings(cancel_policy=only_my_page, auto_advance=False))
    place(s)
    with pytest.raises(PolicyRefused, match="call_centre"):
        s.desk.cancel("1001", reason="x", requester=Requester.customer(Channel.CALL_CENTRE))
    assert s.desk.cancel("1001", reason="x", requester=Requester.customer()).status is (
        OrderStatus.CANCELLED
    )


def test_cancel_returns_points_stock_and_money() -> None:
    s = auto(points=1000)
    place(s, points_used=333)
    assert s.points.balances["C1"] == 667
    s.desk.accept("1001")
    s.desk.cancel("1001", reason="x")
    assert s.points.balances["C1"] == 1000
    assert s.gateway.live_authorizations() == {}
    assert all(v == 0 for v in s.inventory.reserved.values())


def test_too_few_points_refuse_the_order() -> None:
    s = auto(points=100)
    with pytest.raises(InvalidValue, match="points_used"):
        place(s, points_used=333)
    assert s.desk.get("1001").status is OrderStatus.CANCELLED
    assert s.gateway.calls_to("authorize") == []


def test_a_card_decline_gives_the_points_back() -> None:
    s = auto(points=1000)
    s.gateway.decline_tokens = frozenset({"tok_ok"})
    with pytest.raises(PaymentDeclined):
        place(s, points_used=300)
    assert s.points.balances["C1"] == 1000


def test_cancel_per_line_changes_the_order() -> None:
    s = auto()
    place(s)
    s.desk.accept("1001")
    order = s.desk.cancel("1001", reason="羊羹だけ取消", lines={"L3": 1})
    assert order.status is OrderStatus.ALLOCATED  # released and allocated again
    assert [line.line_id for line in order.lines] == ["L1", "L2"]
    assert s.inventory.reserved[("TOKYO", "CAKE-1")] == 0
    total = s.desk.totals(order).total
    assert total == Money.yen(6860 - 1620)
    with pytest.raises(InvalidValue, match="L1"):
        s.desk.cancel("1001", reason="x", lines={"L1": 5})
    everything = s.desk.cancel("1001", reason="全部", lines={"L1": 2, "L2": 1})
    assert everything.status is OrderStatus.CANCELLED


# -- change -----------------------------------------------------------------------------------


def test_a_dry_run_shows_the_delta_and_changes_nothing() -> None:
    s = auto()
    place(s)
    before = dict(s.store.orders)
    calls = port_calls(s)
    preview = s.desk.change(
        "1001", OrderChange(quantities={"L2": 3}), requester=Requester.customer(), dry_run=True
    )
    assert preview.delta == Money.yen(4400)
    assert preview.points_to_grant_after > preview.points_to_grant_before
    assert s.store.orders == before and port_calls(s) == calls


def test_a_shop_that_refuses_changes_says_to_cancel_and_reorder() -> None:
    s = auto(ShopSettings(change_policy=ChangePolicy(accepts=False)))
    place(s)
    before = dict(s.store.orders)
    with pytest.raises(ChangeRefused, match="cancel it and place a new order"):
        s.desk.change("1001", OrderChange(quantities={"L1": 1}))
    assert s.store.orders == before


def test_the_customer_changes_only_before_allocation() -> None:
    s = auto()
    place(s)
    s.desk.accept("1001")  # allocated
    with pytest.raises(ChangeRefused):
        s.desk.change("1001", OrderChange(quantities={"L1": 1}), requester=Requester.customer())
    changed = s.desk.change("1001", OrderChange(quantities={"L1": 1}))  # staff may
    assert changed.order.line("L1").quantity == 1


def test_more_items_on_a_card_means_a_new_authorization() -> None:
    s = auto()
    place(s)
    s.desk.accept("1001")
    result = s.desk.change("1001", OrderChange(quantities={"L2": 2}))
    order = result.order
    total = s.desk.totals(order).total
    assert result.delta == Money.yen(2200)
    assert order.payment.open_authorization == total
    assert len(s.gateway.live_authorizations()) == 1
    assert order.status is OrderStatus.ALLOCATED
    assert s.inventory.reserved[("TOKYO", "MUG-1")] == 2
    assert s.notifier.sent[-1].kind == "order_changed"


def test_fewer_items_on_a_card_are_captured_smaller() -> None:
    s = auto()
    place(s)
    s.desk.accept("1001")
    order = s.desk.change("1001", OrderChange(remove_lines={"L2"})).order
    assert len(s.gateway.calls_to("authorize")) == 1  # no new authorization
    s.desk.instruct_shipping("1001")
    shipped = s.desk.ship("1001", "1001-S1", TRACKING)
    assert shipped.payment.captured == s.desk.totals(order).total
    assert s.gateway.live_authorizations() == {}


def test_a_new_address_takes_its_fee_and_review_runs_again() -> None:
    s = auto()
    place(s, payment_method=PaymentMethod.AMAZON_PAY, address_from_amazon=True)
    s.desk.accept("1001")
    order = s.desk.change("1001", OrderChange(ship_to=SADO)).order
    assert order.shipping_fee == Money.yen(1980)
    assert not order.address_guaranteed
    assert [h.code for h in order.open_holds] == ["remote_island"]
    assert order.status is OrderStatus.ALLOCATED  # the stock stays; the hold stops shipping
    with pytest.raises(MoveBlocked, match="remote_island"):
        s.desk.instruct_shipping("1001")


def test_delivery_date_and_slot() -> None:
    s = auto()
    place(s)
    order = s.desk.change(
        "1001", OrderChange(delivery_date=date(2026, 11, 28), delivery_slot="18-20")
    ).order
    assert (order.delivery_date, order.delivery_slot) == (date(2026, 11, 28), "18-20")
    with pytest.raises(InvalidValue, match="delivery_slot"):
        s.desk.change("1001", OrderChange(delivery_slot="25-26"))
    with pytest.raises(InvalidValue, match="delivery_date"):
        s.desk.change("1001", OrderChange(delivery_date=date(2026, 1, 1)))


def test_changing_the_method_from_card_to_konbini() -> None:
    s = auto()
    place(s)
    order = s.desk.change("1001", OrderChange(payment_method=PaymentMethod.KONBINI)).order
    assert order.payment.method is PaymentMethod.KONBINI
    assert order.payment.instruction("payment_number")
    assert s.gateway.live_authorizations() == {}
    assert [h.code for h in order.open_holds] == [HoldCode.PAYMENT_PENDING]


def test_a_refused_new_method_changes_nothing() -> None:
    s = auto()
    place(s, payment_method=PaymentMethod.KONBINI)
    s.gateway.decline_tokens = frozenset({"tok_bad"})
    before = s.desk.get("1001")
    with pytest.raises(PaymentDeclined):
        s.desk.change("1001", OrderChange(payment_method=PaymentMethod.CARD, token="tok_bad"))
    after = s.desk.get("1001")
    assert after.payment.method is PaymentMethod.KONBINI
    assert after.lines == before.lines and after.outbox == ()
    assert not s.konbini.slips["00000000001"]["cancelled"]


def test_postpay_claims_are_amended() -> None:
    s = auto()
    place(s, payment_method=PaymentMethod.POSTPAY)
    order = s.desk.change("1001", OrderChange(quantities={"L2": 2})).order
    total = s.desk.totals(order).total
    assert s.postpay.claims["NP-1"]["amount"] == total
    assert order.payment.authorized - order.payment.voided == total
    order = s.desk.change("1001", OrderChange(quantities={"L2": 1})).order
    assert order.payment.authorized - order.payment.voided == s.desk.totals(order).total


def test_bank_transfer_follows_the_new_amount() -> None:
    s = auto()
    order = place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    account = order.payment.instruction("account") or ""
    total = s.desk.totals(order).total
    s.desk.reconcile_deposits([Deposit(account, total, "ﾔﾏﾀﾞ", T0.date(), "R1")])
    lower = s.desk.change("1001", OrderChange(remove_lines={"L2"})).order
    assert lower.payment.refund_owed == Money.yen(2200)  # paid more than the new total


def test_a_paid_konbini_order_cannot_grow() -> None:
    s = auto()
    order = place(s, payment_method=PaymentMethod.KONBINI)
    s.desk.record_konbini_payment("1001", reference="K1", amount=s.desk.totals(order).total)
    with pytest.raises(InvalidValue, match="cancel the order"):
        s.desk.change("1001", OrderChange(quantities={"L2": 2}))


def test_an_unpaid_konbini_order_gets_a_new_number() -> None:
    s = auto()
    place(s, payment_method=PaymentMethod.KONBINI)
    order = s.desk.change("1001", OrderChange(quantities={"L2": 2})).order
    assert order.payment.instruction("payment_number") == "00000000002"
    assert s.konbini.slips["00000000001"]["cancelled"]


def test_cod_fee_follows_the_total() -> None:
    s = auto()
    place(s, payment_method=PaymentMethod.COD)
    order = s.desk.change("1001", OrderChange(quantities={"L2": 3})).order
    assert order.fees == Money.yen(440)  # over ¥10,000 now


def test_points_follow_a_change() -> None:
    s = auto(points=1000)
    place(s, points_used=500)
    s.desk.change("1001", OrderChange(points_used=200))
    assert s.points.balances["C1"] == 800


# -- split ------------------------------------------------------------------------------------


def test_split_gives_each_part_its_payment_and_its_stock() -> None:
    s = auto()
    place(s, points_used=0)
    s.desk.accept("1001")
    reserved = dict(s.inventory.reserved)
    parts = s.desk.split("1001", [{"L1": 2, "L2": 1}, {"L3": 1}])
    parent = s.desk.get("1001")
    assert parent.status is OrderStatus.CANCELLED
    closing = next(e for e in parent.history if e.name == "cancel")
    assert closing.detail("split_into") == "1001-1, 1001-2"
    assert [p.split_from for p in parts] == ["1001", "1001"]
    assert [p.status for p in parts] == [OrderStatus.ALLOCATED] * 2
    assert s.inventory.reserved == reserved  # the stock stayed reserved, now by the parts
    live = s.gateway.live_authorizations()
    assert len(live) == 2 and sum(m.amount for m in live.values()) == 6860
    # items ¥4,360 and ¥1,620; the ¥880 shipping fee shared 642 / 238 by item amounts
    authorized = [p.payment.last(PaymentOp.AUTHORIZE) for p in parts]
    assert [a.amount.amount for a in authorized if a is not None] == [5002, 1858]
    first = parts[0]
    s.desk.instruct_shipping(first.number)
    assert s.desk.ship(first.number, f"{first.number}-S1", TRACKING).status is OrderStatus.SHIPPED


def test_split_postpay_and_bank_transfer() -> None:
    s = auto()
    place(s, payment_method=PaymentMethod.POSTPAY)
    parts = s.desk.split("1001", [{"L1": 2}, {"L2": 1, "L3": 1}])
    assert s.postpay.claims["NP-1"]["cancelled"]
    assert [p.payment.instruction("reference") for p in parts] == ["NP-2", "NP-3"]
    s2 = auto()
    order = place(s2, payment_method=PaymentMethod.BANK_TRANSFER)
    parts = s2.desk.split("1001", [{"L1": 2}, {"L2": 1, "L3": 1}])
    assert order.payment.instruction("account") not in s2.bank.held
    assert len({p.payment.instruction("account") for p in parts}) == 2


def test_a_paid_transfer_order_is_not_split() -> None:
    s = auto()
    order = place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    account = order.payment.instruction("account") or ""
    s.desk.reconcile_deposits([Deposit(account, Money.yen(100), "x", T0.date(), "R1")])
    before = dict(s.store.orders)
    with pytest.raises(InvalidValue, match="not arrived") as refused:
        s.desk.split("1001", [{"L1": 2}, {"L2": 1, "L3": 1}])
    # the order is refused, not its parts; and a refund, refused before shipping, is not told
    assert refused.value.field == "number"
    assert "cancel it" in str(refused.value) and "refund or" not in str(refused.value)
    assert s.store.orders == before


def test_a_bad_split_changes_nothing() -> None:
    s = auto()
    place(s)
    before = dict(s.store.orders)
    with pytest.raises(InvalidValue, match="units of the line"):
        s.desk.split("1001", [{"L1": 1}, {"L2": 1, "L3": 1}])
    assert s.store.orders == before


def test_customer_and_address_helpers_are_the_builders() -> None:
    assert customer().id == "C1" and address().postal_code == "1500001"


def test_a_cod_order_paid_mostly_in_points_can_drop_a_line() -> None:
    """The points that no longer fit were measured against the old COD fee, which is worked out
    again: the change was refused (points above the charges) instead of giving points back."""
    s = fake_shop(dict(STOCK), settings=ShopSettings(auto_advance=False), points={"C1": 10000})
    place(s, payment_method=PaymentMethod.COD, points_used=6000)
    s.desk.accept("1001")
    order = s.desk.change("1001", OrderChange(remove_lines={"L2"})).order
    totals = s.desk.totals(order)
    # items 3,780 + shipping 880: the points fit those charges, the COD fee is collected
    assert order.points_used == 4660
    assert s.points.balances["C1"] == 10000 - 4660
    assert order.fees == Money.yen(330) and totals.total == Money.yen(330)
