"""``send-purchase-orders``: 発注の送信 at the supplier's cut-off (締め時刻), from cron.

The lines a shop orders from its suppliers through the day (``desk.order_from_supplier``) gather
in one draft per supplier and warehouse; at the cut-off this command sends them
(``desk.send_purchase_orders``). Sending calls the suppliers (EDI, fax: their adapters), so it
runs on the shop's own desk (``--desk``) or, for a demo or test database, the fakes (``--fakes``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from orderflow.cli._common import ExitCode, Refused
from orderflow.cli._providers import add_provider_options, open_work_desk
from orderflow.cli._work import PROVIDERS, moment_option
from orderflow.domain.purchasing import PurchaseOrderStatus
from orderflow.errors import InvalidValue

__all__ = ["add_purchase_command", "run_send_purchase_orders"]


def add_purchase_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``send-purchase-orders`` (``common``: ``--db``)."""
    send = commands.add_parser(
        "send-purchase-orders",
        parents=[common],
        help="send the purchase-order drafts (発注) at the suppliers' cut-off",
        description=(
            "Send the purchase-order drafts started at or before the cut-off "
            f"(desk.send_purchase_orders), one line per purchase order sent. {PROVIDERS}"
        ),
    )
    add_provider_options(send)
    send.add_argument("--supplier", help="only this supplier's drafts (its code)")
    send.add_argument(
        "--cutoff",
        type=moment_option,
        help="send the drafts started at or before this time (ISO 8601 with its zone; "
        "default: now)",
    )


def run_send_purchase_orders(args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
    """Send the drafts; exit 1 if some due by the cut-off are still unsent or unanswered."""
    with open_work_desk(args) as desk:
        try:
            sent = desk.send_purchase_orders(args.supplier, cutoff=args.cutoff)
            cutoff = args.cutoff or desk.executor.now()
            left = [
                po
                for po in desk.open_purchase_orders(args.supplier)
                if (po.status is PurchaseOrderStatus.DRAFT and po.created_at <= cutoff) or po.outbox
            ]
        except InvalidValue as refused:  # an unknown supplier, a desk with no store for them
            raise Refused(ExitCode.USAGE, str(refused)) from None
    for po in sent:
        count = len(po.lines)
        out(f"{po.number}  {po.supplier}  {po.warehouse}  {count} line{'s' * (count != 1)}")
    out(f"sent {len(sent)}")
    if left:
        out(f"left {len(left)} (refused or not answered: {', '.join(p.number for p in left)})")
    return ExitCode.WORK_LEFT if left else ExitCode.OK
