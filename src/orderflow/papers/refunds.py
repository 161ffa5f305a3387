"""The note of a goodwill refund (返金, 売上値引), a 適格返還請求書 (返還インボイス): data only.

A goodwill refund (``desk.refund``) pays money back with no goods coming back: a price reduction
after the sale (売上値引), which is 売上に係る対価の返還等 as much as a return is. The qualified-
invoice issuer hands the buyer a 適格返還請求書 stating (消費税法 第57条の4 第3項):

- the issuer's name and registration number (:class:`~orderflow.papers.Issuer`);
- the date of the refund (返還等を行う年月日) and of the sale it reduces (返還等の基となった
  課税資産の譲渡等を行った年月日);
- what it concerns: the goods of the sale it reduces (``※`` on the reduced-rate ones) and why
  (the refund's ``reason``);
- per rate, the amount paid back and the consumption tax in it (税率ごとの返還額と消費税額等).

:func:`refund_note` takes them from the order and its ``GoodwillRefunded`` fact: the per-rate
amounts and taxes are the refund's ``rates``, the very figures its 売上値引 entry
(:func:`~orderflow.domain.goodwill.goodwill_entry`) debits, so the note and the books agree to
the yen. Each refund has its own note (``G1``, ``G2`` … in the order they were made, as the
entry's reference ``<order>/<refund id>`` names them). Less than ¥10,000 paid back (tax
included) need not be handed over: :attr:`RefundNote.required` says whether it must.
"""

from __future__ import annotations

from datetime import date

import attrs

from orderflow._mask import mask_name, mask_personal_data_in, masked_repr
from orderflow.domain.events import GoodwillRefunded
from orderflow.domain.goodwill import goodwill_refunds, goodwill_settled
from orderflow.domain.money import Money
from orderflow.domain.order import Order
from orderflow.errors import InvalidValue
from orderflow.papers.delivery import NoteItem
from orderflow.papers.issuer import Issuer
from orderflow.papers.returns import (
    PaidBackNote,
    RefundLine,
    check_paper,
    note_item,
    refund_lines,
    sold_on,
)

__all__ = ["RefundNote", "refund_note"]


@attrs.frozen(slots=True)
class RefundNote(PaidBackNote):
    """A 返金明細書 that is also a 適格返還請求書: what a goodwill refund paid back, per rate."""

    issuer: Issuer
    """The shop paying back (適格請求書発行事業者): name, 登録番号, address."""
    issued_on: date
    """The date printed on the note (発行日)."""
    order_number: str
    """The order whose sale the refund reduces."""
    refund_id: str
    """The goodwill refund (``G1`` …): its journal entry's reference is ``<order>/<refund id>``."""
    recipient: str = attrs.field(repr=masked_repr(mask_name))
    """The customer's name (宛名), printed with 様; only its first character shows in the repr."""
    sold_on: date
    """When the goods were sold: the day the first of the order's parcels left (出荷日)."""
    refunded_on: date
    """When the refund was made (返還等を行う年月日): the date of its 売上値引 entry."""
    reason: str = attrs.field(repr=masked_repr(mask_personal_data_in))
    """Why the money is paid back, as ``desk.refund`` was told (printed as 返金理由); e-mails and
    phone numbers in it are masked in the repr. ``attrs.evolve(note, reason=...)`` prints
    another text."""
    items: tuple[NoteItem, ...]
    """The goods of the sale the refund reduces: each order line, as sold."""
    refunds: tuple[RefundLine, ...]
    """Per rate (10% first), the amount paid back and its tax: the refund's 売上値引 figures."""
    paid_back: Money
    """What the customer gets: every rate's amount together."""


def refund_note(
    order: Order, refund_id: str, issuer: Issuer, issued_on: date, *, zone: str = "Asia/Tokyo"
) -> RefundNote:
    """The 適格返還請求書 of the goodwill refund ``refund_id`` (``G1`` …; see the module).

    Dates are the shop's (``zone``, ``ShopSettings.zone``). Only a refund whose money moved has a
    note, as only it goes in the books: one an order does not have, a 後払い refund still waiting
    on the provider's answer, or one the provider refused (it was not made) is an
    ``InvalidValue`` naming ``refund_id``; a bad argument is an ``InvalidValue`` naming it.
    """
    tz = check_paper(order, issuer, issued_on, zone)
    refund = _paid(order, refund_id)
    return RefundNote(
        issuer,
        issued_on,
        order.number,
        refund.refund_id,
        order.customer.name,
        sold_on(order, refund.at, tz),
        refund.at.astimezone(tz).date(),
        refund.reason,
        tuple(note_item(order, line.line_id, line.quantity) for line in order.lines),
        refund_lines(refund.rates),
        Money.total((amount for _, amount, _ in refund.rates), order.currency),
    )


def _paid(order: Order, refund_id: object) -> GoodwillRefunded:
    """The goodwill refund ``refund_id`` of ``order``, made and its money moved."""
    asked = [e.refund_id for e in order.history if isinstance(e, GoodwillRefunded)]
    if not asked:
        expected = "a goodwill refund of the order (it has no goodwill refund: desk.refund)"
        raise InvalidValue("refund_id", refund_id, expected)
    if refund_id not in asked:
        expected = f"a goodwill refund of the order: one of {asked}"
        raise InvalidValue("refund_id", refund_id, expected)
    refund = next((e for e in goodwill_refunds(order) if e.refund_id == refund_id), None)
    if refund is None:
        raise InvalidValue(
            "refund_id",
            refund_id,
            "a refund made (the 後払い provider refused this one: nothing was paid back)",
        )
    if not goodwill_settled(order, refund):
        raise InvalidValue(
            "refund_id",
            refund_id,
            "a refund paid back (this one waits on the 後払い provider's answer)",
        )
    return refund
