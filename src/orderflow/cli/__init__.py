"""``python -m orderflow``: the work a shop runs by hand or from cron (``docs/cli.md``).

Commands: ``demo``, ``diagram``, ``queues``, ``resume``, ``sweep``, ``import-transfers FILE``,
``apply-deposit FILE REFERENCE ORDER``, ``export-journal``, ``send-purchase-orders``, ``labels``,
``adapters``. ``--db`` is a SQLite file's path or a PostgreSQL
URL (``postgresql://…``, needs psycopg 3: the ``postgres`` extra). Long runs draw a progress
bar on stderr when it is a terminal (``--progress`` / ``--no-progress`` to choose).

Exit codes (:class:`ExitCode`) a scheduler understands: 0 done, 1 work left or an operator
needed, 2 bad usage or configuration, 3 an outside system (the database, a provider) down, 130
stopped by Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, cast

from orderflow._mask import mask_contacts_in, mask_emails_in
from orderflow.cli._basics import add_basic_commands, print_queues, run_basic
from orderflow.cli._common import (
    ExitCode,
    OutputClosed,
    Progress,
    Refused,
    describe_db,
    is_postgres,
    open_desk,
    open_inventory,
    open_store,
)
from orderflow.cli._labels import add_labels_command, labels_to_print, read_shipper, run_labels
from orderflow.cli._messages import is_configuration, one_line
from orderflow.cli._purchasing import add_purchase_command, run_send_purchase_orders
from orderflow.cli._transfers import add_transfer_command, run_apply_deposit, run_transfers
from orderflow.cli._work import add_work_commands, booked_entries, run_work
from orderflow.errors import AdapterError, InvalidValue, OrderflowError, ProviderError, StoreError

__all__ = [
    "COMMANDS",
    "ExitCode",
    "Progress",
    "Refused",
    "booked_entries",
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
    "apply-deposit",
    "export-journal",
    "send-purchase-orders",
    "labels",
    "adapters",
)
"""Every subcommand of ``python -m orderflow``."""

_DESCRIPTION = """\
The work an e-commerce shop runs by hand or from cron, on its orderflow database.

--db is a SQLite file's path or a PostgreSQL URL (postgresql://user:password@host/shop,
which needs psycopg 3: orderflow's postgres extra). Long runs draw a progress bar on stderr
when it is a terminal (--progress / --no-progress to choose).

