"""The delivery note (納品書) of one shipment, as a qualified invoice (適格請求書): data only.

:func:`delivery_note` builds a :class:`DeliveryNote` from an order, one of its shipments, the
issuing shop and its tax rule. It does no I/O: render it yourself, or with
:func:`orderflow.papers.to_csv` and :func:`orderflow.papers.render_pdf`.

What the note holds, following the 適格請求書 rules:

- the issuer's name and registration number (:class:`~orderflow.papers.Issuer`), the date;
- the shipment's items: name, unit price, quantity, amount and rate, with the reduced-rate mark
  ``※`` on the 8% items (軽減税率対象);
- per rate, the total charged at that rate and the tax on it, worked out **once per rate for
  the document** by :meth:`~orderflow.domain.tax.TaxRule.tax_on`, the exact whole-yen rule
  ``Order.totals`` (through :func:`~orderflow.domain.tax.compute_tax`) uses, with the shop's
  :class:`~orderflow.domain.tax.TaxRule` (price mode and rounding);
- the total.

Orders with several shipments (分納, or one parcel per warehouse): each shipment has its own note
with its own items, and the order-level amounts are shown once:

- the shipping fee and the other fees (代引手数料) are on the **first** shipment's note (the
  first in ``order.shipments`` that was not recalled: the one a COD carrier collects on);
- the discount and the points used lower each rate's base by the share the order gives that
  rate (``order.totals(rule)``, apportioned over the 10% and 8% bases); each rate's share goes
  to the notes by what they charge at that rate, cumulatively in shipment order and rounded
  down, as the parcels' payments share it (so a 代引き parcel's note totals what its driver
  collects). A note shows as 値引き the part of its reduction that the discount still covers,
  the rest as ポイント利用;
- a split order's ``tax_adjustments`` (the yen that make split parts add up to their parent)
  are added, rate by rate, on the first note that charges at that rate, so the notes' taxes
  carry the tax the order charges.

For an order with one shipment the note's tax per rate is therefore exactly
``order.totals(rule).tax``. With several shipments the notes' bases per rate add up to the
order's, and each note rounds its own tax once per rate, as the law asks of each document: the
notes' taxes may differ from the order's by a yen or so per rate (and so, under 外税, their
totals from what the order charges).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

from orderflow._mask import mask_name, masked_repr
from orderflow.domain.money import Money
from orderflow.domain.order import Order, Shipment, ShipmentStatus
from orderflow.domain.tax import RATES, PriceMode, TaxBreakdown, TaxLine, TaxRate, TaxRule
from orderflow.errors import InvalidValue
from orderflow.papers.issuer import Issuer

__all__ = ["REDUCED_MARK", "DeliveryNote", "NoteItem", "delivery_note", "note_total"]

REDUCED_MARK = "※"
"""The mark printed beside a reduced-rate item (軽減税率対象品目である旨)."""


@attrs.frozen(slots=True)
class NoteItem:
    """One item of a delivery note (明細): so many units of one order line in this shipment."""

    line_id: str
    """The order line these units come from."""
    sku: str
    """The line's SKU (a set line's own SKU: its components are not listed)."""
    name: str
    """The product name printed on the note, as the order line gives it."""
    unit_price: Money
    """As the shop prices (with tax under 内税, without under 外税)."""
    quantity: int
    """Units of the line in this shipment (sets, for a set line)."""
    amount: Money
    """``unit_price × quantity``."""
    rate: TaxRate
    """The line's consumption-tax rate: 10%, or 8% (軽減税率, marked ``※``)."""

    @property
    def reduced(self) -> bool:
        """True for a reduced-rate (8%) item."""
        return self.rate is TaxRate.REDUCED

    @property
    def mark(self) -> str:
        """``※`` for a reduced-rate item, else empty."""
        return REDUCED_MARK if self.reduced else ""


