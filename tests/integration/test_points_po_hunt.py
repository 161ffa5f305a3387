"""Points, purchase orders, notices and the books, as a shop developer meets them (hunt)."""

from __future__ import annotations

import pytest

from orderflow import OrderStatus
from orderflow.errors import InvalidValue
from orderflow.testing import Fault, fake_shop
from tests.builders import STOCK, address, customer, lines


def test_points_the_points_system_refuses_at_placing_send_no_payment_failed_notice() -> None:
    # The card was never asked: telling the customer "the payment was not approved, choose
    # another payment method" is wrong. As when the balance check refuses the points, the
    # caller gets InvalidValue on points_used and the customer no mail.
    s = fake_shop(dict(STOCK), points={"C1": 1000})
    s.points.fail_next("redeem", Fault.DECLINE)
    with pytest.raises(InvalidValue) as refused:
        s.desk.place(
            number="1001",
            customer=customer(),
            ship_to=address(),
            lines=lines(),
            token="tok_ok",
            points_used=500,
        )
    assert refused.value.field == "points_used"
    assert s.desk.get("1001").status is OrderStatus.CANCELLED
    assert not s.gateway.calls
    assert s.notifier.sent == []
    assert s.points.balances["C1"] == 1000
    order = s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=lines(),
        token="tok_ok",
        points_used=500,
    )  # the number is free again
    assert order.status is OrderStatus.ORDERED
    assert [n.kind for n in s.notifier.sent] == ["order_confirmation"]
