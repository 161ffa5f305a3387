"""``import-transfers FILE``: a bank's 全銀 振込入金通知 file reconciled against the open orders.

``apply-deposit FILE REFERENCE ORDER``: one deposit of such a file, which the reconciliation left
unmatched (入金不明), applied to the order a person found for it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from orderflow._mask import mask_name
from orderflow.cli._common import ExitCode, Progress, Refused
from orderflow.cli._providers import add_provider_options, open_work_desk
from orderflow.cli._work import PROVIDERS
from orderflow.desk import OrderDesk
from orderflow.domain.deposits import Deposit, DepositMatch, MatchKind, split_conflicts
from orderflow.domain.order import Order
from orderflow.errors import OrderflowError, OrderNotFound, StoreError
from orderflow.settings import ShopSettings
from orderflow.zengin import ZenginError, read_transfer_notice

__all__ = ["CHUNK", "add_transfer_command", "run_apply_deposit", "run_transfers"]

CHUNK = 100
"""Deposits reconciled per call of ``desk.reconcile_deposits`` (the progress bar's step)."""


def add_transfer_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    progress: argparse.ArgumentParser,
) -> None:
    """Add ``import-transfers FILE``."""
    command = commands.add_parser(
        "import-transfers",
        parents=[common, progress],
        help="reconcile a 全銀 振込入金通知 file (exit 1 if a transfer needs an operator)",
        description=(
            "Read the bank's 振込入金通知 file (全銀協 format) whole, then reconcile its deposits "
            "with the open bank-transfer orders (desk.reconcile_deposits): exact, short and over "
            "payments, and deposits no open order holds the account of (入金不明). A malformed "
            f"file changes nothing. {PROVIDERS}"
        ),
    )
    _file_arguments(command)
    add_provider_options(command)
    apply = commands.add_parser(
        "apply-deposit",
        parents=[common],
        help="apply one unmatched deposit of a 振込入金通知 file to an order (入金不明)",
        description=(
            "Apply the deposit REFERENCE of the bank's 振込入金通知 file to order ORDER "
            "(desk.apply_deposit): for a deposit import-transfers left unmatched (入金不明) "
            "once a person found its order. It then counts as a reconciled deposit: exact, "
            "short (exit 1: the order stays held) or over (exit 1: the excess is owed back). "
            f"Applying it again changes nothing. {PROVIDERS}"
        ),
    )
    _file_arguments(apply)
    add_provider_options(apply)
    apply.add_argument("reference", help="the deposit's reference (照会番号) as the file has it")
    apply.add_argument("order", help="the order number the deposit pays")


def _file_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("file", help="the 振込入金通知 file (200-byte Shift_JIS records)")
    command.add_argument(
        "--calendar",
        default="reiwa",
        choices=("reiwa", "heisei", "gregorian"),
        help="how the file writes years (default reiwa: 08 is 2026)",
    )


def _read(path: str, calendar: str, currency: str) -> list[Deposit]:
    try:
        data = Path(path).read_bytes()
    except OSError as failed:
        raise Refused(ExitCode.USAGE, f"{path}: cannot read the file ({failed.strerror})") from None
    try:
        notice = read_transfer_notice(data, currency=currency, calendar=calendar)
    except ZenginError as malformed:  # names the line and the field
        hint = _encoding_hint(data)
        message = f"{path}: {malformed}{hint}; nothing was imported"
        raise Refused(ExitCode.USAGE, message) from None
    return notice.deposits()


def _encoding_hint(data: bytes) -> str:
    """Why a file may not read: one saved again as UTF-8 (its kana no longer fit 200 bytes)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    if text.isascii():
        return ""
    return " (the file is UTF-8 text: the bank's file is Shift_JIS, use it as the bank sent it)"


def run_transfers(args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
    """Read the file, then reconcile its deposits a chunk at a time; print what happened."""
    deposits = _deposits(args)
    with open_work_desk(args) as desk:
        _in_yen(desk)
        return _reconcile(desk, deposits, args, out)


def _in_yen(desk: OrderDesk) -> None:
    """A 全銀 file is in yen: the desk of a shop in another currency takes no bank transfers."""
    currency = desk.settings.currency
    if currency != "JPY":
        raise Refused(
            ExitCode.USAGE,
            f"the shop's desk sells in {currency}: a 全銀 振込入金通知 is in yen, and a shop in "
            f"{currency} takes no bank transfers; nothing was imported",
        )


def run_apply_deposit(args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
    """Find the deposit in the file, apply it to the order; print what the order received."""
    found = [d for d in _deposits(args) if d.reference == args.reference]
    if not found:
        raise Refused(ExitCode.USAGE, f"{args.file}: no deposit with reference {args.reference!r}")
    deposit = found[0]
    if deposit.cancelled:
        raise Refused(
            ExitCode.USAGE, f"deposit {deposit.reference} was reversed by the bank (取消)"
        )
    with open_work_desk(args) as desk:
        _in_yen(desk)
        try:
            order = desk.apply_deposit(args.order, deposit)
        except OrderNotFound as missing:  # a bad ORDER argument: running again will not cure it
            raise Refused(ExitCode.USAGE, str(missing)) from None
        due = desk.totals(order).total
    received = order.payment.received  # all the deposits, as import-transfers counts them
    out(
        f"deposit {deposit.reference} {_yen(deposit.amount.amount)} "
        f"{mask_name(deposit.payer_display)}: order {order.number} has received "
        f"{_yen(received.amount)} of {_yen(due.amount)}"
    )
    owed = order.payment.refund_to_transfer  # what is still to be transferred back
    if owed.amount:
        why = "キャンセル済" if order.status.name == "CANCELLED" else "過入金"
        out(f"  owed back by transfer: {_yen(owed.amount)} ({why})")
    short = received - order.payment.refund_owed < due and order.status.name != "CANCELLED"
    return ExitCode.WORK_LEFT if short or owed.amount else ExitCode.OK


def _deposits(args: argparse.Namespace) -> list[Deposit]:
    """The file's deposits, read whole before the database is opened."""
    if not args.file.strip():
        raise Refused(ExitCode.USAGE, "FILE: expected the 振込入金通知 file's path, got ''")
    if Path(args.file).is_dir():
        raise Refused(ExitCode.USAGE, f"{args.file}: is a folder, not a 振込入金通知 file")
    if not Path(args.file).is_file():
        raise Refused(ExitCode.USAGE, f"{args.file}: no such file")
    return _read(args.file, args.calendar, ShopSettings().currency)