@attrs.frozen(slots=True)
class DeliveryNote:
    """A 納品書 that is also a 適格請求書: what one shipment delivers and what it costs."""

    issuer: Issuer
    """The shop issuing the note (適格請求書発行事業者): name, 登録番号, address."""
    issued_on: date
    """The date printed on the note (取引年月日 / 発行日)."""
    order_number: str
    """The order the shipment belongs to."""
    shipment_id: str
    """The shipment (parcel) this note goes with; a recalled one has no note."""
    recipient: str = attrs.field(repr=masked_repr(mask_name))
    """The customer's name (宛名), printed with 様; only its first character shows in the repr."""
    items: tuple[NoteItem, ...]
    """The shipment's items (明細), one per line of the shipment, in its order."""
    shipping_fee: Money
    """送料: on the first shipment's note only (zero on the others)."""
    fees: Money
    """Other fees at 10% (代引手数料): on the first shipment's note only."""
    discount: Money
    """値引き carried by this note."""
    points_used: Money
    """ポイント利用 carried by this note (1 point = 1 yen)."""
    tax: TaxBreakdown
    """Per rate: charged, reduction, base and the tax rounded once (税率ごとの消費税額)."""
    price_mode: PriceMode
    """Whether the amounts include tax (内税) or not (外税)."""
    total: Money
    """What this note charges: charges less reductions, plus tax under 外税 (合計)."""

    @property
    def items_total(self) -> Money:
        """Every item's amount, as priced (小計)."""
        return Money.total((i.amount for i in self.items), self.total.currency)

    @property
    def tax_total(self) -> Money:
        """The tax of every rate together (消費税合計)."""
        return self.tax.tax

    @property
    def has_reduced(self) -> bool:
        """True when an item carries the ``※`` mark (the note then explains it)."""
        return any(item.reduced for item in self.items)


def _live(order: Order) -> list[Shipment]:
    return [s for s in order.shipments if s.status is not ShipmentStatus.RECALLED]


def _find(order: Order, shipment_id: object) -> tuple[int, list[Shipment]]:
    if not isinstance(shipment_id, str) or not shipment_id:
        raise InvalidValue("shipment_id", shipment_id, "a shipment id such as '1001-S1'")
    live = _live(order)
    for index, shipment in enumerate(live):
        if shipment.shipment_id == shipment_id:
            return index, live
    if any(s.shipment_id == shipment_id for s in order.shipments):
        raise InvalidValue(
            "shipment_id", shipment_id, "a shipment that was not recalled (出荷指示取消)"
        )
    known = [s.shipment_id for s in live]
    raise InvalidValue(
        "shipment_id",
        shipment_id,
        f"one of order {order.number}'s shipments {known}"
        if known
        else f"a shipment of order {order.number}, which has none yet (instruct shipping first)",
    )


def _items(order: Order, shipment: Shipment) -> tuple[NoteItem, ...]:
    items = []
    for part in shipment.lines:
        line = order.line(part.line_id)
        items.append(
            NoteItem(
                line.line_id,
                line.sku,
                line.name,
                line.unit_price,
                part.quantity,
                line.unit_price * part.quantity,
                line.tax_rate,
            )
        )
    return tuple(items)


def _charges(items: tuple[NoteItem, ...], extra: Money, currency: str) -> dict[TaxRate, Money]:
    by_rate: dict[TaxRate, Decimal] = {}
    for item in items:
        by_rate[item.rate] = by_rate.get(item.rate, Decimal(0)) + item.amount.amount
    if extra:
        by_rate[TaxRate.STANDARD] = by_rate.get(TaxRate.STANDARD, Decimal(0)) + extra.amount
    return {rate: Money.of(amount, currency) for rate, amount in by_rate.items()}


def _check(order: object, issuer: object, rule: object, issued_on: object) -> None:
    if not isinstance(order, Order):
        raise InvalidValue("order", order, "an Order")
    if not isinstance(issuer, Issuer):
        raise InvalidValue("issuer", issuer, "an Issuer (the shop's name and 登録番号)")
    if not isinstance(rule, TaxRule):
        raise InvalidValue("rule", rule, "the shop's TaxRule (ShopSettings.tax)")
    if not isinstance(issued_on, date) or isinstance(issued_on, datetime):
        raise InvalidValue("issued_on", issued_on, "a date (datetime.date, not a datetime)")


def _figures(
    order: Order, live: list[Shipment], index: int, rule: TaxRule
) -> tuple[tuple[NoteItem, ...], list[dict[TaxRate, Money]], TaxBreakdown, Money]:
    """The note of ``live[index]``: its items, every note's reductions, its tax and total."""
    currency = order.currency
    zero = Money.zero(currency)
    items = _items(order, live[index])
    extra = order.shipping_fee + order.fees if index == 0 else zero
    charges = _charges(items, extra, currency)
    shares = _reduction_shares(order, live, rule)
    reductions = shares[index]
    inclusive = rule.mode is PriceMode.INCLUSIVE
    lines = []
    for rate in RATES:
        if rate in charges:
            share = reductions.get(rate, zero)
            base = charges[rate] - share
            lines.append(
                TaxLine(rate, charges[rate], share, base, rule.tax_on(base, rate), inclusive)
            )
    breakdown = TaxBreakdown(tuple(lines), currency)
    if order.tax_adjustments:
        breakdown = breakdown.adjusted(_adjustments_on(order, live, index))
    total = Money.total(charges.values(), currency) - Money.total(reductions.values(), currency)
    if not inclusive:
        total += breakdown.tax
    return items, shares, breakdown, total


