"""The moves: events that take the order from one status to another (受注 … 計上, キャンセル)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from orderflow.domain.events._base import event
from orderflow.domain.order import OrderEvent

__all__ = [
    "Accepted",
    "Allocated",
    "Booked",
    "Cancelled",
    "Delivered",
    "DeliveryUndone",
    "Placed",
    "Recalled",
    "Released",
    "Shipped",
    "ShippingInstructed",
]


# -- moves ------------------------------------------------------------------------------------


@event
class Placed(OrderEvent):
    """受注: the order was placed (or placed again after a refused payment)."""

    name: ClassVar[str] = "placed"
    """Kind name (placing is no ``Move``): the tag in saved orders, the label key (注文受付)."""


@event
class Accepted(OrderEvent):
    """受注 → 未引当."""

    name: ClassVar[str] = "accept"
    """Kind name (``Move.ACCEPT``): the tag in saved orders, the label key (受付確定)."""


@event
class Allocated(OrderEvent):
    """引当: what the order holds now, line@warehouse×units (引当済 or 中途引当)."""

    reserved: str = ""
    """Reservations as ``line@warehouse×units``, ``", "``-joined: all the order holds after
    the round (one entry per line and warehouse), not only what the round added."""
    name: ClassVar[str] = "allocate"
    """Kind name (``Move.ALLOCATE``): the tag in saved orders, the label key (在庫引当)."""


@event
class Released(OrderEvent):
    """引当解除: every reserved unit given back (→ 未引当)."""

    name: ClassVar[str] = "release"
    """Kind name (``Move.RELEASE``): the tag in saved orders, the label key (引当解除)."""


@event
class ShippingInstructed(OrderEvent):
    """出荷指示: the shipments sent to their warehouses."""

    shipments: str = ""
    """Ids of the shipments this instruction added (``<order>-S1`` …), ``", "``-joined."""
    name: ClassVar[str] = "instruct_shipping"
    """Kind name (``Move.INSTRUCT_SHIPPING``): the tag in saved orders, the label key (出荷指示)."""


@event
class Recalled(OrderEvent):
    """出荷指示取消: every warehouse took its instruction back (→ 引当済)."""

    name: ClassVar[str] = "recall"
    """Kind name (``Move.RECALL``): the tag in saved orders, the label key (出荷指示取消)."""


@event
class Shipped(OrderEvent):
    """出荷: one shipment left with its tracking number (the last one: → 出荷済)."""

    shipment: str = ""
    """The shipment that left (``<order>-S1`` …); empty when dropping a 分納 remainder moved
    the order to 出荷済 (every parcel had left already)."""
    tracking_number: str = ""
    """The carrier's tracking number (伝票番号) as reported; empty for a carrier without
    tracking, or with an empty ``shipment``."""
    name: ClassVar[str] = "ship"
    """Kind name (``Move.SHIP``): the tag in saved orders, the label key (出荷)."""


@event
class Delivered(OrderEvent):
    """着荷: one shipment arrived (the last one: → 着荷済)."""

    shipment: str = ""
    """The shipment that arrived (``<order>-S1`` …); empty when dropping a 分納 remainder
    moved the order to 着荷済 (every parcel had arrived already)."""
    name: ClassVar[str] = "deliver"
    """Kind name (``Move.DELIVER``): the tag in saved orders, the label key (着荷)."""


@event
class DeliveryUndone(OrderEvent):
    """着荷取消: a person said one shipment was not delivered after all (→ 出荷済)."""

    shipment: str = ""
    """The shipment whose delivery was taken back (``<order>-S1`` …)."""
    name: ClassVar[str] = "undo_delivery"
    """Kind name (``Move.UNDO_DELIVERY``): the tag in saved orders, the label key (着荷取消)."""


@event
class Booked(OrderEvent):
    """計上: the sale is booked; its journal entry is posted (see :class:`JournalPosted`)."""

    on: date | None = None
    """売上計上日: the date the sale's entry bears, by the shop's basis when it was booked (a
    delivery time the carrier reports later does not move it); ``None`` in orders booked before
    it was kept."""
    name: ClassVar[str] = "book"
    """Kind name (``Move.BOOK``): the tag in saved orders, the label key (売上計上)."""


@event
class Cancelled(OrderEvent):
    """キャンセル: the order ended before shipping (or was split into ``split_into``)."""

    split_into: str = ""
    """The parts' order numbers (``<number>-1``, ``-2`` …), ``", "``-joined, when the order
    was split (注文分割); empty for a plain cancel."""
    code: str = ""
    """Set only when placing failed: the code of the ``PlacementDeclined`` that follows
    (``fraud_rejected``, ``postpay_declined`` …); empty for any other cancel."""
    name: ClassVar[str] = "cancel"
    """Kind name (``Move.CANCEL``): the tag in saved orders, the label key (キャンセル)."""
