"""Allocation planning (引当計画): which warehouse reserves which units.

The plan is pure: it reads a snapshot of available stock and proposes reservations. The desk then
reserves atomically through the inventory port, which may grant less than planned when another
order took the stock first (the last-unit race); the order records only what was granted.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence

from orderflow.domain.order import Allocation, Order

__all__ = ["AllocationStrategy", "plan_allocation"]

Stock = Callable[[str, str], int]
"""(warehouse, sku) → units available now."""


class AllocationStrategy(enum.Enum):
    """How to choose warehouses for an order's missing units."""

    FEWEST_SHIPMENTS = "fewest_shipments"
    """One warehouse that can ship everything if any (in priority order), else by priority."""
    PRIORITY = "priority"
    """Fill each line from the warehouses in their fixed priority order."""


def plan_allocation(
    order: Order,
    warehouses: Sequence[str],
    stock: Stock | Mapping[tuple[str, str], int],
    strategy: AllocationStrategy = AllocationStrategy.FEWEST_SHIPMENTS,
) -> list[Allocation]:
    """Reservations for the units ``order`` still misses, by ``strategy``; may be short.

    ``warehouses`` are in priority order. ``stock`` is a function or a mapping of
    (warehouse, sku) → available units. Never plans more than is available or missing.
    """
    available: Stock
    if isinstance(stock, Mapping):
        snapshot = stock

        def available(warehouse: str, sku: str) -> int:
            return snapshot.get((warehouse, sku), 0)

    else:
        available = stock
    missing = order.unallocated()
    skus = {line.line_id: line.sku for line in order.lines}
    left: dict[tuple[str, str], int] = {}

    def free(warehouse: str, sku: str) -> int:
        key = (warehouse, sku)
        if key not in left:
            left[key] = max(0, available(warehouse, sku))
        return left[key]

    order_of_warehouses = list(warehouses)
    if strategy is AllocationStrategy.FEWEST_SHIPMENTS:
        for warehouse in warehouses:
            if all(free(warehouse, skus[line]) >= qty for line, qty in missing.items()):
                order_of_warehouses = [warehouse]
                break
    plan: list[Allocation] = []
    for line_id, quantity in missing.items():
        need = quantity
        for warehouse in order_of_warehouses:
            if not need:
                break
            take = min(need, free(warehouse, skus[line_id]))
            if take:
                left[(warehouse, skus[line_id])] -= take
                plan.append(Allocation(line_id, warehouse, take))
                need -= take
    return plan
