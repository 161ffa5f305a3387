"""PostgreSQL connections as orderflow's stores use them.

From the host's pool, one connection, or a conninfo string (then one connection per thread,
opened here). Pooling is the host's job: give a ``psycopg_pool.ConnectionPool`` (anything with a
``connection()`` context manager) when you have one. A single ``psycopg.Connection`` is used by
one thread at a time (a lock). With a conninfo string each thread opens its own connection;
the connection of a thread that has ended is closed when another thread opens one (a server
starting a thread per request does not use up the server's connections). A forked child opens
its own and never touches its parent's, not even to close them (closing one in the child
ended the parent's session); a single ``psycopg.Connection`` the host gave is refused in a
forked child (both processes would talk over one socket).

A :class:`StoreError` says what the server said in its primary message only: the server's
detail and context (the failing row, a piece of the JSON document, a parameter's value) may
hold a customer's name or address, and stay in the chained psycopg error.

Every block of work is its own transaction, committed at its end: a connection that is already
inside a transaction (the host's ``psycopg.Connection`` not in autocommit mode, left with a
statement run and not committed) is refused with :class:`StoreError` rather than having the
store's writes silently join, and wait for, the host's transaction. A connection the server or
the host closed is refused as closed.

Every transaction is ``READ COMMITTED``, whatever the database's or the connection's default
(``default_transaction_isolation``, asked once per connection: a session already reading
committed pays no extra statement): the version-checked saves and the inventory's ledger rely on
it (under ``REPEATABLE READ`` or ``SERIALIZABLE`` a save racing another failed with PostgreSQL's
serialization error instead of losing the version check, and a reservation racing a stock move
failed). One ``psycopg.Connection`` given to several objects (a store and an inventory on the
same connection) is used by one of them at a time: they share one lock per connection. A session
opened here (from a conninfo) that the server ended while idle is opened anew at the next
transaction's ``BEGIN``.
"""

from __future__ import annotations

import inspect
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from typing import Any, Protocol

import psycopg
from psycopg import IsolationLevel
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row

from orderflow.errors import InvalidValue, StoreError

_SESSION_READS_COMMITTED: weakref.WeakKeyDictionary[psycopg.Connection[Any], bool] = (
    weakref.WeakKeyDictionary()
)
"""Per connection: whether its session's ``default_transaction_isolation`` is read committed
(asked once per connection; a host that changes it on a connection afterwards is not seen)."""


def _session_reads_committed(conn: psycopg.Connection[Any]) -> bool:
    """Whether a plain ``BEGIN`` on ``conn`` is ``READ COMMITTED`` (asked once per connection)."""
    known = _SESSION_READS_COMMITTED.get(conn)
    if known is None:
        row = conn.execute("SHOW default_transaction_isolation").fetchone()
        known = row is not None and row[0] == "read committed"
        _SESSION_READS_COMMITTED[conn] = known
    return known


class PoolLike(Protocol):
    """What orderflow needs of a connection pool: ``with pool.connection() as conn``.

    ``psycopg_pool.ConnectionPool`` has this shape; orderflow does not depend on it.
    """

    def connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A connection for the block, given back to the pool after it."""
        ...


Source = str | psycopg.Connection[Any] | PoolLike


_ABANDONED: list[psycopg.Connection[Any]] = []
"""A forked child's inherited connections: kept, so that they are never closed nor collected."""

_SHARED: weakref.WeakKeyDictionary[psycopg.Connection[Any], threading.RLock] = (
    weakref.WeakKeyDictionary()
)
"""The lock of each host connection, shared by every object given that connection."""
_SHARED_GUARD = threading.Lock()


def _lock_of(conn: psycopg.Connection[Any]) -> threading.RLock:
    """The one lock of ``conn`` in this process, whichever orderflow object was given it.

    A lock per object let a store's transaction and an inventory's, on one connection in two
    threads, nest (psycopg made the second a savepoint of the first) or fail half-way.
    """
    with _SHARED_GUARD:
        lock = _SHARED.get(conn)
        if lock is None:
            lock = _SHARED[conn] = threading.RLock()
        return lock


@contextmanager
def _plain(conn: psycopg.Connection[Any]) -> Iterator[None]:
    """``conn`` giving rows as tuples through plain cursors for the block, as the SQL expects.

    A host's connection or pool may give dicts (``row_factory=dict_row``, as web apps often
    set) or use another cursor class: before, every query failed with ``KeyError: 0``. The
    host's own factories are put back after the block.
    """
    rows, cursors = conn.row_factory, conn.cursor_factory
    if rows is tuple_row and cursors is psycopg.Cursor:
        yield
        return
    conn.row_factory, conn.cursor_factory = tuple_row, psycopg.Cursor
    try:
        yield
    finally:
        if not conn.closed:
            conn.row_factory, conn.cursor_factory = rows, cursors


