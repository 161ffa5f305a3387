"""発注: purchase orders to suppliers, as frozen values with their own outbox (pure).

A :class:`PurchaseOrder` asks one supplier for units of SKUs delivered to one of the shop's
warehouses. It is drafted (下書き), gathered per supplier until it is sent (送信済), confirmed
by the supplier (受注確認), received in parts (一部入荷) or whole (入荷済), or cancelled (取消).
Each line may be ordered for a customer's order (``for_order``): cancelling that order cancels
the line's open units. Like an order, a purchase order keeps the effects decided for it in
``outbox``, keyed ``<po number>:<seq>``, and every decision here returns a new value (the desk
saves it, then the executor performs the effects and folds the answers with :func:`fold`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

from orderflow.domain._values import replace
from orderflow.domain.address import Address
from orderflow.domain.bounds import check_units
from orderflow.domain.effects import (
    Answer,
    CancelAtSupplier,
    Done,
    Effect,
    ReceivePurchased,
    Refused,
    SendToSupplier,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.outbox import Plan
from orderflow.domain.split import split_parts
from orderflow.domain.status import OrderStatus
from orderflow.errors import InvalidValue, MoveNotAllowed

if TYPE_CHECKING:
    from orderflow.domain.order import Order

__all__ = [
    "PurchaseOrder",
    "PurchaseOrderEvent",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "add_line",
    "cancel",
    "confirm",
    "draft",
    "fold",
    "order_closed",
    "receive",
    "send",
]


class PurchaseOrderStatus(enum.Enum):
    """Where a purchase order is (発注ステータス)."""

    __hash__ = object.__hash__

    DRAFT = "draft"
    """下書き: lines are gathered; nothing was sent yet."""
    SENT = "sent"
    """送信済: the supplier has it (or is being sent it)."""
    CONFIRMED = "confirmed"
    """受注確認: the supplier confirmed it."""
    PARTLY_RECEIVED = "partly_received"
    """一部入荷: some units came in; the rest is still open."""
    RECEIVED = "received"
    """入荷済: every line is received or cancelled (some units came in)."""
    CANCELLED = "cancelled"
    """取消: every line was cancelled before any unit came in."""

    @property
    def is_final(self) -> bool:
        """True for 入荷済 and 取消: nothing is open any more."""
        return self in (PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CANCELLED)


_OPEN_AT_SUPPLIER = (
    PurchaseOrderStatus.SENT,
    PurchaseOrderStatus.CONFIRMED,
    PurchaseOrderStatus.PARTLY_RECEIVED,
)


@attrs.frozen(slots=True)
class PurchaseOrderLine:
    """One line of a purchase order (発注明細): so many units of one SKU."""

    line_id: str
    """The line's number on its purchase order: ``1``, ``2`` … in the order lines were added."""
    sku: str
    """The SKU ordered from the supplier."""
    quantity: int
    """Units ordered, 1 or more; never changed (received and cancelled units are counted
    apart)."""
    received: int = 0
    """Units received so far (入荷数), from the receipts counted."""
    cancelled: int = 0
    """Units cancelled so far: at once on a draft, once the supplier agreed on a sent order."""
    for_order: str | None = None
    """The customer's order these units were ordered for (None: for stock)."""

    @property
    def open(self) -> int:
        """Units neither received nor cancelled (発注残)."""
        return self.quantity - self.received - self.cancelled


@attrs.frozen(slots=True)
class PurchaseOrderEvent:
    """One thing that happened to a purchase order (履歴): ``name`` says what, ``detail`` how."""

    at: datetime
    """When it happened (the command's ``Context.at``)."""
    actor: str
    """Who did it (the command's ``Context.actor``): a person, or the system."""
    name: str
    """What happened: ``drafted``, ``line_added``, ``sent``, ``confirmed``, ``received``,
    ``lines_cancelled``, ``send_refused``, ``supplier_took`` …"""
    from_status: PurchaseOrderStatus
    """The purchase order's status before the event."""
    to_status: PurchaseOrderStatus
    """Its status after the event (the same as ``from_status`` when it did not move)."""
    detail: str = ""
    """The event's particulars as ``key=value`` pairs joined by ``, `` (SKU, units, receipt,
    reference, refusal code); ``""`` when there are none."""


