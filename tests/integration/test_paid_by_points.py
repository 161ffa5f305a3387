"""全額ポイント利用: an order the customer's points pay in full asks no payment provider."""

from typing import Any

import pytest

from orderflow import Money, OrderChange, OrderLine, OrderStatus, PaymentMethod
from orderflow.errors import InvalidValue
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, address, customer

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
