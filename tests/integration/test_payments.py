"""Every payment method, order to booking, with cancel and refund where they apply."""

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

from orderflow import (
    CreditStatus,
    Deposit,
    FraudVerdict,
    HoldCode,
    MatchKind,
    Money,
    Move,
    OrderStatus,
    PaymentMethod,
    PostpayDeclined,
    ShopSettings,
)
from orderflow.errors import (
    InvalidValue,
    MoveBlocked,
    MoveNotAllowed,
    OutcomeUnknown,
    PaymentDeclined,
)
from orderflow.testing import FakeShop, Fault
from tests.builders import T0, address, customer, finish, pay_in_full, place, shop


def run_to_booked(s: FakeShop, method: PaymentMethod, **kwargs: Any) -> None:
    place(s, payment_method=method, **kwargs)
    pay_in_full(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    finish(s)


def ledger(s: FakeShop) -> list[tuple[str, str]]:
    return [(e.op.value, e.outcome.value) for e in s.desk.get("1001").payment.ledger]


def holds(s: FakeShop) -> list[str]:
    return [h.code for h in s.desk.get("1001").open_holds]


# -- card -------------------------------------------------------------------------------------


def test_card_order_to_booking() -> None:
    s = shop()
    run_to_booked(s, PaymentMethod.CARD)
    order = s.desk.get("1001")
    assert order.status is OrderStatus.BOOKED
    assert ledger(s) == [("authorize", "succeeded"), ("capture", "succeeded")]
    assert len(s.fraud.calls_to("screen")) == 1


def test_fraud_review_holds_the_order() -> None:
    s = shop()
    s.fraud.verdicts["C1"] = FraudVerdict.REVIEW
    order = place(s)
    assert order.status is OrderStatus.ORDERED
    assert holds(s) == [HoldCode.FRAUD_REVIEW]
    assert order.payment.authorized == s.desk.totals(order).total
    s.desk.accept("1001")
    s.desk.allocate("1001")
    with pytest.raises(MoveBlocked, match="fraud_review"):
        s.desk.instruct_shipping("1001")
    s.desk.clear_hold("1001", HoldCode.FRAUD_REVIEW, actor="risk:tanaka")
    assert s.desk.instruct_shipping("1001").status is OrderStatus.SHIPPING_INSTRUCTED


def test_fraud_reject_cancels_with_a_notice_and_no_authorization() -> None:
    s = shop()
    s.fraud.verdicts["taro@example.jp"] = FraudVerdict.REJECT
    with pytest.raises(PaymentDeclined) as caught:
        place(s)
    assert caught.value.code == "fraud_rejected"
    order = s.desk.get("1001")
    assert order.status is OrderStatus.CANCELLED
    assert s.gateway.calls_to("authorize") == []
    assert [n.kind for n in s.notifier.sent] == ["cancellation"]
    assert ledger(s) == []  # rejected before the card was asked


def test_partial_capture_releases_the_rest() -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    # the total fell after the authorization (a coupon applied by the shop)
    lowered = attrs.evolve(s.desk.get("1001"), discount=Money.yen(1000))
    s.store.save(lowered, expected_version=lowered.version)
    finish(s)
    order = s.desk.get("1001")
    total = s.desk.totals(order).total
    assert order.payment.captured == total
    assert order.payment.voided == Money.yen(1000)
    assert order.payment.open_authorization == Money.yen(0)
    assert s.gateway.live_authorizations() == {}


def test_card_refunds_full_and_partial_but_never_more_than_captured() -> None:
    s = shop()
    run_to_booked(s, PaymentMethod.CARD)
    captured = s.desk.get("1001").payment.captured
    s.desk.refund("1001", Money.yen(1000), reason="one item returned")
    with pytest.raises(InvalidValue, match="amount"):
        s.desk.refund("1001", captured, reason="too much")
    order = s.desk.refund("1001", captured - Money.yen(1000), reason="the rest")
    assert order.payment.refunded == captured
    assert len(s.gateway.calls_to("refund")) == 2


def test_no_refund_before_shipping() -> None:
    s = shop()
    place(s)
    with pytest.raises(MoveNotAllowed):
        s.desk.refund("1001", Money.yen(100), reason="x")


def test_authorizations_are_renewed_before_they_expire() -> None:
    s = shop()
    order = place(s)
    s.desk.accept("1001")
    assert s.desk.reauthorize_expiring() == []  # 30 days left: nothing to do
    s.clock.advance(timedelta(days=28))
    [renewed] = s.desk.reauthorize_expiring()
    total = s.desk.totals(order).total
    assert renewed.payment.authorized == total * 2
    assert renewed.payment.voided == total
    assert renewed.payment.open_authorization == total
    assert len(s.gateway.live_authorizations()) == 1
    assert s.notifier.sent[-1].kind == "authorization_renewed"
    assert s.desk.reauthorize_expiring() == []  # the new one has 30 days


def test_a_failed_reauthorization_holds_the_order() -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.gateway.decline_tokens = frozenset({"tok_ok"})
    s.clock.advance(timedelta(days=29))
    s.desk.reauthorize_expiring()
    assert holds(s) == [HoldCode.AUTHORIZATION_FAILED]
    assert s.notifier.sent[-1].kind == "payment_failed"
    with pytest.raises(MoveBlocked):
        s.desk.instruct_shipping("1001")


# -- Amazon Pay -------------------------------------------------------------------------------


def test_amazon_pay_uses_its_own_gateway_and_keeps_the_address_guarantee() -> None:
    s = shop()
    run_to_booked(s, PaymentMethod.AMAZON_PAY, address_from_amazon=True)
    order = s.desk.get("1001")
    assert order.address_guaranteed
    assert s.gateway.calls == []
    assert [c.method for c in s.amazon_pay.calls] == ["authorize", "capture"]


def test_editing_an_amazon_address_loses_the_guarantee() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.AMAZON_PAY, address_from_amazon=True)
    new = attrs.evolve(address(), line1="4-5-6")
    order = s.desk.change_ship_to("1001", new, actor="customer")
    assert not order.address_guaranteed
    event = next(e for e in reversed(order.history) if e.name == "changed")
    assert event.detail("address_guarantee") == "lost"


