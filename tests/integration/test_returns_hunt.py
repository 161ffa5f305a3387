"""Returns, refunds and points after shipment: defects found using the desk as a shop would."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderflow import (
    Disposition,
    GrantAt,
    Money,
    Order,
    OrderLine,
    PointsGrant,
    ReturnReason,
    ShopSettings,
)
from orderflow.testing import FakeShop, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import TRACKING, address, customer

GRANT = PointsGrant(at=GrantAt.SHIPMENT)


def delivered(s: FakeShop, number: str = "1001") -> Order:
    """Two teas of ¥1,000, free shipping, by card: 20 points at 1%, granted at shipment."""
    s.desk.place(
        number=number,
        customer=customer(),
        ship_to=address(),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1000), 2)],
        token="tok_ok",
        shipping_fee=Money.yen(0),
    )
    s.desk.accept(number)
    s.desk.instruct_shipping(number)
    s.desk.ship(number, f"{number}-S1", TRACKING)
    return s.desk.deliver(number, f"{number}-S1")


@pytest.mark.parametrize(
    "later",
    [
        ShopSettings(points_grant=GRANT, points_rate=Decimal("0.005")),  # the rate lowered
        ShopSettings(points_grant=GRANT, points_rate=Decimal("0.02")),  # the rate raised
        ShopSettings(points_grant=None),  # the points programme ended
    ],
    ids=["lowered", "raised", "ended"],
)
def test_a_return_claws_back_what_was_granted_whatever_the_shop_says_now(
    later: ShopSettings,
) -> None:
    s = fake_shop({("TOKYO", "TEA-1"): 10}, settings=ShopSettings(points_grant=GRANT))
    order = delivered(s)
    assert order.points_granted == 20 and s.points.balances["C1"] == 20
    desk = desk_on(s, store=s.store, settings=later)  # the shop's settings changed since

    desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    order = desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    assert order.returns[0].points_clawed == 10  # half the units: half of what was granted

    desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    order = desk.receive_return("1001", "R2", [Disposition("L1", 1, "TOKYO")])
    assert order.points_revoked == 20 and s.points.balances["C1"] == 0  # all of it back


def test_an_exchange_after_a_plain_return_is_numbered_x1_as_the_docs_say() -> None:
    """The docs said ``<number>-X<n>`` with ``n`` the return's number; it is the first free."""
    s = fake_shop({("TOKYO", "TEA-1"): 10}, settings=ShopSettings())
    delivered(s)
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    blue = OrderLine("N1", "TEA-1", "緑茶(新)", Money.yen(1000), 1)
    old, new = s.desk.exchange(
        "1001", {"L1": 1}, [blue], reason=ReturnReason.WRONG_ITEM, request_id="EX-1", token="t"
    )
    assert [(r.return_id, r.exchange) for r in old.returns] == [("R1", ""), ("R2", "1001-X1")]
    assert new.number == "1001-X1"
