"""What a return pays back (返品の返金額) and its reversing journal entry (売上戻り), pure.

The refund of a return is what the customer really paid for those units: each tax rate's
amount paid (after the order-level discount and the points used, apportioned over the rates as
:meth:`Order.totals <orderflow.domain.order.Order.totals>` does) shared over that rate's items by
their price. It is worked out *cumulatively*, in whole yen: the units returned so far, this
return's included, are worth ``paid × returned / charged`` rounded down, and the return pays the
difference from what the earlier returns were worth. The tax in it is shared the same way but
never exceeds the return's amount (what it cannot hold waits for a later return). So refunds
over any sequence of partial returns never exceed what was paid, per rate, and a full return
pays it back to the yen. The
original shipping (and COD) fee's share comes back with the return that brings the last unit
back, when the policy refunds it for that reason; a return fee and a lost free shipping are kept
back from what is paid. A goodwill refund (:mod:`orderflow.domain.goodwill`) made before a return
lowers what the return can pay back at its rates: never more than the rate still holds. When
less money goes back than the units are worth (capped at what is refundable, or owed points
settled from it), :func:`paid_share` takes the difference off the rates: the return's entry
posts what was really paid back, the rest (``Return.withheld``) stays in the sales.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import attrs

from orderflow.domain._checks import given
from orderflow.domain.booking import AccountMap, AmountForm, JournalEntry, JournalLine, Side
from orderflow.domain.bounds import check_date
from orderflow.domain.goodwill import goodwill_refunds
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderTotals
from orderflow.domain.returns import Return, ReturnPolicy, ReturnReason, ReturnStatus
from orderflow.domain.tax import RATES, PriceMode, TaxRate, TaxRule, tax_carried
from orderflow.errors import InvalidValue

__all__ = ["RefundShare", "paid_share", "refund_share", "return_entry", "returned_units"]


@attrs.frozen(slots=True)
class RefundShare:
    """What one return pays back, worked out by :func:`refund_share`."""

    rates: tuple[tuple[TaxRate, Money, Money], ...]
    """Per rate: the amount (as paid, tax included) and the tax in it."""
    shipping_refunded: bool
    """The original shipping and COD fees are paid back in ``rates``: this return brings
    the last unit back, the policy refunds them for its reason and no earlier return did."""
    fee: Money
    """Kept back (a return fee, a lost free shipping), tax included; never more than the rates."""
    paid_back: Money
    """The rates' amounts less ``fee``."""
    points_back: int
    """Points used on the order that come back with these units (the items' part of
    ``Order.points_used``, shared by price, never more than is still taken), and the fees'
    part with the shipping when it is refunded (``shipping_refunded``)."""
    points_clawed: int
    """Points earned by the order that go with these units (before any limit)."""

    @property
    def gross(self) -> Money:
        """Every rate's amount together (before ``fee``)."""
        return Money.total((amount for _, amount, _ in self.rates), self.fee.currency)


def returned_units(order: Order, *, refunded_only: bool = True) -> dict[str, int]:
    """Line id → units returned so far (refunded; with ``refunded_only=False`` also requested)."""
    out: dict[str, int] = {}
    for ret in order.returns:
        if ret.status is ReturnStatus.REFUSED:
            continue
        if refunded_only and ret.status is not ReturnStatus.REFUNDED:
            continue
        for line in ret.lines:
            out[line.line_id] = out.get(line.line_id, 0) + line.quantity
    return out


def _priced(order: Order, units: Mapping[str, int]) -> dict[TaxRate, int]:
    """Minor units of the priced amount of ``units`` per rate."""
    out: dict[TaxRate, int] = {}
    for line in order.lines:
        count = units.get(line.line_id, 0)
        if count:
            out[line.tax_rate] = out.get(line.tax_rate, 0) + line.unit_price.minor_units * count
    return out


Shares = tuple[tuple[TaxRate, Money, Money], ...]
"""Per rate: an amount (tax included) and the consumption tax in it."""


