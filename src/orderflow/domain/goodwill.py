"""What a goodwill refund (返金, 売上値引) takes off each tax rate, and its journal entry, pure.

A goodwill refund pays back money without goods coming back (``desk.refund``). For the books it
is a price reduction after the sale (売上値引): debited to ``AccountMap.reductions`` (売上値引高,
sub-account ``AccountMap.refunds_sub``), 売掛金 credited with what is paid back.

The amount is shared over the order's tax rates in proportion to what each rate still holds:
what the order charged at the rate (tax included, after its discount and points, as
:meth:`Order.totals <orderflow.domain.order.Order.totals>` says) less what the refunded returns
and the earlier goodwill refunds took off it. Shares are whole yen (largest remainder), so they
add up to the amount exactly and never take a rate below zero; anything beyond what the rates
hold (a return fee kept back, refunded after all) is the standard rate's, with the tax in it
worked out the same way against what the fees still hold. Each rate's consumption
tax is the tax in its share, rounded once with the shop's rule; never more than the tax the rate
still holds, never less than leaves what stays of the rate able to carry the tax it keeps (at
most its tax rounded up: refunds of a few yen each, rounded down, would otherwise leave the last
yen holding more tax than itself), and all of it when the rate's share takes the rest. So the
sale less its returns and refunds never goes below zero per rate, and a refund of everything
reverses the sale to the yen.
"""

from __future__ import annotations

from datetime import date

from orderflow.domain._checks import given
from orderflow.domain.booking import AccountMap, AmountForm, JournalEntry, JournalLine, Side
from orderflow.domain.bounds import check_date
from orderflow.domain.events import EffectRefused, GoodwillRefunded, GoodwillSettled
from orderflow.domain.money import Money
from orderflow.domain.order import Order
from orderflow.domain.returns import ReturnStatus
from orderflow.domain.tax import RATES, PriceMode, TaxRate, TaxRule, tax_carried
from orderflow.errors import InvalidValue

__all__ = [
    "goodwill_entry",
    "goodwill_refunds",
    "goodwill_room",
    "goodwill_settled",
    "goodwill_share",
    "goodwill_waiting",
]

Shares = tuple[tuple[TaxRate, Money, Money], ...]
"""Per rate: the amount taken off (tax included) and the consumption tax in it."""


def goodwill_refunds(order: Order) -> tuple[GoodwillRefunded, ...]:
    """The goodwill refunds made on ``order``, oldest first (from its history).

    A 後払い refund the provider refused (it would not bill the rest) was not made: not one.
    """
    refused = {e.refund_id for e in order.history if isinstance(e, GoodwillSettled) and not e.paid}
    return tuple(
        e for e in order.history if isinstance(e, GoodwillRefunded) and e.refund_id not in refused
    )


def goodwill_settled(order: Order, refund: GoodwillRefunded) -> bool:
    """The money of ``refund`` moves: it waits on no 後払い answer, or the provider agreed."""
    if not refund.payment_key:
        return True
    return any(
        isinstance(e, GoodwillSettled) and e.refund_id == refund.refund_id and e.paid
        for e in order.history
    )


def goodwill_waiting(order: Order, key: str) -> GoodwillRefunded | None:
    """The goodwill refund waiting on the 後払い request ``key``, if one still is.

    A request the provider refused and that is asked again under a new key (a claim's cancel
    is an obligation) is followed to the key it is asked under now.
    """
    answered = {e.refund_id for e in order.history if isinstance(e, GoodwillSettled)}
    retried = {e.key: e.retry for e in order.history if isinstance(e, EffectRefused) and e.retry}
    for e in order.history:
        if isinstance(e, GoodwillRefunded) and e.payment_key:
            asked = e.payment_key
            while asked in retried:
                asked = retried[asked]
            if asked == key:
                return None if e.refund_id in answered else e
    return None


def _left(order: Order, rule: TaxRule) -> dict[TaxRate, tuple[int, int]]:
    """Per rate, in minor units: what the sale still holds (tax included) and its tax."""
    return {
        rate: (max(0, gross), max(0, tax)) for rate, (gross, tax) in _taken(order, rule).items()
    }


