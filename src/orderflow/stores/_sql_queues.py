"""The SQL of the work lists (業務キュー), the same on SQLite and PostgreSQL but the placeholder.

Each list reads its own index: the held orders the hold rows, the lists by time their time's
partial index (sorted by number), the ready list and the booked list their partial index walked
by number. ``tests/integration/test_queue_plans.py`` checks SQLite's plans.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from orderflow.domain.queues import Queue, QueueQuery, check_page
from orderflow.errors import InvalidValue

__all__ = ["by_number", "queue_count", "queue_select", "queue_where"]


def queue_where(
    query: QueueQuery, mark: str, when: Callable[[datetime], Any]
) -> tuple[str, list[Any]]:
    """The ``WHERE`` condition (on ``orders o``) and parameters of ``query``.

    ``mark`` is the engine's placeholder (``?`` or ``%s``). A ready list that leaves "now" open
    is read as of the wall clock.
    """
    if not isinstance(query, QueueQuery):
        raise InvalidValue("query", query, "a QueueQuery (QueueQuery.held(), …)")
    query = query.as_of(datetime.now(UTC))
    queue = query.queue
    if queue is Queue.STATUS:
        assert query.status is not None
        return f"o.status = {mark}", [query.status.value]
    # the held orders and those awaiting any payment are read off their own index (the hold
    # rows, the partial index of awaiting_method), not by testing every order in number order
    if queue is Queue.HELD:
        if query.hold_code is None:
            return "o.number IN (SELECT h.number FROM order_holds h)", []
        return (
            f"o.number IN (SELECT h.number FROM order_holds h WHERE h.code = {mark})",
            [query.hold_code],
        )
    if queue is Queue.AWAITING_PAYMENT:
        if query.method is None:
            return (
                "o.number IN (SELECT a.number FROM orders a WHERE a.awaiting_method IS NOT NULL)",
                [],
            )
        return f"o.awaiting_method = {mark}", [query.method.value]
    if queue is Queue.READY_TO_INSTRUCT:
        assert query.before is not None
        lapsed = f"(o.payment_lapses_at IS NULL OR o.payment_lapses_at > {mark})"
        return f"o.ready_to_instruct = 1 AND {lapsed}", [when(query.before)]
    assert query.before is not None
    column = _TIME_COLUMNS[queue]
    if queue is Queue.BOOKED_SINCE:  # the one list from a time on
        return f"o.{column} IS NOT NULL AND o.{column} >= {mark}", [when(query.before)]
    return f"o.{column} IS NOT NULL AND o.{column} <= {mark}", [when(query.before)]


_TIME_COLUMNS = {
    Queue.NOT_SHIPPED: "instructed_at",
    Queue.STUCK: "pending_since",
    Queue.POINTS_DUE: "points_due_at",
    Queue.DEADLINES: "deadline_at",
    Queue.BOOKED_SINCE: "booked_changed_at",
}
"""The column each list by time reads (through its partial index)."""
_BY_TIME = frozenset(_TIME_COLUMNS) - {Queue.BOOKED_SINCE}
"""The lists read off their time's index and sorted by number (short lists); the booked list
walks its index by number instead (long: a month of sales)."""


def queue_select(
    query: QueueQuery, after: str | None, limit: int, mark: str, when: Callable[[datetime], Any]
) -> tuple[str, list[Any]]:
    """The ``SELECT`` of one page of order numbers on the list ``query``."""
    check_page(after, limit)
    where, params = queue_where(query, mark, when)
    if after is not None:
        # a list by time reads its time's index; by number, SQLite walked every order from after
        by_time = isinstance(query, QueueQuery) and query.queue in _BY_TIME
        number = by_number(mark, "o.number") if by_time else "o.number"
        where += f" AND {number} > {mark}"
        params.append(after)
    params.append(limit)
    return f"SELECT o.number FROM orders o WHERE {where} ORDER BY o.number LIMIT {mark}", params


def queue_count(
    query: QueueQuery, mark: str, when: Callable[[datetime], Any]
) -> tuple[str, list[Any]]:
    """The ``SELECT count(*)`` of the list ``query``."""
    where, params = queue_where(query, mark, when)
    return f"SELECT count(*) FROM orders o WHERE {where}", params


def by_number(mark: str, column: str) -> str:
    """``column`` (the order number) as a term no index of it serves, on SQLite (``+column``).

    Where a list has an index of its own, SQLite would rather walk every order by number (to
    skip the sort) than read the list's index and sort what it finds: a page of a short list
    then cost the whole table. PostgreSQL weighs the two by its statistics (``column``).
    """
    return f"+{column}" if mark == "?" else column