def refund_share(
    order: Order,
    ret: Return,
    rule: TaxRule,
    policy: ReturnPolicy,
    *,
    shipping_fee: Money | None = None,
    points_earned: int = 0,
) -> RefundShare:
    """What ``ret`` pays back, after the order's returns refunded before it.

    ``shipping_fee`` is what a lost free shipping costs (the shop's fee to the order's address)
    when the policy does not name one; ``points_earned`` what the whole order earned.
    """
    given(order, Order, "order", "an Order")
    given(ret, Return, "ret", "a Return (order.returns[i])")
    given(policy, ReturnPolicy, "policy", "a ReturnPolicy (ShopSettings.return_policy)")
    if shipping_fee is not None and (
        not isinstance(shipping_fee, Money) or shipping_fee.currency != order.currency
    ):
        raise InvalidValue("shipping_fee", shipping_fee, f"a Money in {order.currency}, or None")
    if isinstance(points_earned, bool) or not isinstance(points_earned, int) or points_earned < 0:
        raise InvalidValue("points_earned", points_earned, "a whole number of points, 0 or more")
    currency = order.currency
    before = returned_units(order)
    after = dict(before)
    for line in ret.lines:
        after[line.line_id] = after.get(line.line_id, 0) + line.quantity
    everything = {line.line_id: line.quantity for line in order.lines}
    share = _Units(
        order,
        charged=_priced(order, everything),
        was=_priced(order, before),
        now=_priced(order, after),
        full=all(after.get(k, 0) >= v for k, v in everything.items()),
    )
    shipping_back = (
        share.full
        and ret.reason in policy.refund_shipping_for
        and not any(r.shipping_refunded for r in order.returns)
    )
    rates = _rates_back(share, order.totals(rule), shipping_back)
    gross = sum((amount.minor_units for _, amount, _ in rates), 0)
    fee = min(_fee_kept(share, ret, policy, shipping_fee), gross)
    points_back, points_clawed = _points_back(share, points_earned, shipping_back)
    return RefundShare(
        rates,
        shipping_back,
        Money.from_minor_units(fee, currency),
        Money.from_minor_units(gross - fee, currency),
        points_back,
        points_clawed,
    )


@attrs.frozen
class _Units:
    """The units a return is worked out from, priced per rate in minor units."""

    order: Order
    charged: dict[TaxRate, int]
    """Every unit of the order."""
    was: dict[TaxRate, int]
    """The units the earlier (refunded) returns brought back."""
    now: dict[TaxRate, int]
    """Those and this return's."""
    full: bool
    """This return brings the last unit back."""


def _earlier_returns(
    order: Order,
) -> tuple[dict[TaxRate, int], dict[TaxRate, int], dict[TaxRate, int]]:
    """Per rate, of the refunded returns: (tax their units were worth, tax paid back, paid back)."""
    worth: dict[TaxRate, int] = {}  # the tax the earlier returns' units were worth per rate
    taxed: dict[TaxRate, int] = {}  # of it, the tax they really paid back (and took off)
    returned: dict[TaxRate, int] = {}  # and the amounts they really paid back
    for earlier in order.returns:
        if earlier.status is ReturnStatus.REFUNDED:
            for rate, back_amount, back in earlier.refund:
                taxed[rate] = taxed.get(rate, 0) + back.minor_units
                returned[rate] = returned.get(rate, 0) + back_amount.minor_units
            for rate, _, back in (*earlier.refund, *earlier.withheld):
                worth[rate] = worth.get(rate, 0) + back.minor_units
    return worth, taxed, returned


def _goodwill_taken(order: Order) -> dict[TaxRate, tuple[int, int]]:
    """Per rate, what goodwill refunds took off: (amount, tax) in minor units."""
    goodwill: dict[TaxRate, tuple[int, int]] = {}
    for refund in goodwill_refunds(order):
        for rate, taken, taken_tax in refund.rates:
            was_amount, was_tax = goodwill.get(rate, (0, 0))
            goodwill[rate] = (was_amount + taken.minor_units, was_tax + taken_tax.minor_units)
    return goodwill


