"""Allocation that holds up: demand per SKU, the strategies, the shop's own planner, bounds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from orderflow import (
    Address,
    Allocation,
    AllocationStrategy,
    Context,
    Customer,
    Money,
    Order,
    OrderDesk,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    Prefecture,
    ShopSettings,
    plan_allocation,
)
from orderflow.domain import lifecycle
from orderflow.domain.events import Allocated
from orderflow.domain.geography import OFFICES, distance_km
from orderflow.domain.lifecycle import new_order
from orderflow.stores import PostgresInventory, PostgresStore, SQLiteInventory, SQLiteStore
from orderflow.testing import fake_shop
from orderflow.testing.shop import desk_on
from tests.postgres import new_database

WAREHOUSES = ("TOKYO", "OSAKA", "FUKUOKA")
LOCATIONS = {"TOKYO": Prefecture.TOKYO, "OSAKA": Prefecture.OSAKA, "FUKUOKA": Prefecture.FUKUOKA}


def _address(prefecture: str = "東京都") -> Address:
    return Address("812-0011", prefecture, "博多区", "1-1", "見本 花子", "092-000-0000")


def _order(lines: Sequence[tuple[str, int]], prefecture: str = "東京都") -> Order:
    order, _ = new_order(
        number="A-1",
        customer=Customer("C1", "見本 花子", "h@example.jp"),
        ship_to=_address(prefecture),
        lines=[
            OrderLine(f"L{i}", sku, "品", Money.yen(100), qty) for i, (sku, qty) in enumerate(lines)
        ],
        payment_method=PaymentMethod.CARD,
        ctx=Context(datetime(2026, 11, 22, tzinfo=UTC)),
    )
    return order


def test_demand_is_summed_per_sku_across_lines() -> None:
    order = _order([("TEA", 2), ("TEA", 2)])  # two lines of one SKU: 4 units
    stock = {("TOKYO", "TEA"): 3, ("OSAKA", "TEA"): 4}
    plan = plan_allocation(order, WAREHOUSES, stock)
    assert {a.warehouse for a in plan} == {"OSAKA"}  # Tokyo has 3 per line, not 4 in all
    assert sum(a.quantity for a in plan) == 4


def test_priority_fills_in_the_fixed_order() -> None:
    order = _order([("TEA", 4)])
    stock = {("TOKYO", "TEA"): 3, ("OSAKA", "TEA"): 4}
    plan = plan_allocation(order, WAREHOUSES, stock, AllocationStrategy.PRIORITY)
    assert plan == [Allocation("L0", "TOKYO", 3), Allocation("L0", "OSAKA", 1)]


def test_nearest_prefers_the_nearest_warehouse_that_has_everything() -> None:
    stock = {(w, "TEA"): 5 for w in WAREHOUSES}
    nearest = AllocationStrategy.NEAREST
    to_fukuoka = _order([("TEA", 2)], "福岡県")
    plan = plan_allocation(to_fukuoka, WAREHOUSES, stock, nearest, locations=LOCATIONS)
    assert plan == [Allocation("L0", "FUKUOKA", 2)]
    short = {**stock, ("FUKUOKA", "TEA"): 1}
    plan = plan_allocation(to_fukuoka, WAREHOUSES, short, nearest, locations=LOCATIONS)
    assert plan == [Allocation("L0", "OSAKA", 2)]  # Osaka is nearer to Fukuoka than Tokyo
    scarce = {("TOKYO", "TEA"): 1, ("OSAKA", "TEA"): 1, ("FUKUOKA", "TEA"): 1}
    to_sendai = _order([("TEA", 3)], "宮城県")
    plan = plan_allocation(to_sendai, WAREHOUSES, scarce, nearest, locations=LOCATIONS)
    assert [a.warehouse for a in plan] == ["TOKYO", "OSAKA", "FUKUOKA"]  # nearest first


def test_nearest_without_locations_falls_back_to_priority() -> None:
    order = _order([("TEA", 2)], "福岡県")
    stock = {(w, "TEA"): 5 for w in WAREHOUSES}
    plan = plan_allocation(order, WAREHOUSES, stock, AllocationStrategy.NEAREST)
    assert plan == [Allocation("L0", "TOKYO", 2)]


def test_distances_rank_the_prefectures_sensibly() -> None:
    assert len(OFFICES) == 47
    assert distance_km(Prefecture.TOKYO, Prefecture.TOKYO) == 0
    assert distance_km(Prefecture.TOKYO, Prefecture.SAITAMA) < 50
    assert 380 < distance_km(Prefecture.TOKYO, Prefecture.OSAKA) < 420
    assert distance_km(Prefecture.OKINAWA, Prefecture.KAGOSHIMA) < distance_km(
        Prefecture.OKINAWA, Prefecture.HOKKAIDO
    )


def test_the_shops_own_planner_is_bounded() -> None:
    order = _order([("TEA", 2), ("MUG", 1)])
    stock = {("TOKYO", "TEA"): 1, ("OSAKA", "TEA"): 5, ("OSAKA", "MUG"): 5}

    def greedy(order: Order, warehouses: Sequence[str], available: object) -> list[Allocation]:
        return [
            Allocation("L0", "TOKYO", 9),  # more than Tokyo has and than the line misses
            Allocation("L0", "OSAKA", 9),
            Allocation("L9", "OSAKA", 1),  # no such line
            Allocation("L1", "NARNIA", 1),  # no such warehouse
            Allocation("L1", "OSAKA", 1),
        ]

    plan = plan_allocation(order, WAREHOUSES, stock, greedy)
    assert plan == [
        Allocation("L0", "TOKYO", 1),
        Allocation("L0", "OSAKA", 1),
        Allocation("L1", "OSAKA", 1),
    ]


@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(1, 5)), min_size=1, max_size=6
    ),
    st.dictionaries(
        st.tuples(st.sampled_from(WAREHOUSES), st.sampled_from(["A", "B", "C"])),
        st.integers(0, 8),
    ),
    st.sampled_from(list(AllocationStrategy)),
    st.sampled_from(["東京都", "大阪府", "福岡県", "北海道", "沖縄県"]),
)
def test_a_plan_never_takes_more_than_is_missing_or_there(
    lines: list[tuple[str, int]],
    stock: dict[tuple[str, str], int],
    strategy: AllocationStrategy,
    prefecture: str,
) -> None:
    order = _order(lines, prefecture)
    plan = plan_allocation(order, WAREHOUSES, stock, strategy, locations=LOCATIONS)
    per_line: dict[str, int] = {}
    taken: dict[tuple[str, str], int] = {}
    for a in plan:
        assert a.quantity > 0
        per_line[a.line_id] = per_line.get(a.line_id, 0) + a.quantity
        key = (a.warehouse, order.line(a.line_id).sku)
        taken[key] = taken.get(key, 0) + a.quantity
    assert all(
        per_line[line] <= qty for line, qty in order.unallocated().items() if line in per_line
    )
    assert all(units <= stock.get(key, 0) for key, units in taken.items())
    demand: dict[str, int] = {}
    for line in order.lines:
        demand[line.sku] = demand.get(line.sku, 0) + line.quantity
    whole = [w for w in WAREHOUSES if all(stock.get((w, s), 0) >= n for s, n in demand.items())]
    if whole and strategy is not AllocationStrategy.PRIORITY:
        assert len({a.warehouse for a in plan}) == 1  # one parcel when one warehouse can
        assert sum(per_line.values()) == sum(demand.values())


NEAREST_SETTINGS = ShopSettings(
    warehouses=WAREHOUSES,
    allocation=AllocationStrategy.NEAREST,
    warehouse_locations={"TOKYO": "東京都", "OSAKA": "大阪府", "FUKUOKA": "福岡県"},
)
NEAREST_STOCK = {(w, "TEA"): 5 for w in WAREHOUSES}


def _allocates_from_osaka(desk: OrderDesk) -> None:
    desk.place(
        number="N-1",
        customer=Customer("C1", "見本 花子", "h@example.jp"),
        ship_to=_address("大阪府"),
        lines=[OrderLine("L1", "TEA", "緑茶", Money.yen(1080), 2)],
        token="tok",
    )
    order = desk.accept("N-1")
    assert [(a.warehouse, a.quantity) for a in order.allocations] == [("OSAKA", 2)]


def test_the_desk_allocates_from_the_nearest_warehouse_on_fakes_and_sqlite(tmp_path: Path) -> None:
    shop = fake_shop(NEAREST_STOCK, settings=NEAREST_SETTINGS)
    _allocates_from_osaka(shop.desk)
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path)
    for (warehouse, sku), units in NEAREST_STOCK.items():
        inventory.receive(warehouse, sku, units)
    _allocates_from_osaka(desk_on(shop, store=SQLiteStore(path), inventory=inventory))


def test_the_desk_allocates_from_the_nearest_warehouse_on_postgres(postgres_uri: str) -> None:
    shop = fake_shop(NEAREST_STOCK, settings=NEAREST_SETTINGS)
    conninfo = new_database(postgres_uri)
    inventory = PostgresInventory(conninfo)
    for (warehouse, sku), units in NEAREST_STOCK.items():
        inventory.receive(warehouse, sku, units)
    _allocates_from_osaka(desk_on(shop, store=PostgresStore(conninfo), inventory=inventory))


def test_each_allocated_event_lists_all_the_order_holds() -> None:
    ctx = Context(datetime(2026, 11, 22, tzinfo=UTC))
    order, _ = lifecycle.accept(_order([("TEA", 3)]), ctx)
    order, _ = lifecycle.allocate(order, [Allocation("L0", "TOKYO", 1)], ctx)
    assert order.status is OrderStatus.PARTIALLY_ALLOCATED
    more = [Allocation("L0", "TOKYO", 1), Allocation("L0", "OSAKA", 1)]
    order, _ = lifecycle.allocate(order, more, ctx)
    assert order.status is OrderStatus.ALLOCATED
    assert [e.reserved for e in order.history if isinstance(e, Allocated)] == [
        "L0@TOKYO×1",
        "L0@TOKYO×2, L0@OSAKA×1",
    ]
