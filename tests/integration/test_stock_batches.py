"""An order's stock moves of one kind asked in one call, where the inventory takes them.

A three-line order reserved in three calls (three transactions on a database) and shipped in
three more; an inventory with ``reserve_many``, ``release_many`` and ``commit_many`` now gets one
call for each. Asked together or one by one, the end is the same: the orders, the stock, the
work each key did, through refusals, time-outs and resumes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from orderflow import OrderLine, ShopSettings
from orderflow.domain.money import Money
from orderflow.errors import OrderflowError
from orderflow.stores import SQLiteInventory
from orderflow.testing import FakeShop
from orderflow.testing.fakes import Fault
from orderflow.testing.shop import desk_on
from tests.builders import STOCK, TRACKING, place, shop

BATCHES = ("reserve_many", "release_many", "commit_many")


def one_by_one(s: FakeShop) -> FakeShop:
    """``s`` with an inventory that has no batch methods (the executor calls once per move)."""
    for name in BATCHES:
        setattr(s.inventory, name, None)
    return s


def batches_asked(s: FakeShop) -> list[tuple[str, list[str]]]:
    """Every batch call the inventory gets from now on: (method, the moves' keys)."""
    asked: list[tuple[str, list[str]]] = []
    for name in BATCHES:
        real = getattr(s.inventory, name)

        def spy(moves: Any, name: str = name, real: Callable[..., Any] = real) -> Any:
            asked.append((name, [m.key for m in moves]))
            return real(moves)

        setattr(s.inventory, name, spy)
    return asked


def world(s: FakeShop) -> tuple[object, ...]:
    """What the moves change: the order, the stock, and the work done under each key."""
    order = s.store.get("1001")
    return (
        order.status,
        order.allocations,
        order.outbox,
        order.history,
        dict(s.inventory.on_hand),
        {k: v for k, v in s.inventory.reserved.items() if v},
        sorted(s.inventory.work_done),
    )


def lifecycle(s: FakeShop) -> None:
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)


def test_a_three_line_order_is_reserved_in_one_call_and_shipped_in_one() -> None:
    s = shop()
    asked = batches_asked(s)
    lifecycle(s)
    assert asked == [
        ("reserve_many", ["1001:4", "1001:5", "1001:6"]),
        ("commit_many", ["1001:8", "1001:9", "1001:10"]),
    ]
    alone = one_by_one(shop())
    lifecycle(alone)
    assert world(s) == world(alone)


def test_a_cancel_releases_the_lines_in_one_call() -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    asked = batches_asked(s)
    s.desk.cancel("1001", reason="お客様都合")
    assert [name for name, _ in asked] == ["release_many"]
    assert not any(s.inventory.reserved.values())


@pytest.mark.parametrize("fault", list(Fault))
@pytest.mark.parametrize("method", ["reserve", "commit"])
@pytest.mark.parametrize("position", [1, 2, 3])
def test_a_fault_at_any_move_of_a_batch_ends_as_one_by_one(
    fault: Fault, method: str, position: int
) -> None:
    """A refusal, a time-out before or after the work, a duplicate, at the first, second or
    third move: the command (and a resume after a time-out) ends where one by one ends."""
    ends = []
    for s in (shop(), one_by_one(shop())):
        place(s)
        s.desk.accept("1001")
        if method == "commit":
            s.desk.allocate("1001")
            s.desk.instruct_shipping("1001")
        if position > 1:
            s.inventory.fail_next(method, Fault.DUPLICATE, times=position - 1)
        s.inventory.fail_next(method, fault)
        try:
            if method == "reserve":
                s.desk.allocate("1001")
            else:
                s.desk.ship("1001", "1001-S1", TRACKING)
        except OrderflowError:
            pass
        s.desk.resume_pending()
        ends.append(world(s))
    assert ends[0] == ends[1]


def test_a_set_line_s_components_are_reserved_one_by_one() -> None:
    """A short set gives its parts back before the next line is reserved: not batched."""
    settings = ShopSettings(auto_advance=False, sets={"GIFT-1": (("TEA-1", 2), ("MUG-1", 1))})
    lines = [
        OrderLine("L1", "GIFT-1", "詰め合わせ", Money.yen(3300), 1),
        OrderLine("L2", "CAKE-1", "羊羹", Money.yen(1620), 1),
        OrderLine("L3", "MUG-1", "湯呑", Money.yen(2200), 1),
    ]
    ends = []
    asked = []
    for s in (shop(settings=settings), one_by_one(shop(settings=settings))):
        if s.inventory.reserve_many is not None:
            asked = batches_asked(s)
        place(s, order_lines=lines)
        s.desk.accept("1001")
        s.desk.allocate("1001")
        ends.append(world(s))
    assert ends[0] == ends[1]
    assert asked == [("reserve_many", ["1001:6", "1001:7"])]  # the set's two parts: alone


def test_on_a_sqlite_inventory_the_batch_is_one_transaction(tmp_path: Any) -> None:
    s = shop()
    inventory = SQLiteInventory(tmp_path / "stock.sqlite3")
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    desk = desk_on(s, store=s.store, inventory=inventory, settings=s.desk.settings)
    s.desk = desk
    place(s)
    desk.accept("1001")
    order = desk.allocate("1001")
    assert sum(a.quantity for a in order.allocations) == 4
    moves = inventory.movements(order_ref="1001")
    assert [(m.kind.value, m.done) for m in moves] == [
        ("reserve", 2),
        ("reserve", 1),
        ("reserve", 1),
    ]
    inventory.close()
