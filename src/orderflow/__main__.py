"""``python -m orderflow`` (or ``orderflow``): the demo, the status diagram, the work lists.

- ``python -m orderflow demo [--locale ja|en] [--db shop.sqlite3]`` takes a few orders through
  the flow and prints each order's timeline; with ``--db`` the orders and the stock are kept in
  a SQLite file, and a second run shows them again.
- ``python -m orderflow diagram`` prints the status machine as a Mermaid state diagram.
- ``python -m orderflow queues --db shop.sqlite3`` prints how many orders are on each work list.
- ``resume``, ``sweep`` and ``export-journal --db shop.sqlite3`` run the shop's scheduled work on
  the file, providers faked (:mod:`orderflow.cli`, ``docs/cli.md``); exit 0 done, 1 work left,
  2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import timedelta

from orderflow import cli
from orderflow.demo import run_demo
from orderflow.domain.machine import mermaid
from orderflow.i18n import LOCALES

__all__ = ["main", "print_queues", "run_demo"]


def print_queues(
    db: str, *, not_shipped_hours: float = 24, stuck_minutes: float = 15, out: object = print
) -> dict[str, int]:
    """Print (and return) the count of every work list of the SQLite store in ``db``."""
    from pathlib import Path

    from orderflow.stores import SQLiteStore
    from orderflow.testing.shop import desk_on, fake_shop

    if not Path(db).is_file():
        raise SystemExit(f"--db: no SQLite file at {db!r}")
    with SQLiteStore(db) as store:
        desk = desk_on(fake_shop(), store=store)  # the lists read the store alone
        counts = desk.queue_counts(
            not_shipped_after=timedelta(hours=not_shipped_hours),
            stuck_after=timedelta(minutes=stuck_minutes),
        )
    assert callable(out)
    width = max(len(name) for name in counts)
    for name, count in counts.items():
        if count or ":" not in name:
            out(f"{name.ljust(width)}  {count:>7}")
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``demo``, ``diagram``, ``queues`` and the commands of ``cli``.

    Returns the exit code.
    """
    parser = argparse.ArgumentParser(prog="python -m orderflow", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="take a few orders through the flow on fakes")
    demo.add_argument("--locale", default="ja", choices=LOCALES)
    demo.add_argument("--db", help="keep the orders and the stock in this SQLite file")
    commands.add_parser("diagram", help="print the status machine as Mermaid")
    queues = commands.add_parser("queues", help="count the orders on each work list")
    queues.add_argument("--db", required=True, help="the shop's SQLite file")
    queues.add_argument("--not-shipped-hours", type=float, default=24)
    queues.add_argument("--stuck-minutes", type=float, default=15)
    cli.add_commands(commands)
    args = parser.parse_args(argv)
    if args.command in cli.COMMANDS:
        return cli.run(args)
    if args.command == "diagram":
        print(mermaid())
    elif args.command == "queues":
        print_queues(
            args.db, not_shipped_hours=args.not_shipped_hours, stuck_minutes=args.stuck_minutes
        )
    else:
        run_demo(args.locale, db=args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