def test_amazon_pay_cancel_voids_at_amazon() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.AMAZON_PAY)
    s.desk.cancel("1001", reason="changed mind")
    assert s.amazon_pay.live_authorizations() == {}
    assert [c.method for c in s.amazon_pay.calls] == ["authorize", "void"]


# -- 後払い ----------------------------------------------------------------------------------


def test_postpay_order_to_booking_reports_the_shipment() -> None:
    s = shop()
    run_to_booked(s, PaymentMethod.POSTPAY)
    [claim] = s.postpay.claims.values()
    assert claim["reported"] == ("11", "123456789013")  # Yamato's code, the number normalised
    assert ledger(s) == [("authorize", "succeeded"), ("capture", "succeeded")]
    assert s.postpay.billable() == {"NP-1": s.desk.totals(s.desk.get("1001")).total}


def test_postpay_pending_review_holds_until_approved() -> None:
    s = shop()
    s.postpay.decisions["C1"] = CreditStatus.PENDING
    place(s, payment_method=PaymentMethod.POSTPAY)
    assert holds(s) == [HoldCode.POSTPAY_REVIEW]
    assert ledger(s) == [("authorize", "requested")]
    s.desk.accept("1001")
    s.desk.allocate("1001")
    with pytest.raises(MoveBlocked):
        s.desk.instruct_shipping("1001")
    assert s.desk.refresh_postpay("1001") == s.desk.get("1001")  # still pending
    s.postpay.decide("NP-1", CreditStatus.APPROVED)
    order = s.desk.refresh_postpay("1001")
    assert holds(s) == [] and order.payment.authorized.amount > 0
    finish(s)


@pytest.mark.parametrize("policy", list(PostpayDeclined))
def test_postpay_declined_at_order(policy: PostpayDeclined) -> None:
    s = shop(settings=ShopSettings(postpay_declined=policy, auto_advance=False))
    s.postpay.decisions["C1"] = CreditStatus.DECLINED
    if policy is PostpayDeclined.CANCEL:
        with pytest.raises(PaymentDeclined):
            place(s, payment_method=PaymentMethod.POSTPAY)
        assert s.desk.get("1001").status is OrderStatus.CANCELLED
    else:
        order = place(s, payment_method=PaymentMethod.POSTPAY)
        assert order.status is OrderStatus.ORDERED
        assert holds(s) == [HoldCode.POSTPAY_DECLINED]
    assert "payment_failed" in [n.kind for n in s.notifier.sent]


