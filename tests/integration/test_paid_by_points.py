"""全額ポイント利用: an order the customer's points pay in full asks no payment provider."""

from typing import Any

import pytest

from orderflow import Money, OrderChange, OrderLine, OrderStatus, PaymentMethod
from orderflow.errors import InvalidValue
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, address, customer, pay_in_full

PAID = [
    PaymentMethod.CARD,
    PaymentMethod.AMAZON_PAY,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.KONBINI,
    PaymentMethod.POSTPAY,
]


def _providers(s: FakeShop) -> list[Any]:
    return [s.gateway, s.amazon_pay, s.bank, s.konbini, s.postpay, s.fraud]


def _place(s: FakeShop, method: PaymentMethod, points: int = 2160) -> None:
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)],
        token="tok",
        payment_method=method,
        shipping_fee=Money.yen(0),
        points_used=points,
    )


@pytest.mark.parametrize("method", PAID, ids=lambda m: m.value)
def test_an_order_paid_in_full_by_points_goes_to_the_books_without_a_provider(
    method: PaymentMethod,
) -> None:
    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, method)
    order = s.desk.accept("1001")
    assert s.desk.totals(order).total == Money.yen(0)
    assert not order.open_holds and s.desk.payment_confirmed(order)

    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", "123456789013")
    s.desk.deliver("1001", "1001-S1")
    booked = s.desk.book("1001")

    assert booked.status is OrderStatus.BOOKED and not booked.outbox
    assert all(not p.calls for p in _providers(s))  # nobody was asked for ¥0
    assert s.points.balances["C1"] == 5000 - 2160
    (entry,) = [e for _, e in s.accounting.entries]
    debit, credit = entry.totals()
    assert debit == credit


@pytest.mark.parametrize("method", PAID, ids=lambda m: m.value)
def test_cancelling_it_gives_every_point_back(method: PaymentMethod) -> None:
    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, method)
    s.desk.accept("1001")
    cancelled = s.desk.cancel("1001", reason="customer")
    assert cancelled.status is OrderStatus.CANCELLED and not cancelled.outbox
    assert s.points.balances["C1"] == 5000
    assert all(not p.calls for p in _providers(s))


def test_it_cannot_come_to_owe_money_and_a_refused_change_changes_nothing() -> None:
    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, PaymentMethod.CARD)
    before = s.desk.accept("1001")
    with pytest.raises(InvalidValue) as refused:
        s.desk.change("1001", OrderChange(points_used=0))
    assert refused.value.field == "change"
    assert s.desk.get("1001") == before
    assert s.points.balances["C1"] == 5000 - 2160


def test_a_switch_of_method_takes_effect_at_once() -> None:
    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, PaymentMethod.CARD)
    s.desk.accept("1001")
    s.desk.change("1001", OrderChange(payment_method=PaymentMethod.POSTPAY))
    switched = s.desk.get("1001")
    assert switched.payment.method is PaymentMethod.POSTPAY and switched.proposal is None
    assert not switched.outbox and all(not p.calls for p in _providers(s))


def test_a_postpay_claim_whose_total_came_to_zero_is_withdrawn_not_billed() -> None:
    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, PaymentMethod.POSTPAY, points=0)
    s.desk.accept("1001")
    s.desk.change("1001", OrderChange(points_used=2160))  # the points now pay it all
    s.desk.instruct_shipping("1001")
    shipped = s.desk.ship("1001", "1001-S1", "123456789013")
    assert not shipped.outbox
    assert [c.method for c in s.postpay.calls_to("report_shipment")] == []
    assert [c.method for c in s.postpay.calls_to("cancel")] == ["cancel"]


DIRECT = [PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI]


@pytest.mark.parametrize("method", DIRECT, ids=lambda m: m.value)
def test_a_transfer_or_konbini_order_whose_points_come_to_pay_it_all_waits_for_nothing(
    method: PaymentMethod,
) -> None:
    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, method, points=0)
    s.desk.accept("1001")
    s.desk.change("1001", OrderChange(points_used=2160))  # nothing left to pay
    order = s.desk.get("1001")
    assert s.desk.totals(order).total == Money.yen(0)
    assert not order.open_holds and s.desk.payment_confirmed(order)
    assert [c.request[1] for c in s.konbini.calls_to("issue")] in ([], [Money.yen(2160)])
    assert not [n for n, slip in s.konbini.slips.items() if not slip["cancelled"]]

    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", "123456789013")
    s.desk.deliver("1001", "1001-S1")
    booked = s.desk.book("1001")
    assert booked.status is OrderStatus.BOOKED and not booked.outbox
    assert not s.bank.held  # the virtual account went back to the pool
    assert s.points.balances["C1"] == 5000 - 2160


