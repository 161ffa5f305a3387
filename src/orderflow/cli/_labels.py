"""``labels --carrier yamato|sagawa``: the carrier's label file for the shipments instructed."""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from orderflow.carrier_files import (
    CarrierFileError,
    Shipper,
    export_b2,
    export_ehiden,
    label_rows,
)
from orderflow.cli._common import ExitCode, OutputClosed, Refused, check_out, open_desk
from orderflow.cli._work import FAKES, day_option
from orderflow.desk import OrderDesk
from orderflow.domain import bundling
from orderflow.domain.address import Address
from orderflow.domain.order import Order, Shipment, ShipmentStatus, drop_ship_supplier
from orderflow.domain.queues import QueueQuery
from orderflow.errors import InvalidValue

__all__ = ["FILES", "add_labels_command", "labels_to_print", "read_shipper", "run_labels"]

FILES: dict[str, tuple[str, Callable[..., bytes]]] = {
    "yamato": ("B2クラウド", export_b2),
    "sagawa": ("e飛伝III", export_ehiden),
}
"""Carrier code → (the system the file is uploaded to, the function that writes it)."""

_ADDRESS = ("postal_code", "prefecture", "city", "line1", "name", "phone")
_OPTIONAL = ("line2",)
_CODES = ("b2_customer_code", "b2_class_code", "b2_freight_code", "ehiden_customer_code")


def add_labels_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``labels``."""
    command = commands.add_parser(
        "labels",
        parents=[common],
        help="write the carrier's label file (B2クラウド, e飛伝III) for the shipments instructed",
        description=(
            "Write the CSV the carrier's label system imports (Yamato B2クラウド, Sagawa "
            "e飛伝III; CP932, CR LF) for every shipment of that carrier instructed and not yet "
            "shipped, one row per parcel. Japan Post (ゆうプリR) has no layout in orderflow yet. "
            f"{FAKES}"
        ),
    )
    command.add_argument("--carrier", required=True, choices=sorted(FILES))
    command.add_argument(
        "--shipper",
        required=True,
        metavar="SHIPPER.toml",
        help="the shop as its labels show it (ご依頼主) and its contract codes (docs/cli.md)",
    )
    command.add_argument("--out", help="the file to write (default: standard output)")
    command.add_argument(
        "--shipped-on", type=day_option, metavar="YYYY-MM-DD", help="出荷予定日 (default: today)"
    )
    command.add_argument("--warehouse", help="only the shipments leaving this warehouse")
    command.add_argument("--item-name", help="品名 on every label (default: the first line's)")


def read_shipper(path: str) -> Shipper:
    """The :class:`~orderflow.carrier_files.Shipper` of a TOML file (``docs/cli.md``).

    The file is UTF-8 (with or without a BOM). Raises :class:`Refused` (exit 2) naming the file
    and the key for a missing file, text that is not UTF-8, a TOML error (with its line), a key
    missing or unknown, or a value the address refuses.
    """
    try:
        with open(path, "rb") as file:
            data = file.read()
        # UTF-8 with a BOM (as Windows' メモ帳 saves it) is UTF-8 too; tomllib refuses the BOM
        table = tomllib.loads(data.removeprefix(b"\xef\xbb\xbf").decode())
    except OSError as failed:
        raise Refused(ExitCode.USAGE, f"--shipper {path}: {failed.strerror}") from None
    except tomllib.TOMLDecodeError as bad:
        raise Refused(ExitCode.USAGE, f"--shipper {path}: not TOML: {bad}") from None
    except UnicodeDecodeError:  # TOML is UTF-8; Japanese shops' files are often Shift_JIS
        raise Refused(
            ExitCode.USAGE, f"--shipper {path}: not UTF-8 text (save it as UTF-8)"
        ) from None
    unknown = sorted(set(table) - {*_ADDRESS, *_OPTIONAL, *_CODES})
    missing = [key for key in _ADDRESS if key not in table]
    if unknown or missing:
        problem = f"unknown keys {unknown}" if unknown else f"missing keys {missing}"
        raise Refused(ExitCode.USAGE, f"--shipper {path}: {problem}")
    for key, value in table.items():
        if not isinstance(value, str):
            raise Refused(ExitCode.USAGE, f"--shipper {path}: {key} must be text in quotes")
    try:
        address = Address(**{key: table[key] for key in (*_ADDRESS, *_OPTIONAL) if key in table})
        return Shipper(address, **{key: table[key] for key in _CODES if key in table})
    except InvalidValue as refused:
        raise Refused(ExitCode.USAGE, f"--shipper {path}: {refused}") from None


def labels_to_print(
    desk: OrderDesk, carrier: str, warehouse: str | None = None
) -> list[tuple[Shipment, Order]]:
    """The (shipment, order) pairs to put on ``carrier``'s labels, by shipment id.

    Every shipment of ``carrier`` instructed and not shipped (of ``warehouse``, when given),
    except drop-shipped ones (the supplier labels those) and those whose 同梱 box left already
    (its ``ship`` stopped half-way: ``resume`` records them shipped). The shipments of a parcel
    are all there: the file gives them one row (:func:`~orderflow.carrier_files.label_rows`),
    which collects the sum of their 代引き amounts.
    """
    query = QueueQuery.not_shipped(desk.executor.now() + timedelta(days=36500))  # all of them
    pairs: list[tuple[Shipment, Order]] = []
    after: str | None = None
    while numbers := desk.queue(query, after=after, limit=500):
        for number in numbers:
            order = desk.get(number)
            pairs.extend(
                (shipment, order)
                for shipment in order.shipments
                if shipment.status is ShipmentStatus.INSTRUCTED
                and shipment.carrier == carrier
                and drop_ship_supplier(shipment.warehouse) is None
                and (warehouse is None or shipment.warehouse == warehouse)
                and not bundling.box_gone(shipment, _mates(desk, order))
            )
        after = numbers[-1]
    pairs.sort(key=lambda pair: pair[0].shipment_id)
    return pairs


def _mates(desk: OrderDesk, order: Order) -> list[Order]:
    """The other orders of ``order``'s parcel (同梱), as stored; none when it is in none."""
    return [desk.get(number) for number in order.bundle if number != order.number]


