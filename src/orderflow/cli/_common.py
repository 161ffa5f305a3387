"""What every command shares: exit codes, refusals, ``--db`` (SQLite or PostgreSQL), progress."""

from __future__ import annotations

import argparse
import enum
import math
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from orderflow.cli._messages import POSTGRES_SCHEMES, describe_db, is_configuration, is_postgres
from orderflow.desk import OrderDesk
from orderflow.domain.bounds import MAX_SPAN
from orderflow.errors import StoreError
from orderflow.settings import ShopSettings

if TYPE_CHECKING:
    from orderflow.stores import (
        PostgresInventory,
        PostgresPurchaseOrderStore,
        PostgresStore,
        SQLiteInventory,
        SQLitePurchaseOrderStore,
        SQLiteStore,
    )

__all__ = [
    "POSTGRES_SCHEMES",
    "ExitCode",
    "OutputClosed",
    "Progress",
    "Refused",
    "check_out",
    "describe_db",
    "is_postgres",
    "length_of_time",
    "open_desk",
    "open_inventory",
    "open_purchase_orders",
    "open_storage",
    "open_store",
]


class ExitCode(enum.IntEnum):
    """The exit codes of ``python -m orderflow``, for cron and schedulers."""

    OK = 0
    """Done: nothing is left for a person."""
    WORK_LEFT = 1
    """Done what could be done; work is left or needs an operator (pending effects,
    unmatched transfers, a label an order's data does not fit)."""
    USAGE = 2
    """Bad usage or configuration: a missing file, a bad date, psycopg not installed."""
    UNAVAILABLE = 3
    """An outside system is down: the database refused or could not be reached."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C (SIGINT): what was done is saved and counts once; run it again."""
    OUTPUT_CLOSED = 141
    """Stopped because standard output's reader went away (``… | head``), quietly, as a
    process stopped by SIGPIPE: what was done is saved and counts once."""


class OutputClosed(Exception):
    """Standard output's reader went away: the command stops quietly (not a provider down)."""


class Refused(Exception):
    """A command stops with ``code`` and tells why on stderr (never a traceback)."""

    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_LONGEST = MAX_SPAN
"""The longest length of time an option takes (ten years, the desk's own bound: 3650 days)."""


def length_of_time(unit: str, *, zero: bool = False) -> Callable[[str], float]:
    """An argparse ``type`` for a number of ``unit`` (``hours``, ``minutes``).

    More than 0 (or 0 and more with ``zero``), finite, at most ten years; anything else is a
    usage error (exit 2) naming the option.
    """

    def parse(text: str) -> float:
        least = "0 or more" if zero else "more than 0"
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of {unit}: {text!r}") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            raise argparse.ArgumentTypeError(f"expected {least} {unit}, got {text!r}")
        if value > _LONGEST / timedelta(**{unit: 1}):
            raise argparse.ArgumentTypeError(f"expected at most ten years, got {text} {unit}")
        return value

    return parse


def _postgres(name: str) -> Any:
    """A PostgreSQL store of ``orderflow.stores`` by name; refused (exit 2) without psycopg."""
    try:
        import psycopg  # noqa: F401  (checked here so the message names the extra)

        from orderflow import stores
    except ImportError as missing:
        raise Refused(
            ExitCode.USAGE,
            f"--db: a PostgreSQL URL needs psycopg, which is not installed ({missing}); "
            "install it with: pip install 'psycopg[binary]>=3.2' (orderflow's postgres extra; "
            "the orderflow on PyPI is another project)",
        ) from None
    return getattr(stores, name)