def test_postpay_declined_after_review_cancels_and_releases_stock() -> None:
    s = shop()
    s.postpay.decisions["C1"] = CreditStatus.PENDING
    place(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.postpay.decide("NP-1", CreditStatus.DECLINED)
    order = s.desk.refresh_postpay("1001")
    assert order.status is OrderStatus.CANCELLED
    assert all(v == 0 for v in s.inventory.reserved.values())


def test_postpay_cancel_cancels_the_claim() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.POSTPAY)
    order = s.desk.cancel("1001", reason="customer request")
    assert s.postpay.claims["NP-1"]["cancelled"]
    assert order.payment.voided == order.payment.authorized


def test_postpay_partial_refund_cancels_and_registers_the_rest() -> None:
    s = shop()
    run_to_booked(s, PaymentMethod.POSTPAY)
    total = s.desk.totals(s.desk.get("1001")).total
    order = s.desk.refund("1001", Money.yen(2200), reason="mug returned")
    assert s.postpay.claims["NP-1"]["cancelled"]
    assert s.postpay.billable() == {"NP-2": total - Money.yen(2200)}
    assert order.payment.instruction("reference") == "NP-2"
    assert order.payment.refunded == Money.yen(2200)


# -- 銀行振込 --------------------------------------------------------------------------------


def deposit(s: FakeShop, amount: int, reference: str, number: str = "1001") -> object:
    account = s.desk.get(number).payment.instruction("account")
    assert account is not None
    return s.desk.reconcile_deposits(
        [Deposit(account, Money.yen(amount), "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", T0.date(), reference)]
    )


def test_bank_transfer_to_booking_and_the_account_goes_back_to_the_pool() -> None:
    s = shop()
    order = place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    account = order.payment.instruction("account")
    assert holds(s) == [HoldCode.PAYMENT_PENDING]
    request = s.notifier.sent[0]
    assert request.kind == "payment_request_bank" and "1000001" in request.body
    run = s.desk.get("1001")
    deposit(s, int(s.desk.totals(run).total.amount), "R1")
    assert holds(s) == []
    assert s.notifier.sent[-1].kind == "payment_received"
    s.desk.accept("1001")
    s.desk.allocate("1001")
    finish(s)
    assert account not in s.bank.held
    assert s.desk.get("1001").payment.ledger[0].detail == "(株)ヤマダシヨウジ"


def test_an_underpayment_holds_and_later_deposits_add_up() -> None:
    s = shop()
    order = place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    total = int(s.desk.totals(order).total.amount)
    deposit(s, 5000, "R1")
    assert holds(s) == [HoldCode.PAYMENT_SHORTFALL]
    assert s.notifier.sent[-1].kind == "payment_shortfall"
    assert f"{total - 5000:,}" in s.notifier.sent[-1].body
    deposit(s, total - 5000, "R2")
    assert holds(s) == []
    assert s.desk.payment_confirmed(s.desk.get("1001"))


def test_an_overpayment_confirms_and_records_the_refund_owed() -> None:
    s = shop()
    order = place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    total = int(s.desk.totals(order).total.amount)
    report = deposit(s, total + 500, "R1")
    assert report.reconciliation.matched[0].kind is MatchKind.OVER  # type: ignore[attr-defined]
    order = s.desk.get("1001")
    assert order.payment.refund_owed == Money.yen(500)
    assert holds(s) == []


def test_a_deposit_counts_once_and_unknown_accounts_are_unmatched() -> None:
    s = shop()
    order = place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    total = s.desk.totals(order).total
    account = order.payment.instruction("account")
    assert account is not None
    same = Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", T0.date(), "R1")
    stranger = Deposit("101-7777777", Money.yen(3000), "ﾀﾅｶ ｲﾁﾛｳ", T0.date(), "R9")
    first = s.desk.reconcile_deposits([same, stranger])
    second = s.desk.reconcile_deposits([same])
    assert first.unmatched == (stranger,)
    assert second.reconciliation.repeated == (same,)
    assert s.desk.get("1001").payment.received == total


def test_a_reused_account_matches_the_order_holding_it_now() -> None:
    s = shop()
    run_to_booked(s, PaymentMethod.BANK_TRANSFER)
    first_account = s.desk.get("1001").payment.instruction("account")
    second = place(s, "1002", payment_method=PaymentMethod.BANK_TRANSFER)
    assert second.payment.instruction("account") == first_account
    deposit(s, 1000, "R-late", number="1002")
    assert s.desk.get("1002").payment.received == Money.yen(1000)
    assert s.desk.get("1001").payment.received == s.desk.totals(s.desk.get("1001")).total


