"""Decisions shared by several commands: allocation and letting an order go on by itself."""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.allocation import plan_allocation
from orderflow.domain.effects import CheckStock, Release, Reserve
from orderflow.domain.events import Allocated
from orderflow.domain.lifecycle import Context
from orderflow.domain.moves import check_order_move
from orderflow.domain.order import Allocation, Order, SetPart
from orderflow.domain.outbox import Plan
from orderflow.domain.rules import Rules
from orderflow.domain.sets import Recipe, line_components, whole_sets
from orderflow.domain.status import Move, OrderStatus

__all__ = [
    "advance",
    "allocating",
    "check_stock",
    "go_on",
    "release_all",
    "reserve_planned",
    "settle_allocation",
    "settle_set",
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
    sets = rules.settings.sets
    skus = tuple(
        sorted(
            {part for line_id in missing for part, _ in line_components(order.line(line_id), sets)}
        )
    )
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


def go_on(plan: Plan, order: Order, rules: Rules) -> Order:
    """A hold came off (cleared, paid, credit approved): the order goes on by itself.

    As :func:`advance`; an order waiting for stock (中途引当) also reads the stock again, if the
    shop wants orders to go on by themselves: a receipt passed it by while it was held.
    """
    order = advance(plan, order, rules)
    if (
        rules.settings.auto_advance
        and order.status is OrderStatus.PARTIALLY_ALLOCATED
        and not order.open_holds
        and not any(isinstance(e, (CheckStock, Reserve)) for e in (*order.outbox, *plan.effects))
    ):
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
        sets=settings.sets,
    )
    for allocation in planned:  # a set: one Reserve per component, one after the other
        for sku, per in line_components(order.line(allocation.line_id), settings.sets):
            plan.add(
                Reserve,
                line_id=allocation.line_id,
                warehouse=allocation.warehouse,
                sku=sku,
                quantity=allocation.quantity * per,
            )
    if not planned:
        return settle_allocation(order, ctx)
    return order


def add_reserved(order: Order, reserved: Allocation) -> Order:
    """``order`` holding ``reserved`` units more (merged per line and warehouse when settled)."""
    return replace(order, allocations=(*order.allocations, reserved))


def add_set_part(order: Order, part: SetPart) -> Order:
    """``order`` holding ``part`` more component units of a set line (not yet whole sets)."""
    return replace(order, set_parts=(*order.set_parts, part))


def settle_set(plan: Plan, order: Order, line_id: str, warehouse: str, recipe: Recipe) -> Order:
    """Every component of a set line in one warehouse answered: keep whole sets, release the rest.

    The components' units become an :class:`Allocation` of as many whole sets as they make; what
    a component got beyond them (another came short in the last-unit race) is given back with a
    :class:`Release`, so that the order and the inventory hold exactly whole sets.
    """
    held: dict[str, int] = {}
    keep: list[SetPart] = []
    for p in order.set_parts:
        if p.line_id == line_id and p.warehouse == warehouse:
            held[p.sku] = held.get(p.sku, 0) + p.quantity
        else:
            keep.append(p)
    sets = whole_sets(recipe, held)
    per = dict(recipe)
    for sku, units in held.items():
        excess = units - sets * per.get(sku, 0)
        if excess > 0:
            plan.add(Release, line_id=line_id, warehouse=warehouse, sku=sku, quantity=excess)
    order = replace(order, set_parts=tuple(keep))
    return add_reserved(order, Allocation(line_id, warehouse, sets)) if sets else order


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
    check_order_move(order, Move.ALLOCATE, to)
    details = {
        "reserved": ", ".join(f"{a.line_id}@{a.warehouse}×{a.quantity}" for a in order.allocations)
    }
    moved, _ = lifecycle.record_fact(order, ctx, Allocated, to, details)
    return moved


def release_all(plan: Plan, order: Order, rules: Rules, held: Order | None = None) -> Order:
    """Give every reserved unit back: one release effect per allocation; none left on the order.

    ``held`` is the order as it held the stock, when ``order`` is already changed (a line gone).
    A set line (セット商品) releases each component, quantity × units per set.
    """
    source = held or order
    for a in source.allocations:
        for part, per in line_components(source.line(a.line_id), rules.settings.sets):
            plan.add(
                Release,
                line_id=a.line_id,
                warehouse=a.warehouse,
                sku=part,
                quantity=a.quantity * per,
            )
    for p in source.set_parts:
        plan.add(Release, line_id=p.line_id, warehouse=p.warehouse, sku=p.sku, quantity=p.quantity)
    if order.allocations or order.set_parts:
        return replace(order, allocations=(), set_parts=())
    return order