def _postgres_url(db: str) -> str:
    """``db`` if libpq can read it; a malformed URL is configuration (exit 2), not a failure."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    db = db.strip()
    scheme, sep, rest = db.partition("://")
    db = scheme.lower() + sep + rest  # POSTGRESQL:// is the same URL to a person
    try:
        conninfo_to_dict(db)
    except ProgrammingError as malformed:  # the message is masked when told (run)
        message = f"--db: not a PostgreSQL URL libpq reads: {malformed}"
        raise Refused(ExitCode.USAGE, message) from None
    return db


_SQLITE_HEADER = b"SQLite format 3\x00"


def _sqlite_path(db: str, *, create: bool) -> str:
    path = Path(db)
    if path.is_file():
        with path.open("rb") as file:
            head = file.read(len(_SQLITE_HEADER))
        if head and head != _SQLITE_HEADER:  # an empty file is an empty database
            raise Refused(ExitCode.USAGE, f"--db: {db!r} is not a SQLite file")
        if head and not _ours_or_empty(db):
            raise Refused(
                ExitCode.USAGE,
                f"--db: {db!r} holds another application's tables and none of orderflow's "
                "(a shop's SQLiteStore makes them when it first opens its file)",
            )
    elif not create:
        raise Refused(ExitCode.USAGE, f"--db: no SQLite file at {db!r}")
    elif path.exists():
        raise Refused(ExitCode.USAGE, f"--db: {db!r} is not a file")
    elif not path.parent.is_dir():
        raise Refused(ExitCode.USAGE, f"--db: no folder {str(path.parent)!r} to make {db!r} in")
    return db


_OURS: dict[str, frozenset[str]] = {
    "orders": frozenset({"number", "version", "document"}),
    "stock": frozenset({"warehouse", "sku", "on_hand", "reserved"}),
    "stock_movements": frozenset({"key", "kind", "requested", "done"}),
}
"""Tables orderflow makes, with columns of theirs that tell them from another's of that name."""


def _ours_or_empty(db: str) -> bool:
    """Whether the SQLite file ``db`` has orderflow's tables, or no table at all (read only).

    A table is orderflow's by its name and its columns (another application may have a
    ``stock`` table too), or the file has ``orderflow_schema``. The commands never make
    orderflow's tables in a file another application keeps (a wrong ``--db``); a file they
    cannot read is left to the store's own refusal.
    """
    try:
        conn = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            columns = {
                name: {r[1] for r in conn.execute(f"PRAGMA table_info({name})")}
                for name in _OURS
                if name in names
            }
        finally:
            conn.close()
    except sqlite3.Error:
        return True
    if not names or "orderflow_schema" in names:
        return True
    return any(_OURS[name] <= found for name, found in columns.items())


def check_out(out: str | None, db: str) -> None:
    """Refuse (exit 2) an ``--out`` that is the ``--db`` SQLite file or one of its companions.

    A swapped or mistyped option would write a CSV over the shop's database (or its journal).
    """
    if not out or is_postgres(db) or not Path(out).exists():
        return
    for companion in ("", "-wal", "-shm", "-journal"):
        try:
            same = Path(db + companion).exists() and Path(out).samefile(db + companion)
        except OSError:
            continue
        if same:
            what = f"the --db file's {companion} file" if companion else "the --db file"
            raise Refused(
                ExitCode.USAGE,
                f"--out {out}: is {what} ({db!r}): refusing to write over the shop's database",
            )


def open_store(db: str, *, create: bool = False) -> SQLiteStore | PostgresStore:
    """The order store of ``--db``: a ``SQLiteStore`` on the file, or a ``PostgresStore``.

    A SQLite file must exist unless ``create``; a PostgreSQL database gets its tables if they are
    missing. Close it after use (``store.close()``).
    """
    store: SQLiteStore | PostgresStore = _open(db, "Store", create)
    return store


def open_inventory(db: str, *, create: bool = False) -> SQLiteInventory | PostgresInventory:
    """The stock of ``--db``: a ``SQLiteInventory`` or a ``PostgresInventory``."""
    inventory: SQLiteInventory | PostgresInventory = _open(db, "Inventory", create)
    return inventory


def open_purchase_orders(
    db: str, *, create: bool = False
) -> SQLitePurchaseOrderStore | PostgresPurchaseOrderStore:
    """The purchase orders (発注) of ``--db``: a SQLite or PostgreSQL purchase-order store."""
    kept: SQLitePurchaseOrderStore | PostgresPurchaseOrderStore = _open(
        db, "PurchaseOrderStore", create
    )
    return kept


def _open(db: str, part: str, create: bool) -> Any:
    """``SQLite<part>`` on the file ``db``, or ``Postgres<part>`` on the URL."""
    if is_postgres(db):
        with _refused_tables():
            return _postgres(f"Postgres{part}")(_postgres_url(db))
    from orderflow import stores

    path = _sqlite_path(db, create=create)
    with _opening(path):
        return getattr(stores, f"SQLite{part}")(path)


