"""Returns and exchanges, whole flows on the fakes and on a SQLite file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from orderflow import (
    Disposition,
    Money,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentOp,
    ReturnPolicy,
    ReturnReason,
    ReturnStatus,
    ShopSettings,
)
from orderflow.errors import InvalidValue, ReturnRefused
from orderflow.stores import PostgresStore, SQLiteStore
from orderflow.testing import FakeShop
from orderflow.testing.shop import desk_on
from tests.builders import TRACKING, pay_in_full, place, shop
from tests.postgres import new_database


def delivered(
    s: FakeShop, method: PaymentMethod = PaymentMethod.CARD, points_used: int = 0
) -> None:
    place(s, payment_method=method, points_used=points_used)
    pay_in_full(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.desk.deliver("1001", "1001-S1")


ALL_BACK = [Disposition("L1", 2, "TOKYO"), Disposition("L2", 1, "TOKYO"), Disposition("L3", 1)]


@pytest.mark.parametrize("method", list(PaymentMethod))
def test_a_full_return_for_the_shops_fault_pays_back_everything_by_method(
    method: PaymentMethod,
) -> None:
    s = shop()
    delivered(s, method)
    paid = s.desk.totals(s.desk.get("1001")).total
    s.desk.request_return("1001", {"L1": 2, "L2": 1, "L3": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return("1001", "R1", ALL_BACK)
    assert order.returns[0].paid_back == paid and order.returns[0].shipping_refunded
    assert order.status is OrderStatus.DELIVERED
    if method in (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY, PaymentMethod.POSTPAY):
        assert order.payment.refunded == paid
    else:
        owed = [e for e in order.payment.ledger if e.op is PaymentOp.REFUND_OWED]
        assert sum((e.amount for e in owed), Money.yen(0)) == paid
    assert s.inventory.on_hand[("TOKYO", "TEA-1")] == 10  # restocked
    assert s.inventory.on_hand[("TOKYO", "CAKE-1")] == 4  # written off
    assert s.desk.receive_return("1001", "R1", ALL_BACK) == s.desk.get("1001")  # once
    booked = s.desk.book("1001")
    assert booked.status is OrderStatus.BOOKED
    refs = [entry.reference for _, entry in s.accounting.entries]
    assert refs == ["1001", "1001/R1"]  # the sale, then its reversal


def test_the_policy_refuses_late_excluded_and_unwanted_returns_naming_the_rule() -> None:
    settings = ShopSettings(
        auto_advance=False, return_policy=ReturnPolicy(excluded_skus={"CAKE-1"})
    )
    s = shop(settings=settings)
    place(s)
    with pytest.raises(ReturnRefused) as early:
        s.desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    assert early.value.rule == "not_delivered"
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.desk.deliver("1001", "1001-S1")
    with pytest.raises(ReturnRefused) as excluded:
        s.desk.request_return("1001", {"L3": 1}, ReturnReason.CUSTOMER)
    assert excluded.value.rule == "excluded"
    s.desk.request_return("1001", {"L3": 1}, ReturnReason.DEFECTIVE)  # a defect always is
    with pytest.raises(InvalidValue) as too_many:
        s.desk.request_return("1001", {"L3": 1}, ReturnReason.DEFECTIVE)
    assert too_many.value.field == "lines[L3]"
    s.clock.advance(timedelta(days=8))
    before = s.desk.get("1001")
    with pytest.raises(ReturnRefused) as late:
        s.desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    assert late.value.rule == "days"
    assert s.desk.get("1001") == before  # nothing changed
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.WRONG_ITEM)  # 30 days for those


def test_a_partial_return_of_a_booked_order_posts_its_reversal_and_claws_points_back() -> None:
    from orderflow import GrantAt, PointsGrant
    from orderflow.testing import fake_shop
    from tests.builders import STOCK

    settings = ShopSettings(auto_advance=False, points_grant=PointsGrant(at=GrantAt.BOOKING))
    s = fake_shop(dict(STOCK), settings=settings, points={"C1": 1000})
    delivered(s, points_used=500)
    s.desk.book("1001")
    granted = s.desk.get("1001").points_granted
    assert granted > 0
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.CUSTOMER, refund_account="みずほ 1234567")
    order = s.desk.receive_return("1001", "R1", [Disposition("L2", 1, "TOKYO")])
    ret = order.returns[0]
    assert ret.points_back > 0 and order.points_taken == 500 - ret.points_back
    assert order.points_revoked == ret.points_clawed > 0
    assert order.status is OrderStatus.BOOKED
    assert [e.reference for _, e in s.accounting.entries] == ["1001", "1001/R1"]
    assert [m.kind for m in s.notifier.sent][-1] == "return_refunded"


def test_a_refused_return_pays_nothing_and_frees_the_units() -> None:
    s = shop()
    delivered(s)
    s.desk.request_return("1001", {"L1": 2}, ReturnReason.CUSTOMER)
    order = s.desk.refuse_return("1001", "R1", reason="opened")
    assert order.returns[0].status is ReturnStatus.REFUSED and not order.payment.refunded
    s.desk.request_return("1001", {"L1": 2}, ReturnReason.DEFECTIVE)


def test_a_refused_return_is_told_to_the_customer_once() -> None:
    """The customer who sent goods back heard nothing when the shop would not take them."""
    s = shop()
    delivered(s)
    s.desk.request_return("1001", {"L1": 2}, ReturnReason.CUSTOMER)
    s.desk.refuse_return("1001", "R1", reason="開封済のため")
    s.desk.refuse_return("1001", "R1", reason="開封済のため")  # repeated: told once
    refused = [n for n in s.notifier.sent if n.kind == "return_refused"]
    assert len(refused) == 1
    facts = dict(refused[0].facts)
    assert (facts["return_id"], facts["reason"]) == ("R1", "開封済のため")
    assert "R1" in refused[0].text and "開封済のため" in refused[0].text


def test_dispositions_that_miscount_the_units_are_refused_showing_the_count() -> None:
    """It said "got <dict of 1>": not what was counted."""
    s = shop()
    delivered(s)
    s.desk.request_return("1001", {"L1": 2}, ReturnReason.DEFECTIVE)
    with pytest.raises(
        InvalidValue, match=r"every returned unit once: \{'L1': 2\}, got \"\{'L1': 1\}\""
    ):
        s.desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    assert s.desk.get("1001").returns[0].status is ReturnStatus.REQUESTED


def test_an_exchange_is_a_return_and_a_new_order_linked_both_ways() -> None:
    s = shop()
    delivered(s)
    new_line = OrderLine("N1", "MUG-1", "湯呑(青)", Money.yen(2200), 1)
    old, new = s.desk.exchange(
        "1001",
        {"L2": 1},
        [new_line],
        reason=ReturnReason.WRONG_ITEM,
        request_id="EX-1",
        token="tok_ok",
        shipping_fee=Money.yen(0),
    )
    assert old.returns[0].exchange == new.number == "1001-X1"
    assert new.exchange_for == "1001"
    again_old, again_new = s.desk.exchange(
        "1001",
        {"L2": 1},
        [new_line],
        reason=ReturnReason.WRONG_ITEM,
        request_id="EX-1",
        token="tok_ok",
        shipping_fee=Money.yen(0),
    )
    assert len(again_old.returns) == 1 and again_new.number == new.number
    order = s.desk.receive_return("1001", "R1", [Disposition("L2", 1, "TOKYO")])
    assert order.returns[0].paid_back is not None and order.returns[0].paid_back.amount > 0


def _returns_on(s: FakeShop) -> None:
    delivered(s)
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    s.desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    s.desk.request_return("1001", {"L1": 1, "L2": 1, "L3": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return(
        "1001", "R2", [Disposition("L1", 1), Disposition("L2", 1, "TOKYO"), Disposition("L3", 1)]
    )
    assert order.payment.refunded == s.desk.totals(order).total
    assert s.desk.get("1001").returns == order.returns


def test_returns_on_a_sqlite_file(tmp_path: Path) -> None:
    s = shop()
    s.desk = desk_on(s, store=SQLiteStore(str(tmp_path / "shop.sqlite3")), settings=s.desk.settings)
    _returns_on(s)


def test_returns_on_postgres(postgres_uri: str) -> None:
    s = shop()
    s.desk = desk_on(s, store=PostgresStore(new_database(postgres_uri)), settings=s.desk.settings)
    _returns_on(s)


def test_points_used_all_come_back_over_partial_returns() -> None:
    """The points a return gives back are shared from those used, not from those still taken
    (each return's ``RestorePoints`` lowers ``points_taken``): a full return gives back all."""
    from orderflow.testing import fake_shop
    from tests.builders import STOCK

    s = fake_shop(dict(STOCK), settings=ShopSettings(auto_advance=False), points={"C1": 1000})
    delivered(s, points_used=500)
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.DEFECTIVE)
    s.desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    s.desk.request_return("1001", {"L1": 1, "L2": 1, "L3": 1}, ReturnReason.DEFECTIVE)
    rest = [Disposition("L1", 1, "TOKYO"), Disposition("L2", 1, "TOKYO"), Disposition("L3", 1)]
    order = s.desk.receive_return("1001", "R2", rest)
    assert sum(r.points_back for r in order.returns) == 500  # a full return: every point back
    assert order.points_taken == 0 and s.points.balances["C1"] == 1000


