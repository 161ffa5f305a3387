"""セット商品: a set SKU reserves, ships, releases and restocks its components, in whole sets."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from orderflow import (
    Allocation,
    Disposition,
    Money,
    OrderDesk,
    OrderLine,
    OrderStatus,
    ReturnReason,
    ShopSettings,
    codec,
    plan_allocation,
)
from orderflow.domain.events import Restocked
from orderflow.domain.order import SetPart
from orderflow.errors import InvalidValue, OrderflowError, ProviderTimeout, UnknownSku
from orderflow.papers.picking import picking_list
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import FakeShop, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import TRACKING, customer
from tests.builders import address as ship_to
from tests.unit.test_allocation import _order

SETS = {"GIFT-A": (("TEA", 2), ("MUG", 1))}
SETTINGS = ShopSettings(warehouses=("TOKYO", "OSAKA"), auto_advance=False, sets=SETS)


def _lines(*lines: tuple[str, int]) -> list[OrderLine]:
    return [OrderLine(f"L{i}", sku, sku, Money.yen(3000), n) for i, (sku, n) in enumerate(lines)]


def _place(desk: OrderDesk, *lines: tuple[str, int], number: str = "1001") -> None:
    desk.place(
        number=number, customer=customer(), ship_to=ship_to(), lines=_lines(*lines), token="tok"
    )
    desk.accept(number)


def _reserved(shop: FakeShop) -> dict[tuple[str, str], int]:
    return {key: units for key, units in shop.inventory.reserved.items() if units}


# -- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sets",
    [
        {"GIFT": ()},
        {"GIFT": (("TEA", 0),)},
        {"GIFT": (("TEA", 1), ("TEA", 2))},
        {"GIFT": "TEA"},
        {"GIFT": (("BOX", 1),), "BOX": (("TEA", 1),)},  # a set of a set
        {"": (("TEA", 1),)},
        [("GIFT", (("TEA", 1),))],
    ],
)
def test_a_bad_recipe_is_refused(sets: object) -> None:
    with pytest.raises(InvalidValue):
        ShopSettings(sets=sets)


def test_a_recipe_may_be_given_as_lists() -> None:
    settings = ShopSettings(sets={"GIFT": [["TEA", 2], ["MUG", 1]]})
    assert settings.sets["GIFT"] == (("TEA", 2), ("MUG", 1))


# -- planning ---------------------------------------------------------------------------------


def _plan(lines: Sequence[tuple[str, int]], stock: dict[tuple[str, str], int]) -> list[Allocation]:
    return plan_allocation(_order(lines), ("TOKYO", "OSAKA"), stock, sets=SETS)


def test_a_set_line_is_planned_in_whole_sets_from_one_warehouse() -> None:
    stock = {("TOKYO", "TEA"): 5, ("TOKYO", "MUG"): 1, ("OSAKA", "TEA"): 4, ("OSAKA", "MUG"): 2}
    assert _plan([("GIFT-A", 2)], stock) == [Allocation("L0", "OSAKA", 2)]
    stock[("OSAKA", "MUG")] = 0  # no warehouse has both sets: one from Tokyo, none elsewhere
    assert _plan([("GIFT-A", 2)], stock) == [Allocation("L0", "TOKYO", 1)]


def test_a_set_is_never_made_of_two_warehouses_components() -> None:
    stock = {("TOKYO", "TEA"): 2, ("OSAKA", "MUG"): 1}
    assert _plan([("GIFT-A", 1)], stock) == []


def test_set_demand_is_summed_with_the_other_lines_of_its_components() -> None:
    stock = {("TOKYO", "TEA"): 4, ("TOKYO", "MUG"): 2, ("OSAKA", "TEA"): 5, ("OSAKA", "MUG"): 1}
    # 2 sets + 1 TEA: 5 TEA and 2 MUG; no warehouse has all, Tokyo first by priority
    plan = _plan([("GIFT-A", 2), ("TEA", 1)], stock)
    taken: dict[tuple[str, str], int] = {}
    for a in plan:
        for sku, per in SETS.get("GIFT-A" if a.line_id == "L0" else "TEA", (("TEA", 1),)):
            taken[(a.warehouse, sku)] = taken.get((a.warehouse, sku), 0) + a.quantity * per
    assert all(units <= stock.get(key, 0) for key, units in taken.items())
    assert plan == [Allocation("L0", "TOKYO", 2), Allocation("L1", "OSAKA", 1)]


# -- the desk on fakes --------------------------------------------------------------------------


STOCK = {("TOKYO", "TEA"): 10, ("TOKYO", "MUG"): 5}


def test_placing_a_set_needs_its_components_known() -> None:
    shop = fake_shop({("TOKYO", "TEA"): 5}, settings=SETTINGS)
    with pytest.raises(UnknownSku) as raised:
        _place(shop.desk, ("GIFT-A", 1))
    assert "MUG" in str(raised.value)


def _allocate_ship(desk: OrderDesk, shop: FakeShop | None) -> None:
    _place(desk, ("GIFT-A", 2), ("TEA", 1))
    order = desk.allocate("1001")
    assert order.status is OrderStatus.ALLOCATED
    assert sorted((a.line_id, a.warehouse, a.quantity) for a in order.allocations) == [
        ("L0", "TOKYO", 2),
        ("L1", "TOKYO", 1),
    ]
    if shop is not None:
        assert _reserved(shop) == {("TOKYO", "TEA"): 5, ("TOKYO", "MUG"): 2}
    order = desk.instruct_shipping("1001")
    assert [(x.line_id, x.quantity) for x in order.shipments[0].lines] == [("L0", 2), ("L1", 1)]
    desk.ship("1001", "1001-S1", TRACKING)
    if shop is not None:
        assert _reserved(shop) == {}
        assert shop.inventory.on_hand == {("TOKYO", "TEA"): 5, ("TOKYO", "MUG"): 3}


def _allocate_cancel(desk: OrderDesk, shop: FakeShop | None) -> None:
    _place(desk, ("GIFT-A", 3), number="1002")
    order = desk.allocate("1002")
    assert [(a.warehouse, a.quantity) for a in order.allocations] == [("TOKYO", 2)]
    assert order.status is OrderStatus.PARTIALLY_ALLOCATED  # 3 MUG left, 5 TEA: 2 sets
    if shop is not None:
        assert _reserved(shop) == {("TOKYO", "TEA"): 4, ("TOKYO", "MUG"): 2}
    order = desk.cancel("1002", reason="test")
    assert not order.allocations and not order.set_parts
    if shop is not None:
        assert _reserved(shop) == {}


def test_a_set_line_is_allocated_shipped_and_cancelled_in_components_on_fakes() -> None:
    shop = fake_shop(STOCK, settings=SETTINGS)
    _allocate_ship(shop.desk, shop)
    _allocate_cancel(shop.desk, shop)


def test_a_set_line_is_allocated_shipped_and_cancelled_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    shop = fake_shop(STOCK, settings=SETTINGS)
    desk = desk_on(shop, store=SQLiteStore(path), inventory=inventory, settings=SETTINGS)
    _allocate_ship(desk, None)
    assert inventory.available("TOKYO", "TEA") == 5
    assert inventory.available("TOKYO", "MUG") == 3
    _allocate_cancel(desk, None)
    assert inventory.available("TOKYO", "TEA") == 5
    assert inventory.available("TOKYO", "MUG") == 3


@pytest.mark.parametrize("short", ["TEA", "MUG"])
def test_a_component_short_in_the_race_leaves_whole_sets_and_gives_the_rest_back(
    short: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the stock read says 2 sets; another order took a unit of one component before the Reserve
    stock = {("TOKYO", "TEA"): 4, ("TOKYO", "MUG"): 2}
    shop = fake_shop(stock, settings=SETTINGS)
    _place(shop.desk, ("GIFT-A", 2))
    reserve = shop.inventory.reserve

    def racing(**kwargs: Any) -> int:  # another order takes a unit just before the first Reserve
        if not shop.inventory.reserved:
            shop.inventory.reserved[("TOKYO", short)] = 1
        return reserve(**kwargs)

    monkeypatch.setattr(shop.inventory, "reserve", racing)
    order = shop.desk.allocate("1001")
    assert order.allocations == (Allocation("L0", "TOKYO", 1),)
    assert not order.set_parts and not order.outbox
    assert order.status is OrderStatus.PARTIALLY_ALLOCATED
    mine = {key: units - (key == ("TOKYO", short)) for key, units in _reserved(shop).items()}
    assert mine == {("TOKYO", "TEA"): 2, ("TOKYO", "MUG"): 1}  # exactly one set held
    released = [c.request for c in shop.inventory.calls if c.method == "release"]
    if short == "TEA":  # 3 TEA and 2 MUG came: one set, 1 TEA and 1 MUG back
        assert released == [("TOKYO", "TEA", 1), ("TOKYO", "MUG", 1)]
    else:  # 4 TEA and 1 MUG came: one set, 2 TEA back
        assert released == [("TOKYO", "TEA", 2)]


def test_a_returned_set_restocks_its_components() -> None:
    shop = fake_shop(STOCK, settings=ShopSettings(sets=SETS))
    _place(shop.desk, ("GIFT-A", 1))
    order = shop.desk.get("1001")
    assert order.status is OrderStatus.ALLOCATED
    shop.desk.instruct_shipping("1001")
    shop.desk.ship("1001", "1001-S1", TRACKING)
    shop.desk.deliver("1001", "1001-S1")
    assert shop.inventory.on_hand == {("TOKYO", "TEA"): 8, ("TOKYO", "MUG"): 4}
    shop.desk.request_return("1001", {"L0": 1}, ReturnReason.DEFECTIVE)
    shop.desk.receive_return("1001", "R1", [Disposition("L0", 1, "TOKYO")])
    assert shop.inventory.on_hand == STOCK  # each component back on hand
    restocked = [e for e in shop.desk.get("1001").history if isinstance(e, Restocked)]
    assert sorted((e.line, e.warehouse, e.sku, e.quantity) for e in restocked) == [
        ("L0", "TOKYO", "MUG", 1),
        ("L0", "TOKYO", "TEA", 2),
    ]  # the history says which component came back


def test_components_held_in_the_middle_of_a_round_round_trip_the_codec(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shop = fake_shop(STOCK, settings=SETTINGS)
    _place(shop.desk, ("GIFT-A", 2))
    reserve = shop.inventory.reserve

    def mug_times_out(**kwargs: Any) -> int:  # TEA answered, MUG reserved but not answered
        got = reserve(**kwargs)
        if kwargs["sku"] == "MUG":
            raise ProviderTimeout("no answer")
        return got

    monkeypatch.setattr(shop.inventory, "reserve", mug_times_out)
    with contextlib.suppress(OrderflowError):
        shop.desk.allocate("1001")
    monkeypatch.undo()
    order = shop.store.orders["1001"]
    assert order.set_parts == (SetPart("L0", "TOKYO", "TEA", 4),)
    assert codec.loads(codec.dumps(order)) == order
    assert codec.loads(codec.dumps_text(order)) == order
    shop.desk.resume_pending()
    order = shop.desk.get("1001")
    assert order.allocations == (Allocation("L0", "TOKYO", 2),) and not order.set_parts
    assert _reserved(shop) == {("TOKYO", "TEA"): 4, ("TOKYO", "MUG"): 2}


def test_a_shops_planner_is_bounded_to_whole_sets_a_warehouse_has() -> None:
    def greedy(order: object, warehouses: Sequence[str], available: object) -> list[Allocation]:
        return [Allocation("L0", "TOKYO", 5), Allocation("L1", "TOKYO", 9)]

    stock = {("TOKYO", "TEA"): 7, ("TOKYO", "MUG"): 9}
    plan = plan_allocation(
        _order([("GIFT-A", 5), ("TEA", 9)]), ("TOKYO",), stock, greedy, sets=SETS
    )
    assert plan == [Allocation("L0", "TOKYO", 3), Allocation("L1", "TOKYO", 1)]  # 6 TEA + 1 TEA


def test_the_picking_list_may_list_a_sets_components() -> None:
    shop = fake_shop(STOCK, settings=SETTINGS)
    _place(shop.desk, ("GIFT-A", 2), ("TEA", 1))
    shop.desk.allocate("1001")
    order = shop.desk.instruct_shipping("1001")
    rows = picking_list([order], "TOKYO", sets=SETS).rows
    assert [(r.sku, r.name, r.quantity) for r in rows] == [
        ("MUG", "GIFT-A: MUG", 2),
        ("TEA", "GIFT-A: TEA", 4),
        ("TEA", "TEA", 1),
    ]
    assert [(r.sku, r.quantity) for r in picking_list([order], "TOKYO").rows] == [
        ("GIFT-A", 2),
        ("TEA", 1),
    ]


def test_a_receipt_of_a_component_serves_an_order_waiting_for_a_set() -> None:
    shop = fake_shop({("TOKYO", "TEA"): 4, ("TOKYO", "MUG"): 1}, settings=SETTINGS)
    _place(shop.desk, ("GIFT-A", 2))
    assert shop.desk.allocate("1001").allocations == (Allocation("L0", "TOKYO", 1),)
    served = shop.desk.receive("TOKYO", "MUG", 1, receipt_id="R1")
    assert [o.number for o in served] == ["1001"]
    order = shop.desk.get("1001")
    assert order.status is OrderStatus.ALLOCATED
    assert order.allocations == (Allocation("L0", "TOKYO", 2),)


def test_a_set_line_is_allocated_shipped_and_cancelled_on_postgres(postgres_uri: str) -> None:
    from orderflow.stores import PostgresInventory, PostgresStore
    from tests.postgres import new_database

    conninfo = new_database(postgres_uri)
    inventory = PostgresInventory(conninfo)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    shop = fake_shop(STOCK, settings=SETTINGS)
    desk = desk_on(shop, store=PostgresStore(conninfo), inventory=inventory, settings=SETTINGS)
    _allocate_ship(desk, None)
    assert inventory.available("TOKYO", "TEA") == 5
    assert inventory.available("TOKYO", "MUG") == 3
    _allocate_cancel(desk, None)
    assert inventory.available("TOKYO", "TEA") == 5
    assert inventory.available("TOKYO", "MUG") == 3


# -- a recipe changed while orders hold the set -------------------------------------------------


def test_a_set_line_keeps_the_recipe_it_was_placed_with() -> None:
    shop = fake_shop({**STOCK, ("TOKYO", "CUP"): 5}, settings=SETTINGS)
    _place(shop.desk, ("GIFT-A", 2))
    _place(shop.desk, ("GIFT-A", 1), number="1002")
    shop.desk.allocate("1001")
    shop.desk.allocate("1002")
    assert shop.desk.get("1001").lines[0].recipe == (("TEA", 2), ("MUG", 1))
    assert _reserved(shop) == {("TOKYO", "TEA"): 6, ("TOKYO", "MUG"): 3}
    # the shop changes GIFT-A to one tea and a cup while both orders hold it
    new = ShopSettings(
        warehouses=("TOKYO", "OSAKA"),
        auto_advance=False,
        sets={"GIFT-A": (("TEA", 1), ("CUP", 1))},
    )
    desk = desk_on(shop, store=shop.store, settings=new)
    desk.instruct_shipping("1001")
    desk.ship("1001", "1001-S1", TRACKING)
    desk.cancel("1002", reason="customer")
    assert _reserved(shop) == {}  # what each order reserved went out or back, unit for unit
    assert shop.inventory.on_hand[("TOKYO", "TEA")] == 10 - 4
    assert shop.inventory.on_hand[("TOKYO", "MUG")] == 5 - 2
    assert shop.inventory.on_hand[("TOKYO", "CUP")] == 5
    _place(desk, ("GIFT-A", 1), number="1003")  # a new order takes the new recipe
    desk.allocate("1003")
    assert desk.get("1003").lines[0].recipe == (("TEA", 1), ("CUP", 1))
    assert _reserved(shop) == {("TOKYO", "TEA"): 1, ("TOKYO", "CUP"): 1}


def test_a_recipe_on_a_line_is_checked_and_kept_by_the_codec() -> None:
    with pytest.raises(InvalidValue, match="recipe"):
        OrderLine("L1", "GIFT-A", "ギフト", Money.yen(3000), 1, recipe=(("TEA", 0),))
    with pytest.raises(InvalidValue, match="recipe"):
        OrderLine("L1", "GIFT-A", "ギフト", Money.yen(3000), 1, recipe=[["TEA", 1]])  # type: ignore[arg-type]
    shop = fake_shop(STOCK, settings=SETTINGS)
    _place(shop.desk, ("GIFT-A", 1))
    order = shop.desk.get("1001")
    assert codec.loads(codec.dumps(order)) == order


def test_a_recipe_a_caller_gives_must_be_the_shops_own() -> None:
    shop = fake_shop(STOCK, settings=SETTINGS)
    for line in (
        OrderLine("L1", "MUG", "湯呑", Money.yen(3000), 1, recipe=(("TEA", 3),)),  # not a set
        OrderLine("L1", "GIFT-A", "ギフト", Money.yen(3000), 1, recipe=(("MUG", 1),)),
    ):
        with pytest.raises(InvalidValue, match=r"lines\[L1\]\.recipe"):
            shop.desk.place(
                number="1001", customer=customer(), ship_to=ship_to(), lines=[line], token="tok"
            )
    assert not shop.store.orders and _reserved(shop) == {}
    same = OrderLine("L1", "GIFT-A", "ギフト", Money.yen(3000), 1, recipe=SETS["GIFT-A"])
    placed = shop.desk.place(
        number="1001", customer=customer(), ship_to=ship_to(), lines=[same], token="tok"
    )
    assert placed.lines[0].recipe == SETS["GIFT-A"]


def test_a_plain_sku_made_a_set_later_moves_what_its_lines_reserved() -> None:
    shop = fake_shop({**STOCK, ("TOKYO", "GIFT-B"): 3}, settings=SETTINGS)
    _place(shop.desk, ("GIFT-B", 1))  # sold as it is
    shop.desk.allocate("1001")
    assert shop.desk.get("1001").lines[0].recipe == ()
    assert _reserved(shop) == {("TOKYO", "GIFT-B"): 1}
    new = ShopSettings(
        warehouses=("TOKYO", "OSAKA"), auto_advance=False, sets={"GIFT-B": (("TEA", 2),)}
    )
    desk = desk_on(shop, store=shop.store, settings=new)
    order = desk.cancel("1001", reason="customer")
    assert order.status is OrderStatus.CANCELLED and not order.outbox
    assert _reserved(shop) == {}  # its own unit back, no tea touched


def test_the_receipt_sweep_leaves_orders_alone_while_no_whole_set_can_be_made() -> None:
    shop = fake_shop({("TOKYO", "TEA"): 0, ("TOKYO", "MUG"): 5}, settings=SETTINGS)
    _place(shop.desk, ("GIFT-A", 1))
    _place(shop.desk, ("GIFT-A", 1), number="1002")
    shop.desk.allocate("1001")
    shop.desk.allocate("1002")
    shop.inventory.receive("TOKYO", "TEA", 1, key="wms-1")  # half a set's tea
    before = {n: shop.desk.get(n) for n in ("1001", "1002")}
    for _ in range(3):
        assert shop.desk.fill_backorders() == []
    assert {n: shop.desk.get(n) for n in ("1001", "1002")} == before  # nothing written
    shop.inventory.receive("TOKYO", "TEA", 1, key="wms-2")
    assert [o.number for o in shop.desk.fill_backorders()] == ["1001"]