def test_cancel_after_a_partial_payment_owes_it_back() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    deposit(s, 3000, "R1")
    order = s.desk.cancel("1001", reason="customer request")
    assert order.payment.refund_owed == Money.yen(3000)
    assert order.payment.instruction("account") not in s.bank.held


# -- コンビニ ---------------------------------------------------------------------------------


def test_konbini_to_booking() -> None:
    s = shop()
    order = place(s, payment_method=PaymentMethod.KONBINI)
    assert order.payment.instruction("payment_number") == "00000000001"
    assert "2026年11月29日" in s.notifier.sent[0].body  # 7 days, in Tokyo
    total = s.desk.totals(order).total
    s.desk.record_konbini_payment("1001", reference="K1", amount=total)
    s.desk.record_konbini_payment("1001", reference="K1", amount=total)  # told twice
    assert s.desk.get("1001").payment.received == total
    s.desk.accept("1001")
    s.desk.allocate("1001")
    assert finish(s).status is OrderStatus.BOOKED


def test_a_konbini_payment_time_without_a_zone_names_paid_at() -> None:
    s = shop()
    order = place(s, payment_method=PaymentMethod.KONBINI)
    total = s.desk.totals(order).total
    with pytest.raises(InvalidValue) as refused:
        s.desk.record_konbini_payment(
            "1001", reference="K1", amount=total, paid_at=datetime(2026, 11, 23, 9, 0)
        )
    assert refused.value.field == "paid_at"
    assert s.desk.get("1001").payment.received == Money.yen(0)


def test_unpaid_konbini_orders_expire_and_release_their_stock() -> None:
    s = shop()
    place(s, "1001", payment_method=PaymentMethod.KONBINI)
    paid = place(s, "1002", payment_method=PaymentMethod.KONBINI)
    for number in ("1001", "1002"):
        s.desk.accept(number)
        s.desk.allocate(number)
    s.desk.record_konbini_payment("1002", reference="K2", amount=s.desk.totals(paid).total)
    s.clock.advance(timedelta(days=6))
    assert s.desk.expire_unpaid() == []
    s.clock.advance(timedelta(days=2))
    [expired] = s.desk.expire_unpaid()
    assert expired.number == "1001" and expired.status is OrderStatus.CANCELLED
    assert s.konbini.slips["00000000001"]["cancelled"]
    assert s.desk.get("1002").status is OrderStatus.ALLOCATED
    assert s.notifier.sent[-1].kind == "cancellation"
    assert s.inventory.reserved[("TOKYO", "TEA-1")] == 2  # only 1002's


# -- 代引き -----------------------------------------------------------------------------------


def test_cod_adds_the_fee_collects_on_delivery_and_books_the_fee() -> None:
    s = shop()
    order = place(s, payment_method=PaymentMethod.COD)
    assert order.fees == Money.yen(330)  # ¥6,860 is in the first bracket
    total = s.desk.totals(order).total
    assert total == Money.yen(6860 + 330)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    assert Move.INSTRUCT_SHIPPING in s.desk.next_moves("1001")  # nothing to confirm first
    instructed = s.desk.instruct_shipping("1001")
    assert instructed.shipments[0].cod_amount == total
    s.desk.ship("1001", "1001-S1", "1234-5678-9013")
    assert s.desk.get("1001").payment.received == Money.yen(0)  # collected on delivery
    s.desk.deliver("1001", "1001-S1")
    s.desk.book("1001")
    order = s.desk.get("1001")
    assert order.payment.received == total
    [(_, entry)] = s.accounting.entries
    assert any(line.sub_account == "手数料" for line in entry.lines)


def test_cod_above_the_last_bracket_is_refused() -> None:
    s = shop({("TOKYO", "TEA-1"): 1000, ("TOKYO", "MUG-1"): 5, ("TOKYO", "CAKE-1"): 5})
    from orderflow import OrderLine, TaxRate

    big = [OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 300, TaxRate.REDUCED)]
    with pytest.raises(InvalidValue, match="COD"):
        place(s, order_lines=big, payment_method=PaymentMethod.COD)
    assert s.store.orders == {}


