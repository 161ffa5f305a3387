"""後払い, konbini and 代引き when the order then moves on: one test per defect found.

Each drives the desk on the fakes through a sequence a shop meets and checks what the shop sees:
the order's holds, outbox and payment, and what the provider was asked.
"""

from __future__ import annotations

from orderflow import OrderChange, OrderStatus, PaymentMethod
from orderflow.ports import CreditStatus
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, place

NUMBER = "1001"


def _shop() -> FakeShop:
    return fake_shop(dict(STOCK))


def test_a_claim_declined_after_an_amend_review_is_cancelled_once_and_the_order_closes_clean() -> (
    None
):
    s = _shop()
    place(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.accept(NUMBER)
    reference = s.desk.get(NUMBER).payment.instruction("reference")
    assert reference is not None
    s.postpay.decide(reference, CreditStatus.PENDING)  # the provider reviews the higher amount
    s.desk.change(NUMBER, OrderChange(quantities={"L1": 3}))
    s.postpay.decide(reference, CreditStatus.DECLINED)

    order = s.desk.refresh_postpay(NUMBER)

    assert order.status is OrderStatus.CANCELLED
    assert [c.request for c in s.postpay.calls_to("cancel")] == [(reference,)], (
        "the declined claim was cancelled twice (the second refused)"
    )
    assert not order.open_holds, "a cancelled order was left held effect_refused"
    assert order.outbox == ()
    assert order.payment.voided == order.payment.authorized  # what it held before the amend
