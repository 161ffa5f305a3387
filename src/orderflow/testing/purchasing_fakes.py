"""Fakes of the purchasing ports: a supplier (仕入先) and an in-memory purchase-order store."""

from __future__ import annotations

import threading

from orderflow.domain.purchasing import PurchaseOrder
from orderflow.errors import ConcurrencyError, DuplicateOrder, OrderNotFound, ProviderError
from orderflow.testing.fakes import _Fake

__all__ = ["FakeSupplier", "InMemoryPurchaseOrderStore"]


class FakeSupplier(_Fake):
    """A supplier taking purchase orders; :meth:`mark_dispatched` makes a cancel too late.

    ``orders`` maps the supplier's reference to what it holds: the purchase order's number, its
    lines (line id → units on order) and the units it took back.
    """

    def __init__(self, code: str = "ACME") -> None:
        super().__init__()
        self.code = code
        self.orders: dict[str, dict[str, object]] = {}
        self.dispatched: set[str] = set()

    def send(self, *, key: str, purchase_order: PurchaseOrder) -> str:
        """Take the purchase order; returns the supplier's reference (one per key)."""
        lines = tuple((x.line_id, x.sku, x.open) for x in purchase_order.lines if x.open)

        def work() -> str:
            reference = f"{self.code}-{len(self.orders) + 1}"
            self.orders[reference] = {
                "number": purchase_order.number,
                "lines": {line_id: units for line_id, _, units in lines},
                "cancelled": {},
            }
            return reference

        return self._run("send", key, (purchase_order.number, lines), work)

    def cancel(self, *, key: str, reference: str, lines: tuple[tuple[str, int], ...]) -> bool:
        """Take ``lines`` back unless the goods were dispatched; an unknown reference is refused."""

        def work() -> bool:
            held = self.orders.get(reference)
            if held is None:
                raise ProviderError(f"FakeSupplier.cancel: no order {reference!r}")
            if reference in self.dispatched:
                return False
            cancelled = held["cancelled"]
            assert isinstance(cancelled, dict)
            for line_id, units in lines:
                cancelled[line_id] = cancelled.get(line_id, 0) + units
            return True

        return self._run("cancel", key, (reference, tuple(lines)), work)

    def mark_dispatched(self, reference: str) -> None:
        """The goods of ``reference`` left the supplier (a cancel now fails)."""
        with self._lock:
            self.dispatched.add(reference)


class InMemoryPurchaseOrderStore:
    """Purchase orders in a dict, version-checked; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.purchase_orders: dict[str, PurchaseOrder] = {}

    def get(self, number: str) -> PurchaseOrder:
        """The purchase order ``number``."""
        with self._lock:
            try:
                return self.purchase_orders[number]
            except KeyError:
                raise OrderNotFound(number) from None

    def add(self, po: PurchaseOrder) -> None:
        """Store a new purchase order."""
        with self._lock:
            if po.number in self.purchase_orders:
                raise DuplicateOrder(po.number)
            self.purchase_orders[po.number] = po

    def save(self, po: PurchaseOrder, *, expected_version: int) -> None:
        """Replace it if nobody saved it since ``expected_version``."""
        with self._lock:
            current = self.get(po.number)
            if current.version != expected_version:
                raise ConcurrencyError(po.number, expected_version, current.version)
            self.purchase_orders[po.number] = po

    def open_purchase_orders(self, supplier: str | None = None) -> list[PurchaseOrder]:
        """Purchase orders not received nor cancelled (of ``supplier``), by number."""
        with self._lock:
            return [
                po
                for _, po in sorted(self.purchase_orders.items())
                if not po.status.is_final and (supplier is None or po.supplier == supplier)
            ]

    def pending(self) -> list[PurchaseOrder]:
        """Purchase orders with pending effects."""
        with self._lock:
            return [po for _, po in sorted(self.purchase_orders.items()) if po.outbox]
