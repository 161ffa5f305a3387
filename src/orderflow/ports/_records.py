"""The ports of the shop's own records: the clock, the order store and its work lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from orderflow.domain.order import Order
from orderflow.domain.queues import QueueQuery

__all__ = [
    "Clock",
    "OrderStore",
    "PendingClaims",
    "SystemClock",
    "TrackingLookup",
    "WorkLists",
]


@runtime_checkable
class Clock(Protocol):
    """The time, as an aware UTC datetime (a fake clock makes tests repeatable)."""

    def now(self) -> datetime:
        """Now, in UTC."""
        ...


class SystemClock:
    """The real clock: :meth:`now` is the system's time in UTC (a shop's desk uses this one)."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)


@runtime_checkable
class OrderStore(Protocol):
    """Where the host keeps orders (its own database). Optimistic concurrency on ``version``."""

    def get(self, number: str) -> Order:
        """The order ``number``; raises :class:`~orderflow.errors.OrderNotFound`."""
        ...

    def add(self, order: Order) -> None:
        """Store a new order; raises :class:`~orderflow.errors.DuplicateOrder` if it exists."""
        ...

    def save(self, order: Order, *, expected_version: int) -> None:
        """Replace the stored order, only if its version is still ``expected_version``.

        Raises :class:`~orderflow.errors.ConcurrencyError` otherwise: somebody else changed it.
        """
        ...

    def orders_of_customer(self, customer_id: str, since: datetime) -> Iterable[Order]:
        """The customer's orders placed at or after ``since`` (for the duplicate-order rule)."""
        ...

    def pending(self) -> Iterable[Order]:
        """Every order with pending effects (a non-empty outbox), for ``resume_pending``.

        A database adapter keeps an indexed column (``has_pending``) and answers with one query.
        """
        ...

    def open_orders(self) -> Iterable[Order]:
        """Every order not in a final status (計上済, キャンセル): for sweeps and reconciliation.

        A database adapter answers with one query (``WHERE status NOT IN ('booked', 'cancelled')``)
        and may stream the rows.
        """
        ...


@runtime_checkable
class WorkLists(Protocol):
    """An order store that answers the operator's work lists (業務キュー) with indexed queries.

    ``SQLiteStore``, ``PostgresStore`` and the in-memory store do; the desk's ``queue`` and
    ``queue_counts`` need it. Lists are order numbers ascending; page with ``after``.
    """

    def queue(self, query: QueueQuery, *, after: str | None = None, limit: int = 100) -> list[str]:
        """One page of the list ``query``: at most ``limit`` numbers greater than ``after``."""
        ...

    def count(self, query: QueueQuery) -> int:
        """How many orders are on the list ``query``."""
        ...


@runtime_checkable
class TrackingLookup(Protocol):
    """An order store that finds orders by a number written on them (an indexed lookup).

    The keys are ``orderflow.domain.queues.tracking_keys(order)``, re-read on every save: each
    shipment's tracking number under its carrier, each bank deposit received under
    ``DEPOSIT_INDEX``, a refund to transfer under ``REFUND_INDEX``, the virtual account an open
    order holds under ``ACCOUNT_INDEX`` and each SKU it waits for under ``WAITING_INDEX``. A
    deposit key is unique: a save giving one deposit to a second order raises
    :class:`~orderflow.errors.DepositTaken` and writes nothing (two workers at once).
    ``SQLiteStore``, ``PostgresStore`` and the in-memory store do; ``desk.carrier_events``
    needs it, and the deposits' reconciliation and the receipts (入荷) read it when the store
    has it (a key left out finds nothing: a receipt would fill no waiting order). The store
    contract checks the tracking numbers, deposits, accounts and waiting SKUs.
    """

    def orders_by_tracking(self, carrier: str, tracking_number: str) -> list[str]:
        """Numbers of the orders with a shipment of ``carrier`` under ``tracking_number``."""
        ...


@runtime_checkable
class PendingClaims(Protocol):
    """An order store on which workers claim pending orders before finishing them.

    ``resume_pending`` uses it when the store has it, so that many workers (on many hosts, for
    PostgreSQL) share the pending orders without driving the same order at once.
    """

    def claim_pending(self, *, now: datetime, lease: timedelta, limit: int = 100) -> list[str]:
        """Up to ``limit`` pending orders nobody holds, held by the caller until now + lease."""
        ...

    def release_claim(self, number: str) -> None:
        """Give order ``number`` back (the worker is done with it, finished or not)."""
        ...
