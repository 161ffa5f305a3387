"""PostgreSQL connections as orderflow's stores use them.

From the host's pool, one connection, or a conninfo string (then one connection per thread,
opened here). Pooling is the host's job: give a ``psycopg_pool.ConnectionPool`` (anything with a
``connection()`` context manager) when you have one. A single ``psycopg.Connection`` is used by
one thread at a time (a lock). With a conninfo string each thread opens its own connection
(a forked child opens its own too).

Every block of work is its own transaction, committed at its end: a connection that is already
inside a transaction (the host's ``psycopg.Connection`` not in autocommit mode, left with a
statement run and not committed) is refused with :class:`StoreError` rather than having the
store's writes silently join, and wait for, the host's transaction.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Any, Protocol

import psycopg
from psycopg.pq import TransactionStatus

from orderflow.errors import InvalidValue, StoreError


class PoolLike(Protocol):
    """What orderflow needs of a connection pool: ``with pool.connection() as conn``.

    ``psycopg_pool.ConnectionPool`` has this shape; orderflow does not depend on it.
    """

    def connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A connection for the block, given back to the pool after it."""
        ...


Source = str | psycopg.Connection[Any] | PoolLike


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
        self.name = owner
        self._source = source
        self._local = threading.local()
        self._lock = threading.RLock()
        self._owned: list[psycopg.Connection[Any]] = []
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
                with self._lock:
                    yield source
            else:
                with source.connection() as conn:
                    yield conn
        except psycopg.Error as failed:
            doing = "PostgreSQL refused" if what is None else f"{self.name} {what} failed"
            raise StoreError(f"{doing}: {failed}") from failed

    @contextmanager
    def transaction(self, what: str | None = None) -> Iterator[psycopg.Connection[Any]]:
        """A connection inside one transaction, committed if the block ends normally.

        Refused (StoreError) when the connection is already inside a transaction.
        """
        with self.connection(what) as conn:
            if conn.info.transaction_status != TransactionStatus.IDLE:
                raise StoreError(
                    f"{self.name} {what or 'work'}: the connection is inside a transaction; "
                    "give an idle (or autocommit) connection"
                )
            with conn.transaction():
                yield conn

    def _own(self, conninfo: str) -> psycopg.Connection[Any]:
        if os.getpid() != self._pid:  # forked: the parent's connections are not ours to use
            self._local = threading.local()
            self._lock = threading.RLock()
            self._owned = []
            self._pid = os.getpid()
        local = self._local
        conn: psycopg.Connection[Any] | None = getattr(local, "conn", None)
        if conn is not None and not conn.closed:
            return conn
        conn = psycopg.connect(conninfo, autocommit=True)
        local.conn = conn
        with self._lock:
            self._owned.append(conn)
        return conn

    def close(self, *, final: bool = False) -> None:
        """Close the connections opened here (not the host's connection or pool).

        Used again, it opens new ones; after ``close(final=True)`` it raises StoreError.
        """
        self._closed = self._closed or final
        with self._lock:
            owned, self._owned = self._owned, []
        for conn in owned:
            with suppress(psycopg.Error):
                conn.close()
        self._local = threading.local()