Exit codes: 0 done; 1 work left or an operator needed; 2 bad usage or configuration
(do not retry); 3 the database or a provider is down or unreachable (try again later);
130 stopped by Ctrl-C (what was done is saved: run it again); 141 standard output
closed by its reader (... | head), quietly.
Messages go to stderr, one line each: orderflow COMMAND: ..."""
"""The plain-text description ``--help`` shows (the module docstring is reST)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors read ``orderflow <command>: …`` on one line."""

    def error(self, message: str) -> NoReturn:
        """Tell a usage error on one line and exit 2 (argparse's own code for it)."""
        command = self.prog.removeprefix("python -m ")
        self.exit(
            int(ExitCode.USAGE),
            f"{command}: {one_line(message)} (see: {self.prog} --help)\n",
        )


_RUNNERS: dict[str, Callable[[argparse.Namespace, Callable[[str], None]], ExitCode]] = {
    "demo": run_basic,
    "diagram": run_basic,
    "queues": run_basic,
    "adapters": run_basic,
    "resume": run_work,
    "sweep": run_work,
    "export-journal": run_work,
    "import-transfers": run_transfers,
    "apply-deposit": run_apply_deposit,
    "labels": run_labels,
    "send-purchase-orders": run_send_purchase_orders,
}


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m orderflow`` (every command and option)."""
    main_parser = _Parser(
        prog="python -m orderflow",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from orderflow import __version__

    main_parser.add_argument("--version", action="version", version=f"orderflow {__version__}")
    commands = cast(  # its parsers are _Parser: usage errors on one line
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND"),
    )
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
    add_purchase_command(commands, common)
    return main_parser


def _print(text: str) -> None:
    """``print``, with the characters standard output's encoding lacks written as escapes.

    A redirected stdout on Japanese Windows is CP932 (no « », no 𠮷): a line is never lost, and
    a command never stopped part-way, for a character.
    """
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # a stream naming an encoding Python does not know: print as it is
        pass
    try:
        print(text)
    except BrokenPipeError:  # ``… | head`` read what it wanted: no outage, no message
        raise OutputClosed from None


def _flush_stdout() -> None:
    """Flush standard output, telling a reader gone away as :class:`OutputClosed`."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise OutputClosed from None


def _drop_stdout() -> None:
    """Point standard output at the null device.

    What is still buffered is then not written again at exit, where Python would tell the
    broken pipe on stderr.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # a stream without a descriptor (a test's): nothing to drop
        pass


def run(args: argparse.Namespace, out: Callable[[str], None] = _print) -> int:
    """Run the parsed command; returns its exit code (an :class:`ExitCode`).

    Whatever stops it is told on stderr in one line, ``orderflow <command>: …``, never as a
    traceback, with a PostgreSQL URL's password masked: a refusal (:class:`Refused`) with its
    code; bad input (``InvalidValue``), a broken adapter, a file that cannot be written or read
    (``OSError``) and a database that is misconfigured (not a database, a URL libpq refuses, a
    wrong password) exit 2; a database or provider that is down or unreachable exits 3 (an
    adapter's ``ConnectionError`` or ``TimeoutError`` too); Ctrl-C exits 130 (what was done is
    saved); standard output's reader gone away (``… | head``) exits 141, quietly; any other
    orderflow error (an order that cannot move now) exits 1, for a person to
    look, and so does anything unexpected, told by its class alone (``ORDERFLOW_TRACEBACK=1``
    raises it instead). orderflow's log warnings during the command (an order a sweep leaves
    pending) are told on stderr too, one line each.
    """
    code: ExitCode
    contacts = True  # the message may quote a provider or a database: phone numbers masked too
    told = _LogLines(args.command)
    logger = logging.getLogger("orderflow")
    logger.addHandler(told)
    try:
        done = _RUNNERS[args.command](args, out)
        _flush_stdout()
        return int(done)
    except OutputClosed:  # quietly, as a process stopped by SIGPIPE; the work done is saved
        _drop_stdout()
        return int(ExitCode.OUTPUT_CLOSED)
    except Refused as refused:
        code, message = refused.code, refused.message
        contacts = False  # the command's own words: files, counts, order numbers
    except StoreError as failed:
        if is_configuration(failed):
            code, message = ExitCode.USAGE, f"--db: {_raw(failed)}"
        else:
            code, message = ExitCode.UNAVAILABLE, f"the database failed: {_raw(failed)}"
    except (InvalidValue, AdapterError) as bad:
        code, message = ExitCode.USAGE, _raw(bad)
    except ProviderError as down:
        code, message = ExitCode.UNAVAILABLE, f"a provider failed: {_raw(down)}"
    except OrderflowError as stopped:
        code, message = ExitCode.WORK_LEFT, _raw(stopped)
        contacts = stopped.free_text
    except (ConnectionError, TimeoutError) as down:  # a shop's adapter lost its provider
        code, message = ExitCode.UNAVAILABLE, f"a provider failed ({type(down).__name__})"
    except OSError as failed:
        code, message = ExitCode.USAGE, str(failed)
    except KeyboardInterrupt:
        code = ExitCode.INTERRUPTED
        message = "interrupted: what was done is saved and counts once; run the command again"
    except Exception as bug:  # never a traceback: the class only (its text may hold anything)
        if os.environ.get("ORDERFLOW_TRACEBACK"):
            raise
        code = ExitCode.WORK_LEFT
        message = (
            f"unexpected {type(bug).__name__}, a bug in orderflow or in an adapter "
            "(ORDERFLOW_TRACEBACK=1 shows where); what was done is saved"
        )
    finally:
        logger.removeHandler(told)
    # the password first, on the text as the driver wrote it; then e-mails and phone numbers
    text = one_line(message, getattr(args, "db", None))
    _tell(args.command, mask_contacts_in(text) if contacts else mask_emails_in(text))
    return int(code)


class _LogLines(logging.Handler):
    """orderflow's warnings during a command, on stderr one line each, as its messages are."""

    def __init__(self, command: str) -> None:
        super().__init__(logging.WARNING)
        self.command = command

    def emit(self, record: logging.LogRecord) -> None:
        """Tell the record on stderr: ``orderflow <command>: warning: …``."""
        text = mask_emails_in(one_line(record.getMessage()))
        _tell(self.command, f"{record.levelname.lower()}: {text}")


def _raw(error: OrderflowError) -> str:
    """The error's text before its e-mail masking, which could cut a password in two."""
    return BaseException.__str__(error)


def _tell(command: str, message: str) -> None:
    print(f"orderflow {command}: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit code (a usage error exits 2 from argparse)."""
    main_parser = parser()
    args, extra = main_parser.parse_known_args(argv)
    if extra:  # told as the command's usage error, not the main parser's
        _command_parser(main_parser, args.command).error(
            f"unrecognized arguments: {' '.join(extra)}"
        )
    return run(args)


def _command_parser(main_parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    for action in main_parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser = action.choices[command]
            return found
    return main_parser
