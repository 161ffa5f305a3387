"""返金のお知らせ: every refund tells the customer how the money comes back, whatever the method."""

from __future__ import annotations

import pytest

from orderflow import Money, PaymentMethod
from orderflow.notices.blocks import refund_note
from orderflow.testing import FakeShop
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
