"""The domain commands: pure functions from an order and a command to a new order and its events.

Each function checks everything first and raises an :mod:`orderflow.errors` error before it builds
anything, so a refused command leaves the caller's order untouched. No function here does I/O or
reads a clock: the time and the actor come in a :class:`Context`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import attrs

from orderflow._mask import mask_personal_data_in, masked_repr
from orderflow.domain._values import replace
from orderflow.domain.address import Address, Customer
from orderflow.domain.events import (
    Accepted,
    Allocated,
    Booked,
    Cancelled,
    Delivered,
    HoldCleared,
    HoldRaised,
    Placed,
    Released,
    Shipped,
    ShippingInstructed,
)
from orderflow.domain.money import Money
from orderflow.domain.moves import (
    check_order_move,
    next_moves,
    offered,
    returns_taken,
    undoable_delivery,
    why_not_recalled,
)
from orderflow.domain.order import (
    Allocation,
    Hold,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentMethod,
    Shipment,
    ShipmentStatus,
)
from orderflow.domain.shipments import (
    pending_units,
)
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import InvalidValue, MoveBlocked, MoveNotAllowed

__all__ = [
    "Context",
    "Outcome",
    "accept",
    "allocate",
    "book",
    "cancel",
    "clear_hold",
    "clear_holds",
    "deliver",
    "drop_outbox",
    "find_shipment",
    "instruct_shipping",
    "make_event",
    "merge_allocations",
    "new_order",
    "next_moves",
    "raise_hold",
    "record_fact",
    "release",
    "returns_taken",
    "ship",
    "undoable_delivery",
    "why_not_recalled",
]


_ZERO = timedelta(0)
E = TypeVar("E", bound=OrderEvent)


def _check_aware(instance: object, attribute: attrs.Attribute[datetime], value: object) -> None:
    if type(value) is datetime and value.tzinfo is UTC:
        return
    if not isinstance(value, datetime) or value.utcoffset() != _ZERO:
        raise InvalidValue(attribute.name, value, "an aware datetime in UTC")


@attrs.frozen(slots=True)
class Context:
    """Who does a command, when (an aware UTC datetime), and why."""

    at: datetime = attrs.field(validator=_check_aware)
    """When the command happens: an aware datetime in UTC (offset zero); every event it adds
    is stamped with it."""
    actor: str = "system"
    """Who does it, recorded as the actor of its events: ``system`` by default, or e.g.
    ``operator:sato``."""
    reason: str = attrs.field(default="", repr=masked_repr(mask_personal_data_in))
    """Why, in a person's words; recorded on its events. ``""`` for none."""


Outcome = tuple[Order, tuple[OrderEvent, ...]]
"""What a command returns: the new order and the events it added to the history."""


def make_event(
    order: Order,
    ctx: Context,
    kind: type[E],
    to: OrderStatus,
    fields: Mapping[str, Any] | None = None,
) -> E:
    """An event of ``kind`` for ``order`` moving (or staying) to ``to``, done by ``ctx``."""
    return kind(
        at=ctx.at,
        actor=ctx.actor,
        from_status=order.status,
        to_status=to,
        reason=ctx.reason,
        **(fields or {}),
    )


