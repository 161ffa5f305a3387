"""What the SQLite and PostgreSQL stores share: the row of an order, its tables and reads.

The SQL of the work lists is in :mod:`orderflow.stores._sql_queues`.

The two engines differ in placeholders (``?`` and ``%s``), time columns (ISO text and
``timestamptz``) and locking; the columns, indexes and the SQL of the queues are the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from orderflow import codec
from orderflow.domain._text import storable
from orderflow.domain.order import Order
from orderflow.domain.purchasing import PurchaseOrder
from orderflow.domain.queues import (
    DEPOSIT_INDEX,
    QueueQuery,
    queue_facts,
    tracking_keys,
)
from orderflow.errors import CodecError, DepositTaken, InvalidValue, OrderNotFound, StoreError
from orderflow.stores._kept import Remembered
from orderflow.stores._sql_queues import by_number, queue_count, queue_select

ORDER_TABLE: tuple[tuple[str, str, str], ...] = (
    ("number", "text", "PRIMARY KEY"),
    ("version", "integer", "NOT NULL CHECK (version >= 0)"),
    ("status", "text", "NOT NULL"),
    ("customer_id", "text", "NOT NULL"),
    ("placed_at", "time", "NOT NULL"),
    ("final", "flag", "NOT NULL"),
    ("awaiting_method", "text", ""),
    ("ready_to_instruct", "flag", "NOT NULL"),
    ("instructed_at", "time", ""),
    ("pending_since", "time", ""),
    ("points_due_at", "time", ""),
    ("payment_lapses_at", "time", ""),
    ("deadline_at", "time", ""),
    ("booked_changed_at", "time", ""),
    ("document", "document", "NOT NULL"),
    ("claimed_until", "time", ""),
)
"""The columns of ``orders``: name, kind of value (typed per engine), constraints."""

_log = logging.getLogger("orderflow.stores")

SQLITE_TYPES = {
    "text": "TEXT",
    "integer": "INTEGER",
    "flag": "INTEGER",
    "time": "TEXT",  # ISO 8601 in UTC (utc_text): text order is time order
    "document": "TEXT",
}
POSTGRES_TYPES = {
    "text": "text",
    "integer": "bigint",
    "flag": "smallint",
    "time": "timestamptz",
    "document": "jsonb",
}

ORDER_COLUMNS = tuple(name for name, _, _ in ORDER_TABLE if name != "claimed_until")
"""The columns of ``orders``, in the order :func:`order_row` gives them."""

_ORDER_INDEXES = """
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, number);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id, placed_at);
CREATE INDEX IF NOT EXISTS orders_open ON orders (number) WHERE final = 0;
CREATE INDEX IF NOT EXISTS orders_awaiting ON orders (awaiting_method, number)
    WHERE awaiting_method IS NOT NULL;
CREATE INDEX IF NOT EXISTS orders_instructed ON orders (instructed_at)
    WHERE instructed_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS orders_pending ON orders (pending_since)
    WHERE pending_since IS NOT NULL;