def test_points_that_paid_the_shipping_of_a_free_item_come_back_with_it() -> None:
    """A free gift whose shipping was paid with points, returned defective: the shipping is
    refunded, so the points come back (they stayed taken: nothing priced to share them by)."""
    from orderflow.testing import fake_shop
    from tests.builders import address, customer

    s = fake_shop(
        {("TOKYO", "GIFT"): 5}, settings=ShopSettings(auto_advance=False), points={"C1": 1000}
    )
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[OrderLine("L1", "GIFT", "試供品", Money.yen(0), 1)],
        token="tok_ok",
        shipping_fee=Money.yen(880),
        points_used=880,
    )
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.desk.deliver("1001", "1001-S1")
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    assert order.returns[0].shipping_refunded
    assert order.returns[0].points_back == 880
    assert order.points_taken == 0 and s.points.balances["C1"] == 1000


@pytest.mark.parametrize("line_id", [["L1"], {"L1": 2}, None, 1])
def test_a_disposition_whose_line_id_is_not_a_text_is_refused_naming_it(line_id: object) -> None:
    s = shop()
    delivered(s)
    s.desk.request_return("1001", {"L1": 2}, ReturnReason.DEFECTIVE)
    before, sent = s.desk.get("1001"), len(s.notifier.sent)
    with pytest.raises(InvalidValue) as bad:
        s.desk.receive_return("1001", "R1", [Disposition(line_id, 2, "TOKYO")])  # type: ignore[arg-type]
    assert bad.value.field == "dispositions[0].line_id"
    assert s.desk.get("1001") == before and len(s.notifier.sent) == sent