@attrs.frozen(slots=True)
class PurchaseOrder:
    """A purchase order (発注書) to one supplier, delivered to one warehouse of the shop."""

    number: str
    """The purchase order's number (発注番号), unique in the shop (``PO-<n>`` unless given)."""
    supplier: str
    """The supplier (仕入先) as the shop names it; the supplier adapter knows how to reach it."""
    warehouse: str
    """The shop's warehouse the units are delivered to (納品先)."""
    lines: tuple[PurchaseOrderLine, ...]
    """The lines (発注明細), in the order they were added; lines are added only to a draft."""
    created_at: datetime
    """When it was drafted."""
    status: PurchaseOrderStatus = PurchaseOrderStatus.DRAFT
    """Where it is (発注ステータス); a new purchase order is a draft (下書き)."""
    reference: str | None = None
    """The supplier's reference, once it took the order."""
    sent_at: datetime | None = None
    """When it was sent to the supplier; ``None`` while it was never sent."""
    receipts: tuple[str, ...] = ()
    """The receipt ids already counted (a receipt reported twice counts once)."""
    history: tuple[PurchaseOrderEvent, ...] = ()
    """What happened to it (履歴), oldest first."""
    outbox: tuple[Effect, ...] = ()
    """Effects decided and not yet performed, in order (keys ``<number>:<seq>``)."""
    seq: int = 0
    """The last effect sequence number used: keys are ``<number>:<seq>``, never reused."""
    version: int = 0
    """The stored version, raised by one on every save; a save from an older version is
    refused (``ConcurrencyError``)."""
    ship_to: Address | None = None
    """メーカー直送: the customer's address the supplier ships to (None: our ``warehouse``)."""
    shipment_id: str | None = None
    """メーカー直送: the customer's order's shipment this purchase order carries."""
    delivery_date: date | None = None
    """メーカー直送: the delivery date the customer asked for (お届け希望日), if any."""
    delivery_slot: str | None = None
    """メーカー直送: the time slot the customer asked for (お届け希望時間帯), if any."""

    @property
    def drop_ship(self) -> bool:
        """True for a drop-ship purchase order (the supplier ships to the customer)."""
        return self.ship_to is not None

    def line(self, line_id: str) -> PurchaseOrderLine:
        """The line ``line_id`` (``InvalidValue`` naming ``line_id`` if there is none)."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise InvalidValue("line_id", line_id, f"one of {[x.line_id for x in self.lines]}")

    def open_units(self) -> dict[str, int]:
        """SKU → units still to come (ordered, not received nor cancelled)."""
        out: dict[str, int] = {}
        for line in self.lines:
            if line.open:
                out[line.sku] = out.get(line.sku, 0) + line.open
        return out


def order_closed(number: str, find: Callable[[str], Order | None]) -> bool:
    """Whether the customer's order ``number`` takes no more units ordered for it.

    True for an order cancelled (or not found); an order split into parts (closed as
    キャンセル, its parts waiting in its place) only once every part is closed too, never while
    its effects are pending (its parts may not be made yet). ``find`` reads an order by number
    (None when there is none).
    """
    order = find(number)
    if order is None:
        return True
    if order.status is not OrderStatus.CANCELLED:
        return False
    parts = split_parts(order)
    if parts and order.outbox:
        return False
    return all(order_closed(part, find) for part in parts)


def _event(
    po: PurchaseOrder, ctx: Context, name: str, to: PurchaseOrderStatus | None = None, **kw: str
) -> PurchaseOrder:
    target = po.status if to is None else to
    detail = ", ".join(f"{k}={v}" for k, v in kw.items())
    event = PurchaseOrderEvent(ctx.at, ctx.actor, name, po.status, target, detail)
    return replace(po, status=target, history=(*po.history, event))


_MOVES = {
    PurchaseOrderStatus.DRAFT: ("send", "cancel"),
    PurchaseOrderStatus.SENT: ("confirm", "receive", "cancel"),
    PurchaseOrderStatus.CONFIRMED: ("receive", "cancel"),
    PurchaseOrderStatus.PARTLY_RECEIVED: ("receive", "cancel"),
}
"""What a purchase order in each open status allows (the final ones allow nothing)."""


def _refuse(po: PurchaseOrder, move: str) -> MoveNotAllowed:
    """The refusal of ``move``, saying what the purchase order's status allows instead."""
    return MoveNotAllowed(po.number, po.status.name, move, _MOVES.get(po.status, ()))


def _check_units(field: str, value: object) -> int:
    return check_units(value, field)  # 1 to MAX_UNITS


# -- deciding ---------------------------------------------------------------------------------


def draft(
    number: str,
    supplier: str,
    warehouse: str,
    sku: str,
    quantity: int,
    ctx: Context,
    *,
    for_order: str | None = None,
) -> PurchaseOrder:
    """下書き: a new purchase order with one line."""
    _check_units("quantity", quantity)
    line = PurchaseOrderLine("1", sku, quantity, for_order=for_order)
    po = PurchaseOrder(number, supplier, warehouse, (line,), ctx.at)
    return _event(po, ctx, "drafted", sku=sku, quantity=str(quantity))


