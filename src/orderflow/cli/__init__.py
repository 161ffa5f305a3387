"""``python -m orderflow``: the work a shop runs by hand or from cron (``docs/cli.md``).

Commands: ``demo``, ``diagram``, ``queues``, ``resume``, ``sweep``, ``import-transfers FILE``,
``export-journal``, ``labels``, ``adapters``. ``--db`` is a SQLite file's path or a PostgreSQL
URL (``postgresql://…``, needs ``orderflow[postgres]``). Long runs draw a progress bar on stderr
when it is a terminal (``--progress`` / ``--no-progress`` to choose).

Exit codes (:class:`ExitCode`) a scheduler understands: 0 done, 1 work left or an operator
needed, 2 bad usage or configuration, 3 an outside system (the database) down.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from orderflow.cli._basics import add_basic_commands, print_queues, run_basic
from orderflow.cli._common import (
    ExitCode,
    Progress,
    Refused,
    describe_db,
    is_postgres,
    open_desk,
    open_inventory,
    open_store,
)
from orderflow.cli._labels import add_labels_command, labels_to_print, read_shipper, run_labels
from orderflow.cli._transfers import add_transfer_command, run_transfers
from orderflow.cli._work import add_work_commands, booked_sale_entries, run_work
from orderflow.errors import StoreError

__all__ = [
    "COMMANDS",
    "ExitCode",
    "Progress",
    "Refused",
    "booked_sale_entries",
    "describe_db",
    "is_postgres",
    "labels_to_print",
    "main",
    "open_desk",
    "open_inventory",
    "open_store",
    "parser",
    "print_queues",
    "read_shipper",
    "run",
]

COMMANDS = (
    "demo",
    "diagram",
    "queues",
    "resume",
    "sweep",
    "import-transfers",
    "export-journal",
    "labels",
    "adapters",
)
"""Every subcommand of ``python -m orderflow``."""

_RUNNERS: dict[str, Callable[[argparse.Namespace, Callable[[str], None]], ExitCode]] = {
    "demo": run_basic,
    "diagram": run_basic,
    "queues": run_basic,
    "adapters": run_basic,
    "resume": run_work,
    "sweep": run_work,
    "export-journal": run_work,
    "import-transfers": run_transfers,
    "labels": run_labels,
}


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m orderflow`` (every command and option)."""
    main_parser = argparse.ArgumentParser(
        prog="python -m orderflow",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        required=True,
        help="the shop's SQLite file, or a PostgreSQL URL (postgresql://user@host/shop)",
    )
    progress = argparse.ArgumentParser(add_help=False)
    progress.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw a progress bar on stderr (default: only when stderr is a terminal)",
    )
    add_basic_commands(commands, common)
    add_work_commands(commands, common, progress)
    add_transfer_command(commands, common, progress)
    add_labels_command(commands, common)
    return main_parser


def run(args: argparse.Namespace, out: Callable[[str], None] = print) -> int:
    """Run the parsed command; returns its exit code (an :class:`ExitCode`).

    A refusal (:class:`Refused`) and a database that fails (``StoreError``) are told on stderr
    in one line, ``orderflow <command>: …``, never as a traceback.
    """
    try:
        return int(_RUNNERS[args.command](args, out))
    except Refused as refused:
        _tell(args.command, refused.message)
        return int(refused.code)
    except StoreError as down:
        _tell(args.command, f"the database failed: {down}")
        return int(ExitCode.UNAVAILABLE)


def _tell(command: str, message: str) -> None:
    print(f"orderflow {command}: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit code (argparse exits 2 itself on bad usage)."""
    return run(parser().parse_args(argv))
