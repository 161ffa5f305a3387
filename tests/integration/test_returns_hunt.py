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
    PaymentMethod,
    PointsGrant,
    ReturnReason,
    ShopSettings,
    Side,
    TaxRate,
)
from orderflow.errors import InvalidValue
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


def points_paid(s: FakeShop, points: int) -> Order:
    """Two teas of ¥500 and ¥880 shipping (¥1,880), ``points`` of it paid with points."""
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(500), 2)],
        token="tok_ok",
        shipping_fee=Money.yen(880),
        points_used=points,
    )
    s.desk.accept("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    return s.desk.deliver("1001", "1001-S1")


@pytest.mark.parametrize("points", [0, 800, 1500, 1880])
def test_a_customer_return_of_an_order_paid_with_points_keeps_the_shipping_back(
    points: int,
) -> None:
    """お客様都合: the customer bears the ¥880 shipping, however they paid it. The points that
    paid the shipping's share stay taken; only the items' share of them comes back (they came
    all back, so the shop kept ¥177 of the ¥880 when ¥1,500 of ¥1,880 was paid in points)."""
    s = fake_shop({("TOKYO", "TEA-1"): 10}, points={"C1": 5000})
    points_paid(s, points)
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    s.desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    order = s.desk.receive_return("1001", "R2", [Disposition("L1", 1, "TOKYO")])
    cash_back = sum(r.paid_back.amount for r in order.returns if r.paid_back is not None)
    points_back = sum(r.points_back for r in order.returns)
    # the items' ¥1,000 back, in money and points, to a yen of rounding; the shipping kept
    assert 999 <= cash_back + points_back <= 1000
    assert order.points_taken == points - points_back
    assert s.points.balances["C1"] == 5000 - order.points_taken


@pytest.mark.parametrize("points", [800, 1500, 1880])
def test_a_defective_return_of_an_order_paid_with_points_gives_every_point_back(
    points: int,
) -> None:
    s = fake_shop({("TOKYO", "TEA-1"): 10}, points={"C1": 5000})
    points_paid(s, points)
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    s.desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.DEFECTIVE)  # shipping refunded
    order = s.desk.receive_return("1001", "R2", [Disposition("L1", 1, "TOKYO")])
    assert sum(r.points_back for r in order.returns) == points
    assert order.points_taken == 0 and s.points.balances["C1"] == 5000
    assert order.payment.refunded == order.payment.captured


def _tea_and_shipping(s: FakeShop) -> None:
    """¥3,240 of tea at 8% and ¥880 shipping at 10%, by card, delivered and booked."""
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 3, TaxRate.REDUCED)],
        token="tok_ok",
        shipping_fee=Money.yen(880),
    )
    s.desk.accept("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.desk.deliver("1001", "1001-S1")
    s.desk.book("1001")


def test_a_refund_of_the_shipping_fee_is_taken_off_the_standard_rate_alone() -> None:
    """送料返金 (a late parcel): the ¥880 shipping is 10%. Shared over the rates by what each
    holds, it took ¥692 off the 8% tea and ¥188 off the 10% shipping (tax ¥68, not ¥80), and a
    return of every tea afterwards paid back ¥2,548 of ¥3,240: the shop kept ¥692."""
    s = fake_shop({("TOKYO", "TEA-1"): 10})
    _tea_and_shipping(s)
    order = s.desk.refund("1001", Money.yen(880), reason="配送遅延のお詫び", rate=TaxRate.STANDARD)
    assert order.payment.refunded == Money.yen(880)
    (_, entry) = s.accounting.entries[-1]
    assert entry.reference == "1001/G1"
    debits = [(line.tax_category, line.amount) for line in entry.lines if line.side is Side.DEBIT]
    assert debits == [("課税売上10%", Money.yen(800)), ("課税売上10%", Money.yen(80))]
    # every tea back for the customer's reason: the shipping already refunded, all paid is back
    s.desk.request_return("1001", {"L1": 3}, ReturnReason.CUSTOMER)
    order = s.desk.receive_return("1001", "R1", [Disposition("L1", 3, "TOKYO")])
    assert order.returns[0].paid_back == Money.yen(3240)
    assert order.payment.refunded == order.payment.captured


def test_a_refund_at_one_rate_is_refused_past_what_the_rate_holds_and_changes_nothing() -> None:
    s = fake_shop({("TOKYO", "TEA-1"): 10})
    _tea_and_shipping(s)
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as refused:
        s.desk.refund("1001", Money.yen(881), reason="送料返金", rate=TaxRate.STANDARD)
    assert refused.value.field == "amount" and "880" in str(refused.value)
    with pytest.raises(InvalidValue) as bad:
        s.desk.refund("1001", Money.yen(100), reason="x", rate="standard")  # type: ignore[arg-type]
    assert bad.value.field == "rate"
    assert s.desk.get("1001") == before and s.gateway.calls_to("refund") == []


def test_an_exchange_of_a_cod_order_takes_the_account_its_money_goes_back_to() -> None:
    """代引き paid in cash: the old units' money is owed back by transfer, as for a return, so
    the exchange takes the customer's account as ``request_return`` does."""
    s = fake_shop({("TOKYO", "TEA-1"): 10})
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1000), 2)],
        payment_method=PaymentMethod.COD,
    )
    s.desk.accept("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.desk.deliver("1001", "1001-S1")
    new_tea = OrderLine("N1", "TEA-1", "緑茶(新)", Money.yen(1000), 1)
    old, _ = s.desk.exchange(
        "1001",
        {"L1": 1},
        [new_tea],
        reason=ReturnReason.WRONG_ITEM,
        request_id="EX-1",
        refund_account="みずほ 渋谷 普通 1234567",
        payment_method=PaymentMethod.COD,
    )
    assert old.returns[0].refund_account == "みずほ 渋谷 普通 1234567"
    with pytest.raises(InvalidValue) as long:
        s.desk.exchange(
            "1001",
            {"L1": 1},
            [new_tea],
            reason=ReturnReason.WRONG_ITEM,
            request_id="EX-2",
            refund_account="x" * 201,
            payment_method=PaymentMethod.COD,
        )
    assert long.value.field == "refund_account"
    assert len(s.desk.get("1001").returns) == 1 and s.desk.executor.find("1001-X2") is None
