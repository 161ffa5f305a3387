"""``InMemoryOrderStore``: orders in a dict, for tests (one of the fakes of :mod:`.fakes`).

Optimistic concurrency on ``Order.version``, the work lists, the lookups by tracking number and
deposit (a deposit counted on one order only) and the claims of pending orders, all under one
lock: thread-safe, as the SQL stores are.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from orderflow.domain.order import Order
from orderflow.domain.queues import (
    DEPOSIT_INDEX,
    QueueQuery,
    check_claim,
    check_page,
    matches,
    queue_facts,
    tracking_keys,
)
from orderflow.errors import (
    ConcurrencyError,
    DepositTaken,
    DuplicateOrder,
    InvalidValue,
    OrderNotFound,
)
from orderflow.stores._kept import ClaimTokens

__all__ = ["InMemoryOrderStore"]


class InMemoryOrderStore:
    """Orders in a dict, with optimistic concurrency on ``Order.version``; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.orders: dict[str, Order] = {}
        self.saves = 0
        self._by_customer: dict[str, list[str]] = {}
        self._by_tracking: dict[tuple[str, str], set[str]] = {}
        self._indexed: dict[str, frozenset[tuple[str, str]]] = {}
        """Each order's keys in ``_by_tracking`` (so a save works out only the new order's)."""
        self._claims: dict[str, datetime] = {}
        self._tokens = ClaimTokens()

    def get(self, number: str) -> Order:
        """The order ``number``."""
        with self._lock:
            try:
                return self.orders[number]
            except KeyError:
                raise OrderNotFound(number) from None

    def add(self, order: Order) -> None:
        """Store a new order."""
        with self._lock:
            if order.number in self.orders:
                raise DuplicateOrder(order.number)
            keys = self._keys_free(order)
            self.orders[order.number] = order
            self._by_customer.setdefault(order.customer.id, []).append(order.number)
            self._index_tracking(order.number, keys)
            self.saves += 1

    def save(self, order: Order, *, expected_version: int) -> None:
        """Replace the order if nobody changed it since ``expected_version``.

        The version check and the write are one step: of many saves on the same version, one
        wins and the others raise :class:`~orderflow.errors.ConcurrencyError`.
        """
        with self._lock:
            current = self.get(order.number)
            if current.version != expected_version:
                raise ConcurrencyError(order.number, expected_version, current.version)
            keys = None  # tracking numbers, deposits, refunds owed, the account, SKUs waited for
            if (
                current.shipments is not order.shipments
                or current.payment is not order.payment
                or current.status is not order.status
                or current.allocations is not order.allocations
                or current.lines is not order.lines
            ):
                keys = self._keys_free(order)
            self.orders[order.number] = order
            if keys is not None:
                self._index_tracking(order.number, keys)
            self.saves += 1

    def orders_by_tracking(self, carrier: str, tracking_number: str) -> list[str]:
        """Numbers of the orders with a shipment of ``carrier`` under ``tracking_number``."""
        with self._lock:
            return sorted(self._by_tracking.get((carrier, tracking_number), ()))

    def _keys_free(self, new: Order) -> frozenset[tuple[str, str]]:
        """``new``'s index keys; DepositTaken if another order holds one of its deposits."""
        keys = frozenset(tracking_keys(new))
        for key in keys - self._indexed.get(new.number, frozenset()):
            if key[0] == DEPOSIT_INDEX:
                others = self._by_tracking.get(key, set()) - {new.number}
                if others:
                    raise DepositTaken(key[1], min(others))
        return keys

    def _index_tracking(self, number: str, after: frozenset[tuple[str, str]]) -> None:
        before = self._indexed.get(number, frozenset())
        if after == before:
            return
        for key in before - after:
            numbers = self._by_tracking.get(key)
            if numbers is not None:
                numbers.discard(number)
                if not numbers:
                    del self._by_tracking[key]
        for key in after - before:
            self._by_tracking.setdefault(key, set()).add(number)
        self._indexed[number] = after

    def pending(self) -> list[Order]:
        """Orders with pending effects."""
        with self._lock:
            return [o for o in self.orders.values() if o.outbox]

    def queue(self, query: QueueQuery, *, after: str | None = None, limit: int = 100) -> list[str]:
        """One page of the work list ``query`` (order numbers ascending, after ``after``)."""
        check_page(after, limit)
        numbers = sorted(self._on(query))
        if after is not None:
            numbers = [n for n in numbers if n > after]
        return numbers[:limit]

    def count(self, query: QueueQuery) -> int:
        """How many orders are on the work list ``query``."""
        return len(self._on(query))

    def claim_pending(self, *, now: datetime, lease: timedelta, limit: int = 100) -> list[str]:
        """Take up to ``limit`` pending orders nobody holds, for ``lease`` (see SQLiteStore)."""
        check_claim(now, lease, limit)
        with self._lock:
            free = [
                (queue_facts(o).pending_since, o.number)
                for o in self.orders.values()
                if o.outbox and self._claims.get(o.number, now) <= now
            ]
            numbers = [number for _, number in sorted(free)[:limit]]
            for number in numbers:
                self._claims[number] = now + lease
            self._tokens.took(numbers, now + lease)
            return numbers

    def release_claim(self, number: str) -> None:
        """Give order ``number`` back: this worker's claim only (see SQLiteStore)."""
        until = self._tokens.give_back(number)
        with self._lock:
            if until is None or self._claims.get(number) == until:
                self._claims.pop(number, None)

    def _on(self, query: QueueQuery) -> list[str]:
        if not isinstance(query, QueueQuery):
            raise InvalidValue("query", query, "a QueueQuery (QueueQuery.held(), …)")
        query = query.as_of(datetime.now(UTC))  # a ready list left "now" open: the wall clock
        with self._lock:
            return [n for n, o in self.orders.items() if matches(queue_facts(o), query)]

    def open_orders(self) -> list[Order]:
        """Orders not in a final status."""
        with self._lock:
            return [o for o in self.orders.values() if not o.status.is_final]

    def orders_of_customer(self, customer_id: str, since: datetime) -> list[Order]:
        """The customer's orders placed since ``since``."""
        with self._lock:
            numbers = list(self._by_customer.get(customer_id, []))
            return [o for o in (self.orders[n] for n in numbers) if o.placed_at >= since]
