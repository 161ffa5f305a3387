"""Decisions shared by several commands: allocation and letting an order go on by itself."""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.allocation import plan_allocation
from orderflow.domain.effects import CheckStock, Release, Reserve
from orderflow.domain.events import Allocated
from orderflow.domain.lifecycle import Context
from orderflow.domain.machine import check_move
from orderflow.domain.order import Allocation, Order
from orderflow.domain.outbox import Plan
from orderflow.domain.rules import Rules
from orderflow.domain.status import Move, OrderStatus

__all__ = [
    "advance",
    "allocating",
    "check_stock",
    "release_all",
    "reserve_planned",
    "settle_allocation",
]

_ALLOCATING = (OrderStatus.UNALLOCATED, OrderStatus.PARTIALLY_ALLOCATED)


def allocating(order: Order) -> bool:
    """Whether ``order`` may reserve stock: 未引当, 中途引当, or shipped in part (分納)."""
    return order.status in _ALLOCATING or (
        order.status is OrderStatus.SHIPPING_INSTRUCTED and bool(order.unallocated())
    )


def check_stock(plan: Plan, order: Order, rules: Rules) -> None:
    """引当 begins: read what is available for what the order still misses."""
    missing = order.unallocated()
    skus = tuple(sorted({order.line(line_id).sku for line_id in missing}))
    plan.add(CheckStock, warehouses=rules.settings.warehouses, skus=skus)


def advance(
    plan: Plan,
    order: Order,
    rules: Rules,
    available: Mapping[tuple[str, str], int] | None = None,
    ctx: Context | None = None,
) -> Order:
    """An accepted order with no open hold goes on by itself (未引当 → 引当), if the shop wants.

    With ``available`` (read by the caller before deciding) the reservations are planned at
    once; without, the stock is read first (a :class:`CheckStock` effect).
    """
    if (
        rules.settings.auto_advance
        and order.status is OrderStatus.UNALLOCATED
        and not order.open_holds
        and not any(isinstance(e, (CheckStock, Reserve)) for e in (*order.outbox, *plan.effects))
    ):
        if available is not None and ctx is not None:
            return reserve_planned(plan, order, available, rules, ctx)
        check_stock(plan, order, rules)
    return order


def reserve_planned(
    plan: Plan,
    order: Order,
    available: Mapping[tuple[str, str], int],
    rules: Rules,
    ctx: Context,
) -> Order:
    """Plan the reservations from what is available; with nothing to reserve, settle at once."""
    if not allocating(order):
        return order
    settings = rules.settings
    planned = plan_allocation(
        order,
        settings.warehouses,
        available,
        settings.allocation,
        locations=settings.warehouse_locations,
    )
    for allocation in planned:
        plan.add(
            Reserve,
            line_id=allocation.line_id,
            warehouse=allocation.warehouse,
            sku=order.line(allocation.line_id).sku,
            quantity=allocation.quantity,
        )
    if not planned:
        return settle_allocation(order, ctx)
    return order


def add_reserved(order: Order, reserved: Allocation) -> Order:
    """``order`` holding ``reserved`` units more (merged per line and warehouse when settled)."""
    return replace(order, allocations=(*order.allocations, reserved))


def settle_allocation(order: Order, ctx: Context) -> Order:
    """Every reservation of the round answered: 引当済 if nothing is missing, else 中途引当.

    An order shipped in part (分納) stays 出荷指示済, its new units waiting for an instruction.
    """
    if order.status is not OrderStatus.SHIPPING_INSTRUCTED and order.status not in _ALLOCATING:
        return order
    merged = lifecycle.merge_allocations(order.allocations)
    if merged is not order.allocations:
        order = replace(order, allocations=merged)
    missing = order.unallocated()
    if order.arrivals:  # an expected date is kept only for what still waits
        order = replace(order, arrivals=tuple(a for a in order.arrivals if a[0] in missing))
    to = OrderStatus.PARTIALLY_ALLOCATED if missing else OrderStatus.ALLOCATED
    if order.status is OrderStatus.SHIPPING_INSTRUCTED:
        to = order.status
    check_move(order.number, order.status, Move.ALLOCATE, to)
    details = {
        "reserved": ", ".join(f"{a.line_id}@{a.warehouse}×{a.quantity}" for a in order.allocations)
    }
    moved, _ = lifecycle.record_fact(order, ctx, Allocated, to, details)
    return moved


def release_all(plan: Plan, order: Order, held: Order | None = None) -> Order:
    """Give every reserved unit back: one release effect per allocation; none left on the order.

    ``held`` is the order as it held the stock, when ``order`` is already changed (a line gone).
    """
    source = held or order
    for a in source.allocations:
        plan.add(
            Release,
            line_id=a.line_id,
            warehouse=a.warehouse,
            sku=source.line(a.line_id).sku,
            quantity=a.quantity,
        )
    return replace(order, allocations=()) if order.allocations else order