def _reconcile(
    desk: OrderDesk, deposits: list[Deposit], args: argparse.Namespace, out: Callable[[str], None]
) -> ExitCode:
    matched: list[DepositMatch] = []
    unmatched: list[Deposit] = []
    repeated = cancelled = 0
    deposits, conflicting = split_conflicts(deposits)  # over the whole file, not per chunk
    reversed_: list[tuple[Deposit, list[Order | str]]] = []
    failed: list[str] = []
    with Progress("import-transfers", len(deposits), enabled=args.progress) as bar:
        for start in range(0, len(deposits), CHUNK):
            chunk = deposits[start : start + CHUNK]
            try:
                report = desk.reconcile_deposits(chunk)
            except StoreError:
                raise
            except OrderflowError as error:  # an order that cannot take money now: run again
                failed.append(f"deposits {start + 1}-{start + len(chunk)}: {error}")
            else:
                result = report.reconciliation
                back = {o.number: o for o in report.taken_back}
                reversed_ += [
                    (d, [back.get(n, n) for n in report.taken_by.get(d.reference, [])])
                    for d in report.reversed
                ]
                matched += result.matched
                failed += [
                    f"order {number}: {error}" for number, error in report.errors
                ]  # its deposits wait for the file to be read again
                unmatched += result.unmatched
                repeated += len(result.repeated)
                cancelled += len(result.cancelled)
            bar.advance(len(chunk))
    kinds = {kind: [m for m in matched if m.kind is kind] for kind in MatchKind}
    out(f"deposits   {len(deposits):>5}  ({args.file})")
    out(f"exact      {len(kinds[MatchKind.EXACT]):>5}")
    out(f"short      {len(kinds[MatchKind.SHORT]):>5}  (held: 入金不足)")
    out(f"over       {len(kinds[MatchKind.OVER]):>5}  (the excess is owed back: 過入金)")
    out(f"unmatched  {len(unmatched):>5}  (no open order holds the account: 入金不明)")
    out(f"repeated   {repeated:>5}  (applied before: counted once)")
    out(f"cancelled  {cancelled:>5}  (取消 by the bank)")
    out(f"reversed   {len(reversed_):>5}  (取消 of a deposit an order took: taken back from it)")
    out(f"conflicting {len(conflicting):>4}  (a reference given before with other details)")
    for match in kinds[MatchKind.SHORT] + kinds[MatchKind.OVER]:
        owed = f", {_yen(match.excess.amount)} owed back" if match.excess.amount else ""
        out(
            f"  {match.kind.value:<9} order {match.order_number}: received "
            f"{_yen(match.received.amount)} of {_yen(match.due.amount)}{owed} "
            f"({match.deposit.reference})"
        )
    for deposit in unmatched:
        out(
            f"  unmatched {deposit.on.isoformat()} account {deposit.account} "
            f"{_yen(deposit.amount.amount)} {mask_name(deposit.payer_display)} "
            f"({deposit.reference})"
        )
    for deposit, orders in reversed_:
        taken = ", ".join(_taken_back(o) for o in orders) or "no order now"
        out(
            f"  reversed  {deposit.on.isoformat()} account {deposit.account} "
            f"{_yen(deposit.amount.amount)} {mask_name(deposit.payer_display)} "
            f"({deposit.reference}): taken by {taken}"
        )
    for deposit in conflicting:
        out(
            f"  conflicting {deposit.on.isoformat()} account {deposit.account} "
            f"{_yen(deposit.amount.amount)} {mask_name(deposit.payer_display)} "
            f"({deposit.reference}): not applied, the file named it before"
        )
    for problem in failed:
        out(f"  not all applied, run again (what was applied counts once): {problem}")
    operator = (
        kinds[MatchKind.SHORT]
        or kinds[MatchKind.OVER]
        or unmatched
        or reversed_
        or failed
        or conflicting
    )
    return ExitCode.WORK_LEFT if operator else ExitCode.OK


def _taken_back(order: Order | str) -> str:
    """An order that took a reversed deposit: what it has left, or that it kept the money."""
    if isinstance(order, str):
        return f"{order} (kept: booked, or another amount)"
    short = [h for h in order.open_holds if h.code == "payment_shortfall"]
    left = f"received {_yen(order.payment.received.amount)}"
    return f"{order.number} ({left}, held: 入金不足)" if short else f"{order.number} ({left})"


def _yen(amount: object) -> str:
    return f"{amount:,}"
