"""The ports of goods and books: stock, warehouses, carriers, suppliers, accounting, notices."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from orderflow.domain.address import Address
from orderflow.domain.booking import JournalEntry
from orderflow.domain.order import Shipment
from orderflow.domain.purchasing import PurchaseOrder
from orderflow.domain.tracking import CarrierEvent
from orderflow.notices import Notice

__all__ = [
    "Accounting",
    "Carrier",
    "CarrierEvents",
    "Inventory",
    "Notifier",
    "PurchaseOrderStore",
    "StockBatches",
    "StockMove",
    "Supplier",
    "Warehouse",
]


@runtime_checkable
class Inventory(Protocol):
    """Stock per warehouse and SKU (在庫). Reservation must be atomic: stock never goes negative."""

    def knows(self, sku: str) -> bool:
        """Whether ``sku`` is a product the shop stocks."""
        ...

    def available(self, warehouse: str, sku: str) -> int:
        """Units on hand and not reserved (引当可能数), 0 or more."""
        ...

    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        """Reserve up to ``quantity`` units atomically; return how many were reserved (0..quantity).

        Two orders racing for the last unit: one gets it, the other gets 0. Same key, same answer.
        """
        ...

    def release(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """Give ``quantity`` reserved units back to available stock. Same key: done once."""
        ...

    def commit(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """The reserved units left the warehouse: take them off on-hand stock. Done once per key."""
        ...


@attrs.frozen
class StockMove:
    """One move of a batch (:class:`StockBatches`): one reserve, release or commit call's."""

    key: str
    warehouse: str
    sku: str
    quantity: int


@runtime_checkable
class StockBatches(Protocol):
    """An inventory that takes an order's stock moves of one kind in one call (optional).

    An inventory on a database makes them in one transaction: an order's three lines are
    reserved in one commit, not three. The executor gives an inventory that has these methods the
    moves an order makes together (a round's reservations, a shipment's commits, a cancel's
    releases); one without them is called once per move.

    Each method makes the moves in order, as the calls one by one would (``reserve_many`` as
    ``reserve(key=m.key, warehouse=m.warehouse, sku=m.sku, quantity=m.quantity)`` for each):
    each key is done once, and a repeated key gets its first answer, inside a batch as outside.
    It answers one entry per move it made: the call's answer, or the text of the
    ``ProviderError`` the call would raise (a refusal, a key reused), after which the list ends:
    the moves after a refused one are not made (the executor asks them after it has folded the
    refusal). An error raised by the batch, a time-out aside, means that none of them was made;
    a time-out may come before or after any part of the work, as for one call.
    ``orderflow.testing.InventoryContract`` checks that both ways give the same answers and stock.
    """

    def reserve_many(self, moves: Sequence[StockMove]) -> list[int | str]:
        """Reserve each move's units, in order: the units reserved, or a refusal's text."""
        ...

    def release_many(self, moves: Sequence[StockMove]) -> list[str | None]:
        """Give each move's reserved units back, in order: None, or a refusal's text."""
        ...

    def commit_many(self, moves: Sequence[StockMove]) -> list[str | None]:
        """Take each move's units off on hand (shipped), in order: None, or a refusal's text."""
        ...


@runtime_checkable
class Warehouse(Protocol):
    """A warehouse (or its WMS) that ships parcels (出荷指示)."""

    def instruct(self, *, key: str, order_number: str, shipment: Shipment, ship_to: Address) -> str:
        """Tell the warehouse to pick, pack and ship ``shipment``; returns its reference."""
        ...

    def recall(self, *, key: str, shipment_id: str) -> bool:
        """Take an instruction back; False when the parcel already left (too late).

        The id stays the recalled instruction's: a shipment instructed again comes with a new id.
        """
        ...


@runtime_checkable
class Carrier(Protocol):
    """A delivery company (配送業者): its tracking-number format and public tracking page."""

    @property
    def code(self) -> str:
        """A short code such as ``yamato``."""
        ...

    @property
    def has_tracking(self) -> bool:
        """False for services without tracking numbers (then shipping needs none)."""
        ...

    def validate_tracking_number(self, number: str) -> bool:
        """Whether ``number`` has this carrier's format (and check digit, where it has one)."""
        ...

    def tracking_url(self, number: str) -> str:
        """The public page where the customer follows the parcel."""
        ...


@runtime_checkable
class CarrierEvents(Protocol):
    """A carrier's tracking feed, polled (荷物追跡): the events recorded since a time.

    An adapter may answer an event more than once, late or out of order (the desk applies each
    once, by the carrier's time). A webhook needs no port: parse its body into
    :class:`~orderflow.domain.tracking.CarrierEvent` values and give them to
    ``desk.carrier_events``.
    """

    def poll(self, since: datetime) -> list[CarrierEvent]:
        """The events the carrier recorded at or after ``since`` (aware), in any order."""
        ...


@runtime_checkable
class Accounting(Protocol):
    """The accounting system (会計システム) that receives journal entries."""

    def post(self, *, key: str, entry: JournalEntry) -> str:
        """Post ``entry``; returns its reference there. Same key: posted once."""
        ...


@runtime_checkable
class Notifier(Protocol):
    """Sends notices to customers (mail, LINE, SMS: the adapter's business)."""

    def send(self, *, key: str, notice: Notice) -> None:
        """Send ``notice``; the same key is sent once."""
        ...


@runtime_checkable
class Supplier(Protocol):
    """A supplier (仕入先) taking purchase orders (発注) by EDI, fax or e-mail (the adapter's)."""

    def send(self, *, key: str, purchase_order: PurchaseOrder) -> str:
        """Send the purchase order; returns the supplier's reference. Same key, same answer."""
        ...

    def cancel(self, *, key: str, reference: str, lines: tuple[tuple[str, int], ...]) -> bool:
        """Take back ``lines`` ((line id, units), …) of a sent order; False if it is too late."""
        ...


@runtime_checkable
class PurchaseOrderStore(Protocol):
    """Purchase orders (発注) by number, each saved with its pending effects, version-checked."""

    def get(self, number: str) -> PurchaseOrder:
        """The purchase order ``number``; raises :class:`~orderflow.errors.OrderNotFound`."""
        ...

    def add(self, po: PurchaseOrder) -> None:
        """Store a new purchase order; :class:`~orderflow.errors.DuplicateOrder` if it exists."""
        ...

    def save(self, po: PurchaseOrder, *, expected_version: int) -> None:
        """Replace it if its version is still ``expected_version`` (else ``ConcurrencyError``)."""
        ...

    def open_purchase_orders(self, supplier: str | None = None) -> Iterable[PurchaseOrder]:
        """Purchase orders not received nor cancelled (of ``supplier`` when given), by number."""
        ...

    def pending(self) -> Iterable[PurchaseOrder]:
        """Purchase orders with pending effects."""
        ...
