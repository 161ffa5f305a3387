"""分納の支払い: what each parcel of an order shipped in part pays (per-parcel capture, 代引き).

The share rule, stated once (``docs/partial-shipment.md`` shows it at work):

1. A set of shipped units owes, per tax rate, its items at their prices; the first parcel also
   carries the shipping fee and the other fees (at the standard rate).
2. Each rate's price reduction (the order's discount and points, as the order's totals apportion
   them over the rates) is apportioned to the units by their share of that rate's charges,
   rounded down; when prices exclude tax, the rate's tax (rounded once for the order) is
   apportioned by the units' share of the rate's base, rounded down.
3. Shares are cumulative: a parcel pays what the order's shipped units owe so far (never more
   than the total) less what was taken before it, and the parcel that completes the order pays
   exactly what is left. So the parcels add up to the total to the yen, whatever the split.
4. A card capture never takes more than the shipped units would cost alone (the order's whole
   discount and points kept: :func:`owed_alone`), so dropping the remainder never asks for
   money back.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

from orderflow.domain._values import replace
from orderflow.domain.effects import Authorize, Capture, Purpose
from orderflow.domain.money import Money
from orderflow.domain.order import Order, PaymentOp, Shipment, ShipmentStatus
from orderflow.domain.outbox import Plan
from orderflow.domain.payments.ledger import CARDLIKE, live_authorization
from orderflow.domain.rules import Rules
from orderflow.domain.tax import PriceMode, TaxRate, TaxRule

__all__ = [
    "COD_LIMITS",
    "CodSplit",
    "PartialPayment",
    "capture_share",
    "cod_amounts",
    "cod_over_limit",
    "in_flight",
    "owed_alone",
    "owed_for",
    "shipped_units",
]


class PartialPayment(enum.Enum):
    """分納: when a card or Amazon Pay payment is taken (``ShopSettings.partial_payment``)."""

    AT_LAST = "at_last"
    """Once, in full, when the last unit ships (the authorization's rest voided then)."""
    PER_SHIPMENT = "per_shipment"
    """Each parcel that ships captures its share; the last one what is left."""


class CodSplit(enum.Enum):
    """分納: what each 代引き parcel collects (``ShopSettings.cod_split``)."""

    FIRST = "first"
    """The first parcel collects the whole total; the later ones nothing."""
    PER_SHIPMENT = "per_shipment"
    """Each parcel collects its share; the parcel that completes the order the rest."""


_PER_SHIPMENT = PartialPayment.PER_SHIPMENT


def owed_for(order: Order, units: Mapping[str, int], rule: TaxRule, *, fees: bool) -> Money:
    """What ``units`` (line id → units) of ``order`` owe by the share rule (with the fees or not).

    Never more than the order's total.
    """
    totals = order.totals(rule)
    currency = order.currency
    charged: dict[TaxRate, Money] = {}
    for line_id, quantity in units.items():
        line = order.line(line_id)
        amount = line.unit_price * quantity
        charged[line.tax_rate] = charged.get(line.tax_rate, Money.zero(currency)) + amount
    if fees:
        extra = order.shipping_fee + order.fees
        charged[TaxRate.STANDARD] = charged.get(TaxRate.STANDARD, Money.zero(currency)) + extra
    owed = Money.zero(currency)
    exclusive = rule.mode is PriceMode.EXCLUSIVE
    for tax_line in totals.tax.lines:
        mine = charged.get(tax_line.rate)
        if mine is None or not mine.amount or not tax_line.charges.amount:
            continue
        rest = tax_line.charges - mine
        reduction = tax_line.reduction.allocate([mine.amount, rest.amount], remainder_to=1)[0]
        base = mine - reduction
        owed = owed + base
        if exclusive and tax_line.base.amount:
            other = tax_line.base - base
            owed = owed + tax_line.tax.allocate([base.amount, other.amount], remainder_to=1)[0]
    return min(owed, totals.total)


def owed_alone(order: Order, units: Mapping[str, int], rule: TaxRule) -> Money:
    """What ``order`` would cost with only ``units`` (its whole discount, fees and points kept).

    The most a per-parcel capture may take: the remainder dropped, the order still owes this.
    """
    lines = tuple(
        replace(line, quantity=units[line.line_id])
        for line in order.lines
        if units.get(line.line_id, 0) > 0
    )
    if not lines:
        return Money.zero(order.currency)
    charges = Money.total(
        [line.amount for line in lines] + [order.shipping_fee, order.fees], order.currency
    )
    discount = min(order.discount, charges)
    points = min(order.points_used, int((charges - discount).amount))
    cut = replace(order, lines=lines, discount=discount, points_used=points, tax_adjustments=())
    return cut.totals(rule).total


def shipped_units(shipments: Iterable[Shipment]) -> dict[str, int]:
    """Line id → units carried by ``shipments``."""
    units: dict[str, int] = {}
    for shipment in shipments:
        for line in shipment.lines:
            units[line.line_id] = units.get(line.line_id, 0) + line.quantity
    return units


def in_flight(order: Order) -> Money:
    """Card money captured, or being captured (a capture still in the outbox)."""
    taken = order.payment.captured
    for effect in order.outbox:
        if (isinstance(effect, Capture) and effect.amount is not None) or (
            isinstance(effect, Authorize)
            and effect.purpose is Purpose.CAPTURE
            and effect.amount is not None
        ):
            taken = taken + effect.amount
    return taken


def capture_share(plan: Plan, order: Order, rules: Rules, now: datetime) -> None:
    """A parcel of an order shipped in part left: capture what is owed so far, void nothing.

    Only with ``settings.partial_payment`` ``PER_SHIPMENT`` (otherwise nothing is added).

    What is owed so far is the share of every shipped parcel (the fees with them), never more
    than those units would cost alone (:func:`owed_alone`: dropping the rest never asks for money
    back), less what was captured or is being captured; a refused capture before is thus taken
    with the next parcel.
    An authorization that lapsed or holds too little is replaced as ``collect_card`` does.
    """
    payment = order.payment
    if payment.method not in CARDLIKE or rules.settings.partial_payment is not _PER_SHIPMENT:
        return
    gone = [
        s for s in order.shipments if s.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)
    ]
    units = shipped_units(gone)
    rule = rules.settings.tax
    owed = min(owed_for(order, units, rule, fees=True), owed_alone(order, units, rule))
    amount = owed - in_flight(order)
    if amount.amount <= 0:
        return
    live = live_authorization(payment, now, rules.settings.authorization_days)
    if live is None or live[2] < amount:
        plan.add(Authorize, method=payment.method, amount=amount, purpose=Purpose.CAPTURE)
        return
    plan.add(Capture, method=live[0], authorization=live[1], amount=amount)