_ERROR = 1
"""SQLITE_ERROR while orderflow makes its tables: a table of the same name that is not
orderflow's (``no such column``); running again will not help."""


@contextmanager
def _refused_tables() -> Iterator[None]:
    """Opening orderflow's tables in a PostgreSQL database: its own refusals are configuration.

    Tables of another application or of a newer orderflow, a database not in UTF8 (a
    ``StoreError`` with no driver error under it) exit 2, as for a SQLite file; the server's
    errors are judged by :func:`is_configuration` (down: 3).
    """
    try:
        yield
    except StoreError as failed:
        if failed.__cause__ is None:
            raise Refused(ExitCode.USAGE, f"--db: {failed}") from None
        raise


@contextmanager
def _opening(path: str) -> Iterator[None]:
    """Opening orderflow's tables in a SQLite file: a file they do not fit is configuration.

    Tables of the same names that another application made (``no such column``) or a newer
    orderflow made cannot be fixed by running again: exit 2 naming ``--db``; a busy file is 3.
    """
    try:
        yield
    except StoreError as failed:
        cause = failed.__cause__
        if cause is None or is_configuration(failed):  # refused as a newer orderflow's
            raise Refused(ExitCode.USAGE, f"--db: {failed}") from None
        if isinstance(cause, sqlite3.Error) and (cause.sqlite_errorcode & 0xFF) == _ERROR:
            raise Refused(ExitCode.USAGE, f"--db: {failed}") from None  # no such column …
        raise  # busy, a full disk, an I/O error: run again later


@contextmanager
def open_desk(db: str, now: datetime | None = None) -> Iterator[OrderDesk]:
    """A desk on ``--db`` (orders and stock), every provider a bundled fake.

    ``db`` is a SQLite file's path (it must exist) or a PostgreSQL URL; the purchase orders are
    kept there too (a drop-ship shipment instructed makes one). The fakes' clock reads
    ``now`` (the wall clock when None); the warehouses are the demo's (``TOKYO``, ``OSAKA``).
    """
    from orderflow.testing import FixedClock
    from orderflow.testing.shop import desk_on, fake_shop

    moment = datetime.now(UTC) if now is None else now.astimezone(UTC)
    clock = FixedClock(moment)  # the clock the fakes share (any --now, before 2026 too)
    shop = fake_shop(settings=ShopSettings(warehouses=("TOKYO", "OSAKA")), clock=clock)
    with open_storage(db) as (store, inventory):
        kept = open_purchase_orders(db)  # 発注 are data of the file, not of the fakes
        try:
            yield desk_on(shop, store=store, inventory=inventory, purchase_orders=kept)
        finally:
            kept.close()


@contextmanager
def open_storage(
    db: str,
) -> Iterator[tuple[SQLiteStore | PostgresStore, SQLiteInventory | PostgresInventory]]:
    """The order store and the stock of ``--db``, both closed when the block ends."""
    with ExitStack() as stack:
        store = open_store(db)
        stack.callback(store.close)
        inventory = open_inventory(db)
        stack.callback(inventory.close)
        yield store, inventory


class Progress:
    """A one-line progress bar on stderr: ``resume [########------] 120/300``.

    Shown only when ``enabled`` (by default: when the stream is a terminal), so cron's mail and
    a log file get none of it. Redrawn at most ten times a second, and once at :meth:`close`.
    """

    WIDTH = 30

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        enabled: bool | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(callable(isatty) and isatty()) if enabled is None else enabled
        self.label = label
        self.total = total
        self.done = 0
        self._drawn = 0.0
        self._shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def advance(self, count: int = 1) -> None:
        """``count`` more items done."""
        self.done += count
        if time.monotonic() - self._drawn >= 0.1:
            self._draw()

    def close(self) -> None:
        """Draw the last state and end the line."""
        if self.enabled and self._shown:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False

    def _draw(self) -> None:
        if not self.enabled:
            return
        self._drawn = time.monotonic()
        if self.total:
            filled = min(self.WIDTH, self.WIDTH * self.done // self.total)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            line = f"{self.label} [{bar}] {self.done}/{self.total}"
        else:
            line = f"{self.label} {self.done}"
        self.stream.write(f"\r\x1b[K{line}")
        self.stream.flush()
        self._shown = True
