"""SQLite connections as orderflow's stores use them: one per thread, WAL, a busy timeout.

Several threads and several processes may open the same file. Each thread gets its own
connection (a connection is never shared between threads), in autocommit mode; a write is one
``BEGIN IMMEDIATE`` … ``COMMIT`` transaction, so writers queue on the file's lock (up to the busy
timeout) instead of failing half-way. The connection of a thread that has ended is closed when
another thread opens one (a server starting a thread per request does not pile up open files).

A forked child never uses its parent's connections: right after the fork, the child closes
the parent's connections of every :class:`Connections` object (the parent's stay open), before
anything in the child opens one. SQLite keeps the locks of a file per process: a connection of
the parent left open in the child made the child's new connections believe they held the
file's shared lock, so the parent, closing last, checkpointed and deleted the write-ahead log
the child was still writing to (the child's writes were lost). A connection another thread of
the parent was writing with at the moment of the fork is left alone, never used nor closed:
closing it would roll the parent's write back. SQLite then takes that write's lock for the
child's own, so the child's writes to that file fail (``StoreError``: database is locked) for
its whole life. Fork before threads start writing, as pre-fork servers do.

``":memory:"`` (where the owner allows it) is one private database: one connection, shared by
the threads under a lock that :meth:`Connections.connection` and :meth:`Connections.write` hold
for their block.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from contextlib import nullcontext, suppress

from orderflow.errors import InvalidValue, StoreError
from orderflow.stores._foreign import part_tables, refuse_foreign_tables
from orderflow.stores._sql import SQLITE_TYPES, record_schema, statements

SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")

FILE_FORMAT = 1
"""``PRAGMA user_version`` of a file orderflow wrote: how it keeps its tables' versions (1: in
``orderflow_schema``, one row per part). A file of a higher format is refused."""


STORE_SCHEMA_2 = 2
"""The ``user_version`` the carrier-events release of ``SQLiteStore`` wrote (its schema 2: the
orders with ``order_tracking``), before the versions moved to ``orderflow_schema``. A file with
it and without ``orderflow_schema`` is that older file, not a newer format; a new format is 3 or
more."""


def _made_by_store_schema_2(conn: sqlite3.Connection) -> bool:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return "orderflow_schema" not in tables and {"orders", "order_tracking"} <= tables


def foreign_tables(conn: sqlite3.Connection, columns: dict[str, frozenset[str]]) -> list[str]:
    """The tables of ``columns`` already in the file with other columns (not orderflow's)."""
    foreign = []
    for table, expected in columns.items():
        found = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if found and found != expected:
            foreign.append(table)
    return foreign


def create_tables(
    conn: sqlite3.Connection, part: str, version: int, schema: str, where: str
) -> None:
    """Create the missing tables of ``schema`` (``part``, ``version``) in the caller's write.

    Refuses (:class:`StoreError`) a file of a newer orderflow before touching it: a higher file
    format, or tables of ``part`` of a higher version; and tables of ``part``'s names with other
    columns, another application's (a shop's own ``orders``).
    """
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found == STORE_SCHEMA_2 and _made_by_store_schema_2(conn):
        found = 0  # an older file: its tables are upgraded as any older file's are
    if found > FILE_FORMAT:
        raise StoreError(
            f"{where}: the file's format is {found}, newer than this orderflow's "
            f"({FILE_FORMAT}): upgrade orderflow"
        )
    tables = part_tables(part)
    columns = {t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")} for t in tables}
    refuse_foreign_tables(conn.execute, "?", part, version, columns, where)
    record_schema(conn.execute, "?", SQLITE_TYPES, part, version, where)
    for statement in statements(schema):
        conn.execute(statement)
    if found < FILE_FORMAT:
        conn.execute(f"PRAGMA user_version = {FILE_FORMAT}")


_LIVE: weakref.WeakSet[Connections] = weakref.WeakSet()
"""Every :class:`Connections` object of this process, for the fork hook."""

_ABANDONED: list[sqlite3.Connection] = []
"""Connections a forked child inherited in the middle of a write: kept, never used or closed."""


def _forget_the_parent() -> None:
    """In a forked child, at once: drop the parent's connections of every object."""
    for connections in list(_LIVE):
        connections.forget_the_parent()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_forget_the_parent)


MEMORY = ":memory:"
LONGEST_WAIT = 3600
"""The longest busy timeout, in seconds (SQLite's own is milliseconds in a C int: a larger
value would overflow to no wait at all)."""


class _Slot:
    """A thread's connection, with the lock its thread holds while using it.

    :meth:`Connections.close` may be called from any thread, but never closes a connection
    another thread is using: Python's ``sqlite3`` frees the statements of a connection it closes,
    and a thread running one of them at that moment crashed the whole process (a segmentation
    fault). A connection in use is closed by its own thread when its block ends.
    """

    __slots__ = ("busy", "conn", "depth", "doomed", "thread")

    def __init__(self, conn: sqlite3.Connection, thread: threading.Thread | None) -> None:
        self.conn = conn
        self.thread = thread
        self.busy = threading.RLock()
        self.depth = 0
        """How many blocks of its thread use it now (a read inside a write: 2)."""
        self.doomed = False
        """Closed, or to be closed at the end of its thread's block."""

    def close(self) -> None:
        """Close it now if no block uses it, else when its thread's block ends."""
        self.doomed = True
        if self.busy.acquire(blocking=False):
            try:
                if self.depth == 0:
                    with suppress(sqlite3.Error):
                        self.conn.close()
            finally:
                self.busy.release()


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
        self.memory = name == MEMORY
        self.path = name if self.memory else os.path.abspath(name)
        """The file, made absolute now: a thread (or a forked child) opening its connection
        after the process changed directory opens this very file."""
        self.busy_timeout = float(busy_timeout)
        self.synchronous = synchronous.upper()
        self.name = f"{owner}({self.path!r})"
        self._guard = threading.RLock() if self.memory else None
        """Held for every block in memory mode, where all threads share one connection."""
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[_Slot] = []
        """Each connection opened, with its thread (None: memory mode's shared one)."""
        self._pid = os.getpid()
        self._closed = False
        _LIVE.add(self)
        if schema:
            try:
                with self.write() as conn:
                    create_tables(conn, part, version, schema, self.path)
            except sqlite3.Error as failed:
                self.close()
                raise StoreError(f"cannot create the tables in {self.path!r}: {failed}") from failed
            except BaseException:
                self.close()
                raise

    def get(self) -> sqlite3.Connection:
        """The calling thread's connection (opened on first use, after a fork too).

        In memory mode, the one shared connection: use it inside :meth:`connection` or
        :meth:`write`, which hold the lock (and so does :meth:`close`). Raises StoreError once
        closed for good.
        """
        return self._slot().conn

    def _slot(self) -> _Slot:
        if self._closed:
            raise StoreError(f"{self.name} is closed")
        self.forget_the_parent()  # the fork hook did it already; a fork without hooks too
        if self.memory:
            with self._lock:
                if not self._all:
                    self._all.append(_Slot(self._open(), None))
                return self._all[0]
        slot: _Slot | None = getattr(self._local, "slot", None)
        if slot is None or (slot.doomed and slot.depth == 0):
            slot = _Slot(self._open(), threading.current_thread())
            self._local.slot = slot
            with self._lock:
                ended = [s for s in self._all if s.thread is not None and not s.thread.is_alive()]
                self._all = [s for s in self._all if s.thread is None or s.thread.is_alive()]
                self._all.append(slot)
            for old in ended:  # their threads are gone: nobody else will ever close them
                old.close()
        return slot

    def _hold(self) -> _Slot:
        """The thread's slot, held for a block (:meth:`close` leaves it open until it ends)."""
        while True:
            slot = self._slot()
            slot.busy.acquire()
            if not slot.doomed or slot.depth:
                break
            slot.busy.release()  # closed meanwhile by another thread: the next is a new one
        slot.depth += 1
        return slot

    def forget_the_parent(self) -> None:
        """In a forked child: close the parent's connections here (the parent's stay open).

        A connection inside a transaction (another thread of the parent was writing at the
        moment of the fork) is neither used nor closed: closing it would roll the parent's
        write back in the file's shared index. A no-op in the process that opened them.
        """
        if os.getpid() == self._pid:
            return
        inherited, self._all = self._all, []
        self._local = threading.local()
        self._lock = threading.Lock()
        if self.memory:
            self._guard = threading.RLock()
        self._pid = os.getpid()
        for slot in inherited:
            if slot.conn.in_transaction:
                _ABANDONED.append(slot.conn)
                continue
            with suppress(sqlite3.Error):
                slot.conn.close()

    def connection(self, what: str | None = None) -> _Block:
        """The thread's connection for a block of reads (in memory mode, under the lock).

        With ``what``, a :class:`sqlite3.Error` in the block becomes a StoreError naming it.
        """
        return _Block(self, what, writing=False)

    def write(self, what: str | None = None) -> _Block:
        """One write transaction (``BEGIN IMMEDIATE``); rolled back if the block raises.

        Without ``what``, a failure to begin or to commit is a StoreError and errors raised in
        the block pass through unchanged (the caller tells them apart). With ``what``, every
        :class:`sqlite3.Error` (beginning, in the block, committing) becomes a StoreError
        ``"<owner>('<path>'): <what> failed: …"``.
        """
        return _Block(self, what, writing=True)

    def close(self, *, final: bool = False) -> None:
        """Close every connection this object opened (in this process).

        Used again, it opens new ones; after ``close(final=True)`` it raises StoreError.
        A connection another thread is using at that moment is closed by that thread when its
        block ends (in memory mode, close waits for the block).
        """
        self._closed = self._closed or final
        self.forget_the_parent()
        with self._guard or nullcontext():
            with self._lock:
                slots, self._all = self._all, []
            for slot in slots:
                slot.close()
            self._local = threading.local()

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
            raise StoreError(
                f"cannot open the SQLite file {self.path!r}: {failed}{self._why_not(failed)}"
            ) from failed
        try:
            if not self.memory:
                mode = self._wal(conn)
                if str(mode).lower() != "wal":
                    raise sqlite3.OperationalError(f"journal_mode is {mode}, not wal")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as failed:
            conn.close()
            raise StoreError(f"cannot open the SQLite file {self.path!r}: {failed}") from failed
        return conn

    def _why_not(self, failed: sqlite3.Error) -> str:
        """What the file's folder says of a file SQLite could not open ("" if nothing)."""
        folder = os.path.dirname(self.path)
        if self.memory or os.path.exists(self.path) or not folder:
            return ""
        if not os.path.isdir(folder):
            return f" (the folder {folder!r} does not exist: make it, or give another path)"
        if not os.access(folder, os.W_OK):
            return f" (the folder {folder!r} is not writable, and the file must be made there)"
        return ""

    def _wal(self, conn: sqlite3.Connection) -> object:
        """``PRAGMA journal_mode=WAL``, tried again while the file is busy, up to the timeout.

        Turning a new file to WAL needs the file to itself, and SQLite answers "database is
        locked" at once rather than wait in its busy handler when several processes open a new
        file at the same moment.
        """
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                return conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            except sqlite3.OperationalError as busy:
                if "locked" not in str(busy) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.01)

    def explain(self, failed: sqlite3.Error) -> str:
        """``failed``'s message; for a lock still held after the busy timeout, why and what to do.

        The usual cause is a transaction of the host's own on the same file (Django's
        ``transaction.atomic()`` after a write) or another process writing for that long.
        """
        if getattr(failed, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return (
                f"{failed} (another connection kept the file's write lock longer than "
                f"busy_timeout={self.busy_timeout:g} s: a transaction of your own open on this "
                "file, such as Django's transaction.atomic() after a write, or a long write of "
                "another process; call orderflow outside such a transaction, or raise "
                "busy_timeout)"
            )
        return str(failed)

    @staticmethod
    def _roll_back(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")


class _Block:
    """One block of :meth:`Connections.connection` or :meth:`Connections.write`.

    A plain class rather than nested generator context managers: every read and every write of
    the stores passes here, and three stacked ``contextmanager`` blocks cost about 3 µs, as much
    as the indexed read inside them.
    """

    __slots__ = ("_conn", "_db", "_guard", "_slot", "_what", "_writing")

    def __init__(self, db: Connections, what: str | None, *, writing: bool) -> None:
        self._db = db
        self._what = what
        self._writing = writing
        self._guard = db._guard
        self._slot: _Slot | None = None

    def __enter__(self) -> sqlite3.Connection:
        db = self._db
        guard = self._guard
        if guard is not None:  # memory mode: the one connection, under the lock
            guard.acquire()
        try:
            if guard is None:
                self._slot = slot = db._hold()
            else:
                slot = db._slot()
            self._conn = conn = slot.conn
            if self._writing:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as failed:
                    if self._what is None:
                        raise StoreError(
                            f"cannot start a write on {db.path!r}: {db.explain(failed)}"
                        ) from failed
                    raise self._failed(failed) from failed
        except BaseException:
            self._release()
            raise
        return conn

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        failed = error
        try:
            if self._writing:
                conn = self._conn
                if error is not None:
                    Connections._roll_back(conn)
                else:
                    try:
                        conn.execute("COMMIT")
                    except sqlite3.Error as not_committed:
                        Connections._roll_back(conn)
                        if self._what is None:
                            raise StoreError(
                                f"cannot commit a write on {self._db.path!r}: "
                                f"{self._db.explain(not_committed)}"
                            ) from not_committed
                        failed = not_committed
        finally:
            self._release()
        if isinstance(failed, sqlite3.Error) and self._what is not None:
            raise self._failed(failed) from failed

    def _failed(self, failed: sqlite3.Error) -> StoreError:
        return StoreError(f"{self._db.name}: {self._what} failed: {self._db.explain(failed)}")

    def _release(self) -> None:
        slot, self._slot = self._slot, None
        if slot is not None:
            slot.depth -= 1
            if not slot.depth and slot.doomed:
                with suppress(sqlite3.Error):
                    slot.conn.close()
            slot.busy.release()
        if self._guard is not None:
            self._guard.release()
