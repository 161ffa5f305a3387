"""What the SQLite and PostgreSQL stores share: the row of an order and the queue queries.

The two engines differ in placeholders (``?`` and ``%s``), time columns (ISO text and
``timestamptz``) and locking; the columns, indexes and the SQL of the queues are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from orderflow import codec
from orderflow.domain.order import Order
from orderflow.domain.queues import Queue, QueueQuery, check_page, queue_facts
from orderflow.errors import InvalidValue

ORDER_COLUMNS = (
    "number",
    "version",
    "status",
    "customer_id",
    "placed_at",
    "final",
    "awaiting_method",
    "ready_to_instruct",
    "instructed_at",
    "pending_since",
    "points_due_at",
    "document",
)
"""The columns of ``orders``, in the order :func:`order_row` gives them."""


def utc_text(when: datetime) -> str:
    """A time as SQLite keeps it: ISO 8601 in UTC, so that text order is time order."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def order_row(
    order: Order, document: Any, when: Callable[[datetime], Any]
) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """The ``orders`` row of ``order`` and the codes of its open holds.

    ``when`` turns a time into the column's value (text for SQLite, as is for PostgreSQL).
    """
    facts = queue_facts(order)
    instructed = facts.instructed_at
    pending = facts.pending_since
    row = (
        order.number,
        order.version,
        facts.status.value,
        order.customer.id,
        when(order.placed_at),
        1 if facts.status.is_final else 0,
        facts.awaiting_method.value if facts.awaiting_method else None,
        1 if facts.ready_to_instruct else 0,
        None if instructed is None else when(instructed),
        None if pending is None else when(pending),
        None if facts.points_due_at is None else when(facts.points_due_at),
        document,
    )
    return row, facts.hold_codes


def queue_where(
    query: QueueQuery, mark: str, when: Callable[[datetime], Any]
) -> tuple[str, list[Any]]:
    """The ``WHERE`` condition (on ``orders o``) and parameters of ``query``.

    ``mark`` is the engine's placeholder (``?`` or ``%s``).
    """
    if not isinstance(query, QueueQuery):
        raise InvalidValue("query", query, "a QueueQuery (QueueQuery.held(), …)")
    queue = query.queue
    if queue is Queue.STATUS:
        assert query.status is not None
        return f"o.status = {mark}", [query.status.value]
    if queue is Queue.HELD:
        if query.hold_code is None:
            return "EXISTS (SELECT 1 FROM order_holds h WHERE h.number = o.number)", []
        return (
            f"EXISTS (SELECT 1 FROM order_holds h WHERE h.number = o.number AND h.code = {mark})",
            [query.hold_code],
        )
    if queue is Queue.AWAITING_PAYMENT:
        if query.method is None:
            return "o.awaiting_method IS NOT NULL", []
        return f"o.awaiting_method = {mark}", [query.method.value]
    if queue is Queue.READY_TO_INSTRUCT:
        return "o.ready_to_instruct = 1", []
    assert query.before is not None
    column = {Queue.NOT_SHIPPED: "instructed_at", Queue.POINTS_DUE: "points_due_at"}.get(
        queue, "pending_since"
    )
    return f"o.{column} IS NOT NULL AND o.{column} <= {mark}", [when(query.before)]


def queue_select(
    query: QueueQuery, after: str | None, limit: int, mark: str, when: Callable[[datetime], Any]
) -> tuple[str, list[Any]]:
    """The ``SELECT`` of one page of order numbers on the list ``query``."""
    check_page(after, limit)
    where, params = queue_where(query, mark, when)
    if after is not None:
        where += f" AND o.number > {mark}"
        params.append(after)
    params.append(limit)
    return f"SELECT o.number FROM orders o WHERE {where} ORDER BY o.number LIMIT {mark}", params


def queue_count(
    query: QueueQuery, mark: str, when: Callable[[datetime], Any]
) -> tuple[str, list[Any]]:
    """The ``SELECT count(*)`` of the list ``query``."""
    where, params = queue_where(query, mark, when)
    return f"SELECT count(*) FROM orders o WHERE {where}", params


class Remembered:
    """Decoded orders kept by number and version, and the hold codes last written.

    A row that has not changed is not decoded again (orders are immutable and a version is
    written once). A save whose order had and has the same open holds skips the holds table.
    """

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._orders: dict[str, Order] = {}
        self._holds: dict[str, tuple[int, tuple[str, ...]]] = {}

    def order(self, number: str, version: int, document: Any) -> Order:
        """The order of a row: the one remembered if its version is the row's, else decoded."""
        known = self._orders.get(number)
        if known is not None and known.version == version:
            return known
        if isinstance(document, (str, bytes)):
            return self.keep(codec.loads(document))
        return self.keep(codec.from_data(document))

    def keep(self, order: Order, codes: tuple[str, ...] | None = None) -> Order:
        """Remember ``order``, and the hold codes just written with it (None: not known)."""
        if len(self._orders) >= self.limit:
            self._orders.clear()
            self._holds.clear()
        self._orders[order.number] = order
        if codes is None:
            self._holds.pop(order.number, None)
        else:
            self._holds[order.number] = (order.version, codes)
        return order

    def holds_unchanged(self, number: str, expected_version: int, codes: tuple[str, ...]) -> bool:
        """True when the hold rows of the version being replaced are known to be ``codes``."""
        return self._holds.get(number) == (expected_version, codes)
