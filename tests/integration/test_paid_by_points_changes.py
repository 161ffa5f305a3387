"""Changes of an order its points pay in full (全額ポイント) that would give it a total.

A switch of method that opens a payment opens it for the new total, as any switch does; the
other changes that give it a total are refused before anything, by a dry run too.
"""

import pytest

from orderflow import Money, OrderChange, PaymentMethod
from orderflow.errors import InvalidValue
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK
from tests.integration.test_paid_by_points import _place


def _paid_by_points(method: PaymentMethod) -> FakeShop:
    s = fake_shop(STOCK, points={"C1": 5000})
    _place(s, method)
    s.desk.accept("1001")
    return s


OPENED = [
    PaymentMethod.CARD,
    PaymentMethod.POSTPAY,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.KONBINI,
]


@pytest.mark.parametrize("new", OPENED, ids=lambda m: m.value)
def test_a_switch_with_more_units_opens_the_new_payment_for_the_new_total(
    new: PaymentMethod,
) -> None:
    # the new method's account, number or claim was opened, then its answer refused as the
    # ¥0 order's "cannot come to owe money": the effect stayed pending for good, every later
    # command (resume, change, even cancel) raised the same InvalidValue
    old = PaymentMethod.KONBINI if new is not PaymentMethod.KONBINI else PaymentMethod.CARD
    s = _paid_by_points(old)
    token = "tok_new" if new is PaymentMethod.CARD else None
    s.desk.change("1001", OrderChange(payment_method=new, token=token, quantities={"L1": 3}))
    order = s.desk.get("1001")
    assert not s.store.pending() and order.proposal is None
    assert order.payment.method is new
    assert s.desk.totals(order).total == Money.yen(1080)
    if new is PaymentMethod.BANK_TRANSFER:
        assert s.bank.held == {order.payment.instruction("account"): "1001"}
    s.desk.cancel("1001", reason="customer")  # the order can still be closed
    assert s.points.balances["C1"] == 5000


@pytest.mark.parametrize(
    "change",
    [
        OrderChange(quantities={"L1": 3}),
        OrderChange(points_used=0),
        OrderChange(payment_method=PaymentMethod.COD),
    ],
    ids=["more units", "fewer points", "to COD"],
)
def test_a_dry_run_refuses_what_the_change_would_refuse(change: OrderChange) -> None:
    # the dry run answered with the new totals; the change itself was then refused
    s = _paid_by_points(PaymentMethod.CARD)
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as refused:
        s.desk.change("1001", change, dry_run=True)
    assert refused.value.field == "change"
    with pytest.raises(InvalidValue) as again:
        s.desk.change("1001", change)
    assert again.value.field == "change"
    assert s.desk.get("1001") == before and not s.store.pending()
