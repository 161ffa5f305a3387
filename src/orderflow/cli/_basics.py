"""``demo``, ``diagram``, ``queues`` and ``adapters``: the commands that change nothing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from orderflow.cli._common import ExitCode, length_of_time, open_store
from orderflow.cli._messages import one_line

__all__ = ["add_basic_commands", "print_queues", "run_basic"]


def add_basic_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``demo``, ``diagram``, ``queues`` and ``adapters``."""
    from orderflow.i18n import LOCALES

    demo = commands.add_parser("demo", help="take a few orders through the flow on fakes")
    demo.add_argument("--locale", default="ja", choices=LOCALES)
    demo.add_argument(
        "--db",
        help="keep the orders and the stock in this SQLite file (made if missing) or PostgreSQL",
    )
    commands.add_parser("diagram", help="print the status machine as Mermaid")
    queues = commands.add_parser(
        "queues", parents=[common], help="count the orders on each work list"
    )
    queues.add_argument(
        "--not-shipped-hours",
        type=length_of_time("hours", zero=True),
        default=24,
        help="an order instructed this long ago and not shipped is late (default 24)",
    )
    queues.add_argument(
        "--stuck-minutes",
        type=length_of_time("minutes", zero=True),
        default=15,
        help="an order with effects pending this long is stuck (default 15)",
    )
    commands.add_parser(
        "adapters",
        help="list the adapters installed packages register (entry points orderflow.adapters)",
    )


def print_queues(
    db: str,
    *,
    not_shipped_hours: float = 24,
    stuck_minutes: float = 15,
    out: Callable[[str], None] = print,
) -> dict[str, int]:
    """Print (and return) the count of every work list of the store at ``db``, as of now.

    The timed lists (``ready_to_instruct``, ``not_shipped``, ``stuck``) are read at the wall
    clock, as the shop's own desk reads them.

    ``db`` is a SQLite file (which must exist: :class:`~orderflow.cli.Refused`, exit 2,
    otherwise) or a PostgreSQL URL.
    """
    from orderflow.testing.shop import desk_on, fake_shop

    shop = fake_shop()
    shop.clock.advance(datetime.now(UTC) - shop.clock.now())  # the lists are read as of now
    with open_store(db) as store:
        desk = desk_on(shop, store=store)  # the lists read the store alone
        counts = desk.queue_counts(
            not_shipped_after=timedelta(hours=not_shipped_hours),
            stuck_after=timedelta(minutes=stuck_minutes),
        )
    width = max(len(name) for name in counts)
    for name, count in counts.items():
        if count or ":" not in name:
            out(f"{name.ljust(width)}  {count:>7}")
    return counts


def _adapters(out: Callable[[str], None]) -> ExitCode:
    from orderflow.adapters import scan

    found, errors = scan()
    rows = [("name", "port", "distribution", "version")]
    rows += [(a.name, a.port, a.distribution or "-", a.version or "-") for a in found]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out("  ".join([*cells, row[3]]))
    for error in errors:
        print(f"orderflow adapters: {one_line(str(error))}", file=sys.stderr)
    return ExitCode.USAGE if errors else ExitCode.OK


def run_basic(args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
    """Run ``demo``, ``diagram``, ``queues`` or ``adapters``."""
    if args.command == "diagram":
        from orderflow.domain.machine import mermaid

        out(mermaid())
    elif args.command == "queues":
        print_queues(
            args.db,
            not_shipped_hours=args.not_shipped_hours,
            stuck_minutes=args.stuck_minutes,
            out=out,
        )
    elif args.command == "adapters":
        return _adapters(out)
    else:
        from orderflow.demo import run_demo

        run_demo(args.locale, out, db=args.db)
    return ExitCode.OK