def _check_encoding(conn: psycopg.Connection[Any], where: str) -> None:
    """Refuse (StoreError) a database not in UTF8, or a session not speaking UTF8.

    The documents are ``jsonb`` read as UTF-8: in a database of another encoding (``EUC_JP``)
    or a session whose ``client_encoding`` is another (``SJIS``, set for a legacy application),
    orders were stored that could not be read back, and names outside that encoding (髙, an
    emoji) failed with ``UnicodeEncodeError``. The sessions opened from a conninfo ask for UTF8;
    the server says both encodings at the start of the session (no statement is run).
    """
    server = conn.info.parameter_status("server_encoding")
    if server is not None and server != "UTF8":
        raise StoreError(
            f"{where}: the database's encoding is {server}; orderflow needs a UTF8 database "
            "(CREATE DATABASE … ENCODING 'UTF8')"
        )
    if conn.info.encoding != "utf-8":
        client = conn.info.parameter_status("client_encoding")
        raise StoreError(
            f"{where}: the connection's client_encoding is {client}; orderflow needs UTF8 "
            "(connect with client_encoding=UTF8, or give a conninfo)"
        )


def said(failed: psycopg.Error) -> str:
    """What the server or driver said, without the detail and context that may quote data."""
    primary = failed.diag.message_primary
    if primary:
        state = failed.diag.sqlstate
        return f"{primary} (SQLSTATE {state})" if state else primary
    lines = str(failed).strip().splitlines()
    return lines[0] if lines else type(failed).__name__


def _asynchronous(connection: Any) -> bool:
    """Whether a pool's ``connection`` is an ``async with`` one (``AsyncConnectionPool``)."""
    plain = inspect.unwrap(connection)
    return inspect.isasyncgenfunction(plain) or inspect.iscoroutinefunction(plain)