def _fees_left(order: Order, rule: TaxRule) -> tuple[int, int]:
    """The return fees kept back that refunds have not paid back yet, and the tax in them.

    A refund takes a fee back only beyond what the rates hold: what refunds took past the
    standard rate came off the fees. A fee's tax is worked out as ``return_entry`` credits it.
    """
    inclusive = TaxRule(PriceMode.INCLUSIVE, rule.rounding)
    fee = fee_tax = 0
    for ret in order.returns:
        if ret.status is ReturnStatus.REFUNDED and ret.fee:
            fee += ret.fee.minor_units
            fee_tax += inclusive.tax_on(ret.fee, TaxRate.STANDARD).minor_units
    gross, tax = _taken(order, rule).get(TaxRate.STANDARD, (0, 0))
    return max(0, fee + min(0, gross)), max(0, fee_tax + min(0, tax))


def _taken(order: Order, rule: TaxRule) -> dict[TaxRate, tuple[int, int]]:
    """Per rate, in minor units: the sale (tax included) and its tax, less what took them off.

    Returns and refunds take them off; the standard rate goes below zero when refunds took a
    return fee kept back.
    """
    left: dict[TaxRate, tuple[int, int]] = {}
    for line in order.totals(rule).tax.lines:
        left[line.rate] = (line.gross.minor_units, line.tax.minor_units)
    taken: list[tuple[TaxRate, Money, Money]] = []
    for ret in order.returns:
        if ret.status is ReturnStatus.REFUNDED:
            taken.extend(ret.refund)
    for refund in goodwill_refunds(order):
        taken.extend(refund.rates)
    for rate, amount, tax in taken:
        gross, held = left.get(rate, (0, 0))
        left[rate] = (gross - amount.minor_units, held - tax.minor_units)
    return left


def goodwill_room(order: Order, rule: TaxRule, rate: TaxRate | None = None) -> Money:
    """The most a goodwill refund may take off the books: what the sale still holds.

    The sale's rates (tax included) and the return fees kept back, less what refunded returns
    and earlier goodwill refunds took off (a return only what it really paid back, nothing
    when a 後払い provider refused to bill the rest): a refund never takes the sale below 0.
    With ``rate``, what that rate still holds (the standard rate's with the fees kept back).
    """
    if rate is not None:
        held = _left(order, rule).get(rate, (0, 0))[0]
        if rate is TaxRate.STANDARD:
            held += _fees_left(order, rule)[0]
        whole = min(held, goodwill_room(order, rule).minor_units)
        return Money.from_minor_units(whole, order.currency)
    whole = sum(line.gross.minor_units for line in order.totals(rule).tax.lines)
    for ret in order.returns:
        if ret.status is ReturnStatus.REFUNDED:
            whole += (ret.fee.minor_units if ret.fee else 0) - sum(
                amount.minor_units for _, amount, _ in ret.refund
            )
    for refund in goodwill_refunds(order):
        whole -= sum(amount.minor_units for _, amount, _ in refund.rates)
    return Money.from_minor_units(max(0, whole), order.currency)


