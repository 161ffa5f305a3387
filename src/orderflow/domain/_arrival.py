"""When a shipment arrived, for 着荷基準 (booking's recognition date), return windows and points."""

from __future__ import annotations

from datetime import datetime

from orderflow.domain.events import CarrierReported, DeliveryUndone
from orderflow.domain.order import Order, Shipment
from orderflow.domain.tracking import TrackingStatus

__all__ = ["arrived", "last_arrival"]


def arrived(order: Order, shipment: Shipment) -> datetime | None:
    """When ``shipment`` arrived: the carrier's time of its 配達完了, or when it was recorded.

    A poll records a delivery when it runs, hours after the carrier's time; the carrier's is the
    day the parcel arrived. Not when a person undid a delivery of the parcel since the carrier's
    event (theirs is the date), nor when the carrier's newest word is not a delivery.
    """
    recorded, reported = shipment.delivered_at, shipment.tracked_at
    if recorded is None or reported is None or shipment.tracking is not TrackingStatus.DELIVERED:
        return recorded
    for event in reversed(order.history):
        if isinstance(event, DeliveryUndone) and event.shipment == shipment.shipment_id:
            return recorded
        if isinstance(event, CarrierReported) and event.event_id == shipment.tracked_event:
            break
    return min(recorded, reported)


def last_arrival(order: Order) -> datetime | None:
    """When the last delivered parcel of ``order`` arrived (:func:`arrived`); None: none has."""
    stamps = [stamp for s in order.shipments if (stamp := arrived(order, s)) is not None]
    return max(stamps) if stamps else None