def add_line(
    po: PurchaseOrder, sku: str, quantity: int, ctx: Context, *, for_order: str | None = None
) -> PurchaseOrder:
    """One more line on a draft (orders for one supplier are gathered until they are sent)."""
    if po.status is not PurchaseOrderStatus.DRAFT:
        raise _refuse(po, "add_line")
    _check_units("quantity", quantity)
    line = PurchaseOrderLine(str(len(po.lines) + 1), sku, quantity, for_order=for_order)
    po = replace(po, lines=(*po.lines, line))
    return _event(po, ctx, "line_added", sku=sku, quantity=str(quantity))


def send(po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    """送信: 下書き → 送信済, the order sent to the supplier (a draft with nothing open closes)."""
    if po.status is not PurchaseOrderStatus.DRAFT:
        raise _refuse(po, "send")
    if not any(line.open for line in po.lines):
        return _event(po, ctx, "cancelled", PurchaseOrderStatus.CANCELLED)
    plan = Plan(po)
    plan.add(SendToSupplier)
    po = replace(po, sent_at=ctx.at)
    return plan.apply(_event(po, ctx, "sent", PurchaseOrderStatus.SENT))


def confirm(po: PurchaseOrder, ctx: Context, *, reference: str | None = None) -> PurchaseOrder:
    """受注確認: the supplier confirmed the order (送信済 → 確認済; later states stay)."""
    if po.status in (PurchaseOrderStatus.CONFIRMED, PurchaseOrderStatus.PARTLY_RECEIVED):
        return po
    if po.status is not PurchaseOrderStatus.SENT:
        raise _refuse(po, "confirm")
    if reference is not None and po.reference is None:
        po = replace(po, reference=reference)
    return _event(po, ctx, "confirmed", PurchaseOrderStatus.CONFIRMED)


def receive(
    po: PurchaseOrder, received: Mapping[str, int], receipt_id: str, ctx: Context
) -> PurchaseOrder:
    """入荷: ``received`` (SKU → units) came in; each SKU's units go in stock (an effect).

    The units fill the SKU's open lines in line order. A receipt id already counted changes
    nothing when it is the same receipt again; another delivery under it is refused (naming
    ``receipt_id``: its units would not count). More units than are open is refused, naming the
    SKU.
    """
    if receipt_id in po.receipts:
        _same_receipt(po, receipt_id, received)
        return po
    if po.drop_ship:
        raise InvalidValue("number", po.number, "a purchase order to our warehouse (not 直送)")
    if po.status not in _OPEN_AT_SUPPLIER:
        raise _refuse(po, "receive")
    _check_received(po, received)
    lines = list(po.lines)
    plan = Plan(po)
    for sku, units in received.items():
        left = units
        for index, line in enumerate(lines):
            take = min(left, line.open) if line.sku == sku else 0
            if take:
                lines[index] = replace(line, received=line.received + take)
                left -= take
        plan.add(ReceivePurchased, warehouse=po.warehouse, sku=sku, quantity=units)
    po = replace(po, lines=tuple(lines), receipts=(*po.receipts, receipt_id))
    po = _event(po, ctx, "received", _settled(po), receipt=receipt_id, units=_text(received))
    return plan.apply(po)


def _check_received(po: PurchaseOrder, received: object) -> None:
    """Refuse a receipt that is not SKU → units, each a SKU of ``po`` with that many open."""
    if not isinstance(received, Mapping) or not received:
        raise InvalidValue("received", received, "a mapping of SKU → units received")
    open_units = po.open_units()
    skus = sorted({line.sku for line in po.lines})
    for sku, units in received.items():
        if sku not in skus:
            raise InvalidValue(f"received[{sku}]", sku, f"a SKU of the purchase order {skus}")
        _check_units(f"received[{sku}]", units)
        if units > open_units.get(sku, 0):
            raise InvalidValue(
                f"received[{sku}]", units, f"at most the {open_units.get(sku, 0)} units open"
            )


def _same_receipt(po: PurchaseOrder, receipt_id: str, received: Mapping[str, int]) -> None:
    """Refuse ``received`` under ``receipt_id`` unless it is what that receipt counted.

    The ``received`` event keeps the receipt's units (``receipt=R1, units=TEA-1×2``); one of an
    older document without them is taken as the same receipt.
    """
    counted = [e.detail for e in po.history if e.name == "received"]
    given = f"receipt={receipt_id}"
    if given in counted:  # written before the units were kept
        return
    same = (
        isinstance(received, Mapping)
        and all(isinstance(units, int) for units in received.values())
        and f"{given}, units={_text(received)}" in counted
    )
    if not same:
        raise InvalidValue(
            "receipt_id", receipt_id, "the id of this receipt, not of another delivery's"
        )


def cancel(
    po: PurchaseOrder,
    ctx: Context,
    *,
    lines: Mapping[str, int] | None = None,
    for_order: str | None = None,
) -> PurchaseOrder:
    """取消: cancel open units — ``lines`` (line id → units), the lines of ``for_order``, or all.

    A draft's units are cancelled at once. A sent order asks the supplier
    (:class:`~orderflow.domain.effects.CancelAtSupplier`); what it refuses stays on order. Lines
    cancelled for a customer's order are no longer for it at once: if the supplier keeps them,
    they come in as stock.
    """
    if po.status.is_final:
        return po
    wanted = _to_cancel(po, lines, for_order)
    if not wanted:
        return po
    if for_order is not None:
        po = replace(
            po,
            lines=tuple(
                replace(x, for_order=None) if x.for_order == for_order else x for x in po.lines
            ),
        )
    if po.status is PurchaseOrderStatus.DRAFT:
        po = _cancelled(po, wanted)
        to = PurchaseOrderStatus.CANCELLED if not any(x.open for x in po.lines) else None
        return _event(po, ctx, "lines_cancelled", to, lines=_text(wanted))
    plan = Plan(po)
    plan.add(CancelAtSupplier, reference=po.reference or "", lines=tuple(sorted(wanted.items())))
    return plan.apply(_event(po, ctx, "cancel_requested", lines=_text(wanted)))


def _to_cancel(
    po: PurchaseOrder, lines: Mapping[str, int] | None, for_order: str | None
) -> dict[str, int]:
    """Line id → units to cancel: ``lines`` checked against what is open, else every open line.

    Every open line of ``for_order`` when that is given.
    """
    if lines is None:
        return {
            line.line_id: line.open
            for line in po.lines
            if line.open and (for_order is None or line.for_order == for_order)
        }
    if not isinstance(lines, Mapping) or not lines:
        raise InvalidValue(
            "lines", lines, "a mapping of line id → units, not empty (or None: every line)"
        )
    known = {line.line_id: line for line in po.lines}
    wanted: dict[str, int] = {}
    for line_id, units in lines.items():
        if line_id not in known:
            raise InvalidValue(f"lines[{line_id}]", line_id, f"one of {list(known)}")
        open_units = known[line_id].open
        if _check_units(f"lines[{line_id}]", units) > open_units:
            raise InvalidValue(f"lines[{line_id}]", units, f"at most the {open_units} open")
        wanted[line_id] = units
    return wanted


def _text(lines: Mapping[str, int]) -> str:
    return " ".join(f"{k}×{v}" for k, v in sorted(lines.items()))


def _cancelled(po: PurchaseOrder, wanted: Mapping[str, int]) -> PurchaseOrder:
    return replace(
        po,
        lines=tuple(
            replace(x, cancelled=x.cancelled + min(wanted.get(x.line_id, 0), x.open))
            for x in po.lines
        ),
    )


def _settled(po: PurchaseOrder) -> PurchaseOrderStatus:
    """The status the lines say: all closed → 入荷済 / 取消; some received → 一部入荷."""
    if not any(x.open for x in po.lines):
        if any(x.received for x in po.lines):
            return PurchaseOrderStatus.RECEIVED
        return PurchaseOrderStatus.CANCELLED
    if any(x.received for x in po.lines):
        return PurchaseOrderStatus.PARTLY_RECEIVED
    return po.status


# -- folding answers ------------------------------------------------------------------------------


def fold(po: PurchaseOrder, effect: Effect, answer: Answer, ctx: Context) -> PurchaseOrder:
    """``po`` after its first pending ``effect`` was answered with ``answer``."""
    if not po.outbox or po.outbox[0].key != effect.key:
        raise ValueError(f"{effect.key} is not the next pending effect of {po.number}")
    po = replace(po, outbox=po.outbox[1:])
    if isinstance(effect, SendToSupplier):
        if isinstance(answer, Done) and isinstance(answer.value, str):
            po = replace(po, reference=answer.value)
            return _event(po, ctx, "supplier_took", reference=answer.value)
        code = answer.code if isinstance(answer, Refused) else "no reference"
        return _event(po, ctx, "send_refused", PurchaseOrderStatus.DRAFT, code=code)
    if isinstance(effect, CancelAtSupplier):
        if isinstance(answer, Done) and answer.value is True:
            po = _cancelled(po, dict(effect.lines))
            return _event(po, ctx, "lines_cancelled", _settled(po), lines=_text(dict(effect.lines)))
        code = answer.code if isinstance(answer, Refused) else "too_late"
        return _event(po, ctx, "cancel_refused", code=code)
    if isinstance(effect, ReceivePurchased) and isinstance(answer, Refused):
        plan = Plan(po)  # an obligation: asked again under a fresh key until it is done
        plan.again(effect)
        po = _event(po, ctx, "receipt_refused", sku=effect.sku, code=answer.code)
        return plan.apply(po, first=True)
    return po
