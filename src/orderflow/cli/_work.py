"""The shop's scheduled work: ``resume``, ``sweep``, ``export-journal``.

``resume`` and ``sweep`` call providers (card gateway, bank, carriers' APIs, accounting,
notices): they run on the shop's own desk (``--desk MODULE:FUNCTION``) or, for a demo or test
database, on the bundled fakes (``--fakes``); see :mod:`orderflow.cli._providers`.
``export-journal`` calls none.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from orderflow.cli._common import (
    ExitCode,
    Progress,
    Refused,
    check_out,
    length_of_time,
    open_desk,
)
from orderflow.cli._providers import add_provider_options, open_work_desk
from orderflow.desk import OrderDesk
from orderflow.domain.booking import JournalEntry
from orderflow.domain.bounds import LATEST
from orderflow.domain.journal import posted_entries
from orderflow.domain.queues import QueueQuery
from orderflow.domain.status import OrderStatus
from orderflow.errors import InvalidValue
from orderflow.journals import export_freee, export_moneyforward, export_yayoi

__all__ = [
    "FAKES",
    "PROVIDERS",
    "add_work_commands",
    "booked_entries",
    "day_option",
    "moment_option",
    "pending_count",
    "run_work",
]

FAKES = "It calls no provider: the desk it opens has the bundled fakes (as in the demo)."
"""What a command that needs no provider's answer says of its providers."""
PROVIDERS = (
    "It calls providers: --desk MODULE:FUNCTION runs it on the shop's own desk and adapters, "
    "--fakes on the bundled fakes (a demo or test database only; docs/cli.md)."
)
"""What a command that calls providers says of them."""
_EXPORTS: dict[str, Callable[..., bytes]] = {
    "yayoi": export_yayoi,
    "freee": export_freee,
    "mf": export_moneyforward,
}
_EVERYTHING = timedelta(days=365 * 100)
"""Far enough ahead that a list by time holds every order on it."""


def booked_entries(
    desk: OrderDesk,
    *,
    each: Callable[[str], object] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[JournalEntry]:
    """Every journal entry the booked orders posted, made again from the orders.

    The store keeps orders, not the entries posted to accounting: each order's sale entry (dated
    as it was booked), its returns' 売上戻り and its goodwill refunds' 売上値引 entries are made
    again with :func:`~orderflow.posted_entries`. They are the posted entries if
    the tax rule and the account map are the ones the orders were booked under. ``each`` is
    called with every order number read (a progress bar counts them).

    ``since`` and ``until`` (dates, both included; None: no bound) keep the entries of that
    range alone, so a month's export holds the month's entries, not every entry the shop ever
    posted. With ``since``, only the booked orders that changed since (``QueueQuery.booked_since``:
    one booked long ago with a return this month is one of them) are read, a page at a time;
    without it, every booked order.
    """
    for field, day in (("since", since), ("until", until)):
        if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
            raise InvalidValue(field, day, "a date (not a datetime), or None")
    settings = desk.settings
    zone = ZoneInfo(settings.zone)
    entries: list[JournalEntry] = []
    query = QueueQuery.by_status(OrderStatus.BOOKED)
    if since is not None:  # an entry is dated at or before the day its order last changed
        query = QueueQuery.booked_since(datetime.combine(since, time(0), tzinfo=zone))
    after: str | None = None
    while numbers := desk.queue(query, after=after, limit=500):
        for number in numbers:
            order = desk.get(number)
            entries.extend(
                entry
                for entry in posted_entries(
                    order, settings.tax, settings.accounts, settings.recognition, zone
                )
                if (since is None or since <= entry.date) and (until is None or entry.date <= until)
            )
            if each is not None:
                each(number)
        after = numbers[-1]
    return entries


def pending_count(desk: OrderDesk, older_than: timedelta = timedelta(0)) -> int:
    """How many orders have pending effects (every order on the ``stuck`` list, whenever).

    With ``older_than``, only those whose last step is at least that old: the younger ones are
    their commands' (``resume --older-than`` leaves them alone).
    """
    now = desk.executor.now()
    query = QueueQuery.stuck(now - older_than if older_than else now + _EVERYTHING)
    return desk.executor.work_lists().count(query)


def day_option(text: str) -> date:
    """A ``YYYY-MM-DD`` option's day, 1970-01-01 to 8999-12-31 (else argparse's usage error)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if not _FIRST.date() <= day < LATEST.date():  # as --now: the desk's bounds, a margin kept
        raise argparse.ArgumentTypeError(f"expected a day from 1970-01-01 to 8999-12-31: {text!r}")
    return day


def moment_option(text: str) -> datetime:
    """An ISO 8601 time with its zone, 1970 to before 9000 in UTC (else argparse's usage error)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time (ISO 8601): {text!r}") from None
    if moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"give the time zone too (+09:00): {text!r}")
    try:  # the instant, in UTC, is what the sweeps count from (an offset may cross the year)
        in_range = _FIRST <= moment < LATEST
    except OverflowError:  # 0001-01-01T00:00+09:00: before the calendar in UTC
        in_range = False
    if not in_range:
        raise argparse.ArgumentTypeError(
            f"expected a time from 1970 to before 9000, in UTC: {text!r}"
        )
    return moment


_FIRST = datetime(1970, 1, 1, tzinfo=UTC)
"""The earliest ``--now``: far enough from the calendar's start to count back from."""


def add_work_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    progress: argparse.ArgumentParser,
) -> None:
    """Add ``resume``, ``sweep`` and ``export-journal`` (``common``: ``--db``)."""
    resume = commands.add_parser(
        "resume",
        parents=[common, progress],
        help="finish pending effects (exit 1 if some are still pending)",
        description=f"Finish every order's pending effects (desk.resume_pending). {PROVIDERS}",
    )
    add_provider_options(resume)
    resume.add_argument(
        "--older-than",
        type=length_of_time("seconds", zero=True),
        default=0.0,
        metavar="SECONDS",
        help=(
            "leave alone orders whose last step is younger (a command in a web worker may still "
            "be performing their effects; default 0: take every one)"
        ),
    )
    sweep = commands.add_parser(
        "sweep",
        parents=[common, progress],
        help=(
            "run the periodic sweeps (再オーソリ, konbini expiry, points, 入荷引当, 配送状況, "
            "持戻り)"
        ),
        description=(
            "Run reauthorize_expiring, expire_unpaid, refresh_postpay_reviews, "
            "grant_points_due, fill_backorders, "
            f"poll_carrier_events and sweep_absent, printing each one's count. {PROVIDERS}"
        ),
    )
    add_provider_options(sweep)
    sweep.add_argument("--now", type=moment_option, help="the time to sweep at (default: now)")
    sweep.add_argument(
        "--poll-hours",
        type=length_of_time("hours"),
        default=24.0,
        help="receive the carriers' events of the last N hours (default 24; repeats count once)",
    )
    export = commands.add_parser(
        "export-journal",
        parents=[common, progress],
        help="write the booked orders' journal entries as a 弥生 / freee / MF import file",
        description=(
            "The database keeps orders, not the journal entries posted to accounting: this "
            "makes again each booked order's entries under the default settings (posted_entries: "
            "the sale's, dated as it was booked, its returns' 売上戻り and its goodwill refunds' "
            f"売上値引) and writes those dated --from to --to. {FAKES}"
        ),
    )
    export.add_argument(
        "--from", dest="since", type=day_option, required=True, metavar="YYYY-MM-DD"
    )
    export.add_argument("--to", dest="until", type=day_option, required=True, metavar="YYYY-MM-DD")
    export.add_argument("--format", required=True, choices=sorted(_EXPORTS))
    export.add_argument("--out", required=True, help="the file to write")