COD_EXCESS = "cod_excess"
"""The detail of money owed back because a 代引き parcel collects more than the order owes."""


def cod_excess_owed(order: Order) -> Money:
    """What 代引き parcels collect above the total, already recorded as owed back."""
    return Money.total(
        (
            e.amount
            for e in order.payment.ledger
            if e.op is PaymentOp.REFUND_OWED and e.detail == COD_EXCESS
        ),
        order.currency,
    )


def cod_amounts(
    order: Order,
    shipments: tuple[Shipment, ...],
    rule: TaxRule,
    split: CodSplit,
    *,
    last: bool,
) -> tuple[Shipment, ...]:
    """The new ``shipments`` of ``order`` with what each collects (代引き).

    ``FIRST``: the order's first shipment collects the total (the first sent again after the
    parcel collecting it was taken back: what the others do not collect). ``PER_SHIPMENT``:
    each collects its share; with ``last`` (no unit of the order waits any more) the last one
    collects the rest.
    """
    # A parcel that collected too much before (a remainder dropped while it was out) and was
    # taken back keeps collecting it: the difference is already recorded as owed back.
    total = order.totals(rule).total + cod_excess_owed(order)
    zero = Money.zero(order.currency)
    asked = Money.total((s.cod_amount or zero for s in order.shipments), order.currency)
    if split is CodSplit.FIRST:
        if shipments and asked < total:
            return (replace(shipments[0], cod_amount=total - asked), *shipments[1:])
        return shipments
    carried = list(order.shipments)
    priced = []
    for index, shipment in enumerate(shipments):
        carried.append(shipment)
        if last and index == len(shipments) - 1:
            share = total - asked
        else:
            share = owed_for(order, shipped_units(carried), rule, fees=True) - asked
        share = max(share, zero)
        asked = asked + share
        priced.append(replace(shipment, cod_amount=share))
    return tuple(priced)


COD_LIMITS: Mapping[str, Money] = MappingProxyType({"yamato": Money.yen(300_000)})
"""The most one parcel may collect (代引金額, tax and the COD fee included), by carrier code.

Yamato's 宅急便コレクト collects at most ¥300,000 a parcel (B2クラウド refuses a larger
コレクト amount). Sagawa's e-コレクト and Japan Post's 代金引換 refuse no amount: Sagawa asks
for its approval (and a delivery fee) above ¥500,000, Japan Post sends a parcel collecting more
than ¥300,000 as 書留 or セキュリティサービス: both are the shop's contract, not a refusal."""


def cod_over_limit(carrier: str, amount: Money, parcel: str) -> str | None:
    """Why ``carrier`` cannot collect ``amount`` for ``parcel`` (:data:`COD_LIMITS`), or None."""
    limit = COD_LIMITS.get(carrier)
    if limit is None or amount.currency != limit.currency or amount <= limit:
        return None
    return (
        f"代引き: {parcel} would collect ¥{amount.amount:,}, more than {carrier} collects for one "
        f"parcel (¥{limit.amount:,}); instruct it with another carrier, or split the order"
    )