CREATE TABLE IF NOT EXISTS order_holds (
    code {text} NOT NULL,
    number {text} NOT NULL REFERENCES orders (number),
    PRIMARY KEY (code, number)
);
CREATE INDEX IF NOT EXISTS order_holds_by_number ON order_holds (number);
CREATE TABLE IF NOT EXISTS order_tracking (
    carrier {text} NOT NULL,
    tracking_number {text} NOT NULL,
    number {text} NOT NULL REFERENCES orders (number),
    PRIMARY KEY (carrier, tracking_number, number)
);
CREATE INDEX IF NOT EXISTS order_tracking_by_number ON order_tracking (number);
CREATE TABLE IF NOT EXISTS order_index_version (version {integer} NOT NULL);
"""

INDEX_VERSION = 6
"""What ``order_tracking`` holds: 1, the tracking numbers; 2, also the deposits each order received
and the refunds it has to transfer (``DEPOSIT_INDEX``, ``REFUND_INDEX``); 3, and
``orders.payment_lapses_at`` is filled in; 4, and ``orders.deadline_at``; 5, and the virtual
account each open bank-transfer order holds (``ACCOUNT_INDEX``), and
``orders.booked_changed_at``; 6, and the SKUs each order waits for (``WAITING_INDEX``). A store
opened on tables of a lower version indexes every order again, once (``order_index_version``
says which)."""

INDEX_VERSION_SELECT = "SELECT max(version) FROM order_index_version"
"""The version of the index the tables hold (NULL: before the table existed)."""


POINTS_DUE_INDEX = (
    "CREATE INDEX IF NOT EXISTS orders_points_due ON orders (points_due_at)\n"
    "    WHERE points_due_at IS NOT NULL;\n"
)
"""The index of ``points_due_at``, made once the column is there (it came after the table)."""


READY_INDEX = (
    "DROP INDEX IF EXISTS orders_ready;\n"
    "CREATE INDEX IF NOT EXISTS orders_ready_until ON orders (number, payment_lapses_at)\n"
    "    WHERE ready_to_instruct = 1;\n"
)
"""The index of the ready list (ready orders, with when their authorization lapses), made once
the ``payment_lapses_at`` column is there (it came after the table); it replaces
``orders_ready``."""

ADDED_TIMES = ("payment_lapses_at", "deadline_at", "booked_changed_at")
"""The time columns of ``orders`` added after the table (filled when every order is indexed
again); ``points_due_at`` came earlier, with its own values."""

ADDED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS orders_deadlines ON orders (deadline_at)\n"
    "    WHERE deadline_at IS NOT NULL;\n"
    "CREATE INDEX IF NOT EXISTS orders_booked_changed ON orders (number, booked_changed_at)\n"
    "    WHERE booked_changed_at IS NOT NULL;\n"
)
"""The indexes of ``deadline_at`` (the timed sweeps' list, short) and ``booked_changed_at`` (the
journal export's: every booked order, walked by number in the index alone, only those changed
since read), made once the columns are there."""

REINDEX_TIMES = (
    "UPDATE orders SET "
    + ", ".join(f"{column} = {{mark}}" for column in ADDED_TIMES)
    + " WHERE number = {mark}"
)
"""Fill the :data:`ADDED_TIMES` of one order (its queue facts), when indexing every order again."""


REINDEX_PAGE = 500
"""How many orders indexing every order again decodes at a time."""


def every_row(execute: Callable[..., Any], mark: str) -> Iterator[tuple[Any, ...]]:
    """Every ``orders`` row (number, version, document), by number, a page at a time.

    Indexing a grown file again after an upgrade holds a page of documents, not all of them.
    """
    sql = (
        f"SELECT {READ_COLUMNS} FROM orders WHERE number > {mark} "
        f"ORDER BY number LIMIT {REINDEX_PAGE}"
    )
    after = ""
    while rows := execute(sql, (after,)).fetchall():
        yield from rows
        after = rows[-1][0]


def reindexed_times(order: Order, when: Callable[[datetime], Any]) -> tuple[Any, ...]:
    """The parameters of :data:`REINDEX_TIMES` for ``order`` (``when`` as in :func:`order_row`)."""
    facts = queue_facts(order)
    times = (getattr(facts, column) for column in ADDED_TIMES)
    return (*(None if t is None else when(t) for t in times), order.number)


DEPOSITS_ONCE = (
    "CREATE UNIQUE INDEX IF NOT EXISTS order_deposits_once ON order_tracking (tracking_number) "
    f"WHERE carrier = '{DEPOSIT_INDEX}'"
)
"""The index that makes a deposit count on one order: a save giving it to a second one fails."""

_DEPOSITS_TWICE = (
    "SELECT tracking_number, min(number), max(number) FROM order_tracking "
    "WHERE carrier = {mark} GROUP BY tracking_number HAVING count(*) > 1 ORDER BY 1"
)


def guard_deposits(execute: Callable[..., Any], mark: str, where: str) -> None:
    """Make each deposit count on one order (``DEPOSITS_ONCE``), in the caller's transaction.

    Tables that already hold a deposit counted on two orders (a race of an orderflow before the
    index) open all the same: those deposits are left out of the index, each logged as a
    warning for a person to settle (one of the orders owes it back); every other deposit counts
    on one order from here on.
    """
    twice = execute(_DEPOSITS_TWICE.format(mark=mark), (DEPOSIT_INDEX,)).fetchall()
    for reference, first, second in twice:
        _log.warning(
            "%s: deposit %s is counted on orders %s and %s (and maybe more): a person settles "
            "it (one of them owes it back)",
            where,
            reference,
            first,
            second,
        )
    if not twice:
        execute(DEPOSITS_ONCE)
        return
    quoted = ", ".join(_literal(str(row[0]), dollar=mark == "%s") for row in twice)
    execute(f"{DEPOSITS_ONCE} AND tracking_number NOT IN ({quoted})")


def _literal(text: str, *, dollar: bool) -> str:
    """``text`` as an SQL string literal (an index's predicate takes no parameters).

    PostgreSQL's is dollar-quoted with a tag ``text`` does not hold, whatever the server's
    ``standard_conforming_strings``; SQLite's doubles its quotes.
    """
    if not dollar:
        return "'" + text.replace("'", "''") + "'"
    n = 0
    while f"$r{n}$" in text or text.endswith(f"$r{n}"):
        n += 1
    return f"$r{n}${text}$r{n}$"


PARTS_TABLE = (
    "CREATE TABLE IF NOT EXISTS orderflow_schema "
    "(part {text} PRIMARY KEY, version {integer} NOT NULL)"
)
"""The version of each part's tables (``orders``, ``inventory``, ``purchase_orders``) in one
database: the parts may share a file or a schema, and each checks its own."""


def record_schema(
    execute: Callable[..., Any],
    mark: str,
    types: dict[str, str],
    part: str,
    version: int,
    where: str,
) -> None:
    """Refuse ``part``'s tables if a newer orderflow made them, else record ``version``.

    Run in the transaction that creates the tables, before it does: a file or database of a
    newer orderflow is left as it is (:class:`StoreError` naming ``where``: upgrade orderflow).
    """
    execute(PARTS_TABLE.format(text=types["text"], integer=types["integer"]))
    row = execute(f"SELECT version FROM orderflow_schema WHERE part = {mark}", (part,)).fetchone()
    found = 0 if row is None else row[0]
    if found > version:
        raise StoreError(
            f"{where}: the {part} tables are of schema version {found}, newer than this "
            f"orderflow's ({version}): upgrade orderflow"
        )
    if found < version:
        execute(
            f"INSERT INTO orderflow_schema (part, version) VALUES ({mark}, {mark}) "
            "ON CONFLICT (part) DO UPDATE SET version = excluded.version",
            (part, version),
        )


def statements(script: str) -> list[str]:
    """The statements of a DDL script (no ``;`` inside a statement), to run one by one."""
    return [statement for statement in script.split(";") if statement.strip()]


def order_schema(types: dict[str, str]) -> str:
    """The DDL of ``orders``, ``order_holds`` and ``order_tracking`` with an engine's ``types``."""
    columns = ",\n".join(
        f"    {name} {types[kind]}" + (f" {rules}" if rules else "")
        for name, kind, rules in ORDER_TABLE
    )
    table = f"\nCREATE TABLE IF NOT EXISTS orders (\n{columns}\n);"
    return table + _ORDER_INDEXES.format(
        text=types["text"], integer=types["integer"], deposit=DEPOSIT_INDEX
    )


_PURCHASE_ORDERS = """
CREATE TABLE IF NOT EXISTS purchase_orders (
    number {text} PRIMARY KEY,
    version {integer} NOT NULL CHECK (version >= 0),
    supplier {text} NOT NULL,
    status {text} NOT NULL,
    final {flag} NOT NULL,
    pending {flag} NOT NULL,
    document {document} NOT NULL
);
CREATE INDEX IF NOT EXISTS purchase_orders_open ON purchase_orders (supplier, number)
    WHERE final = 0;
CREATE INDEX IF NOT EXISTS purchase_orders_pending ON purchase_orders (number) WHERE pending = 1;
"""


def purchase_order_schema(types: dict[str, str]) -> str:
    """The DDL of ``purchase_orders`` (発注) with an engine's ``types``."""
    return _PURCHASE_ORDERS.format(**types)


def purchase_order_row(po: PurchaseOrder) -> tuple[Any, ...]:
    """The ``purchase_orders`` row: number, version, supplier, status, final, pending, document."""
    return (
        po.number,
        po.version,
        po.supplier,
        po.status.value,
        1 if po.status.is_final else 0,
        1 if po.outbox else 0,
        codec.purchase_order_to_text(po),
    )


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
        None if facts.payment_lapses_at is None else when(facts.payment_lapses_at),
        None if facts.deadline_at is None else when(facts.deadline_at),
        None if facts.booked_changed_at is None else when(facts.booked_changed_at),
        document,
    )
    return row, facts.hold_codes