@pytest.mark.parametrize("method", DIRECT, ids=lambda m: m.value)
def test_owing_money_again_after_nothing_waits_for_the_payment_again(
    method: PaymentMethod,
) -> None:
    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, method, points=0)
    s.desk.accept("1001")
    s.desk.change("1001", OrderChange(points_used=2160))
    s.desk.change("1001", OrderChange(points_used=0))  # a payment was opened: it owes again
    order = s.desk.get("1001")
    assert [h.code for h in order.open_holds] == ["payment_pending"]
    assert not s.desk.payment_confirmed(order)
    live = [n for n, slip in s.konbini.slips.items() if not slip["cancelled"]]
    number = order.payment.instruction("payment_number")
    assert live == ([number] if method is PaymentMethod.KONBINI else [])

    pay_in_full(s)
    order = s.desk.allocate("1001")
    assert not order.open_holds and s.desk.payment_confirmed(order)


CARDS = [PaymentMethod.CARD, PaymentMethod.AMAZON_PAY]


@pytest.mark.parametrize("method", CARDS, ids=lambda m: m.value)
def test_the_reauthorization_sweep_asks_nothing_for_an_order_that_owes_nothing(
    method: PaymentMethod,
) -> None:
    from datetime import timedelta

    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, method, points=0)  # authorized for 2,160
    s.desk.accept("1001")
    s.desk.change("1001", OrderChange(points_used=2160))  # then the points paid it all
    s.clock.advance(timedelta(days=28))
    calls = len(s.gateway.calls) + len(s.amazon_pay.calls)
    assert s.desk.reauthorize_expiring() == []
    order = s.desk.get("1001")
    assert not order.open_holds and s.desk.payment_confirmed(order)
    assert len(s.gateway.calls) + len(s.amazon_pay.calls) == calls
    assert "payment_failed" not in [n.kind for n in s.notifier.sent]


def test_an_order_that_owes_nothing_and_holds_no_payment_cannot_come_to_owe_money() -> None:
    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, PaymentMethod.CARD, points=0)
    s.desk.accept("1001")
    s.desk.change("1001", OrderChange(points_used=2160))
    s.desk.change("1001", OrderChange(payment_method=PaymentMethod.BANK_TRANSFER))  # no account
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as refused:
        s.desk.change("1001", OrderChange(points_used=0))
    assert refused.value.field == "change"
    assert s.desk.get("1001") == before and not s.bank.calls


def test_a_card_authorization_that_lapsed_while_nothing_was_owed_is_asked_again() -> None:
    from datetime import timedelta

    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, PaymentMethod.CARD, points=0)
    s.desk.accept("1001")
    s.desk.change("1001", OrderChange(points_used=2160))
    s.clock.advance(timedelta(days=31))  # the authorization of 2,160 lapsed
    s.desk.change("1001", OrderChange(points_used=1000))  # 1,160 owed again
    order = s.desk.get("1001")
    assert s.desk.payment_confirmed(order) and not order.open_holds
    assert list(s.gateway.live_authorizations().values()) == [Money.yen(1160)]  # the old: void


def test_a_postpay_claim_under_review_is_withdrawn_once_the_points_pay_it_all() -> None:
    from orderflow.ports import CreditStatus

    s = fake_shop(STOCK, points={"C1": 5000})
    s.postpay.decisions["C1"] = CreditStatus.PENDING
    _place(s, PaymentMethod.POSTPAY, points=0)
    s.desk.accept("1001")
    s.desk.change("1001", OrderChange(points_used=2160))
    order = s.desk.get("1001")
    assert not order.open_holds and s.desk.payment_confirmed(order)
    assert s.postpay.claims["NP-1"]["cancelled"]
    s.postpay.decide("NP-1", CreditStatus.DECLINED)  # too late to matter
    order = s.desk.refresh_postpay("1001")
    assert order.status is OrderStatus.ALLOCATED and not order.open_holds
    assert "payment_failed" not in [n.kind for n in s.notifier.sent]
    with pytest.raises(InvalidValue):  # the claim is gone: nothing could bill more
        s.desk.change("1001", OrderChange(points_used=0))


@pytest.mark.parametrize("method", PAID, ids=lambda m: m.value)
def test_an_island_surcharge_found_at_acceptance_opens_the_payment_after_all(
    method: PaymentMethod,
) -> None:
    from orderflow import Address

    sado = Address("952-0011", "新潟県", "佐渡市両津夷", "1", "佐渡 太郎", "0259-00-0000")
    s = fake_shop(STOCK, points={"C1": 5000})
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=sado,
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)],
        token="tok",
        payment_method=method,
        shipping_fee=Money.yen(0),
        points_used=2160,
    )
    order = s.desk.accept("1001")  # the review adds the island's shipping fee: 1,980 owed
    assert s.desk.totals(order).total == Money.yen(1980)
    asked = {
        PaymentMethod.CARD: s.gateway.calls_to("authorize"),
        PaymentMethod.AMAZON_PAY: s.amazon_pay.calls_to("authorize"),
        PaymentMethod.BANK_TRANSFER: s.bank.calls_to("issue_account"),
        PaymentMethod.KONBINI: s.konbini.calls_to("issue"),
        PaymentMethod.POSTPAY: s.postpay.calls_to("register"),
    }[method]
    assert len(asked) == 1 and Money.yen(1980) in asked[0].request
    s.desk.clear_hold("1001", "remote_island")
    pay_in_full(s)
    assert s.desk.payment_confirmed(s.desk.get("1001"))