def goodwill_share(
    order: Order, amount: Money, rule: TaxRule, rate: TaxRate | None = None
) -> Shares:
    """``amount`` (paid back, tax included) shared over ``order``'s rates, with the tax in each.

    Worked out after the order's refunded returns and earlier goodwill refunds (see the module).
    ``rate`` takes it off that rate alone (a shipping fee refunded is the standard rate's): no
    more than :func:`goodwill_room` gives for it.
    """
    given(order, Order, "order", "an Order")
    if not isinstance(amount, Money) or amount.currency != order.currency or amount.is_negative:
        raise InvalidValue("amount", amount, f"a Money of 0 or more in {order.currency}")
    currency = order.currency
    whole = amount.minor_units
    left = _left(order, rule)
    if rate is not None:
        left = {rate: left.get(rate, (0, 0))}
    rates = sorted(left, key=RATES.index)
    held = sum(gross for gross, _ in left.values())
    base = min(whole, held)
    parts: dict[TaxRate, int] = {}
    if held:
        remainders: list[tuple[int, int, TaxRate]] = []
        for i, rate in enumerate(rates):
            gross = left[rate][0]
            parts[rate], rest = divmod(gross * base, held)
            remainders.append((-rest, i, rate))
        for _, _, rate in sorted(remainders)[: base - sum(parts.values())]:
            parts[rate] += 1
    inclusive = TaxRule(PriceMode.INCLUSIVE, rule.rounding)
    taxes: dict[TaxRate, int] = {}
    for rate, part in parts.items():
        gross, tax = left[rate]
        if part >= gross:  # the rest of the rate: the rest of its tax
            taxes[rate] = min(tax, part)
        elif part:
            computed = inclusive.tax_on(Money.from_minor_units(part, currency), rate).minor_units
            # what stays must be able to carry its tax: each share's tax rounded down would
            # leave the last yen of a rate holding more tax than itself
            stays = tax_carried(Money.from_minor_units(gross - part, currency), rate)
            taxes[rate] = max(0, min(max(computed, tax - stays.minor_units), tax, part))
    beyond = whole - base  # more than the rates hold: a fee kept back, paid back after all
    if beyond:
        # the tax in it, as for a rate's share: never more than the fees still hold, and what
        # stays of them able to carry the rest (fees refunded a yen at a time, rounded up,
        # would take more tax than the fee held)
        fee, fee_tax = _fees_left(order, rule)
        in_beyond = inclusive.tax_on(Money.from_minor_units(beyond, currency), TaxRate.STANDARD)
        kept = tax_carried(Money.from_minor_units(max(0, fee - beyond), currency), TaxRate.STANDARD)
        extra = max(0, min(max(in_beyond.minor_units, fee_tax - kept.minor_units), fee_tax, beyond))
        parts[TaxRate.STANDARD] = parts.get(TaxRate.STANDARD, 0) + beyond
        taxes[TaxRate.STANDARD] = taxes.get(TaxRate.STANDARD, 0) + extra
    return tuple(
        (
            rate,
            Money.from_minor_units(parts[rate], currency),
            Money.from_minor_units(taxes.get(rate, 0), currency),
        )
        for rate in sorted(parts, key=RATES.index)
        if parts[rate]
    )


def goodwill_entry(
    order: Order, refund_id: str, shares: Shares, accounts: AccountMap, on: date
) -> JournalEntry:
    """The entry of a goodwill refund (売上値引), dated ``on``; the sale is never edited.

    Per rate: debit ``accounts.reductions`` (売上値引高, sub-account ``accounts.refunds_sub``)
    with the rate's share without tax and a 仮受消費税 debit line for its tax
    (:attr:`AmountForm.NET`), or with tax and the tax in the line's tax amount
    (:attr:`AmountForm.GROSS`); credit 売掛金 with what is paid back. The reference is
    ``<order>/<refund id>`` (``1001/G1``).
    """
    given(order, Order, "order", "an Order")
    given(accounts, AccountMap, "accounts", "an AccountMap (ShopSettings.accounts)")
    check_date(on, "on")
    _check_shares(shares, order.currency)
    gross_form = accounts.amounts is AmountForm.GROSS
    sub = accounts.refunds_sub
    lines: list[JournalLine] = []
    for rate, amount, tax in shares:
        category = accounts.tax_categories[rate]
        if gross_form:
            lines.append(JournalLine(Side.DEBIT, accounts.reductions, amount, sub, category, tax))
            continue
        lines.append(JournalLine(Side.DEBIT, accounts.reductions, amount - tax, sub, category))
        if tax:
            lines.append(JournalLine(Side.DEBIT, accounts.tax_payable, tax, "", category, tax))
    paid = Money.total((amount for _, amount, _ in shares), order.currency)
    lines.append(JournalLine(Side.CREDIT, accounts.receivable, paid, "", accounts.no_tax))
    reference = f"{order.number}/{refund_id}"
    return JournalEntry(on, reference, f"返金 {reference} 売上値引", tuple(lines))


def _check_shares(shares: object, currency: str) -> None:
    """Refuse ``shares`` unless they are (TaxRate, amount, tax) triples in ``currency``."""
    expected = f"a tuple of (TaxRate, amount, tax) in {currency}, as goodwill_share gives"
    if not isinstance(shares, tuple):
        raise InvalidValue("shares", shares, expected)
    for share in shares:
        if (
            not isinstance(share, tuple)
            or len(share) != 3
            or not isinstance(share[0], TaxRate)
            or not all(isinstance(m, Money) and m.currency == currency for m in share[1:])
        ):
            raise InvalidValue("shares", share, expected)
