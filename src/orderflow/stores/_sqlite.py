"""SQLite connections as orderflow's stores use them: one per thread, WAL, a busy timeout.

Several threads and several processes may open the same file. Each thread gets its own
connection (a connection is never shared between threads; a forked child opens its own), in
autocommit mode; a write is one ``BEGIN IMMEDIATE`` … ``COMMIT`` transaction, so writers queue
on the file's lock (up to the busy timeout) instead of failing half-way.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orderflow.errors import InvalidValue, StoreError

SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


class Connections:
    """A connection per thread (and per process) to one SQLite file."""

    def __init__(
        self, path: str | Path, *, busy_timeout: float, synchronous: str, schema: str
    ) -> None:
        if not isinstance(path, (str, Path)) or str(path) in ("", ":memory:"):
            raise InvalidValue("path", path, "the path of a database file (not ':memory:')")
        if isinstance(busy_timeout, bool) or not isinstance(busy_timeout, (int, float)):
            raise InvalidValue("busy_timeout", busy_timeout, "seconds to wait for a lock, > 0")
        if not busy_timeout > 0:
            raise InvalidValue("busy_timeout", busy_timeout, "seconds to wait for a lock, > 0")
        if synchronous not in SYNCHRONOUS:
            raise InvalidValue("synchronous", synchronous, f"one of {', '.join(SYNCHRONOUS)}")
        self.path = str(path)
        self.busy_timeout = float(busy_timeout)
        self.synchronous = synchronous
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        try:
            self.get().executescript(f"BEGIN IMMEDIATE;\n{schema}\nCOMMIT;")
        except sqlite3.Error as failed:
            raise StoreError(f"cannot create the tables in {self.path!r}: {failed}") from failed

    def get(self) -> sqlite3.Connection:
        """The calling thread's connection (opened on first use, after a fork too)."""
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            return conn
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,
                cached_statements=256,
                check_same_thread=False,  # used by one thread; closed by close() from any
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as failed:
            raise StoreError(f"cannot open the SQLite file {self.path!r}: {failed}") from failed
        local.conn, local.pid = conn, os.getpid()
        with self._lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``); rolled back if the block raises."""
        conn = self.get()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as failed:
            raise StoreError(f"cannot start a write on {self.path!r}: {failed}") from failed
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as failed:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"cannot commit a write on {self.path!r}: {failed}") from failed

    def close(self) -> None:
        """Close every connection this object opened (in this process)."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
        self._local = threading.local()
