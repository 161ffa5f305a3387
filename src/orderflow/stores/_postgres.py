"""PostgreSQL connections as orderflow's stores use them.

From the host's pool, one connection, or a conninfo string (then one connection per thread,
opened here). Pooling is the host's job: give a ``psycopg_pool.ConnectionPool`` (anything with a
``connection()`` context manager) when you have one. A single ``psycopg.Connection`` is used by
one thread at a time (a lock). With a conninfo string each thread opens its own connection.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

import psycopg

from orderflow.errors import InvalidValue, StoreError


class PoolLike(Protocol):
    """What orderflow needs of a connection pool: ``with pool.connection() as conn``."""

    def connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A connection for the block, given back to the pool after it."""
        ...


Source = str | psycopg.Connection[Any] | PoolLike


class Connections:
    """Hands out a connection for one block of work, from whatever the host gave."""

    def __init__(self, source: Source) -> None:
        if isinstance(source, str):
            if not source:
                raise InvalidValue("conninfo", source, "a PostgreSQL conninfo or URI")
        elif not isinstance(source, psycopg.Connection) and not callable(
            getattr(source, "connection", None)
        ):
            raise InvalidValue(
                "connection", type(source).__name__, "a conninfo, a psycopg Connection or a pool"
            )
        self._source = source
        self._local = threading.local()
        self._lock = threading.RLock()
        self._owned: list[psycopg.Connection[Any]] = []

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection for the block (the thread's own, the shared one, or the pool's)."""
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
            raise StoreError(f"PostgreSQL refused: {failed}") from failed

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection inside one transaction, committed if the block ends normally."""
        with self.connection() as conn, conn.transaction():
            yield conn

    def _own(self, conninfo: str) -> psycopg.Connection[Any]:
        local = self._local
        conn: psycopg.Connection[Any] | None = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid() and not conn.closed:
            return conn
        conn = psycopg.connect(conninfo, autocommit=True)
        local.conn, local.pid = conn, os.getpid()
        with self._lock:
            self._owned.append(conn)
        return conn

    def close(self) -> None:
        """Close the connections opened here (not the host's connection or pool)."""
        with self._lock:
            owned, self._owned = self._owned, []
        for conn in owned:
            conn.close()
        self._local = threading.local()