def run_work(args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
    """Run ``resume``, ``sweep`` or ``export-journal``."""
    if args.command == "export-journal" and args.since > args.until:
        raise Refused(ExitCode.USAGE, f"--from {args.since} is after --to")
    if args.command == "export-journal":
        check_out(args.out, args.db)
        with open_desk(args.db) as desk:
            return _export(desk, args, out)
    with open_work_desk(args, getattr(args, "now", None)) as desk:
        if args.command == "resume":
            return _resume(desk, args, out)
        return _sweep(desk, args, out)


def _resume(desk: OrderDesk, args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
    older_than = timedelta(seconds=args.older_than)
    with Progress("resume", pending_count(desk), enabled=args.progress) as bar:
        finished = desk.resume_pending(each=lambda _: bar.advance(), older_than=older_than)
    left = pending_count(desk, older_than)  # the younger ones: left to their commands
    out(f"finished {len(finished)}")
    out(f"pending  {left}")
    return ExitCode.WORK_LEFT if left else ExitCode.OK


def _sweep(desk: OrderDesk, args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
    since = desk.executor.now() - timedelta(hours=args.poll_hours)
    left: list[str] = []

    def poll() -> int:
        report = desk.poll_carrier_events(since.astimezone(UTC))
        left.extend(number for number, _ in report.errors)
        return report.applied

    sweeps: list[tuple[str, Callable[[], int]]] = [
        ("reauthorize_expiring", lambda: len(desk.reauthorize_expiring())),
        ("expire_unpaid", lambda: len(desk.expire_unpaid())),
        ("refresh_postpay_reviews", lambda: len(desk.refresh_postpay_reviews())),
        ("grant_points_due", lambda: len(desk.grant_points_due())),
        ("fill_backorders", lambda: len(desk.fill_backorders())),
        ("poll_carrier_events", poll),
        ("sweep_absent", lambda: len(desk.sweep_absent())),
    ]
    width = max(len(name) for name, _ in sweeps)
    counts: list[tuple[str, int]] = []
    with Progress("sweep", len(sweeps), enabled=args.progress) as bar:
        for name, sweep in sweeps:
            bar.label = f"sweep {name}"
            counts.append((name, sweep()))
            bar.advance()
    for name, count in counts:
        out(f"{name.ljust(width)}  {count:>5}")
    return ExitCode.WORK_LEFT if left else ExitCode.OK


def _export(desk: OrderDesk, args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
    total = desk.executor.work_lists().count(QueueQuery.by_status(OrderStatus.BOOKED))
    with Progress("export-journal", total, enabled=args.progress) as bar:
        entries = booked_entries(
            desk, each=lambda _: bar.advance(), since=args.since, until=args.until
        )
    data = _EXPORTS[args.format](entries, since=args.since, until=args.until)
    try:
        Path(args.out).write_bytes(data)
    except OSError as failed:
        raise Refused(ExitCode.USAGE, f"--out {args.out}: {failed.strerror or failed}") from None
    kinds = Counter(_kind(e) for e in entries if args.since <= e.date <= args.until)
    out(
        f"{kinds['sale']} sale entries ({args.since} .. {args.until}) → {args.out} "
        f"({args.format}); {kinds['return']} 売上戻り, {kinds['goodwill']} 売上値引"
    )
    return ExitCode.OK


def _kind(entry: JournalEntry) -> str:
    """``sale``, ``return`` (``1001/R1``) or ``goodwill`` (``1001/G1``), by its reference."""
    _, slash, ident = entry.reference.partition("/")
    if not slash:
        return "sale"
    return "goodwill" if ident.startswith("G") else "return"
