"""The order statuses (受注ステータス) and the moves between them."""

from __future__ import annotations

import enum

__all__ = ["Move", "OrderStatus"]


class OrderStatus(enum.Enum):
    """Where an order is in the flow. Eight forward statuses and one side exit.

    The Japanese label is the name shops use on screens and in the seed documents; English and
    Japanese labels for people come from the Babel catalogs (:func:`orderflow.i18n.status_label`).
    """

    __hash__ = object.__hash__  # members are singletons; 4x faster than Enum.__hash__

    ORDERED = "ordered"
    """1. 受注: the customer placed it."""
    UNALLOCATED = "unallocated"
    """2. 未引当: accepted, no stock reserved yet."""
    PARTIALLY_ALLOCATED = "partially_allocated"
    """3. 中途引当: some quantity could not be reserved."""
    ALLOCATED = "allocated"
    """4. 引当済: every unit is reserved in a warehouse."""
    SHIPPING_INSTRUCTED = "shipping_instructed"
    """5. 出荷指示済: the warehouse(s) were told to ship."""
    SHIPPED = "shipped"
    """6. 出荷済: every shipment is with a carrier."""
    DELIVERED = "delivered"
    """7. 着荷済: the carrier reports every shipment arrived."""
    BOOKED = "booked"
    """8. 計上済: the sale is posted to accounting."""
    CANCELLED = "cancelled"
    """キャンセル: ended before shipping."""

    @property
    def ja(self) -> str:
        """The Japanese name (受注, 未引当, …)."""
        return _JA[self]

    @property
    def is_final(self) -> bool:
        """True for 計上済 and キャンセル: no move leaves them."""
        return self in (OrderStatus.BOOKED, OrderStatus.CANCELLED)

    def reached(self, other: OrderStatus) -> bool:
        """Whether this is ``other`` or a status after it on the forward flow.

        ``SHIPPED`` reached ``ALLOCATED``; キャンセル reaches nothing but itself.
        """
        if self is OrderStatus.CANCELLED or other is OrderStatus.CANCELLED:
            return self is other
        return _FORWARD.index(self) >= _FORWARD.index(other)


_FORWARD = tuple(s for s in OrderStatus if s is not OrderStatus.CANCELLED)

_JA = {
    OrderStatus.ORDERED: "受注",
    OrderStatus.UNALLOCATED: "未引当",
    OrderStatus.PARTIALLY_ALLOCATED: "中途引当",
    OrderStatus.ALLOCATED: "引当済",
    OrderStatus.SHIPPING_INSTRUCTED: "出荷指示済",
    OrderStatus.SHIPPED: "出荷済",
    OrderStatus.DELIVERED: "着荷済",
    OrderStatus.BOOKED: "計上済",
    OrderStatus.CANCELLED: "キャンセル",
}


class Move(enum.Enum):
    """A move between statuses: the events of the status machine."""

    __hash__ = object.__hash__  # members are singletons; 4x faster than Enum.__hash__

    ACCEPT = "accept"
    """受注 → 未引当: the order is accepted for processing."""
    ALLOCATE = "allocate"
    """引当: reserve stock; 未引当/中途引当 → 中途引当 or 引当済."""
    RELEASE = "release"
    """引当解除: give reserved stock back, for a change or a split (→ 未引当)."""
    INSTRUCT_SHIPPING = "instruct_shipping"
    """出荷指示: tell the warehouse(s) to ship (引当済 → 出荷指示済)."""
    RECALL = "recall"
    """出荷指示取消: take the instruction back before the warehouse ships (→ 引当済)."""
    SHIP = "ship"
    """出荷: a shipment is with a carrier; the last one moves the order to 出荷済."""
    DELIVER = "deliver"
    """着荷: a shipment arrived; the last one moves the order to 着荷済."""
    UNDO_DELIVERY = "undo_delivery"
    """着荷取消: a delivery reported by mistake is taken back before booking (→ 出荷済)."""
    BOOK = "book"
    """計上: the sale is posted to accounting (着荷済 → 計上済)."""
    CANCEL = "cancel"
    """キャンセル: end the order before shipping."""
