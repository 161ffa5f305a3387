"""A cancelled order whose money had arrived owes it back by transfer: the customer is told so.

Found by the direct-money hunt: cancelling a paid bank-transfer or konbini order (or the konbini
sweep cancelling one paid short) recorded the money as owed back and listed it in
``refunds_to_transfer``, but the customer got only the cancellation notice, never the ``refund``
notice that asks for the account to pay it back to.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from orderflow import Deposit, Money, OrderStatus, PaymentMethod
from orderflow.notices import Notice
from orderflow.testing import fake_shop
from tests.builders import STOCK, place, to_booked


def _refunds(sent: list[Notice]) -> list[dict[str, object]]:
    return [dict(n.facts) for n in sent if n.kind == "refund"]


def test_a_paid_transfer_order_cancelled_is_told_its_refund() -> None:
    shop = fake_shop(dict(STOCK))
    place(shop, payment_method=PaymentMethod.BANK_TRANSFER, token=None)
    order = shop.desk.accept("1001")
    account = order.payment.instruction("account")
    assert account is not None
    total = shop.desk.totals(order).total
    shop.desk.reconcile_deposits([Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", date(2026, 11, 24), "R-1")])

    order = shop.desk.cancel("1001", reason="お客様都合")

    assert order.payment.refund_to_transfer == total
    [told] = _refunds(shop.notifier.sent)
    assert told["amount"] == total and told["paid_back_by"] == "transfer"


def test_a_konbini_order_paid_short_and_lapsed_is_told_its_refund() -> None:
    shop = fake_shop(dict(STOCK))
    place(shop, payment_method=PaymentMethod.KONBINI, token=None)
    shop.desk.record_konbini_payment("1001", reference="K-1", amount=Money.yen(1000))
    shop.clock.advance(timedelta(days=8))

    [order] = shop.desk.expire_unpaid()

    assert order.status is OrderStatus.CANCELLED
    [told] = _refunds(shop.notifier.sent)
    assert told["amount"] == Money.yen(1000) and told["paid_back_by"] == "transfer"


def test_an_unpaid_order_cancelled_is_told_no_refund() -> None:
    shop = fake_shop(dict(STOCK))
    place(shop, payment_method=PaymentMethod.BANK_TRANSFER, token=None)
    shop.desk.cancel("1001", reason="お客様都合")
    assert _refunds(shop.notifier.sent) == []


def test_a_card_refund_paid_by_transfer_names_the_transfer_not_the_card() -> None:
    """Found by the returns hunt: the notice said (クレジットカード), then お振り込みいたします."""
    shop = fake_shop(dict(STOCK))
    to_booked(shop)
    shop.desk.refund("1001", Money.yen(500), reason="お詫び", by_transfer=True)
    [told] = [n for n in shop.notifier.sent if n.kind == "refund"]
    text = told.text
    assert "(銀行振込)" in text and "クレジットカード" not in text
    assert "お振り込みいたします" in text


def test_a_refund_still_to_be_transferred_is_not_told_as_done() -> None:
    """The refund notice of a transfer is sent when the money is owed, before anyone transfers
    it: its body must not say the refund was made (返金いたしました) while its note says the
    money will be transferred (お振り込みいたします)."""
    shop = fake_shop(dict(STOCK))
    to_booked(shop)
    shop.desk.refund("1001", Money.yen(500), reason="お詫び", by_transfer=True)
    [told] = [n for n in shop.notifier.sent if n.kind == "refund"]
    assert "返金いたしました" not in told.text
    assert "ご返金いたします" in told.text
    english = attrs.evolve(told, locale="en").text
    assert "We have refunded" not in english and "We are refunding ¥500" in english