def record_fact(
    order: Order,
    ctx: Context,
    kind: type[OrderEvent],
    to: OrderStatus | None = None,
    fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Outcome:
    """A new order with ``changes`` and one more event of ``kind`` (with ``fields``).

    ``to`` is the new status (the same one when omitted: a fact, not a move). Saving bumps the
    version.
    """
    target = order.status if to is None else to
    event = make_event(order, ctx, kind, target, fields)
    new = replace(
        order,
        status=target,
        history=(*order.history, event),
        **changes,
    )
    return new, (event,)


def _moving(order: Order, move: Move, to: OrderStatus) -> None:
    check_order_move(order, move, to)


def blocked(order: Order, move: Move, reason: str) -> MoveBlocked:
    """The error for ``move`` of ``order`` refused for ``reason`` (listing :func:`offered`)."""
    return MoveBlocked(
        order.number,
        order.status.name,
        move.value,
        offered(order),
        reason,
    )


# -- 受注 ------------------------------------------------------------------------------------


def new_order(
    *,
    number: str,
    customer: Customer,
    ship_to: Address,
    lines: Sequence[OrderLine],
    payment_method: PaymentMethod,
    ctx: Context,
    currency: str = "JPY",
    shipping_fee: Money | None = None,
    discount: Money | None = None,
    fees: Money | None = None,
    points_used: int = 0,
    channel: str = "web",
    remarks: str = "",
    token: str | None = None,
) -> Outcome:
    """A new order in 受注, with its ``placed`` event. Every value is validated here."""
    zero = Money.zero(currency)
    order = Order(
        number=number,
        customer=customer,
        ship_to=ship_to,
        lines=tuple(lines),
        payment=Payment(payment_method, currency, token),
        placed_at=ctx.at,
        shipping_fee=zero if shipping_fee is None else shipping_fee,
        discount=zero if discount is None else discount,
        fees=zero if fees is None else fees,
        points_used=points_used,
        channel=channel,
        remarks=remarks,
    )
    event = make_event(order, ctx, Placed, OrderStatus.ORDERED)
    return replace(order, history=(event,), version=1), (event,)


def accept(order: Order, ctx: Context) -> Outcome:
    """受注 → 未引当: the order is accepted for processing."""
    _moving(order, Move.ACCEPT, OrderStatus.UNALLOCATED)
    return record_fact(order, ctx, Accepted, OrderStatus.UNALLOCATED)


# -- 保留 ------------------------------------------------------------------------------------


def raise_hold(
    order: Order, code: str, message: str, ctx: Context, *, message_en: str = ""
) -> Outcome:
    """Put a hold (保留) on the order; an open hold with the same code is not raised twice."""
    if not code:
        raise InvalidValue("code", code, "a hold reason code")
    if any(h.code == code and h.is_open for h in order.holds):
        return order, ()
    hold = Hold(code, message, ctx.actor, ctx.at, message_en=message_en)
    return record_fact(order, ctx, HoldRaised, fields={"code": code}, holds=(*order.holds, hold))


def clear_holds(order: Order, codes: Iterable[str], ctx: Context) -> Order:
    """Clear whichever of the holds ``codes`` are open; the others are not an error here."""
    for code in codes:
        if any(h.code == code and h.is_open for h in order.holds):
            order, _ = clear_hold(order, code, ctx)
    return order


def clear_hold(order: Order, code: str, ctx: Context) -> Outcome:
    """Clear the open hold with ``code``, recording who cleared it and when."""
    if not any(h.code == code and h.is_open for h in order.holds):
        open_codes = [h.code for h in order.open_holds]
        raise InvalidValue("code", code, f"the code of an open hold (open: {open_codes})")
    holds = tuple(
        attrs.evolve(h, cleared_by=ctx.actor, cleared_at=ctx.at)
        if h.code == code and h.is_open
        else h
        for h in order.holds
    )
    return record_fact(order, ctx, HoldCleared, fields={"code": code}, holds=holds)


# -- 決済 ------------------------------------------------------------------------------------


def drop_outbox(order: Order) -> Order:
    """``order`` with no pending effects (a decision that replaces what was planned)."""
    return replace(order, outbox=()) if order.outbox else order


# -- 引当 ------------------------------------------------------------------------------------


def allocate(order: Order, reserved: Sequence[Allocation], ctx: Context) -> Outcome:
    """引当: add what was reserved; 引当済 if every unit is now reserved, else 中途引当."""
    missing = order.unallocated()
    if order.status not in (OrderStatus.UNALLOCATED, OrderStatus.PARTIALLY_ALLOCATED):
        _moving(order, Move.ALLOCATE, OrderStatus.ALLOCATED)
    added: dict[str, int] = {}
    for index, allocation in enumerate(reserved):
        if allocation.line_id not in missing:
            raise InvalidValue(
                f"reserved[{index}].line_id", allocation.line_id, f"a line short of stock {missing}"
            )
        added[allocation.line_id] = added.get(allocation.line_id, 0) + allocation.quantity
        if added[allocation.line_id] > missing[allocation.line_id]:
            raise InvalidValue(
                f"reserved[{index}].quantity",
                allocation.quantity,
                f"no more than the {missing[allocation.line_id]} units still missing",
            )
    merged = merge_allocations((*order.allocations, *reserved))
    complete = all(added.get(line, 0) == qty for line, qty in missing.items())
    to = OrderStatus.ALLOCATED if complete else OrderStatus.PARTIALLY_ALLOCATED
    _moving(order, Move.ALLOCATE, to)
    details = {"reserved": ", ".join(f"{a.line_id}@{a.warehouse}×{a.quantity}" for a in merged)}
    return record_fact(order, ctx, Allocated, to, details, allocations=merged)


def merge_allocations(allocations: Sequence[Allocation]) -> tuple[Allocation, ...]:
    """One allocation per (line, warehouse), quantities added up."""
    pairs = {(a.line_id, a.warehouse) for a in allocations}
    if len(pairs) == len(allocations):
        return tuple(allocations)
    merged: dict[tuple[str, str], int] = {}
    for a in allocations:
        merged[(a.line_id, a.warehouse)] = merged.get((a.line_id, a.warehouse), 0) + a.quantity
    return tuple(Allocation(line, wh, qty) for (line, wh), qty in merged.items())


def release(order: Order, ctx: Context) -> Outcome:
    """引当解除: give every reservation back (for a change or a split); → 未引当."""
    _moving(order, Move.RELEASE, OrderStatus.UNALLOCATED)
    return record_fact(order, ctx, Released, OrderStatus.UNALLOCATED, allocations=())


# -- 出荷指示 -----------------------------------------------------------------------------------


def instruct_shipping(
    order: Order, shipments: Sequence[Shipment], ctx: Context, *, payment_confirmed: bool
) -> Outcome:
    """出荷指示: → 出荷指示済, unless a hold is open or the payment is not confirmed.

    From 引当済 every reserved unit; from 中途引当 (分納) the reserved units while the rest waits;
    in 出荷指示済 the units reserved since, as shipments added after the existing ones.
    """
    _moving(order, Move.INSTRUCT_SHIPPING, OrderStatus.SHIPPING_INSTRUCTED)
    if order.open_holds:
        codes = ", ".join(h.code for h in order.open_holds)
        raise blocked(order, Move.INSTRUCT_SHIPPING, f"open holds: {codes}")
    if not payment_confirmed:
        raise blocked(order, Move.INSTRUCT_SHIPPING, "the payment is not confirmed")
    planned: dict[tuple[str, str], int] = {}
    for s in shipments:
        for line in s.lines:
            planned[(line.line_id, s.warehouse)] = (
                planned.get((line.line_id, s.warehouse), 0) + line.quantity
            )
    if not shipments or planned != pending_units(order):
        raise InvalidValue("shipments", shipments, "shipments covering every allocated unit")
    details = {"shipments": ", ".join(s.shipment_id for s in shipments)}
    return record_fact(
        order,
        ctx,
        ShippingInstructed,
        OrderStatus.SHIPPING_INSTRUCTED,
        details,
        shipments=(*order.shipments, *shipments),
    )


def find_shipment(order: Order, shipment_id: str, move: Move) -> Shipment:
    """The shipment ``shipment_id``; refuses ``move`` when the order has no shipments yet."""
    for shipment in order.shipments:
        if shipment.shipment_id == shipment_id:
            return shipment
    if not order.shipments:
        raise MoveNotAllowed(
            order.number,
            order.status.name,
            move.value,
            offered(order),
        )
    known = [s.shipment_id for s in order.shipments]
    raise InvalidValue("shipment_id", shipment_id, f"one of {known}")


def _replace(order: Order, shipment: Shipment) -> tuple[Shipment, ...]:
    return tuple(shipment if s.shipment_id == shipment.shipment_id else s for s in order.shipments)


# -- 出荷 / 着荷 -----------------------------------------------------------------------------------


def ship(
    order: Order,
    shipment_id: str,
    tracking_number: str | None,
    ctx: Context,
    *,
    tracking_required: bool = True,
) -> Outcome:
    """出荷: one shipment is with the carrier; the last one moves the order to 出荷済.

    The last one is the last of every unit: an order shipped in part (分納) stays 出荷指示済.

    Reporting the same shipment shipped again with the same tracking number changes nothing.
    """
    shipment = find_shipment(order, shipment_id, Move.SHIP)
    if shipment.status is not ShipmentStatus.INSTRUCTED:
        if shipment.tracking_number == tracking_number:
            return order, ()
        raise InvalidValue(
            "tracking_number", tracking_number, f"{shipment.tracking_number!r} (already shipped)"
        )
    if tracking_required and not tracking_number:
        raise blocked(order, Move.SHIP, f"shipment {shipment_id} has no tracking number")
    updated = attrs.evolve(
        shipment,
        status=ShipmentStatus.SHIPPED,
        tracking_number=tracking_number,
        shipped_at=ctx.at,
    )
    shipments = _replace(order, updated)
    done = all(s.status is not ShipmentStatus.INSTRUCTED for s in shipments)
    done = done and not order.unallocated() and not pending_units(order)
    to = OrderStatus.SHIPPED if done else OrderStatus.SHIPPING_INSTRUCTED
    _moving(order, Move.SHIP, to)
    details = {"shipment": shipment_id, "tracking_number": tracking_number or ""}
    return record_fact(order, ctx, Shipped, to, details, shipments=shipments)


def deliver(order: Order, shipment_id: str, ctx: Context) -> Outcome:
    """着荷: the carrier reports one shipment delivered; the last one moves the order to 着荷済.

    While the order is 出荷指示済 (分納: units still to ship) it stays there.

    A report that comes twice changes nothing the second time.
    """
    shipment = find_shipment(order, shipment_id, Move.DELIVER)
    if shipment.status is ShipmentStatus.DELIVERED:
        return order, ()
    if shipment.status is ShipmentStatus.INSTRUCTED:
        raise blocked(order, Move.DELIVER, f"shipment {shipment_id} has not been shipped")
    updated = replace(shipment, status=ShipmentStatus.DELIVERED, delivered_at=ctx.at)
    shipments = _replace(order, updated)
    done = all(s.status is ShipmentStatus.DELIVERED for s in shipments)
    if order.status is OrderStatus.SHIPPING_INSTRUCTED:  # 分納: the rest has not left yet
        to = OrderStatus.SHIPPING_INSTRUCTED
    else:
        to = OrderStatus.DELIVERED if done else OrderStatus.SHIPPED
    _moving(order, Move.DELIVER, to)
    return record_fact(order, ctx, Delivered, to, {"shipment": shipment_id}, shipments=shipments)


def book(order: Order, on: date, ctx: Context) -> Outcome:
    """計上: the sale is booked, its entry dated ``on``; 着荷済 → 計上済, once only."""
    _moving(order, Move.BOOK, OrderStatus.BOOKED)
    fields = {"on": on}
    return record_fact(order, ctx, Booked, OrderStatus.BOOKED, fields, booked_at=ctx.at)


_BEFORE_INSTRUCTION = (
    OrderStatus.ORDERED,
    OrderStatus.UNALLOCATED,
    OrderStatus.PARTIALLY_ALLOCATED,
    OrderStatus.ALLOCATED,
)


def cancel(order: Order, ctx: Context) -> Outcome:
    """キャンセル: end the order before shipping (the desk gives back stock and money)."""
    _moving(order, Move.CANCEL, OrderStatus.CANCELLED)
    return record_fact(order, ctx, Cancelled, OrderStatus.CANCELLED, allocations=(), shipments=())
