"""メーカー直送: drop-ship purchase orders, shipped by the supplier to the customer (pure).

An order line with a ``supplier`` needs no stock of ours: instructing the order gives it a
shipment whose warehouse is ``supplier:<code>``, and the executor performs that shipment's
instruction by storing and sending a drop-ship :class:`~orderflow.domain.purchasing.PurchaseOrder`
built here (its destination is the order's ship-to; its lines are for the order). The
supplier's shipped notice ships the order's shipment and closes the purchase order with
:func:`shipped`, which puts nothing in stock.
"""

from __future__ import annotations

from collections.abc import Iterable

from orderflow.domain._values import replace
from orderflow.domain.effects import SendToSupplier
from orderflow.domain.lifecycle import Context, find_shipment
from orderflow.domain.line import OrderLine
from orderflow.domain.order import (
    Order,
    PaymentMethod,
    Shipment,
    ShipmentStatus,
    drop_ship_supplier,
)
from orderflow.domain.outbox import Plan
from orderflow.domain.purchasing import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    PurchaseOrderStatus,
)
from orderflow.domain.status import Move
from orderflow.errors import InvalidValue, MoveNotAllowed

__all__ = [
    "MAX_NUMBER",
    "PREFIX",
    "cancel_refused",
    "carried_by",
    "check_collected",
    "drop_ship_order",
    "is_for",
    "number_for",
    "sent_before",
    "shipped",
]


PREFIX = "DS-"
"""Drop-ship purchase orders' numbers start so; a number given by hand may not."""

MAX_NUMBER = 100
"""The longest purchase-order number: ``DS-``, an order number (64 at most), ``-`` and a
sequence."""


def check_collected(lines: Iterable[OrderLine], method: PaymentMethod, field: str) -> None:
    """Refuse 代引き for an order with a drop-shipped line (メーカー直送品は代金引換不可).

    The supplier's carrier collects nothing for the shop: a 代引き amount on the supplier's
    parcel would be recorded as received at its delivery, and the customer told to pay a driver
    who never asks. :class:`~orderflow.errors.InvalidValue` naming ``field``; with ``{}`` in
    ``field``, the position in ``lines`` of the first drop-shipped line fills it in.
    """
    if method is not PaymentMethod.COD:
        return
    for index, line in enumerate(lines):
        if line.supplier is not None:
            raise InvalidValue(
                field.format(index),
                line.supplier if "{}" in field else method.value,
                "no drop-shipped line (メーカー直送) on an order paid 代引き: the supplier's "
                "carrier collects nothing for the shop",
            )


def carried_by(order: Order, shipment_id: str, carrier: str) -> Order:
    """``order`` with its drop-shipped ``shipment_id`` carried by ``carrier`` (the supplier's).

    The supplier sends the parcel with a carrier of its own choosing: its tracking number is
    checked, and the customer's notice links, against that carrier. Refused
    (:class:`~orderflow.errors.InvalidValue` naming ``carrier``) for a shipment of our own
    warehouses, whose carrier printed its label; a shipment that already left keeps its carrier.
    """
    shipment = find_shipment(order, shipment_id, Move.SHIP)
    if drop_ship_supplier(shipment.warehouse) is None:
        raise InvalidValue("carrier", carrier, "no carrier for a shipment of our own warehouse")
    if shipment.status is not ShipmentStatus.INSTRUCTED or shipment.carrier == carrier:
        return order
    shipments = tuple(
        replace(s, carrier=carrier) if s.shipment_id == shipment_id else s for s in order.shipments
    )
    return replace(order, shipments=shipments)


def number_for(key: str) -> str:
    """The drop-ship purchase order's number for the instruction keyed ``key`` (``DS-…``).

    ``DS-<order>-<seq>`` from a ``key`` of ``<order number>:<seq>``: only the key's last ``:``
    is replaced, so two orders' numbers never meet (``1-1`` and ``1:1`` give ``DS-1-1-3`` and
    ``DS-1:1-3``).
    """
    order, _, seq = key.rpartition(":")
    return f"{PREFIX}{order}-{seq}"


def sent_before(po: PurchaseOrder, key: str) -> bool:
    """Whether ``po`` was sent by an instruction keyed before ``key`` (same order's sequence).

    A recall asked again under its key (after a crash) must cancel only the purchase order it
    was asked for, never one an instruction sent after it.
    """
    return int(po.number.rsplit("-", 1)[1]) < int(key.rsplit(":", 1)[1])


def drop_ship_order(number: str, order: Order, shipment: Shipment, ctx: Context) -> PurchaseOrder:
    """A drop-ship purchase order for ``shipment`` of ``order``, sent (its send is pending)."""
    supplier = drop_ship_supplier(shipment.warehouse)
    if supplier is None:
        raise InvalidValue("shipment.warehouse", shipment.warehouse, "supplier:<code>")
    lines = tuple(
        PurchaseOrderLine(str(n), order.line(x.line_id).sku, x.quantity, for_order=order.number)
        for n, x in enumerate(shipment.lines, start=1)
    )
    po = PurchaseOrder(
        number,
        supplier,
        "",
        lines,
        ctx.at,
        status=PurchaseOrderStatus.SENT,
        sent_at=ctx.at,
        ship_to=order.ship_to,
        shipment_id=shipment.shipment_id,
        delivery_date=order.delivery_date,
        delivery_slot=order.delivery_slot,
    )
    detail = f"order={order.number}, shipment={shipment.shipment_id}"
    event = PurchaseOrderEvent(
        ctx.at, ctx.actor, "drop_ship_sent", PurchaseOrderStatus.DRAFT, po.status, detail
    )
    plan = Plan(replace(po, history=(event,)))
    plan.add(SendToSupplier)
    return plan.apply(replace(po, history=(event,)))


def cancel_refused(po: PurchaseOrder, since: int) -> str | None:
    """A cancel refused by the supplier's port after ``po``'s first ``since`` events, if any.

    The refusal's detail, or None; the supplier's "too late" is an answer, not a refusal. A
    recall must not take a refusal for the supplier keeping the goods: asked again, the same
    recall would hear "taken back".
    """
    for event in po.history[since:]:
        if event.name == "cancel_refused" and event.detail != "code=too_late":
            return event.detail
    return None


def is_for(po: PurchaseOrder, order_number: str, shipment_id: str) -> bool:
    """True if ``po`` is the drop-ship purchase order of that order's shipment."""
    return (
        po.drop_ship
        and po.shipment_id == shipment_id
        and any(x.for_order == order_number for x in po.lines)
    )


def shipped(po: PurchaseOrder, tracking_number: str | None, ctx: Context) -> PurchaseOrder:
    """出荷 by the supplier: every open unit is delivered to the customer (nothing to stock)."""
    if not po.drop_ship:
        raise InvalidValue("number", po.number, "a drop-ship purchase order")
    if po.status.is_final:
        return po
    if not any(x.open for x in po.lines):
        raise MoveNotAllowed(po.number, po.status.name, "supplier_shipped", [])
    lines = tuple(replace(x, received=x.received + x.open) for x in po.lines)
    event = PurchaseOrderEvent(
        ctx.at,
        ctx.actor,
        "shipped_to_customer",
        po.status,
        PurchaseOrderStatus.RECEIVED,
        f"tracking_number={tracking_number or ''}",
    )
    return replace(
        po, lines=lines, status=PurchaseOrderStatus.RECEIVED, history=(*po.history, event)
    )