def _rates_back(share: _Units, totals: OrderTotals, shipping_back: bool) -> Shares:
    """Per rate (standard first): what the return pays back and the tax in it."""
    order = share.order
    currency = order.currency
    extras = order.shipping_fee.minor_units + order.fees.minor_units
    worth, taxed, returned = _earlier_returns(order)
    goodwill = _goodwill_taken(order)
    rates: list[tuple[TaxRate, Money, Money]] = []
    for tax_line in totals.tax.lines:
        rate = tax_line.rate
        paid, tax = tax_line.gross.minor_units, tax_line.tax.minor_units
        items = share.charged.get(rate, 0)
        rate_extras = extras if rate is TaxRate.STANDARD else 0
        base = items + rate_extras
        if base <= 0:
            continue
        extra_paid, extra_tax = paid * rate_extras // base, tax * rate_extras // base
        item_paid, item_tax = paid - extra_paid, tax - extra_tax
        amount = units_tax = 0
        if items:
            now, was = share.now.get(rate, 0), share.was.get(rate, 0)
            amount = item_paid * now // items - item_paid * was // items
            # the tax the units returned so far hold, less what the earlier returns paid back,
            # never more than this return's amount: the tax a rounded-down amount cannot hold
            # waits for a later one (a full return pays it all, net and tax never below zero)
            units_tax = item_tax * now // items - worth.get(rate, 0)
            units_tax = max(0, min(units_tax, amount))
        if shipping_back and rate_extras:
            amount, units_tax = amount + extra_paid, units_tax + extra_tax
        gw_minor, gw_tax_minor = goodwill.get(rate, (0, 0))
        if gw_minor:  # a goodwill refund took part of the rate back already: never more
            held = paid - returned.get(rate, 0) - gw_minor
            held_tax = tax - taxed.get(rate, 0) - gw_tax_minor
            if share.full:  # the last unit: all the rate holds but the fees the shop keeps
                kept = 0 if shipping_back or not rate_extras or _fees_back(order) else extra_paid
                amount = max(amount, held - kept)
            amount, units_tax = _within(amount, units_tax, held, held_tax, rate, currency)
        if amount or units_tax:
            rates.append(
                (
                    rate,
                    Money.from_minor_units(amount, currency),
                    Money.from_minor_units(units_tax, currency),
                )
            )
    rates.sort(key=lambda r: RATES.index(r[0]))
    return tuple(rates)


def _fees_back(order: Order) -> bool:
    """An earlier return refunded the shipping (and COD) fee."""
    return any(r.shipping_refunded for r in order.returns)


def _within(
    amount: int, units_tax: int, held: int, held_tax: int, rate: TaxRate, currency: str
) -> tuple[int, int]:
    """A rate's amount and tax back, no more than it still ``held`` after goodwill refunds."""
    amount = max(0, min(amount, held))
    # what stays must be able to carry the tax left with it: the rate's last yen take
    # the rest of its tax (not ¥1 of 仮受消費税 left on a sale refunded to the yen)
    stays = tax_carried(Money.from_minor_units(max(0, held - amount), currency), rate)
    units_tax = max(units_tax, held_tax - stays.minor_units)
    return amount, max(0, min(units_tax, amount, held_tax))


def _fee_kept(share: _Units, ret: Return, policy: ReturnPolicy, shipping_fee: Money | None) -> int:
    """What a customer's return keeps back (return fee, a lost free shipping), minor units."""
    if ret.reason is not ReturnReason.CUSTOMER:
        return 0
    order = share.order
    fee = policy.return_fee.minor_units
    threshold = policy.free_shipping_threshold
    all_items = sum(share.charged.values())
    kept_before = all_items - sum(share.was.values())
    kept_after = all_items - sum(share.now.values())
    if (
        threshold is not None
        and not order.shipping_fee
        and kept_before >= threshold.minor_units > kept_after
    ):
        lost = policy.lost_free_shipping_fee  # ¥0 is the shop's word: keep nothing
        if lost is None:
            lost = shipping_fee or Money.zero(order.currency)
        fee += lost.minor_units
    return fee