def _check_warehouse(desk: OrderDesk, carrier: str, warehouse: str | None) -> None:
    """Refuse a ``--warehouse`` that is neither the shop's nor one a waiting shipment leaves.

    A typo would otherwise write an empty file and say nothing. A warehouse the command's
    settings do not list is still taken when a shipment of ``carrier`` waits there.
    """
    if warehouse is None or warehouse in desk.settings.warehouses:
        return
    waiting = sorted({shipment.warehouse for shipment, _ in labels_to_print(desk, carrier)})
    if warehouse in waiting:
        return
    known = ", ".join(dict.fromkeys([*desk.settings.warehouses, *waiting]))
    raise Refused(
        ExitCode.USAGE,
        f"--warehouse {warehouse!r}: expected a warehouse code of the shop or one a {carrier} "
        f"shipment waits at ({known}); no file written",
    )


def run_labels(args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
    """Write the label file (one label a parcel); exit 1 when a shipment could not go on it."""
    shipper = read_shipper(args.shipper)
    check_out(args.out, args.db)
    system, export = FILES[args.carrier]
    with open_desk(args.db) as desk:
        _check_warehouse(desk, args.carrier, args.warehouse)
        pairs = labels_to_print(desk, args.carrier, args.warehouse)
        rows = label_rows(pairs)
        shipped_on = args.shipped_on or datetime.now(ZoneInfo(desk.settings.zone)).date()
        try:
            data = export(
                pairs,
                shipper,
                shipped_on,
                item_name=args.item_name,
                tax_rule=desk.settings.tax,
            )
        except CarrierFileError as refused:  # an order's data does not fit: nothing written
            shipment, order = rows[refused.row - 2][0]
            given = args.item_name is not None and refused.field.endswith("(item)")
            source = " (from --item-name)" if given else ""  # the 品名 was not the order's
            raise Refused(
                ExitCode.WORK_LEFT,
                f"order {order.number}, shipment {shipment.shipment_id}: {refused}{source}; "
                "no file written",
            ) from None
        except InvalidValue as refused:  # the shipper lacks a code this carrier needs
            raise Refused(ExitCode.USAGE, f"--shipper {args.shipper}: {refused}") from None
    if args.out:
        try:
            Path(args.out).write_bytes(data)
        except OSError as failed:
            message = f"--out {args.out}: {failed.strerror or failed}"
            raise Refused(ExitCode.USAGE, message) from None
    else:
        try:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # the reader went away: stop quietly (exit 141)
            raise OutputClosed from None
    where = args.out or "standard output"
    count = "1 label" if len(rows) == 1 else f"{len(rows)} labels"
    print(f"{count} ({args.carrier}, {system}) → {where}", file=sys.stderr)
    return ExitCode.OK
