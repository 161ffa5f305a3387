"""The shop's scheduled work on a SQLite file: ``resume``, ``sweep``, ``export-journal``.

Every provider (card gateway, bank, carriers' APIs, accounting, notices) is one of the bundled
fakes, as in the demo: these commands show the calls and run them on a real file, but a real shop
wires its own adapters by writing a small script with the same calls (``docs/cli.md``).

Exit codes a scheduler understands: 0 done, 1 work left (effects still pending), 2 bad usage
(a missing file, a bad date).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from orderflow.desk import OrderDesk
from orderflow.domain.booking import JournalEntry, recognition_date, sale_entry
from orderflow.domain.queues import QueueQuery
from orderflow.domain.status import OrderStatus
from orderflow.journals import export_freee, export_moneyforward, export_yayoi
from orderflow.settings import ShopSettings

__all__ = ["COMMANDS", "add_commands", "booked_sale_entries", "open_desk", "run"]

COMMANDS = ("resume", "sweep", "export-journal")
"""The subcommands this module adds to ``python -m orderflow``."""

_FAKES = (
    "Providers are the bundled fakes (as in the demo); a real shop runs the same calls on its "
    "own adapters from a small script (docs/cli.md)."
)
_EXPORTS: dict[str, Callable[..., bytes]] = {
    "yayoi": export_yayoi,
    "freee": export_freee,
    "mf": export_moneyforward,
}


@contextmanager
def open_desk(db: str, now: datetime | None = None) -> Iterator[OrderDesk]:
    """A desk on the SQLite file ``db`` (orders and stock), every provider a bundled fake.

    The fakes' clock reads ``now`` (the wall clock when None); the warehouses are the demo's
    (``TOKYO``, ``OSAKA``). The file must exist: :func:`run` refuses a missing one first.
    """
    from orderflow.stores import SQLiteInventory, SQLiteStore
    from orderflow.testing.shop import desk_on, fake_shop

    shop = fake_shop(settings=ShopSettings(warehouses=("TOKYO", "OSAKA")))
    moment = datetime.now(UTC) if now is None else now.astimezone(UTC)
    shop.clock.advance(moment - shop.clock.now())  # the clock the fakes share
    with SQLiteStore(db) as store:
        yield desk_on(shop, store=store, inventory=SQLiteInventory(db))


def booked_sale_entries(desk: OrderDesk) -> list[JournalEntry]:
    """The sale entry of every booked order, rebuilt from the order under the desk's settings.

    The store keeps orders, not the entries posted to accounting: each entry is made again
    with :func:`~orderflow.domain.booking.sale_entry`, dated as :meth:`book` dates it. It is
    the posted entry only if the tax rule, the account map and the recognition basis are the
    ones the order was booked under; the 売上戻り entries of returns are not included.
    """
    settings = desk.settings
    zone = ZoneInfo(settings.zone)
    entries: list[JournalEntry] = []
    query = QueueQuery.by_status(OrderStatus.BOOKED)
    after: str | None = None
    while numbers := desk.queue(query, after=after, limit=500):
        for number in numbers:
            order = desk.get(number)
            on = recognition_date(order, settings.recognition, zone)
            entries.append(sale_entry(order, settings.tax, settings.accounts, on))
        after = numbers[-1]
    return entries


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time (ISO 8601): {text!r}") from None
    if moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"give the time zone too (+09:00): {text!r}")
    return moment


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``resume``, ``sweep`` and ``export-journal`` to the subcommands of ``main``."""
    resume = commands.add_parser(
        "resume",
        help="finish pending effects (exit 1 if some are still pending)",
        description=f"Finish every order's pending effects (desk.resume_pending). {_FAKES}",
    )
    sweep = commands.add_parser(
        "sweep",
        help="run the periodic sweeps (再オーソリ, konbini expiry, points, 持戻り)",
        description=(
            "Run reauthorize_expiring, expire_unpaid, grant_points_due and sweep_absent, "
            f"printing each one's count. {_FAKES}"
        ),
    )
    sweep.add_argument("--now", type=_moment, help="the time to sweep at (default: now)")
    export = commands.add_parser(
        "export-journal",
        help="write the booked orders' sale entries as a 弥生 / freee / MF import file",
        description=(
            "The database keeps orders, not the journal entries posted to accounting: this "
            "rebuilds each booked order's sale entry (sale_entry) under the default settings, "
            "dated as book() dates it, and writes those dated --from to --to. Returns' 売上戻り "
            f"entries are not included. {_FAKES}"
        ),
    )
    export.add_argument("--from", dest="since", type=_day, required=True, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="until", type=_day, required=True, metavar="YYYY-MM-DD")
    export.add_argument("--format", required=True, choices=sorted(_EXPORTS))
    export.add_argument("--out", required=True, help="the file to write")
    for parser in (resume, sweep, export):
        parser.add_argument("--db", required=True, help="the shop's SQLite file")


def run(args: argparse.Namespace, out: Callable[[str], None] = print) -> int:
    """Run one of :data:`COMMANDS`; returns the exit code (0 ok, 1 work left, 2 bad usage)."""
    if not Path(args.db).is_file():
        print(f"orderflow {args.command}: --db: no SQLite file at {args.db!r}", file=sys.stderr)
        return 2
    if args.command == "export-journal" and args.since > args.until:
        print(f"orderflow export-journal: --from {args.since} is after --to", file=sys.stderr)
        return 2
    with open_desk(args.db, getattr(args, "now", None)) as desk:
        if args.command == "resume":
            return _resume(desk, out)
        if args.command == "sweep":
            return _sweep(desk, out)
        return _export(desk, args, out)


def _resume(desk: OrderDesk, out: Callable[[str], None]) -> int:
    finished = desk.resume_pending()
    left = len(desk.executor.pending())
    out(f"finished {len(finished)}")
    out(f"pending  {left}")
    return 1 if left else 0


def _sweep(desk: OrderDesk, out: Callable[[str], None]) -> int:
    sweeps: list[tuple[str, Callable[[], list[object]]]] = []
    for name in ("reauthorize_expiring", "expire_unpaid", "grant_points_due", "sweep_absent"):
        sweep = getattr(desk, name, None)
        if callable(sweep):
            sweeps.append((name, sweep))
    width = max(len(name) for name, _ in sweeps)
    for name, sweep in sweeps:
        out(f"{name.ljust(width)}  {len(sweep()):>5}")
    return 0


def _export(desk: OrderDesk, args: argparse.Namespace, out: Callable[[str], None]) -> int:
    entries = booked_sale_entries(desk)
    data = _EXPORTS[args.format](entries, since=args.since, until=args.until)
    Path(args.out).write_bytes(data)
    count = sum(1 for e in entries if args.since <= e.date <= args.until)
    out(f"{count} sale entries ({args.since} .. {args.until}) → {args.out} ({args.format})")
    return 0