def note_total(order: Order, shipment_id: str, rule: TaxRule) -> tuple[Money, Money]:
    """What the 納品書 of ``shipment_id`` charges and the tax in it, without the note.

    Its 合計 and 消費税合計, as :func:`delivery_note` gives them: for a 代引き parcel, what its
    driver collects (its ``cod_amount`` as the parcels share the order) and the consumption tax
    in it, per rate as the note rounds it. Raises
    :class:`~orderflow.errors.InvalidValue` as :func:`delivery_note` does.
    """
    if not isinstance(order, Order):
        raise InvalidValue("order", order, "an Order")
    if not isinstance(rule, TaxRule):
        raise InvalidValue("rule", rule, "the shop's TaxRule (ShopSettings.tax)")
    index, live = _find(order, shipment_id)
    _items, _shares, breakdown, total = _figures(order, live, index, rule)
    return total, breakdown.tax


def delivery_note(
    order: Order, shipment_id: str, issuer: Issuer, rule: TaxRule, issued_on: date
) -> DeliveryNote:
    """The 納品書 of ``shipment_id``, as a 適格請求書 (see the module for the rules).

    Raises :class:`~orderflow.errors.InvalidValue` naming the field for a bad argument, and for a
    shipment id the order does not have (or whose shipment was recalled).
    """
    _check(order, issuer, rule, issued_on)
    index, live = _find(order, shipment_id)
    currency = order.currency
    zero = Money.zero(currency)
    first = index == 0
    items, shares, breakdown, total = _figures(order, live, index, rule)
    shipping_fee = order.shipping_fee if first else zero
    fees = order.fees if first else zero
    reduced = Money.total(shares[index].values(), currency)
    earlier = Money.total((m for share in shares[:index] for m in share.values()), currency)
    discount = min(max(order.discount - earlier, zero), reduced)
    points = reduced - discount
    return DeliveryNote(
        issuer,
        issued_on,
        order.number,
        live[index].shipment_id,
        order.customer.name,
        items,
        shipping_fee,
        fees,
        discount,
        points,
        breakdown,
        rule.mode,
        total,
    )


def _adjustments_on(
    order: Order, live: list[Shipment], index: int
) -> tuple[tuple[TaxRate, Money], ...]:
    """The split part's tax adjustments the note of ``live[index]`` carries.

    Each rate's adjustment goes on the first note that charges at that rate (the first note
    when it does): a first note with no line at the rate would drop it.
    """
    zero = Money.zero(order.currency)
    carried = []
    for rate, amount in order.tax_adjustments:
        for position, shipment in enumerate(live):
            extra = order.shipping_fee + order.fees if position == 0 else zero
            if rate in _charges(_items(order, shipment), extra, order.currency):
                if position == index:
                    carried.append((rate, amount))
                break
    return tuple(carried)


def _reduction_shares(
    order: Order, live: list[Shipment], rule: TaxRule
) -> list[dict[TaxRate, Money]]:
    """Per live shipment, the reduction it carries at each rate.

    The share rule of the parcels' payments (:mod:`orderflow.domain.payments.parcels`): each
    rate's share of the order's reductions (``order.totals(rule)``: apportioned over the bases
    as the order's tax is) goes to the notes by what they charge at that rate, cumulatively in
    shipment order and rounded down, the note that completes the rate taking what is left. So a
    note's total is what its parcel pays (a 代引き parcel collects, a parcel's capture takes),
    and the notes' bases per rate add up to the order's once every unit is on a note.
    """
    currency = order.currency
    zero = Money.zero(currency)
    whole = {line.rate: line for line in order.totals(rule).tax.lines if line.reduction}
    carried: dict[TaxRate, Money] = {}  # what the notes so far charge at the rate
    taken: dict[TaxRate, Money] = {}  # and the reduction they carry
    shares: list[dict[TaxRate, Money]] = []
    for position, shipment in enumerate(live):
        extra = order.shipping_fee + order.fees if position == 0 else zero
        charges = _charges(_items(order, shipment), extra, currency)
        share: dict[TaxRate, Money] = {}
        for rate, line in whole.items():
            mine = charges.get(rate, zero)
            if not mine:
                continue
            so_far = carried[rate] = carried.get(rate, zero) + mine
            rest = max(line.charges - so_far, zero)
            owed = line.reduction.allocate([so_far.amount, rest.amount], remainder_to=1)[0]
            part = max(owed - taken.get(rate, zero), zero)
            if part:
                share[rate] = part
                taken[rate] = taken.get(rate, zero) + part
        shares.append(share)
    return shares
