"""返金: each refund tells how the money comes back; a refused one is owed by transfer."""

from __future__ import annotations

import pytest

from orderflow import Money, PaymentMethod
from orderflow.errors import InvalidValue, PaymentDeclined
from orderflow.notices.blocks import refund_note
from orderflow.testing import FakeShop, Fault
from tests.builders import finish, pay_in_full, place, shop


def booked(method: PaymentMethod) -> FakeShop:
    """A shop whose order 1001, paid by ``method``, is booked."""
    s = shop()
    place(s, payment_method=method)
    pay_in_full(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    finish(s)
    return s


@pytest.mark.parametrize(
    "method",
    [PaymentMethod.CARD, PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI, PaymentMethod.COD],
)
def test_a_goodwill_refund_sends_one_refund_notice_with_the_way_back(
    method: PaymentMethod,
) -> None:
    s = booked(method)
    before = len(s.notifier.sent)
    order = s.desk.refund("1001", Money.yen(1000), reason="お詫び")
    sent = s.notifier.sent[before:]
    assert [n.kind for n in sent] == ["refund"]
    notice = sent[0]
    assert notice.order is not None and notice.order.payment_method is method
    assert refund_note(method, notice.locale) in notice.text
    assert "1,000" in notice.text
    if method is not PaymentMethod.CARD:  # owed back by transfer, and said so
        assert order.payment.refund_owed == Money.yen(1000)
        assert refund_note(method, notice.locale) != refund_note(PaymentMethod.CARD, "ja")


def test_a_refused_card_refund_is_owed_by_transfer_and_cannot_be_paid_twice() -> None:
    s = booked(PaymentMethod.CARD)
    captured = s.desk.get("1001").payment.captured
    s.gateway.fail_next("refund", Fault.DECLINE)
    before = len(s.notifier.sent)
    with pytest.raises(PaymentDeclined) as raised:
        s.desk.refund("1001", Money.yen(1000), reason="お詫び")
    assert raised.value.code == "refund_refused"
    order = s.desk.get("1001")
    assert [h.code for h in order.open_holds] == ["refund_failed"]
    assert order.payment.refunded == Money.yen(0)
    assert order.payment.refund_owed == Money.yen(1000)  # a person transfers it
    assert s.desk.refundable(order) == captured - Money.yen(1000)
    [notice] = s.notifier.sent[before:]
    assert notice.kind == "refund"
    assert refund_note(PaymentMethod.CARD, notice.locale, by_transfer=True) in notice.text
    assert refund_note(PaymentMethod.CARD, notice.locale) not in notice.text
    # the whole capture again through the gateway: only what was not owed back yet may go
    with pytest.raises(InvalidValue):
        s.desk.refund("1001", captured, reason="all of it")
    s.desk.refund("1001", captured - Money.yen(1000), reason="the rest")
    assert s.desk.refundable(s.desk.get("1001")) == Money.yen(0)
    refunded = sum(c["refunded"].amount for c in s.gateway.captures.values())
    assert refunded == (captured - Money.yen(1000)).amount
