"""SQLite connections as orderflow's stores use them: one per thread, WAL, a busy timeout.

Several threads and several processes may open the same file. Each thread gets its own
connection (a connection is never shared between threads; a forked child opens its own), in
autocommit mode; a write is one ``BEGIN IMMEDIATE`` … ``COMMIT`` transaction, so writers queue
on the file's lock (up to the busy timeout) instead of failing half-way.

``":memory:"`` (where the owner allows it) is one private database: one connection, shared by
the threads under a lock that :meth:`Connections.connection` and :meth:`Connections.write` hold
for their block.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from typing import Any

from orderflow.errors import InvalidValue, StoreError
from orderflow.stores._sql import SQLITE_TYPES, record_schema, statements

SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")

FILE_FORMAT = 1
"""``PRAGMA user_version`` of a file orderflow wrote: how it keeps its tables' versions (1: in
``orderflow_schema``, one row per part). A file of a higher format is refused."""


def create_tables(conn: sqlite3.Connection, part: str, version: int, schema: str) -> None:
    """Create the missing tables of ``schema`` (``part``, ``version``) in the caller's write.

    Refuses (:class:`StoreError`) a file of a newer orderflow before touching it: a higher file
    format, or tables of ``part`` of a higher version.
    """
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > FILE_FORMAT:
        raise StoreError(
            f"the file's format is {found}, newer than this orderflow's ({FILE_FORMAT}): "
            "upgrade orderflow"
        )
    record_schema(conn.execute, "?", SQLITE_TYPES, part, version)
    for statement in statements(schema):
        conn.execute(statement)
    if found < FILE_FORMAT:
        conn.execute(f"PRAGMA user_version = {FILE_FORMAT}")


MEMORY = ":memory:"
LONGEST_WAIT = 3600
"""The longest busy timeout, in seconds (SQLite's own is milliseconds in a C int: a larger
value would overflow to no wait at all)."""


class Connections:
    """A connection per thread (and per process) to one SQLite file, or one to ``:memory:``.

    ``schema`` is a script run once in a ``BEGIN IMMEDIATE`` transaction (empty: none), after
    checking that the file's tables of ``part`` are of ``version`` or older
    (:func:`create_tables`).
    ``owner`` names the object in the :class:`StoreError` messages of :meth:`connection` and
    :meth:`write` when they are told ``what`` failed.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float,
        synchronous: str,
        schema: str = "",
        part: str = "",
        version: int = 0,
        memory: bool = False,
        owner: str = "SQLite",
    ) -> None:
        name = os.fspath(path) if isinstance(path, str | os.PathLike) else None
        if not isinstance(name, str) or not name or (name == MEMORY and not memory):
            wanted = "or ':memory:'" if memory else "(not ':memory:')"
            raise InvalidValue("path", path, f"the path of a database file {wanted}")
        if (
            isinstance(busy_timeout, bool)
            or not isinstance(busy_timeout, int | float)
            or not 0 <= busy_timeout <= LONGEST_WAIT
        ):
            raise InvalidValue(
                "busy_timeout", busy_timeout, f"seconds to wait for a lock, 0 to {LONGEST_WAIT}"
            )
        if not isinstance(synchronous, str) or synchronous.upper() not in SYNCHRONOUS:
            raise InvalidValue("synchronous", synchronous, f"one of {', '.join(SYNCHRONOUS)}")
        self.path = name
        self.busy_timeout = float(busy_timeout)
        self.synchronous = synchronous.upper()
        self.memory = name == MEMORY
        self.name = f"{owner}({name!r})"
        self._guard: AbstractContextManager[Any] = (
            threading.RLock() if self.memory else nullcontext()
        )
        """Held for every block in memory mode, where all threads share one connection."""
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._pid = os.getpid()
        self._closed = False
        if schema:
            try:
                with self.write() as conn:
                    create_tables(conn, part, version, schema)
            except sqlite3.Error as failed:
                self.close()
                raise StoreError(f"cannot create the tables in {self.path!r}: {failed}") from failed
            except StoreError as refused:
                self.close()
                raise StoreError(f"{self.path}: {refused}") from refused.__cause__

    def get(self) -> sqlite3.Connection:
        """The calling thread's connection (opened on first use, after a fork too).

        In memory mode, the one shared connection: use it inside :meth:`connection` or
        :meth:`write`, which hold the lock. Raises StoreError once closed for good.
        """
        if self._closed:
            raise StoreError(f"{self.name} is closed")
        if os.getpid() != self._pid:  # forked: the parent's connections are not ours to use
            self._local = threading.local()
            self._lock = threading.Lock()
            self._all = []
            self._pid = os.getpid()
        if self.memory:
            with self._lock:
                if not self._all:
                    self._all.append(self._open())
                return self._all[0]
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def connection(self, what: str | None = None) -> Iterator[sqlite3.Connection]:
        """The thread's connection for a block of reads (in memory mode, under the lock).

        With ``what``, a :class:`sqlite3.Error` in the block becomes a StoreError naming it.
        """
        with self._guard, self._failing(what):
            yield self.get()

    @contextmanager
    def write(self, what: str | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``); rolled back if the block raises.

        Without ``what``, a failure to begin or to commit is a StoreError and errors raised in
        the block pass through unchanged (the caller tells them apart). With ``what``, every
        :class:`sqlite3.Error` (beginning, in the block, committing) becomes a StoreError
        ``"<owner>('<path>'): <what> failed: …"``.
        """
        with self._guard, self._failing(what):
            conn = self.get()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as failed:
                if what is not None:
                    raise
                raise StoreError(f"cannot start a write on {self.path!r}: {failed}") from failed
            try:
                yield conn
            except BaseException:
                self._roll_back(conn)
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as failed:
                self._roll_back(conn)
                if what is not None:
                    raise
                raise StoreError(f"cannot commit a write on {self.path!r}: {failed}") from failed

    def close(self, *, final: bool = False) -> None:
        """Close every connection this object opened (in this process).

        Used again, it opens new ones; after ``close(final=True)`` it raises StoreError.
        """
        self._closed = self._closed or final
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            with suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    @contextmanager
    def _failing(self, what: str | None) -> Iterator[None]:
        if what is None:
            yield
            return
        try:
            yield
        except sqlite3.Error as failed:
            raise StoreError(f"{self.name}: {what} failed: {failed}") from failed

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,  # transactions are begun and committed here, explicitly
                cached_statements=256,
                check_same_thread=False,  # used by one thread; closed by close() from any
            )
        except sqlite3.Error as failed:
            raise StoreError(f"cannot open the SQLite file {self.path!r}: {failed}") from failed
        try:
            if not self.memory:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise sqlite3.OperationalError(f"journal_mode is {mode}, not wal")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as failed:
            conn.close()
            raise StoreError(f"cannot open the SQLite file {self.path!r}: {failed}") from failed
        return conn

    @staticmethod
    def _roll_back(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
