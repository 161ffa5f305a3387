"""中途引当 that moves: orders waiting for stock, their expected dates and the customer's choice.

An order short of stock waits in 未引当 or 中途引当. When stock arrives (入荷) the orders waiting
for that SKU are allocated oldest first (or by the shop's priority) in one sweep; the shop may
tell the customer when the missing units are expected (入荷予定日, a notice with the reserved and
the waiting lines shown apart), and the customer chooses: wait, or drop the waiting units (a
partial cancel: the payment follows). Pure: the desk does the calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from orderflow.domain import lifecycle
from orderflow.domain.effects import Notify
from orderflow.domain.events import ArrivalExpected, StockWaitAccepted
from orderflow.domain.lifecycle import Context
from orderflow.domain.moves import offered
from orderflow.domain.order import Order
from orderflow.domain.outbox import Plan
from orderflow.domain.sets import Sets, line_components
from orderflow.domain.status import OrderStatus
from orderflow.errors import InvalidValue, MoveNotAllowed

__all__ = [
    "WAITING",
    "accept_wait",
    "check_droppable",
    "expect_arrival",
    "missing_units",
    "waiting_for",
    "waits_for_stock",
]

WAITING = (OrderStatus.UNALLOCATED, OrderStatus.PARTIALLY_ALLOCATED)
"""The statuses of an order waiting for stock."""

Priority = Callable[[Order], Any]


def waits_for_stock(order: Order) -> bool:
    """Whether ``order`` waits for stock: 未引当, 中途引当, or shipped in part (分納)."""
    return order.status in WAITING or (
        order.status is OrderStatus.SHIPPING_INSTRUCTED and bool(order.unallocated())
    )


def check_droppable(order: Order) -> dict[str, int]:
    """The units 入荷待ち of ``order`` that the customer may drop (line id → units).

    Refused (``InvalidValue`` naming ``number``) for an order not waiting for stock, and for
    one in 未引当 on hold: nobody read its stock yet (a transfer not paid, a review to finish),
    so nothing is known to be missing, and dropping "all of it" would cancel an order whose
    units are on the shelf. Its hold cleared, it reads the stock and may then drop what is short.
    """
    missing = order.unallocated()
    if order.status not in WAITING or not missing:
        raise InvalidValue("number", order.number, "an order waiting for stock")
    _refuse_unread(order)
    return missing


def _refuse_unread(order: Order) -> None:
    """Refuse an order in 未引当 on hold: nothing of it is known to be missing."""
    if order.status is OrderStatus.UNALLOCATED and order.open_holds:
        codes = ", ".join(h.code for h in order.open_holds)
        raise InvalidValue(
            "number",
            order.number,
            f"an order waiting for stock (it is 未引当 on hold: {codes}, its stock not read "
            "yet; clear the hold so it is allocated, or cancel the order)",
        )


def missing_units(order: Order, sku: str, sets: Sets | None = None) -> int:
    """Units of ``sku`` the order still waits for (with ``sets``: a set line's components too)."""
    missing = order.unallocated()
    return sum(
        missing.get(line.line_id, 0) * per
        for line in order.lines
        for part, per in line_components(line, sets or {})
        if part == sku
    )


def waiting_for(
    orders: Iterable[Order], sku: str, priority: Priority | None = None, sets: Sets | None = None
) -> list[Order]:
    """The orders waiting for ``sku``, in the order a receipt serves them.

    Orders shipped in part (分納, 出荷指示済 with units missing) wait too. Oldest first (placed
    at, then number) unless ``priority`` gives a sort key (lowest first);
    an order on hold waits for a person, not for stock, and is left out. With ``sets``
    (``ShopSettings.sets``) a set line waits for each of its components.
    """
    waiting = [
        o
        for o in orders
        if waits_for_stock(o) and not o.open_holds and missing_units(o, sku, sets) > 0
    ]
    return sorted(waiting, key=priority or _oldest_first)


def skus_waited_for(orders: Iterable[Order], sets: Sets | None = None) -> list[str]:
    """Every SKU some order not on hold still waits for, sorted (a set line: its components)."""
    wanted: set[str] = set()
    for order in orders:
        if not waits_for_stock(order) or order.open_holds:
            continue
        missing = order.unallocated()
        for line in order.lines:
            if missing.get(line.line_id, 0) > 0:
                wanted.update(part for part, _ in line_components(line, sets or {}))
    return sorted(wanted)


def _oldest_first(order: Order) -> tuple[Any, str]:
    return (order.placed_at, order.number)


def _require_waiting(order: Order, move: str) -> None:
    if not waits_for_stock(order):
        allowed = offered(order)
        raise MoveNotAllowed(order.number, order.status.name, move, allowed)
    _refuse_unread(order)


def expect_arrival(
    plan: Plan,
    order: Order,
    line_id: str,
    on: date,
    ctx: Context,
    *,
    zone: str,
    notify: bool = True,
) -> Order:
    """入荷予定日: the units ``line_id`` waits for are expected on ``on``; tell the customer.

    ``on`` is today or later, today in ``zone`` (the shop's time zone).
    """
    _require_waiting(order, "expect_arrival")
    missing = order.unallocated()
    if line_id not in missing:
        waiting = ", ".join(sorted(missing)) or "none"
        raise InvalidValue("line_id", line_id, f"a line waiting for stock ({waiting})")
    today = ctx.at.astimezone(ZoneInfo(zone)).date()
    if not isinstance(on, date) or on < today:
        raise InvalidValue("on", on, f"a date, {today.isoformat()} or later")
    arrivals = tuple(sorted({**dict(order.arrivals), line_id: on}.items()))
    order, _ = lifecycle.record_fact(
        order, ctx, ArrivalExpected, fields={"line": line_id, "on": on}, arrivals=arrivals
    )
    if notify:
        plan.add(Notify, notice="backorder", facts=backorder_facts(order))
    return order


def backorder_facts(order: Order) -> tuple[tuple[str, object], ...]:
    """What the back-order notice tells: the reserved lines and the waiting ones, apart."""
    missing = order.unallocated()
    expected = dict(order.arrivals)
    reserved, waiting = [], []
    for line in order.lines:
        have = line.quantity - missing.get(line.line_id, 0)
        if have:
            reserved.append(f"{line.name} ×{have}")
        if missing.get(line.line_id):
            when = expected.get(line.line_id)
            on = f" ({when.isoformat()})" if when else ""
            waiting.append(f"{line.name} ×{missing[line.line_id]}{on}")
    return (("reserved", "\n".join(reserved) or "-"), ("waiting", "\n".join(waiting) or "-"))


def accept_wait(order: Order, ctx: Context) -> Order:
    """The customer chose to wait for the missing units (the order stays as it is)."""
    _require_waiting(order, "wait_for_stock")
    if not order.unallocated():
        raise InvalidValue("number", order.number, "an order waiting for stock")
    moved, _ = lifecycle.record_fact(order, ctx, StockWaitAccepted)
    return moved