@pytest.mark.parametrize("extra", ["x" * 200, "\ud800"])
def test_a_refused_refund_account_is_not_shown_in_the_error(extra: str) -> None:
    """The bank, number and holder of the account are the customer's: never in a message."""
    s = shop()
    delivered(s)
    account = "みずほ銀行 渋谷支店 普通 1234567 ヤマダ タロウ" + extra
    with pytest.raises(InvalidValue) as bad:
        s.desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER, refund_account=account)
    assert bad.value.field == "refund_account" and bad.value.value == account
    for secret in ("1234567", "ヤマダ", "渋谷支店"):
        assert secret not in str(bad.value) and secret not in repr(bad.value)
    assert s.desk.get("1001").returns == ()


@pytest.mark.parametrize("method", [PaymentMethod.CARD, PaymentMethod.AMAZON_PAY])
def test_a_return_of_an_order_captured_per_parcel_is_refunded_from_its_captures(
    method: PaymentMethod,
) -> None:
    """分納 captured per parcel: a refund larger than the last parcel's capture is paid back
    from the captures, newest first, each up to what it has left (it was asked of the last
    capture alone, which the gateway refused: owed by transfer and held)."""
    from orderflow import PartialPayment

    settings = ShopSettings(auto_advance=False, partial_payment=PartialPayment.PER_SHIPMENT)
    s = shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 10}, settings=settings)
    mug = OrderLine("L1", "MUG-1", "湯呑", Money.yen(5000), 1)
    teas = OrderLine("L2", "TEA-1", "緑茶", Money.yen(1080), 2)
    place(s, order_lines=[mug, teas], payment_method=method, shipping_fee=Money.yen(0))
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.ship_available("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.desk.deliver("1001", "1001-S1")
    s.desk.receive("TOKYO", "TEA-1", 3, receipt_id="IN-1")
    s.desk.ship("1001", "1001-S2", "1234-5678-9024")
    order = s.desk.deliver("1001", "1001-S2")
    gateway = s.gateway if method is PaymentMethod.CARD else s.amazon_pay
    assert sorted(c["amount"] for c in gateway.captures.values()) == [
        Money.yen(1080),
        Money.yen(6080),
    ]
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    assert order.payment.refunded == Money.yen(5000) and not order.open_holds
    assert order.payment.refund_owed == Money.yen(0)
    assert sum((c["refunded"] for c in gateway.captures.values()), Money.yen(0)) == Money.yen(5000)
    order = s.desk.refund("1001", Money.yen(2160), reason="goodwill", request_id="G1")
    assert order.payment.refunded == order.payment.captured == Money.yen(7160)
    assert not order.open_holds and not gateway.live_authorizations()


@pytest.mark.parametrize("line_id", ["L9", ("L1",), 1])
def test_a_return_of_a_line_the_order_does_not_have_names_lines(line_id: object) -> None:
    """A line cancelled before shipping (or never there) is not the order's: ``lines`` names it
    (a text id was refused as ``line_id``, a field request_return does not have)."""
    s = shop()
    delivered(s)
    with pytest.raises(InvalidValue) as bad:
        s.desk.request_return("1001", {line_id: 1}, ReturnReason.DEFECTIVE)  # type: ignore[dict-item]
    assert bad.value.field == "lines" and bad.value.value == line_id
    assert "L1" in bad.value.expected and s.desk.get("1001").returns == ()
