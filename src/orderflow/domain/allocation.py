"""Allocation planning (引当計画): which warehouse reserves which units.

The plan is pure: it reads a snapshot of available stock and proposes reservations. The desk then
reserves atomically through the inventory port, which may grant less than planned when another
order took the stock first (the last-unit race); the order records only what was granted.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from orderflow.domain.address import Prefecture
from orderflow.domain.geography import distance_km
from orderflow.domain.order import Allocation, Order
from orderflow.domain.sets import Recipe, Sets, line_components

__all__ = ["AllocationPlanner", "AllocationStrategy", "plan_allocation"]

Stock = Callable[[str, str], int]
"""(warehouse, sku) → units available now."""


class AllocationStrategy(enum.Enum):
    """How to choose warehouses for an order's missing units."""

    FEWEST_SHIPMENTS = "fewest_shipments"
    """One warehouse that can ship everything if any (in priority order), else by priority."""
    PRIORITY = "priority"
    """Fill each line from the warehouses in their fixed priority order."""
    NEAREST = "nearest"
    """The warehouse nearest to the destination prefecture that can ship everything, else fill
    from the nearest to the farthest (warehouses without a known location last, by priority)."""


@runtime_checkable
class AllocationPlanner(Protocol):
    """The shop's own allocation rule, given instead of an :class:`AllocationStrategy`.

    Called with the order, the warehouses in priority order and what is available; returns the
    reservations it wants. orderflow bounds the answer: it never reserves more than a line still
    misses or a warehouse has, and leaves out lines and warehouses it does not know.
    """

    def __call__(
        self, order: Order, warehouses: Sequence[str], available: Stock
    ) -> Sequence[Allocation]:
        """The reservations to ask for."""
        ...


def plan_allocation(
    order: Order,
    warehouses: Sequence[str],
    stock: Stock | Mapping[tuple[str, str], int],
    strategy: AllocationStrategy | AllocationPlanner = AllocationStrategy.FEWEST_SHIPMENTS,
    *,
    locations: Mapping[str, Prefecture] | None = None,
    sets: Sets | None = None,
) -> list[Allocation]:
    """Reservations for the units ``order`` still misses, by ``strategy``; may be short.

    ``warehouses`` are in priority order; ``locations`` gives the prefecture of each warehouse
    (for :attr:`AllocationStrategy.NEAREST`). ``stock`` is a function or a mapping of
    (warehouse, sku) → available units. Demand is summed per SKU across the order's lines, so two
    lines of one SKU never plan more than the warehouse has; never plans more than is missing.

    ``sets`` (set SKU → components and units per set, :mod:`orderflow.domain.sets`): a set line
    is planned in whole sets, each set with all its components from one warehouse; its demand
    counts in component units, summed with the other lines of those SKUs.
    """
    available = _reader(stock)
    missing = order.unallocated()
    recipes: Sets = sets or {}
    skus = {line.line_id: line_components(line, recipes) for line in order.lines}
    left = _Left(available)
    if not isinstance(strategy, AllocationStrategy):
        wanted = strategy(order, warehouses, available)
        return _bounded(wanted, missing, warehouses, skus, left.room, left.take)
    ranked = list(warehouses)
    if strategy is AllocationStrategy.NEAREST:
        ranked = _by_distance(ranked, locations or {}, order.ship_to.prefecture)
    if strategy is not AllocationStrategy.PRIORITY:
        ranked = _one_that_ships_all(ranked, missing, skus, left) or ranked
    plan: list[Allocation] = []
    for line_id, quantity in missing.items():
        need = quantity
        for warehouse in ranked:
            if not need:
                break
            units = min(need, left.room(warehouse, skus[line_id]))
            if units:
                left.take(warehouse, skus[line_id], units)
                plan.append(Allocation(line_id, warehouse, units))
                need -= units
    return plan


def _reader(stock: Stock | Mapping[tuple[str, str], int]) -> Stock:
    """``stock`` as a function of (warehouse, SKU)."""
    if not isinstance(stock, Mapping):
        return stock
    snapshot = stock

    def available(warehouse: str, sku: str) -> int:
        return snapshot.get((warehouse, sku), 0)

    return available


class _Left:
    """What each warehouse still has while one order is planned (read once per SKU)."""

    __slots__ = ("_available", "_left")

    def __init__(self, available: Stock) -> None:
        self._available = available
        self._left: dict[tuple[str, str], int] = {}

    def free(self, warehouse: str, sku: str) -> int:
        """Units of ``sku`` the warehouse still has for this order."""
        key = (warehouse, sku)
        left = self._left.get(key)
        if left is None:
            left = self._left[key] = max(0, self._available(warehouse, sku))
        return left

    def room(self, warehouse: str, recipe: Recipe) -> int:
        """Units of a line one warehouse can still give: whole sets for a set line."""
        return min(self.free(warehouse, part) // per for part, per in recipe)

    def take(self, warehouse: str, recipe: Recipe, units: int) -> None:
        """``units`` of a line taken from the warehouse."""
        for part, per in recipe:
            self._left[(warehouse, part)] = self.free(warehouse, part) - units * per


def _one_that_ships_all(
    ranked: list[str], missing: Mapping[str, int], skus: Mapping[str, Recipe], left: _Left
) -> list[str] | None:
    """The first warehouse (in ``ranked``) that has every missing unit, alone; else None."""
    demand: dict[str, int] = {}
    for line_id, quantity in missing.items():
        for part, per in skus[line_id]:
            demand[part] = demand.get(part, 0) + quantity * per
    for warehouse in ranked:
        if all(left.free(warehouse, sku) >= units for sku, units in demand.items()):
            return [warehouse]
    return None


def _by_distance(
    warehouses: list[str], locations: Mapping[str, Prefecture], to: Prefecture
) -> list[str]:
    def rank(item: tuple[int, str]) -> tuple[float, int]:
        index, warehouse = item
        where = locations.get(warehouse)
        return (distance_km(where, to) if where is not None else math.inf, index)

    return [w for _, w in sorted(enumerate(warehouses), key=rank)]


def _bounded(
    wanted: Sequence[Allocation],
    missing: Mapping[str, int],
    warehouses: Sequence[str],
    skus: Mapping[str, Recipe],
    room: Callable[[str, Recipe], int],
    take: Callable[[str, Recipe, int], None],
) -> list[Allocation]:
    """A planner's answer cut to what is missing and available, unknown lines left out."""
    still = dict(missing)
    known = set(warehouses)
    plan: list[Allocation] = []
    for a in wanted:
        if not isinstance(a, Allocation) or a.line_id not in still or a.warehouse not in known:
            continue
        units = min(a.quantity, still[a.line_id], room(a.warehouse, skus[a.line_id]))
        if units > 0:
            still[a.line_id] -= units
            take(a.warehouse, skus[a.line_id], units)
            plan.append(Allocation(a.line_id, a.warehouse, units))
    return plan
