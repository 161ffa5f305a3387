"""Effects on goods: stock (在庫), the warehouses (倉庫), the suppliers (発注)."""

from __future__ import annotations

from typing import ClassVar

import attrs

from orderflow.domain.address import Address
from orderflow.domain.effects._base import Effect
from orderflow.domain.order import Order, Shipment

__all__ = [
    "CancelAtSupplier",
    "CheckStock",
    "Commit",
    "CreatePart",
    "Instruct",
    "Recall",
    "ReceivePurchased",
    "Release",
    "Reserve",
    "Restock",
    "SendToSupplier",
]


# -- 在庫 / 倉庫 ----------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class CheckStock(Effect):
    """Read the available units of what the order still misses (a query; planning follows)."""

    warehouses: tuple[str, ...] = ()
    """Every warehouse of the shop (``settings.warehouses``), to plan the 引当 across them."""
    skus: tuple[str, ...] = ()
    """The SKUs the unreserved lines still need (a set line's component SKUs), sorted.
    The answer maps (warehouse, SKU) to the units available."""
    kind: ClassVar[str] = "check_stock"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    query: ClassVar[bool] = True
    """A read: the reservations planned from it are saved before they are made."""


@attrs.frozen(slots=True)
class Reserve(Effect):
    """引当: reserve up to ``quantity`` units of one line in one warehouse."""

    line_id: str = ""
    """The order line the units are for; what is reserved is held on the order for it."""
    warehouse: str = ""
    """The warehouse the allocation plan chose for these units."""
    sku: str = ""
    """The SKU reserved: the line's own, or one component of a set line (セット商品)."""
    quantity: int = 0
    """Units asked for (component units for a set line: sets × units per set).
    The answer is how many were reserved (0..quantity); a short answer leaves the line short."""
    kind: ClassVar[str] = "reserve"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class Release(Effect):
    """引当解除: give reserved units back."""

    line_id: str = ""
    """The order line the units were held for (for the record: the inventory is not told)."""
    warehouse: str = ""
    """The warehouse holding the reservation."""
    sku: str = ""
    """The SKU given back (a component SKU for a set line)."""
    quantity: int = 0
    """Reserved units given back to available stock (component units for a set line)."""
    kind: ClassVar[str] = "release"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: units held for nothing must go back to available stock."""


@attrs.frozen(slots=True)
class Commit(Effect):
    """出荷: reserved units left the warehouse; take them off on-hand stock."""

    shipment_id: str = ""
    """The shipment that left (for the record: the inventory is not told)."""
    line_id: str = ""
    """The order line shipped (for the record: the inventory is not told)."""
    warehouse: str = ""
    """The warehouse the shipment left; never a ``supplier:`` one (直送 takes no stock)."""
    sku: str = ""
    """The SKU taken off (a component SKU for a set line)."""
    quantity: int = 0
    """Units taken off on-hand stock: the line's units in the shipment (× units per set)."""
    kind: ClassVar[str] = "commit"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: units that left must come off on-hand stock."""


@attrs.frozen(slots=True)
class Restock(Effect):
    """返品再入庫: returned units go back on hand in ``warehouse`` (an inventory receive)."""

    return_id: str = ""
    """The return (返品) the units came back with; named in the inventory's receive reason."""
    line_id: str = ""
    """The order line returned (recorded in the ``restocked`` fact)."""
    warehouse: str = ""
    """The warehouse the returned units go back into, as given when the return was
    received (units written off are not restocked)."""
    sku: str = ""
    """The SKU received (a component SKU for a set line)."""
    quantity: int = 0
    """Units put back on hand (returned sets × units per set for a set line)."""
    kind: ClassVar[str] = "restock"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: returned goods must come back on hand."""


@attrs.frozen(slots=True)
class Instruct(Effect):
    """出荷指示: tell a warehouse to ship one shipment."""

    shipment: Shipment | None = None
    """The shipment to ship (its warehouse, carrier, lines, 代引き amount); never None once
    decided. A ``supplier:<code>`` warehouse sends a drop-ship purchase order instead."""
    ship_to: Address | None = None
    """The delivery address, the order's when the instruction was decided; never None."""
    kind: ClassVar[str] = "instruct"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: a decided shipment must reach its warehouse (or supplier)."""


@attrs.frozen(slots=True)
class Recall(Effect):
    """出荷指示取消: take one shipment's instruction back (the warehouse may say it left)."""

    shipment_id: str = ""
    """The shipment whose instruction is taken back."""
    warehouse: str = ""
    """The warehouse asked (a ``supplier:<code>`` one cancels the drop-ship purchase order).
    The answer is True when taken back, False when the parcel already left."""
    kind: ClassVar[str] = "recall"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: every warehouse must answer, so the recall can settle."""


@attrs.frozen(slots=True)
class CreatePart(Effect):
    """注文分割: store one part of a split order (with its own pending effects) and finish it.

    The parent is saved closed first, holding its parts as effects: once it is saved, every part
    comes to exist (a repeat finds the part stored and goes on), so the stock and points the
    parent gave up are never held twice or lost.
    """

    part: Order | None = None
    """The part, a new order carrying its own pending effects (its payment opens); never None
    once decided. The answer is the part's number."""
    kind: ClassVar[str] = "create_part"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: once the parent is saved closed, every part must come to exist."""


# -- 発注 (a purchase order's own effects, keyed ``<po number>:<seq>``) ----------------------------


@attrs.frozen(slots=True)
class SendToSupplier(Effect):
    """発注: send the purchase order to its supplier (EDI, fax or e-mail: the adapter's)."""

    kind: ClassVar[str] = "send_to_supplier"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class CancelAtSupplier(Effect):
    """発注取消: ask the supplier to take back ``lines`` ((line id, units), …) of a sent order."""

    reference: str = ""
    """The supplier's reference for the sent order (its answer to ``SendToSupplier``;
    empty if it gave none)."""
    lines: tuple[tuple[str, int], ...] = ()
    """(purchase-order line id, units) pairs to take back, sorted by line id; the answer
    True cancels them all, False (too late) leaves them on order."""
    kind: ClassVar[str] = "cancel_at_supplier"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class ReceivePurchased(Effect):
    """入荷 against a purchase order: put ``quantity`` units in stock (counted once per key)."""

    warehouse: str = ""
    """The purchase order's warehouse, where the units enter stock."""
    sku: str = ""
    """The SKU received."""
    quantity: int = 0
    """Units of ``sku`` received in this receipt (入荷), put in stock."""
    kind: ClassVar[str] = "receive_purchased"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: goods that came in must enter stock."""
