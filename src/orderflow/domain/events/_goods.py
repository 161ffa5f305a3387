"""Facts about goods after the order: stock waits, 同梱, carrier reports, returns (返品)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import attrs

from orderflow._mask import mask_personal_data_in, masked_repr
from orderflow.domain.events._base import event
from orderflow.domain.order import OrderEvent

__all__ = [
    "ArrivalExpected",
    "Bundled",
    "CarrierReported",
    "Restocked",
    "ReturnDeclined",
    "ReturnReceived",
    "ReturnRequested",
    "StockWaitAccepted",
    "Unbundled",
]


# -- goods, parcels and returns ---------------------------------------------------------------


@event
class ArrivalExpected(OrderEvent):
    """入荷予定: the units ``line`` waits for are expected on ``on``."""

    line: str = ""
    """The id of the line waiting for stock."""
    on: date | None = None
    """The expected arrival date (入荷予定日); never before the day it was recorded."""
    name: ClassVar[str] = "arrival_expected"
    """Kind name: the tag in saved orders, the label key (入荷予定)."""


@event
class StockWaitAccepted(OrderEvent):
    """入荷待ち: the customer chose to wait for the missing units."""

    name: ClassVar[str] = "wait_accepted"
    """Kind name: the tag in saved orders, the label key (入荷待ちを承諾)."""


@event
class Bundled(OrderEvent):
    """同梱: the order shares its parcel with ``members`` (their numbers, itself included)."""

    members: str = ""
    """The parcel's order numbers, sorted, ``", "``-joined."""
    parcel: str = ""
    """The box's name, the same in every order of it: ``P-<first order>``, or
    ``P-<first order>.<n>`` when that order was packed before (a recalled order packed again
    goes in a new box). Empty in orders saved before it was recorded: read as ``P-<first>``."""
    name: ClassVar[str] = "bundled"
    """Kind name: the tag in saved orders, the label key (同梱)."""


@event
class Unbundled(OrderEvent):
    """同梱解除: the order left its parcel (``members`` are those that stay)."""

    members: str = ""
    """The numbers of the orders that stay in the parcel, ``", "``-joined (this one among them
    when another left); empty when a half-made parcel its orders disagree on was undone."""
    name: ClassVar[str] = "unbundled"
    """Kind name: the tag in saved orders, the label key (同梱解除)."""


@event
class CarrierReported(OrderEvent):
    """配送状況: a carrier event recorded for one shipment (``late``: older than the newest).

    A late event is kept in the history but does not move the shipment's state back.
    """

    shipment: str = ""
    """The shipment the event is about (``<order>-S1`` …)."""
    kind: str = ""
    """Where the carrier says the parcel is: a ``TrackingStatus`` value (``delivered`` …)."""
    carrier_at: datetime | None = None
    """The carrier's time of the event (aware, as reported); ``at`` is when it was recorded."""
    event_id: str = ""
    """The carrier's id of the event: a repeat with the same id is not recorded again."""
    location: str = ""
    """The depot or place (営業所), if the carrier says; else empty."""
    detail_text: str = attrs.field(default="", repr=masked_repr(mask_personal_data_in))
    """The carrier's words (不在連絡票番号, the reason for a return …); may be empty."""
    late: bool = False
    """True when older than the shipment's newest event: kept, the state not moved back."""
    name: ClassVar[str] = "carrier_reported"
    """Kind name: the tag in saved orders, the label key (配送状況)."""


@event
class ReturnRequested(OrderEvent):
    """返品受付: a return accepted under the policy or by staff's exception (id, lines, reason)."""

    return_id: str = ""
    """The return's id in the order (``R1``, ``R2`` …)."""
    lines: str = ""
    """What comes back, as ``line×units``, ``","``-joined (no space)."""
    return_reason: str = ""
    """The ``ReturnReason`` value: ``defective``, ``wrong_item`` or ``customer``."""
    exception: str = ""
    """Why shop staff took it outside the policy (例外対応); empty: the policy took it."""
    name: ClassVar[str] = "return_requested"
    """Kind name: the tag in saved orders, the label key (返品受付)."""


@event
class ReturnReceived(OrderEvent):
    """返品受領: the goods came back; what was restocked, written off and paid back."""

    return_id: str = ""
    """The return received (``R1`` …)."""
    restocked: str = ""
    """Units going back on hand, as ``line@warehouse×units``, ``","``-joined; empty if none."""
    written_off: str = ""
    """Units written off (廃棄), as a whole number in text (``"0"`` when none)."""
    paid_back: str = ""
    """What the return pays back, as ``"<amount> <currency>"``; the refund that follows pays
    it (owed points come off first)."""
    name: ClassVar[str] = "return_received"
    """Kind name: the tag in saved orders, the label key (返品受領)."""


@event
class ReturnDeclined(OrderEvent):
    """返品拒否: the shop would not take back what came."""

    return_id: str = ""
    """The return refused (``R1`` …); nothing is paid back for it."""
    name: ClassVar[str] = "return_refused"
    """Kind name, ``return_refused`` (not ``return_declined``): the tag in saved orders, the
    label key (返品拒否)."""


@event
class Restocked(OrderEvent):
    """返品再入庫: returned units back on hand."""

    line: str = ""
    """The id of the returned line."""
    warehouse: str = ""
    """The warehouse the units went back into (再入庫)."""
    sku: str = ""
    """The SKU back on hand: the line's, or for a set line one component's (an event per
    component); empty in orders saved before it was recorded."""
    quantity: int = 0
    """Units of ``sku`` back on hand."""
    name: ClassVar[str] = "restocked"
    """Kind name: the tag in saved orders, the label key (返品再入庫)."""