def _points_back(share: _Units, points_earned: int, shipping_back: bool) -> tuple[int, int]:
    """Points used that come back with the units, and points earned that go with them.

    The points used paid the items and the fees (shipping, COD) alike, shared by price as the
    totals share every reduction: the items' part comes back with the units, the fees' part
    with the fees (``shipping_back``), so a return whose shipping the customer bears keeps the
    points that paid it, as it keeps the money that did.
    """
    order = share.order
    all_amount = sum(share.charged.values())
    now_amount, was_amount = sum(share.now.values()), sum(share.was.values())
    extras = order.shipping_fee.minor_units + order.fees.minor_units
    # shared from the points used, which returns do not change: ``points_taken`` is what
    # is still taken, already lowered by the earlier returns' points back
    used = order.points_used
    # rounded up, as the money's share of the fees is rounded down: the items' money and
    # points back together never pass what the items cost
    on_fees = -(-used * extras // (all_amount + extras)) if all_amount + extras else 0
    on_items = used - on_fees
    points_back = points_clawed = 0
    if all_amount:
        points_back = on_items * now_amount // all_amount - on_items * was_amount // all_amount
        points_clawed = (
            points_earned * now_amount // all_amount - points_earned * was_amount // all_amount
        )
    if shipping_back:  # every item free too: the points paid the fees alone
        points_back += on_fees
    return max(0, min(points_back, order.points_taken)), points_clawed


def _largest_remainder(whole: int, weights: list[int]) -> list[int]:
    """``whole`` shared by ``weights`` (not all zero) in whole minor units.

    The largest remainders take the units rounding leaves: the parts add up to ``whole``.
    """
    base = sum(weights)
    parts, rests = [], []
    for i, weight in enumerate(weights):
        part, rest = divmod(whole * weight, base)
        parts.append(part)
        rests.append((-rest, i))
    for _, i in sorted(rests)[: whole - sum(parts)]:
        parts[i] += 1
    return parts


def paid_share(share: RefundShare, paid: Money, rule: TaxRule) -> tuple[Shares, Shares]:
    """What a return really paid back per rate, and what it withheld: ``(refund, withheld)``.

    ``paid`` is the money that goes back: ``share.paid_back``, or less when the refund was
    capped at what is still refundable or owed points were settled from it. The difference comes
    off the rates in proportion to their amounts (whole yen, largest remainder; the fee kept back
    stays); a rate cut has the tax in what is left of it worked out again, rounded once with the
    shop's rule (never more than it held), but no less than leaves the cut able to carry the
    rest (its tax rounded up: a yen cut never keeps two yen of tax). What is cut, and its tax,
    is withheld: it stays in the sales. All of it is paid back: ``(share.rates, ())``.
    """
    currency = paid.currency
    short = share.paid_back.minor_units - max(0, paid.minor_units)
    if short <= 0 or not share.rates:
        return share.rates, ()
    amounts = [amount.minor_units for _, amount, _ in share.rates]
    cuts = _largest_remainder(min(short, sum(amounts)), amounts)
    inclusive = TaxRule(PriceMode.INCLUSIVE, rule.rounding)
    refund: list[tuple[TaxRate, Money, Money]] = []
    withheld: list[tuple[TaxRate, Money, Money]] = []
    for (rate, amount, tax), cut in zip(share.rates, cuts, strict=True):
        left = amount.minor_units - cut
        left_tax = tax.minor_units
        if cut:
            left_tax = 0
            if left:
                computed = inclusive.tax_on(Money.from_minor_units(left, currency), rate)
                carried = tax_carried(Money.from_minor_units(cut, currency), rate)
                least = tax.minor_units - carried.minor_units  # what the cut cannot carry
                left_tax = max(0, min(max(computed.minor_units, least), tax.minor_units, left))
            withheld.append(
                (
                    rate,
                    Money.from_minor_units(cut, currency),
                    Money.from_minor_units(tax.minor_units - left_tax, currency),
                )
            )
        if left or left_tax:
            refund.append(
                (
                    rate,
                    Money.from_minor_units(left, currency),
                    Money.from_minor_units(left_tax, currency),
                )
            )
    return tuple(refund), tuple(withheld)


def _categories(
    order: Order, ret: Return, rate: TaxRate, amount: Money, tax: Money, accounts: AccountMap
) -> list[tuple[str, Money, Money]]:
    """One rate's refund shared over the tax categories of what came back, as the sale has them.

    Each returned unit weighs its price under its product's own category at ``rate``
    (``AccountMap.sales_for``); the shipping and COD fees refunded with it, the map's category.
    Amount and tax are shared by those weights in whole yen (largest remainder), a part's tax
    never more than its amount.
    """
    default = accounts.tax_categories[rate]
    weights: dict[str, int] = {}
    for line in ret.lines:
        ol = order.line(line.line_id)
        if ol.tax_rate is rate:
            category = accounts.sales_for(ol.sku, rate)[2]
            weight = ol.unit_price.minor_units * line.quantity
            weights[category] = weights.get(category, 0) + weight
    if ret.shipping_refunded and rate is TaxRate.STANDARD:
        extras = order.shipping_fee.minor_units + order.fees.minor_units
        weights[default] = weights.get(default, 0) + extras
    weights = {category: weight for category, weight in weights.items() if weight > 0}
    if len(weights) <= 1:
        return [(next(iter(weights), default), amount, tax)]
    names = list(weights)
    amounts = _largest_remainder(amount.minor_units, [weights[n] for n in names])
    taxes = _largest_remainder(tax.minor_units, [weights[n] for n in names])
    over = 0
    for i, part in enumerate(amounts):  # a yen of tax rounded onto a smaller part moves on
        if taxes[i] > part:
            over += taxes[i] - part
            taxes[i] = part
    for i, part in enumerate(amounts):
        room = min(over, part - taxes[i])
        taxes[i] += room
        over -= room
    currency = amount.currency
    return [
        (
            names[i],
            Money.from_minor_units(amounts[i], currency),
            Money.from_minor_units(taxes[i], currency),
        )
        for i in range(len(names))
        if amounts[i] or taxes[i]
    ]


def _fee_tax(fee: Money, rule: TaxRule) -> Money:
    """The consumption tax in a fee that includes it (10%), rounded with the shop's rule."""
    return TaxRule(PriceMode.INCLUSIVE, rule.rounding).tax_on(fee, TaxRate.STANDARD)


def return_entry(
    order: Order, ret: Return, rule: TaxRule, accounts: AccountMap, on: date
) -> JournalEntry:
    """The reversing entry of a refunded return (売上戻り), dated ``on``; the sale is never edited.

    Per rate: debit ``accounts.returns`` (売上戻り高) with what the rate really paid back
    (``ret.refund``: money withheld stays in the sales), without tax and a 仮受消費税 debit line
    for its tax (:attr:`AmountForm.NET`), or with tax and the tax in the line's tax amount
    (:attr:`AmountForm.GROSS`); one line per tax category of what came back, each product under
    its own category (``AccountMap.products``) as the sale wrote it (the rate's 仮受消費税 line
    under the map's category, as the sale's). A fee kept back is credited
    to ``accounts.fees`` (返品手数料) the same way; 売掛金 is credited with what is paid back.
    The reference is ``<order>/<return id>``.
    """
    given(order, Order, "order", "an Order")
    given(ret, Return, "ret", "a Return (order.returns[i])")
    given(accounts, AccountMap, "accounts", "an AccountMap (ShopSettings.accounts)")
    check_date(on, "on")
    currency = order.currency
    gross_form = accounts.amounts is AmountForm.GROSS
    lines: list[JournalLine] = []
    for rate, rate_amount, rate_tax in ret.refund:
        for category, amount, tax in _categories(order, ret, rate, rate_amount, rate_tax, accounts):
            if gross_form:
                lines.append(JournalLine(Side.DEBIT, accounts.returns, amount, "", category, tax))
                continue
            lines.append(JournalLine(Side.DEBIT, accounts.returns, amount - tax, "", category))
        if rate_tax and not gross_form:  # the rate's tax on one line, as the sale's
            category = accounts.tax_categories[rate]
            lines.append(
                JournalLine(Side.DEBIT, accounts.tax_payable, rate_tax, "", category, rate_tax)
            )
    fee = ret.fee or Money.zero(currency)
    if fee:
        category = accounts.tax_categories[TaxRate.STANDARD]
        fee_tax = _fee_tax(fee, rule)
        if gross_form:
            lines.append(
                JournalLine(Side.CREDIT, accounts.fees, fee, "返品手数料", category, fee_tax)
            )
        else:
            lines.append(
                JournalLine(Side.CREDIT, accounts.fees, fee - fee_tax, "返品手数料", category)
            )
            if fee_tax:
                lines.append(
                    JournalLine(Side.CREDIT, accounts.tax_payable, fee_tax, "", category, fee_tax)
                )
    paid_back = ret.paid_back or Money.zero(currency)
    lines.append(JournalLine(Side.CREDIT, accounts.receivable, paid_back, "", accounts.no_tax))
    reference = f"{order.number}/{ret.return_id}"
    return JournalEntry(on, reference, f"返品 {reference} 売上戻り", tuple(lines))