class Connections:
    """Hands out a connection for one block of work, from whatever the host gave.

    ``owner`` names the object in the :class:`StoreError` messages of a block told ``what`` it
    does.
    """

    def __init__(self, source: Source, *, owner: str = "PostgreSQL") -> None:
        if isinstance(source, str):
            if not source.strip():
                raise InvalidValue("source", source, "a PostgreSQL conninfo or URI")
        elif not isinstance(source, psycopg.Connection) and not callable(
            getattr(source, "connection", None)
        ):
            raise InvalidValue(
                "source", type(source).__name__, "a conninfo, a psycopg Connection or a pool"
            )
        elif not isinstance(source, psycopg.Connection) and _asynchronous(source.connection):
            raise InvalidValue(
                "source",
                type(source).__name__,
                "a synchronous pool (psycopg_pool.ConnectionPool; an asyncio pool's connections "
                "cannot serve orderflow's calls), a psycopg Connection or a conninfo",
            )
        self.name = owner
        self._source = source
        self._local = threading.local()
        self._lock = (
            _lock_of(source) if isinstance(source, psycopg.Connection) else threading.RLock()
        )
        self._owned: list[tuple[threading.Thread, psycopg.Connection[Any]]] = []
        self._pid = os.getpid()
        self._closed = False

    @contextmanager
    def connection(self, what: str | None = None) -> Iterator[psycopg.Connection[Any]]:
        """A connection for the block (the thread's own, the shared one, or the pool's).

        A :class:`psycopg.Error` in the block becomes a StoreError: ``"<owner> <what> failed:
        …"`` when told ``what``, else ``"PostgreSQL refused: …"``.
        """
        if self._closed:
            raise StoreError(f"{self.name} is closed")
        source = self._source
        try:
            if isinstance(source, str):
                yield self._own(source)
            elif isinstance(source, psycopg.Connection):
                if os.getpid() != self._pid:
                    raise StoreError(
                        f"{self.name}: the psycopg Connection it was given belongs to the parent "
                        "process; in a forked child open the store anew (or give a conninfo)"
                    )
                with self._lock, _plain(source):
                    yield source
            else:
                with source.connection() as conn, _plain(conn):
                    yield conn
        except psycopg.Error as failed:
            doing = "PostgreSQL refused" if what is None else f"{self.name} {what} failed"
            raise StoreError(f"{doing}: {said(failed)}") from failed

    @contextmanager
    def transaction(self, what: str | None = None) -> Iterator[psycopg.Connection[Any]]:
        """A connection inside one transaction, committed if the block ends normally.

        ``READ COMMITTED`` whatever the defaults. Refused (StoreError) when the connection is
        closed or already inside a transaction.
        """
        with self.connection(what) as conn:
            self._usable(conn, what)
            with ExitStack() as inside:
                yield self._begin(conn, inside)

    def read(self, sql: str, params: Any, what: str | None = None) -> list[Any]:
        """The rows of one read-only statement (``SELECT``).

        On an autocommit session whose default is ``READ COMMITTED`` (every session opened here
        from a conninfo, and most hosts'), the statement runs alone, as its own transaction: one
        round trip instead of three (``BEGIN``, the statement, ``COMMIT``), and a read stands
        for about half of a lifecycle's transactions. Elsewhere (a pool's connection not in
        autocommit, a session of another default) it runs in a ``READ COMMITTED`` transaction
        like every write. A session of this object's own that the server ended while it was
        idle is opened anew and the statement sent once more (a read changes nothing).
        """
        for attempt in (1, 2):
            with self.connection(what) as conn:
                self._usable(conn, what)
                try:
                    if conn.autocommit and _session_reads_committed(conn):
                        return conn.execute(sql, params).fetchall()
                    with ExitStack() as inside:
                        return self._begin(conn, inside).execute(sql, params).fetchall()
                except psycopg.OperationalError:
                    ended = isinstance(self._source, str) and conn.closed
                    if attempt == 2 or not ended:
                        raise
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _usable(self, conn: psycopg.Connection[Any], what: str | None) -> None:
        """Refuse (StoreError) a closed connection, one not in UTF8, one inside a transaction."""
        if conn.closed:
            raise StoreError(
                f"{self.name} {what or 'work'}: the connection is closed (the server or the "
                "host ended it); give a pool or a conninfo, which open new ones"
            )
        _check_encoding(conn, f"{self.name} {what or 'work'}")
        if conn.info.transaction_status != TransactionStatus.IDLE:
            raise StoreError(
                f"{self.name} {what or 'work'}: the connection is inside a transaction; "
                "give an idle (or autocommit) connection"
            )

    def _begin(self, conn: psycopg.Connection[Any], inside: ExitStack) -> psycopg.Connection[Any]:
        """Begin a ``READ COMMITTED`` transaction in ``inside``; the connection it is on.

        A session of this object's own that the server ended while it was idle (a restart, a
        fail-over, ``idle_session_timeout``) fails at ``BEGIN``, before anything of the work
        reached it: the transaction is begun once more on a new session, rather than the
        thread's next call failing.
        """
        try:
            inside.enter_context(conn.transaction())
        except psycopg.OperationalError:
            if not (isinstance(self._source, str) and conn.closed):
                raise
            conn = self._own(self._source)
            inside.enter_context(conn.transaction())
        level = conn.isolation_level
        if level is None and _session_reads_committed(conn):
            return conn  # the session's default is READ COMMITTED: BEGIN began one
        if level != IsolationLevel.READ_COMMITTED:
            conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        return conn

    def _own(self, conninfo: str) -> psycopg.Connection[Any]:
        self._forget_the_parent()
        local = self._local
        conn: psycopg.Connection[Any] | None = getattr(local, "conn", None)
        if conn is not None and not conn.closed:
            return conn
        conn = psycopg.connect(conninfo, autocommit=True, client_encoding="UTF8")
        conn.isolation_level = IsolationLevel.READ_COMMITTED  # in its BEGIN: no statement more
        try:  # and a lone read (Connections.read) too, whatever the database's default
            conn.execute("SET default_transaction_isolation = 'read committed'")
        except BaseException:
            conn.close()
            raise
        _SESSION_READS_COMMITTED[conn] = True
        local.conn = conn
        with self._lock:
            ended = [c for thread, c in self._owned if not thread.is_alive()]
            self._owned = [(t, c) for t, c in self._owned if t.is_alive() and not c.closed]
            self._owned.append((threading.current_thread(), conn))
        for old in ended:  # their threads are gone: nobody else will ever close them
            with suppress(psycopg.Error):
                old.close()
        return conn

    def _forget_the_parent(self) -> None:
        """In a forked child: drop the parent's connections without closing them.

        Closing one here would end the parent's session (the socket is shared); they are kept
        referenced so that nothing ever closes them in this process.
        """
        if os.getpid() == self._pid:
            return
        if isinstance(self._source, str):
            _ABANDONED.extend(conn for _, conn in self._owned)
            self._owned = []
            self._local = threading.local()
            self._lock = threading.RLock()
            self._pid = os.getpid()

    def close(self, *, final: bool = False) -> None:
        """Close the connections opened here (not the host's connection or pool).

        Used again, it opens new ones; after ``close(final=True)`` it raises StoreError.
        """
        self._closed = self._closed or final
        self._forget_the_parent()
        with self._lock:
            owned, self._owned = self._owned, []
        for _, conn in owned:
            with suppress(psycopg.Error):
                conn.close()
        self._local = threading.local()