def tracking_rows(order: Order) -> list[tuple[str, str, str]]:
    """The ``order_tracking`` rows of ``order``: (carrier, tracking number, order number)."""
    return [(carrier, number, order.number) for carrier, number in tracking_keys(order)]


def tracking_select(mark: str) -> str:
    """The lookup of order numbers by (carrier, tracking number)."""
    return (
        "SELECT number FROM order_tracking "
        f"WHERE carrier = {mark} AND tracking_number = {mark} ORDER BY number"
    )


def as_is(when: datetime) -> datetime:
    """A time as the driver takes it (PostgreSQL's ``timestamptz``)."""
    return when


READ_COLUMNS = "number, version, CAST(document AS TEXT)"
"""What a read of orders selects. The document as text: PostgreSQL's driver parses a ``jsonb``
into Python objects on every row, 100 µs for an order, although the store's memory mostly has the
version read already and decodes nothing (the text is parsed only when it is not)."""


def pending_select(mark: str) -> str:
    """The ``SELECT`` of the orders with pending effects, by number (``mark``: the engine's)."""
    return (
        f"SELECT {READ_COLUMNS} FROM orders WHERE pending_since IS NOT NULL "
        f"ORDER BY {by_number(mark, 'number')}"
    )


def is_key(value: object) -> bool:
    """Whether ``value`` can be a stored key (an order number, a customer id, a tracking key).

    Anything else (not text, a lone surrogate, a NUL) names no stored order: a read answers
    "none" for it, as for any unknown key, instead of the driver's error (which differed by
    engine: ``UnicodeEncodeError``, PostgreSQL's refusal).
    """
    return type(value) is str and storable(value)


