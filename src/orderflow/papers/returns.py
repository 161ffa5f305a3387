"""The return note of one refunded return, as a 適格返還請求書 (返還インボイス): data only.

A qualified-invoice issuer that pays money back for goods returned (売上に係る対価の返還等)
hands the buyer a 適格返還請求書 stating (消費税法 第57条の4 第3項):

- the issuer's name and registration number (:class:`~orderflow.papers.Issuer`);
- the date of the return (返還等を行う年月日) and of the sale it reverses (返還等の基となった
  課税資産の譲渡等を行った年月日);
- what came back (the items, ``※`` on the reduced-rate ones);
- per rate, the amount paid back and the consumption tax in it (税率ごとの返還額と消費税額等).

:func:`return_note` takes them from the order and its refunded
:class:`~orderflow.domain.returns.Return`: the per-rate amounts and taxes are those of
``Return.refund``, the very figures the 売上戻り
entry takes off the sales, so the note and the books agree to the yen. A note for less than
¥10,000 (tax included) need not be handed over (少額な返還インボイスの交付義務免除,
令和5年度改正): :attr:`ReturnNote.required` says whether it must.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import attrs

from orderflow._mask import mask_name, masked_repr
from orderflow.domain.money import Money
from orderflow.domain.order import Order
from orderflow.domain.returns import Return, ReturnStatus
from orderflow.domain.tax import TaxRate
from orderflow.errors import InvalidValue
from orderflow.i18n import zone_info
from orderflow.papers.delivery import NoteItem
from orderflow.papers.issuer import Issuer

__all__ = ["SMALL_RETURN", "PaidBackNote", "RefundLine", "ReturnNote", "return_note"]

SMALL_RETURN = Money.yen(10_000)
"""A return note paying back less than this (tax included) need not be handed over."""


@attrs.frozen(slots=True)
class RefundLine:
    """One rate's part of a refund: what is paid back at that rate and the tax in it."""

    rate: TaxRate
    """10%, or 8% (軽減税率)."""
    amount: Money
    """Paid back at this rate, tax included (税込返還額)."""
    tax: Money
    """The consumption tax in ``amount`` (消費税額等)."""


class PaidBackNote:
    """What a note of money paid back (返還インボイス) offers: the rates together, the exemption.

    A base of :class:`ReturnNote` and :class:`~orderflow.papers.RefundNote`, which hold its
    ``items``, ``refunds`` and ``paid_back``.
    """

    __slots__ = ()
    items: tuple[NoteItem, ...]
    refunds: tuple[RefundLine, ...]
    paid_back: Money

    @property
    def refunded(self) -> Money:
        """Every rate's amount together (before any fee kept back)."""
        return Money.total((r.amount for r in self.refunds), self.paid_back.currency)

    @property
    def required(self) -> bool:
        """Whether the note must be handed over: ¥10,000 or more paid back, tax included.

        In a currency other than yen, always (the exemption is written in yen).
        """
        if self.refunded.currency != SMALL_RETURN.currency:
            return True
        return self.refunded >= SMALL_RETURN

    @property
    def has_reduced(self) -> bool:
        """Whether an item is at the reduced rate (the note then says what ``※`` means)."""
        return any(item.reduced for item in self.items)


@attrs.frozen(slots=True)
class ReturnNote(PaidBackNote):
    """A 返品明細書 that is also a 適格返還請求書: what came back and what is paid back."""

    issuer: Issuer
    """The shop paying back (適格請求書発行事業者): name, 登録番号, address."""
    issued_on: date
    """The date printed on the note (発行日)."""
    order_number: str
    """The order the goods were sold under."""
    return_id: str
    """The return (``R1`` …)."""
    recipient: str = attrs.field(repr=masked_repr(mask_name))
    """The customer's name (宛名), printed with 様; only its first character shows in the repr."""
    sold_on: date
    """When the goods were sold: the day the first of the order's parcels left (出荷日)."""
    returned_on: date
    """When the goods came back and the refund was made (返還等を行う年月日)."""
    items: tuple[NoteItem, ...]
    """What came back: so many units of each order line, at the price it was sold at."""
    refunds: tuple[RefundLine, ...]
    """Per rate (10% first), the amount paid back and its tax: ``Return.refund``."""
    fee: Money
    """What the shop kept back (a return fee, a free shipping lost), tax included."""
    paid_back: Money
    """What the customer gets: the rates' amounts less ``fee``."""


