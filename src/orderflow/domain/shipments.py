"""Which shipments an order's reserved units make (出荷指示の計画): ids, warehouses, parcels.

Pure functions of the order, for :func:`~orderflow.domain.lifecycle.instruct_shipping` and the
decisions that ship the rest (分納), recall and bundle.
"""

from __future__ import annotations

from orderflow.domain.events import Bundled, RecallRefused, ShippingInstructed
from orderflow.domain.order import (
    DROP_SHIP,
    Order,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)
from orderflow.domain.status import OrderStatus

__all__ = [
    "box_name",
    "carrier_so_far",
    "new_box_name",
    "parcel_of",
    "pending_units",
    "plan_shipments",
    "shipment_numbers_used",
]


def carrier_so_far(order: Order) -> str | None:
    """The carrier a further shipment of ``order`` goes with when no instruction names one.

    An order instructed already (出荷指示済: 分納, its rest reserved later) sends the rest with
    the carrier of its latest parcel not recalled from our warehouses; None otherwise (the
    shop's carrier then).
    """
    if order.status is not OrderStatus.SHIPPING_INSTRUCTED:
        return None
    for shipment in reversed(order.shipments):
        if shipment.status is not ShipmentStatus.RECALLED and not shipment.warehouse.startswith(
            DROP_SHIP
        ):
            return shipment.carrier
    return None


def plan_shipments(order: Order, carrier: str) -> tuple[Shipment, ...]:
    """One shipment per warehouse holding reserved units not yet instructed.

    Numbered ``<order>-S1``, ``-S2`` … after every shipment the order was ever instructed (分納:
    the rest; after a recall: new ids, so no warehouse sees a recalled id again).
    """
    by_warehouse: dict[str, list[ShipmentLine]] = {}
    for (line_id, warehouse), quantity in pending_units(order).items():
        by_warehouse.setdefault(warehouse, []).append(ShipmentLine(line_id, quantity))
    return tuple(
        Shipment(
            f"{order.number}-S{n}",
            warehouse,
            carrier,
            tuple(lines),
            parcel=parcel_of(order, warehouse),
        )
        for n, (warehouse, lines) in enumerate(
            sorted(by_warehouse.items()), start=shipment_numbers_used(order) + 1
        )
    )


def shipment_numbers_used(order: Order) -> int:
    """The highest ``n`` of the ``<order>-Sn`` ids the order holds or was ever instructed.

    New shipments are numbered after it, so no warehouse is sent a recalled id again.
    """
    prefix = f"{order.number}-S"
    ids = [s.shipment_id for s in order.shipments]
    for event in order.history:
        if isinstance(event, ShippingInstructed):
            ids.extend(event.shipments.split(", "))
        elif isinstance(event, RecallRefused):  # "S1→S3": sent again under a new id
            ids.extend(pair.rpartition("→")[2] for pair in event.resent.split(", "))
    numbers = (i[len(prefix) :] for i in ids if i.startswith(prefix))
    return max((int(n) for n in numbers if n.isdigit()), default=0)


def pending_units(order: Order) -> dict[tuple[str, str], int]:
    """(line id, warehouse) → reserved units that no shipment carries yet (分納: the rest).

    A drop-shipped line's units are pending at ``supplier:<code>`` (メーカー直送) from the start.
    """
    pending: dict[tuple[str, str], int] = {}
    for a in order.allocations:
        pending[(a.line_id, a.warehouse)] = pending.get((a.line_id, a.warehouse), 0) + a.quantity
    for x in order.lines:
        if x.supplier is not None:
            pending[(x.line_id, DROP_SHIP + x.supplier)] = x.quantity
    for s in order.shipments:
        if s.status is ShipmentStatus.RECALLED:
            continue
        for line in s.lines:
            pending[(line.line_id, s.warehouse)] = (
                pending.get((line.line_id, s.warehouse), 0) - line.quantity
            )
    return {key: units for key, units in pending.items() if units > 0}


def parcel_of(order: Order, warehouse: str) -> str | None:
    """同梱: the parcel of the order's shipment from ``warehouse`` (``<box>-<warehouse>``).

    The box is named when the orders are packed together (:func:`box_name`). A drop-shipped
    shipment is in no parcel of ours.
    """
    if not order.bundle or warehouse.startswith(DROP_SHIP):
        return None
    return f"{box_name(order)}-{warehouse}"


def box_name(order: Order) -> str:
    """The name of the box ``order`` is packed in (it must be in one): as recorded when packed.

    An order packed before the name was recorded is in ``P-<first order of its parcel>``.
    """
    for event in reversed(order.history):
        if isinstance(event, Bundled):
            return event.parcel or f"P-{order.bundle[0]}"
    return f"P-{order.bundle[0]}"


def new_box_name(first: Order) -> str:
    """A name no box was given before, for a box whose first order (by number) is ``first``.

    ``P-<number>`` the first time the order is packed, ``P-<number>.<n>`` the n-th time: a box
    a recalled order left keeps its name, and the order's next box gets another.
    """
    packed = sum(1 for event in first.history if isinstance(event, Bundled))
    return f"P-{first.number}" if packed == 0 else f"P-{first.number}.{packed + 1}"