class OrderReads:
    """The reading half of an order store on SQL, the same on every engine.

    A store sets ``_mark`` (the driver's placeholder, ``?`` or ``%s``), ``_time`` (how a time
    is passed: :func:`utc_text` or :func:`as_is`), ``_known`` (a :class:`Remembered`) and
    implements ``_rows``.
    """

    _mark: str
    _time: Callable[[datetime], Any]
    _known: Remembered
    open_page: int = 500
    """How many open orders :meth:`open_orders` reads at a time."""

    def _rows(self, sql: str, params: tuple[Any, ...] | list[Any]) -> list[Any]:
        raise NotImplementedError

    def _orders(self, sql: str, params: tuple[Any, ...]) -> list[Order]:
        return [self._known.order(*row) for row in self._rows(sql, params)]

    def get(self, number: str) -> Order:
        """The order ``number``; raises :class:`~orderflow.errors.OrderNotFound`."""
        if not is_key(number):
            raise OrderNotFound(number)
        sql = f"SELECT {READ_COLUMNS} FROM orders WHERE number = {self._mark}"
        rows = self._rows(sql, (number,))
        if not rows:
            raise OrderNotFound(number)
        return self._known.order(*rows[0])

    def deposit_taken(self, order: Order) -> DepositTaken | None:
        """The refusal to give when saving ``order`` broke the one-order-per-deposit index."""
        for carrier, reference in tracking_keys(order):
            if carrier == DEPOSIT_INDEX:
                holders = self.orders_by_tracking(carrier, reference)
                others = [n for n in holders if n != order.number]
                if others:
                    return DepositTaken(reference, others[0])
        return None

    def orders_of_customer(self, customer_id: str, since: datetime) -> list[Order]:
        """The customer's orders placed at or after ``since`` (indexed; an aware datetime)."""
        if not isinstance(since, datetime) or since.utcoffset() is None:
            raise InvalidValue("since", since, "an aware datetime")
        if not is_key(customer_id):
            return []
        mark = self._mark
        return self._orders(
            f"SELECT {READ_COLUMNS} FROM orders WHERE customer_id = {mark} AND placed_at >= {mark} "
            "ORDER BY placed_at, number",
            (customer_id, self._time(since)),
        )

    def pending(self) -> list[Order]:
        """Orders with pending effects (indexed ``pending_since``)."""
        return self._orders(pending_select(self._mark), ())

    def open_orders(self) -> Iterator[Order]:
        """Orders not in a final status, by number (partial index on ``final = 0``).

        Read :attr:`open_page` at a time as the caller goes on (keyset pages by number): a
        sweep through a grown shop's open orders holds a page of them, not all of them at once.
        An order saved meanwhile is read as it is when its page comes. One whose document this
        orderflow cannot read (a newer one wrote it) is left out with a warning on the logger
        ``orderflow.stores``: it must not stop the sweep of every other order.
        """
        mark = self._mark
        sql = (
            f"SELECT {READ_COLUMNS} FROM orders WHERE final = 0 AND number > {mark} "
            f"ORDER BY number LIMIT {mark}"
        )
        after = ""  # below every order number (none is empty)
        while True:
            page = self.open_page
            rows = self._rows(sql, (after, page))
            for row in rows:
                try:
                    order = self._known.order(*row)
                except CodecError as unreadable:
                    _log.warning("order %s skipped: CodecError: %s", row[0], unreadable)
                    continue
                yield order
            if len(rows) < page:
                return
            after = rows[-1][0]

    def orders_by_tracking(self, carrier: str, tracking_number: str) -> list[str]:
        """Numbers of the orders with a shipment of ``carrier`` under ``tracking_number``."""
        if not (is_key(carrier) and is_key(tracking_number)):
            return []
        return [r[0] for r in self._rows(tracking_select(self._mark), (carrier, tracking_number))]

    def queue(self, query: QueueQuery, *, after: str | None = None, limit: int = 100) -> list[str]:
        """One page of the work list ``query``: order numbers, ascending, after ``after``."""
        sql, params = queue_select(query, after, limit, self._mark, self._time)
        return [r[0] for r in self._rows(sql, params)]

    def count(self, query: QueueQuery) -> int:
        """How many orders are on the work list ``query``."""
        sql, params = queue_count(query, self._mark, self._time)
        return int(self._rows(sql, params)[0][0])