def return_note(
    order: Order, return_id: str, issuer: Issuer, issued_on: date, *, zone: str = "Asia/Tokyo"
) -> ReturnNote:
    """The 適格返還請求書 of ``return_id``, a return received and refunded (see the module).

    Dates are the shop's (``zone``, ``ShopSettings.zone``). A return not refunded (still
    requested, refused, or one whose 後払い refund the provider refused) has no note: an
    ``InvalidValue`` naming ``return_id``, as for an id the order does not have; a bad
    argument is an ``InvalidValue`` naming it.
    """
    tz = check_paper(order, issuer, issued_on, zone)
    ret = _refunded(order, return_id)
    assert ret.received_at is not None and ret.paid_back is not None
    items = [note_item(order, r.line_id, r.quantity) for r in ret.lines]
    return ReturnNote(
        issuer,
        issued_on,
        order.number,
        ret.return_id,
        order.customer.name,
        sold_on(order, ret.requested_at, tz),
        ret.received_at.astimezone(tz).date(),
        tuple(items),
        refund_lines(ret.refund),
        ret.fee if ret.fee is not None else Money.zero(order.currency),
        ret.paid_back,
    )


def _refunded(order: Order, return_id: object) -> Return:
    ids = [r.return_id for r in order.returns]
    ret = next((r for r in order.returns if r.return_id == return_id), None)
    if ret is None:
        raise InvalidValue("return_id", return_id, f"a return of the order: one of {ids}")
    if ret.status is not ReturnStatus.REFUNDED or not ret.refund or ret.paid_back is None:
        raise InvalidValue(
            "return_id",
            return_id,
            "a return received and refunded (a requested or refused one has no return note)",
        )
    return ret


def check_paper(order: object, issuer: object, issued_on: object, zone: object) -> ZoneInfo:
    """Refuse a bad argument of a note by name; the shop's time zone ``zone``."""
    if not isinstance(order, Order):
        raise InvalidValue("order", order, "an Order")
    if not isinstance(issuer, Issuer):
        raise InvalidValue("issuer", issuer, "an Issuer (the shop's name and 登録番号)")
    if not isinstance(issued_on, date) or isinstance(issued_on, datetime):
        raise InvalidValue("issued_on", issued_on, "a date (datetime.date, not a datetime)")
    return zone_info(zone)


def sold_on(order: Order, otherwise: datetime, tz: ZoneInfo) -> date:
    """The day of the sale a note refers to: the first of the order's parcels left (出荷日).

    ``otherwise`` when none has (a note refers to a sale, so in practice one has).
    """
    shipped = [s.shipped_at for s in order.shipments if s.shipped_at is not None]
    return (min(shipped) if shipped else otherwise).astimezone(tz).date()


def note_item(order: Order, line_id: str, quantity: int) -> NoteItem:
    """``quantity`` units of the order's line ``line_id`` at the price it was sold at."""
    line = order.line(line_id)
    return NoteItem(
        line.line_id,
        line.sku,
        line.name,
        line.unit_price,
        quantity,
        line.unit_price * quantity,
        line.tax_rate,
    )


def refund_lines(shares: Iterable[tuple[TaxRate, Money, Money]]) -> tuple[RefundLine, ...]:
    """Per rate (10% first), what the books take off and the tax in it, as a note's lines."""
    ordered = sorted(shares, key=lambda share: -share[0].percent)
    return tuple(RefundLine(rate, amount, tax) for rate, amount, tax in ordered)