def test_cod_refund_is_owed_by_transfer() -> None:
    s = shop()
    run_to_booked(s, PaymentMethod.COD)
    order = s.desk.refund("1001", Money.yen(1080), reason="tea returned")
    assert order.payment.refund_owed == Money.yen(1080)


# -- the ledger -------------------------------------------------------------------------------


def test_a_method_without_its_port_is_refused() -> None:
    from orderflow import OrderDesk
    from orderflow.testing import (
        FakeAccounting,
        FakeCarrier,
        FakeInventory,
        FakeNotifier,
        FakeWarehouse,
        FixedClock,
        InMemoryOrderStore,
    )

    desk = OrderDesk(
        store=InMemoryOrderStore(),
        inventory=FakeInventory({("TOKYO", "TEA-1"): 1}),
        warehouses={"TOKYO": FakeWarehouse()},
        carriers={"yamato": FakeCarrier("yamato")},
        accounting=FakeAccounting(),
        notifier=FakeNotifier(),
        clock=FixedClock(),
    )
    with pytest.raises(InvalidValue, match="payment_method"):
        desk.place(
            number="1",
            customer=customer(),
            ship_to=address(),
            lines=[],
            payment_method=PaymentMethod.KONBINI,
        )


def test_every_request_is_in_the_ledger_before_its_outcome() -> None:
    s = shop()
    s.gateway.fail_next("authorize", Fault.TIMEOUT_BEFORE)
    with pytest.raises(OutcomeUnknown):
        place(s)
    order = s.desk.get("1001")
    assert order.payment.ledger == ()  # no outcome for a call not answered…
    assert order.outbox[0].kind == "authorize"  # …it is pending, saved before the call
    place(s)  # placing the same order again finishes it with the same key
    assert ledger(s) == [("authorize", "succeeded")]


# -- every method: cancel before shipping, refund after --------------------------------------


@pytest.mark.parametrize("method", list(PaymentMethod))
def test_every_method_cancels_before_shipping_and_gives_everything_back(
    method: PaymentMethod,
) -> None:
    s = shop()
    place(s, payment_method=method)
    pay_in_full(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    order = s.desk.cancel("1001", reason="customer request")
    payment = order.payment
    assert order.status is OrderStatus.CANCELLED
    assert all(v == 0 for v in s.inventory.reserved.values())
    assert payment.open_authorization == Money.yen(0)
    assert payment.refund_owed == payment.received  # money received is owed back in full
    assert s.gateway.live_authorizations() == {} and s.amazon_pay.live_authorizations() == {}
    assert s.postpay.billable() == {}
    assert s.bank.held == {}
    assert s.notifier.sent[-1].kind == "cancellation"


@pytest.mark.parametrize("method", list(PaymentMethod))
def test_every_method_refunds_after_shipping_never_more_than_paid(method: PaymentMethod) -> None:
    s = shop()
    run_to_booked(s, method)
    paid = s.desk.refundable(s.desk.get("1001"))
    s.desk.refund("1001", Money.yen(500), reason="partial return")
    with pytest.raises(InvalidValue, match="amount"):
        s.desk.refund("1001", paid, reason="more than is left")
    order = s.desk.refund("1001", paid - Money.yen(500), reason="the rest")
    payment = order.payment
    assert payment.refunded + payment.refund_owed == paid
    assert s.desk.refundable(order) == Money.yen(0)
    if method in (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY, PaymentMethod.POSTPAY):
        assert payment.refunded == paid  # through the provider
    else:
        assert payment.refund_owed == paid  # by bank transfer, recorded as owed


def test_the_shop_says_how_long_an_authorization_lives_when_the_gateway_does_not() -> None:
    s = shop(settings=ShopSettings(authorization_days=7, auto_advance=False))
    s.gateway.auth_days = 0  # this gateway reports no expiry...
    original = s.gateway.authorize

    def authorize_without_expiry(**kwargs: Any) -> Any:
        return attrs.evolve(original(**kwargs), expires_at=None)

    s.gateway.authorize = authorize_without_expiry  # type: ignore[method-assign]
    place(s)
    s.clock.advance(timedelta(days=3))
    assert s.desk.reauthorize_expiring() == []  # 4 days left, more than the 3-day margin
    s.clock.advance(timedelta(days=2))
    [renewed] = s.desk.reauthorize_expiring()  # 2 days left of the shop's 7
    assert renewed.payment.voided == s.desk.totals(renewed).total
