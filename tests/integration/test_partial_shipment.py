"""分納: ship what is reserved now and the rest when it comes, as shipments of one order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import (
    CodSplit,
    Customer,
    Money,
    Order,
    OrderDesk,
    OrderLine,
    OrderStatus,
    PartialPayment,
    PaymentMethod,
    PriceMode,
    ShopSettings,
    TaxRate,
    TaxRule,
)
from orderflow.domain.order import Shipment, ShipmentLine
from orderflow.domain.payments.parcels import cod_amounts, owed_alone, owed_for
from orderflow.domain.status import Move
from orderflow.errors import InvalidValue, MoveBlocked, MoveNotAllowed
from orderflow.stores import PostgresInventory, PostgresStore, SQLiteInventory, SQLiteStore
from orderflow.testing import FakeShop, Fault
from orderflow.testing.shop import desk_on
from tests.builders import address, shop
from tests.postgres import new_database
from tests.unit.test_split_and_change import RULES, orders, splits

STOCK = {("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 10, ("TOKYO", "CAKE-1"): 10}
TEA = [
    OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2),
    OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
]


def _short(
    s: FakeShop,
    number: str = "1001",
    desk: OrderDesk | None = None,
    method: PaymentMethod = PaymentMethod.CARD,
) -> None:
    """An order of 2 teas and a mug, one tea short: 中途引当."""
    desk = desk or s.desk
    who = Customer(f"C{number}", "見本 花子", f"c{number}@example.jp")
    desk.place(
        number=number,
        customer=who,
        ship_to=address(),
        lines=TEA,
        token="tok",
        payment_method=method,
    )
    desk.accept(number)
    desk.allocate(number)
    assert desk.get(number).status is OrderStatus.PARTIALLY_ALLOCATED


def _whole_flow(s: FakeShop, desk: OrderDesk) -> None:
    _short(s, desk=desk)
    order = desk.ship_available("1001")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED
    assert order.unallocated() == {"L1": 1}
    [first] = order.shipments
    assert first.shipment_id == "1001-S1"
    assert {(line.line_id, line.quantity) for line in first.lines} == {("L1", 1), ("L2", 1)}
    assert desk.ship_available("1001") == desk.get("1001")  # a repeat changes nothing
    order = desk.ship("1001", "1001-S1", "1234-5678-9013")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED  # one tea still waits
    assert order.payment.captured == Money.yen(0)  # taken once, at the last unit
    order = desk.deliver("1001", "1001-S1")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED  # a parcel delivered meanwhile
    with pytest.raises(MoveNotAllowed):
        desk.book("1001")
    served = desk.receive("TOKYO", "TEA-1", 3, receipt_id="R-1")
    assert [o.number for o in served] == ["1001"]
    order = desk.get("1001")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED and not order.unallocated()
    assert [s.shipment_id for s in order.shipments] == ["1001-S1", "1001-S2"]
    assert [(line.line_id, line.quantity) for line in order.shipments[1].lines] == [("L1", 1)]
    order = desk.ship("1001", "1001-S2", "1234-5678-9024")
    assert order.status is OrderStatus.SHIPPED
    assert order.payment.captured == order.totals(desk.settings.tax).total
    order = desk.deliver("1001", "1001-S2")
    assert order.status is OrderStatus.DELIVERED
    assert desk.book("1001").status is OrderStatus.BOOKED


def test_ship_what_is_there_and_the_rest_when_it_comes() -> None:
    s = shop(STOCK)
    _whole_flow(s, s.desk)
    assert s.inventory.on_hand[("TOKYO", "TEA-1")] == 2  # 1 + 3 received − 2 shipped
    assert s.inventory.reserved.get(("TOKYO", "TEA-1"), 0) == 0


def test_partial_shipment_on_a_sqlite_file(tmp_path: Path) -> None:
    s = shop(STOCK)
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    desk = desk_on(s, store=SQLiteStore(path), inventory=inventory)
    _whole_flow(s, desk)
    assert inventory.stock("TOKYO", "TEA-1").on_hand == 2


def test_partial_shipment_on_postgres(postgres_uri: str) -> None:
    s = shop(STOCK)
    conninfo = new_database(postgres_uri)
    inventory = PostgresInventory(conninfo)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    desk = desk_on(s, store=PostgresStore(conninfo), inventory=inventory)
    _whole_flow(s, desk)


def test_instruct_shipping_of_a_short_order_asks_for_the_customers_choice() -> None:
    s = shop(STOCK)
    _short(s)
    before = s.desk.get("1001")
    with pytest.raises(MoveBlocked, match="ship_available"):
        s.desk.instruct_shipping("1001")
    assert s.desk.get("1001") == before


def test_the_rest_waits_for_a_receipt_and_is_not_recalled() -> None:
    s = shop(STOCK)
    _short(s)
    s.desk.ship_available("1001")
    assert s.desk.instruct_shipping("1001") == s.desk.get("1001")  # nothing new to instruct
    with pytest.raises(MoveBlocked, match="分納"):
        s.desk.recall("1001")
    assert s.desk.get("1001").status is OrderStatus.SHIPPING_INSTRUCTED


def test_a_receipt_allocated_by_hand_is_instructed_as_a_further_shipment() -> None:
    s = shop(STOCK)
    _short(s)
    s.desk.ship_available("1001")
    s.inventory.on_hand[("TOKYO", "TEA-1")] += 1  # stock put in outside the desk
    order = s.desk.allocate("1001")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED and not order.unallocated()
    assert len(order.shipments) == 1
    order = s.desk.instruct_shipping("1001")
    assert [sh.shipment_id for sh in order.shipments] == ["1001-S1", "1001-S2"]
    assert Move.INSTRUCT_SHIPPING in s.desk.next_moves("1001")


def test_cod_collects_the_whole_total_on_the_first_parcel() -> None:
    s = shop(STOCK)
    _short(s, method=PaymentMethod.COD)
    order = s.desk.ship_available("1001")
    total = order.totals(s.desk.settings.tax).total
    assert order.shipments[0].cod_amount == total
    s.desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")
    order = s.desk.get("1001")
    assert order.shipments[1].cod_amount is None
    s.desk.ship("1001", "1001-S1", "1234-5678-9013")
    order = s.desk.deliver("1001", "1001-S1")
    assert order.payment.received == total
    s.desk.ship("1001", "1001-S2", "1234-5678-9024")
    assert s.desk.deliver("1001", "1001-S2").status is OrderStatus.DELIVERED


def test_ship_available_refuses_what_it_cannot_do_and_changes_nothing() -> None:
    s = shop(STOCK)
    with pytest.raises(InvalidValue, match="number"):
        s.desk.ship_available("")
    _short(s)
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue, match="carrier"):
        s.desk.ship_available("1001", carrier="nope")
    assert s.desk.get("1001") == before
    s.desk.place(
        number="1002",
        customer=Customer("C2", "見本 花子", "c2@example.jp"),
        ship_to=address(),
        lines=TEA,
        token="tok",
    )
    with pytest.raises(MoveNotAllowed):
        s.desk.ship_available("1002")  # 受注: nothing reserved yet


# -- payment per parcel (partial_payment, cod_split) -------------------------------------------

MIXED = [
    OrderLine("L1", "TEA-1", "緑茶", Money.yen(1083), 3, TaxRate.REDUCED),
    OrderLine("L2", "MUG-1", "湯呑", Money.yen(2207), 1),
    OrderLine("L3", "CAKE-1", "菓子", Money.yen(649), 2, TaxRate.REDUCED),
]
"""8 % and 10 % lines; one tea in stock of three: three parcels (S1, then S2 and S3)."""
TRACKING = ("1234-5678-9013", "1234-5678-9024", "1234-5678-9035")


def _per_parcel(
    mode: PriceMode = PriceMode.INCLUSIVE,
    method: PaymentMethod = PaymentMethod.CARD,
    desk_for: Callable[[FakeShop], OrderDesk] | None = None,
    *,
    at_last: bool = False,
) -> tuple[FakeShop, OrderDesk]:
    settings = ShopSettings(
        auto_advance=False,
        tax=TaxRule(mode=mode),
        partial_payment=PartialPayment.AT_LAST if at_last else PartialPayment.PER_SHIPMENT,
        cod_split=CodSplit.FIRST if at_last else CodSplit.PER_SHIPMENT,
    )
    s = shop(STOCK, settings)
    desk = desk_for(s) if desk_for else s.desk
    desk.place(
        number="1001",
        customer=Customer("C1", "見本 花子", "c1@example.jp"),
        ship_to=address(),
        lines=MIXED,
        token="tok",
        payment_method=method,
        shipping_fee=Money.yen(550),
        discount=Money.yen(333),
    )
    desk.accept("1001")
    desk.allocate("1001")
    desk.ship_available("1001")
    return s, desk


def _so_far(order: Order, units: dict[str, int], rule: TaxRule) -> Money:
    """What per-parcel captures take once ``units`` have shipped."""
    return min(owed_for(order, units, rule, fees=True), owed_alone(order, units, rule))


def _captures(s: FakeShop) -> list[Money]:
    return [c["amount"] for c in s.gateway.captures.values() if c["order"] == "1001"]


def _three_parcels_captured(s: FakeShop, desk: OrderDesk) -> None:
    rule = desk.settings.tax
    order = desk.ship("1001", "1001-S1", "1234-5678-9013")
    total = order.totals(rule).total
    first = _so_far(order, {"L1": 1, "L2": 1, "L3": 2}, rule)
    assert Money.yen(0) < first < total
    assert order.payment.captured == first
    assert sum(s.gateway.live_authorizations().values(), Money.yen(0)) == total - first
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")
    order = desk.ship("1001", "1001-S2", "1234-5678-9024")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED
    assert order.payment.captured == _so_far(order, {"L1": 2, "L2": 1, "L3": 2}, rule)
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-2")
    order = desk.ship("1001", "1001-S3", "1234-5678-9035")
    assert order.status is OrderStatus.SHIPPED
    assert order.payment.captured == total  # the last parcel takes exactly what is left
    assert len(_captures(s)) == 3 and sum(_captures(s), Money.yen(0)) == total
    assert not s.gateway.live_authorizations()  # the rest voided at the end only
    desk.deliver("1001", "1001-S1")
    desk.deliver("1001", "1001-S2")
    desk.deliver("1001", "1001-S3")
    assert desk.book("1001").status is OrderStatus.BOOKED


@pytest.mark.parametrize("mode", list(PriceMode))
def test_each_parcel_captures_its_share_and_the_last_the_rest(mode: PriceMode) -> None:
    s, desk = _per_parcel(mode)
    _three_parcels_captured(s, desk)


def _on_sqlite(tmp_path: Path) -> Callable[[FakeShop], OrderDesk]:
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)

    def on_sqlite(s: FakeShop) -> OrderDesk:
        return desk_on(s, store=SQLiteStore(path), inventory=inventory)

    return on_sqlite


def test_per_parcel_captures_on_a_sqlite_file(tmp_path: Path) -> None:
    s, desk = _per_parcel(desk_for=_on_sqlite(tmp_path))
    _three_parcels_captured(s, desk)


def test_cod_per_parcel_and_a_dropped_rest_on_a_sqlite_file(tmp_path: Path) -> None:
    _s, desk = _per_parcel(method=PaymentMethod.COD, desk_for=_on_sqlite(tmp_path))
    rule = desk.settings.tax
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")
    order = desk.drop_missing("1001")
    total = order.totals(rule).total
    asked = sum((sh.cod_amount or Money.yen(0) for sh in order.shipments), Money.yen(0))
    assert asked - order.payment.refund_owed == total
    desk.ship("1001", "1001-S2", "1234-5678-9024")
    desk.deliver("1001", "1001-S1")
    order = desk.deliver("1001", "1001-S2")
    assert order.status is OrderStatus.DELIVERED
    assert order.payment.received - order.payment.refund_owed == total


def test_at_last_stays_the_default_one_capture() -> None:
    assert ShopSettings().partial_payment is PartialPayment.AT_LAST
    assert ShopSettings().cod_split is CodSplit.FIRST
    with pytest.raises(InvalidValue, match="partial_payment"):
        ShopSettings(partial_payment="per_shipment")  # type: ignore[arg-type]


def test_a_refused_parcel_capture_holds_and_the_next_parcel_takes_it() -> None:
    s, desk = _per_parcel()
    rule = desk.settings.tax
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")  # S2 instructed before S1 leaves
    s.gateway.fail_next("capture", Fault.DECLINE)
    order = desk.ship("1001", "1001-S1", "1234-5678-9013")
    assert order.payment.captured == Money.yen(0)
    assert [h.code for h in order.open_holds] == ["capture_failed"]
    assert s.gateway.live_authorizations()  # the authorization stays whole
    assert desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-2") == []  # held: not served
    order = desk.ship("1001", "1001-S2", "1234-5678-9024")  # what is owed so far, S1's too
    assert order.payment.captured == _so_far(order, {"L1": 2, "L2": 1, "L3": 2}, rule)
    order = desk.clear_hold("1001", "capture_failed")  # a person looked: nothing more to take
    assert order.payment.captured == _so_far(order, {"L1": 2, "L2": 1, "L3": 2}, rule)
    desk.allocate("1001")
    desk.instruct_shipping("1001")
    order = desk.ship("1001", "1001-S3", "1234-5678-9035")
    assert order.payment.captured == order.totals(rule).total
    assert not s.gateway.live_authorizations()


def test_clearing_a_refused_parcel_capture_asks_for_it_again() -> None:
    s, desk = _per_parcel()
    s.gateway.fail_next("capture", Fault.DECLINE)
    order = desk.ship("1001", "1001-S1", "1234-5678-9013")
    share = _so_far(order, {"L1": 1, "L2": 1, "L3": 2}, desk.settings.tax)
    order = desk.clear_hold("1001", "capture_failed")
    assert order.payment.captured == share
    assert not order.open_holds


def test_a_lapsed_authorization_is_replaced_per_parcel() -> None:
    s, desk = _per_parcel()
    rule = desk.settings.tax
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-2")
    s.clock.advance(timedelta(days=40))  # the authorization lapses
    order = desk.ship("1001", "1001-S2", "1234-5678-9024")  # a new one for the share
    assert order.payment.captured == _so_far(order, {"L1": 2, "L2": 1, "L3": 2}, rule)
    order = desk.ship("1001", "1001-S3", "1234-5678-9035")  # and one for the rest
    total = order.totals(rule).total
    assert order.status is OrderStatus.SHIPPED and order.payment.captured == total
    assert sum(_captures(s), Money.yen(0)) == total and len(_captures(s)) == 3
    assert not s.gateway.live_authorizations()


def test_cod_per_parcel_collects_its_share_and_the_last_the_rest() -> None:
    _s, desk = _per_parcel(method=PaymentMethod.COD)
    order = desk.get("1001")
    rule = desk.settings.tax
    total = order.totals(rule).total
    [first] = order.shipments
    assert first.cod_amount == owed_for(order, {"L1": 1, "L2": 1, "L3": 2}, rule, fees=True)
    for n in (1, 2):
        desk.receive("TOKYO", "TEA-1", 1, receipt_id=f"R-{n}")
    order = desk.get("1001")
    amounts = [sh.cod_amount or Money.yen(0) for sh in order.shipments]
    assert sum(amounts, Money.yen(0)) == total and all(a.amount > 0 for a in amounts)
    for shipment, tracking in zip(order.shipments, TRACKING, strict=True):
        desk.ship("1001", shipment.shipment_id, tracking)
        order = desk.deliver("1001", shipment.shipment_id)
        assert order.payment.received <= total
    assert order.status is OrderStatus.DELIVERED and order.payment.received == total


@settings(max_examples=200, deadline=None)
@given(data=st.data(), rule=RULES)
def test_for_any_split_of_lines_into_parcels_the_shares_add_up(
    data: st.DataObject, rule: TaxRule
) -> None:
    """A law: per-parcel captures (and 代引き amounts) add up to the total to the yen."""
    order = data.draw(orders())
    parts = data.draw(splits(order))
    total = order.totals(rule).total
    taken = Money.yen(0)
    carried: dict[str, int] = {}
    for index, part in enumerate(parts):
        for line_id, units in part.items():
            carried[line_id] = carried.get(line_id, 0) + units
        if index == len(parts) - 1:
            assert owed_for(order, carried, rule, fees=True) == total
            share = total - taken
        else:
            share = max(owed_for(order, carried, rule, fees=True) - taken, Money.yen(0))
        assert share.amount >= 0
        taken = taken + share
        assert taken <= total
    assert taken == total
    shipments = tuple(
        Shipment(f"1001-S{i}", "TOKYO", "yamato", tuple(ShipmentLine(k, v) for k, v in p.items()))
        for i, p in enumerate(parts, 1)
    )
    priced = cod_amounts(order, shipments, rule, CodSplit.PER_SHIPMENT, last=True)
    collected = [sh.cod_amount or Money.yen(0) for sh in priced]
    assert sum(collected, Money.yen(0)) == total and all(c.amount >= 0 for c in collected)


# -- dropping the remainder of an order shipped in part --------------------------------------


@pytest.mark.parametrize("payment", list(PartialPayment))
def test_dropping_the_rest_captures_the_smaller_total(payment: PartialPayment) -> None:
    s, desk = _per_parcel(at_last=payment is PartialPayment.AT_LAST)
    rule = desk.settings.tax
    before = desk.ship("1001", "1001-S1", "1234-5678-9013")
    old_total = before.totals(rule).total
    order = desk.drop_missing("1001")
    assert next((line.line_id, line.quantity) for line in order.lines) == ("L1", 1)
    assert order.status is OrderStatus.SHIPPED  # nothing else waits, every parcel has left
    total = order.totals(rule).total
    assert total == old_total - Money.yen(1083 * 2)  # prices include tax: the two teas
    assert order.payment.captured == total and sum(_captures(s), Money.yen(0)) == total
    assert not s.gateway.live_authorizations()
    with pytest.raises(InvalidValue, match="waiting for stock"):
        desk.drop_missing("1001")  # nothing waits any more
    order = desk.deliver("1001", "1001-S1")
    assert order.status is OrderStatus.DELIVERED
    assert desk.book("1001").status is OrderStatus.BOOKED


def test_dropping_the_rest_with_a_parcel_still_to_ship_waits_for_it() -> None:
    s, desk = _per_parcel()
    rule = desk.settings.tax
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")  # S2: one tea more
    order = desk.drop_missing("1001")  # the third tea never comes
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED and not order.unallocated()
    total = order.totals(rule).total
    assert order.payment.captured <= total
    order = desk.ship("1001", "1001-S2", "1234-5678-9024")
    assert order.status is OrderStatus.SHIPPED
    assert order.payment.captured == total and sum(_captures(s), Money.yen(0)) == total
    assert not s.gateway.live_authorizations()


def test_dropping_the_rest_of_a_postpay_order_amends_the_claim() -> None:
    s, desk = _per_parcel(method=PaymentMethod.POSTPAY)
    rule = desk.settings.tax
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    order = desk.drop_missing("1001")
    total = order.totals(rule).total
    assert order.status is OrderStatus.SHIPPED
    [claim] = [c for c in s.postpay.claims.values() if c["order"] == "1001"]
    assert claim["amount"] == total and claim["reported"]


def test_dropping_the_rest_of_a_cod_order_owes_back_what_the_parcel_collects_above() -> None:
    _s, desk = _per_parcel(method=PaymentMethod.COD, at_last=True)
    rule = desk.settings.tax
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    desk.deliver("1001", "1001-S1")  # collects the whole old total
    order = desk.drop_missing("1001")
    assert order.status is OrderStatus.DELIVERED  # every parcel had arrived
    total = order.totals(rule).total
    assert order.payment.received - order.payment.refund_owed == total
    assert desk.book("1001").status is OrderStatus.BOOKED


def test_drop_missing_still_refuses_what_it_cannot_do() -> None:
    _s, desk = _per_parcel()
    desk.receive("TOKYO", "TEA-1", 2, receipt_id="R-1")  # nothing waits any more
    with pytest.raises(InvalidValue, match="waiting for stock"):
        desk.drop_missing("1001")


def test_the_reauthorization_sweep_asks_only_for_what_is_not_captured() -> None:
    s, desk = _per_parcel()
    order = desk.ship("1001", "1001-S1", "1234-5678-9013")
    total = order.totals(desk.settings.tax).total
    s.clock.advance(timedelta(days=28))  # the authorization lapses within 3 days
    [renewed] = desk.reauthorize_expiring()
    assert sum(s.gateway.live_authorizations().values(), Money.yen(0)) == (
        total - renewed.payment.captured
    )
    desk.receive("TOKYO", "TEA-1", 2, receipt_id="R-1")  # the rest, instructed on the new one
    order = desk.get("1001")
    for shipment, tracking in zip(order.shipments[1:], TRACKING[1:], strict=False):
        order = desk.ship("1001", shipment.shipment_id, tracking)
    assert order.status is OrderStatus.SHIPPED and order.payment.captured == total
    assert not s.gateway.live_authorizations()


def test_a_cod_parcel_recalled_after_the_rest_was_dropped_still_collects_what_was_told() -> None:
    """Found by the campaign (seed 52067): the rest dropped while the first parcel was out
    (what it collects above the new total recorded as owed back), then the parcel recalled and
    instructed again: the new parcel asked the new total, and the money owed back was owed for
    nothing. A parcel instructed again collects what the order said it would."""
    _s, desk = _per_parcel(method=PaymentMethod.COD, at_last=True)
    rule = desk.settings.tax
    order = desk.drop_missing("1001")  # the first parcel still in the warehouse
    owed = order.payment.refund_owed
    assert owed.amount > 0
    desk.recall("1001")
    order = desk.instruct_shipping("1001")
    total = order.totals(rule).total
    asked = sum((sh.cod_amount or Money.yen(0) for sh in order.shipments), Money.yen(0))
    assert asked - order.payment.refund_owed == total
    desk.ship("1001", order.shipments[0].shipment_id, "1234-5678-9013")
    order = desk.deliver("1001", order.shipments[0].shipment_id)
    assert order.payment.received - order.payment.refund_owed == total


def test_a_cod_parcel_recalled_after_the_rest_was_dropped_then_cancelled_owes_nothing() -> None:
    """Found by the campaign (seed 15708): the rest dropped while the first parcel was out (its
    excess recorded as owed back), the parcel recalled, the order cancelled: nothing was ever
    collected, so nothing is owed back either."""
    _s, desk = _per_parcel(method=PaymentMethod.COD, at_last=True)
    order = desk.drop_missing("1001")
    assert order.payment.refund_owed.amount > 0
    desk.recall("1001")
    order = desk.cancel("1001", reason="customer")
    assert order.status is OrderStatus.CANCELLED
    assert order.payment.received == order.payment.refund_owed == Money.yen(0)
