"""One rate's credit lines for booking, and spreading what rounding leaves over them.

The amounts are worked out on plain Decimals (exact sums of exact amounts: the caller sets
:data:`~orderflow.domain.money.WIDE`); :mod:`orderflow.domain.booking` makes the journal lines.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from orderflow.domain.money import Money
from orderflow.domain.tax import TaxLine, TaxRate, TaxRule

__all__ = ["Credit", "RateForm", "credits_of", "spread", "spread_credits"]


def spread(values: list[Decimal], delta: Decimal, caps: list[Decimal | None]) -> list[Decimal]:
    """``values`` with ``delta`` (what rounding leaves) spread over them, the largest first.

    A yen added goes where the value stays within its cap (None: none); a yen taken never takes a
    value below zero. The values and ``delta`` always allow it (the rate's base is the sum of
    its lines, none below zero); what could not be placed goes on the largest value.
    """
    out = list(values)
    order = sorted(range(len(out)), key=lambda i: (-out[i], i))
    for i in order:
        if not delta:
            break
        cap = caps[i]
        if delta > 0:
            step = delta if cap is None else min(delta, max(cap - out[i], Decimal(0)))
        else:
            step = -min(-delta, max(out[i], Decimal(0)))
        out[i] += step
        delta -= step
    if delta:
        out[order[0]] += delta
    return out


Credit = tuple[str, str, str, Decimal, Decimal | None, Decimal | None]
"""A credit line being worked out: account, sub-account, category, amount, tax column, and the
amount as priced (items only: a net items line's tax column is what it was priced, less)."""


@attrs.frozen
class RateForm:
    """How one rate's lines are written: with tax or without, from prices with tax or without."""

    rate: TaxRate
    rule: TaxRule
    gross: bool
    """The lines' amounts include tax (``AmountForm.GROSS``)."""
    inclusive: bool
    """The prices include tax (内税)."""

    @property
    def taxed(self) -> bool:
        """The lines' amounts or tax columns need each component's tax."""
        return self.gross or self.inclusive

    def tax_of(self, component: Money) -> Decimal | None:
        """The tax ``component`` carries, when the form needs it (None when it does not)."""
        if not self.taxed:
            return None
        if not component.amount:
            return component.amount
        return self.rule.tax_on(component, self.rate).amount

    def written(self, component: Money, tax: Decimal | None) -> Decimal:
        """``component`` (as priced, carrying ``tax``) with its tax if gross, without if net."""
        if tax is None or self.inclusive is self.gross:
            return component.amount
        return component.amount + tax if self.gross else component.amount - tax


def credits_of(
    form: RateForm,
    items: list[tuple[tuple[str, str, str], Money]],
    fees: tuple[tuple[Money, str, str], ...],
    category: str,
    sales: str,
    zero: Decimal,
) -> list[Credit]:
    """One rate's credit lines as priced: items per account, then the shipping and COD fees."""
    credits: list[Credit] = []
    for (account, sub, cat), priced in items:
        if priced.amount:
            tax = form.tax_of(priced)
            credits.append((account, sub, cat, form.written(priced, tax), tax, priced.amount))
    for component, account, sub in fees:
        if component.amount:
            tax = form.tax_of(component)
            shown = tax if form.gross else None
            credits.append((account, sub, category, form.written(component, tax), shown, None))
    if not credits:  # nothing charged at this rate (its items free): one line of ¥0
        credits.append((sales, "", category, zero, zero if form.taxed else None, zero))
    return credits


def spread_credits(
    form: RateForm,
    credits: list[Credit],
    line: TaxLine,
    reduction: Decimal,
    reduction_tax: Decimal,
    zero: Decimal,
) -> list[tuple[str, str, str, Decimal, Decimal | None]]:
    """``credits`` with what rounding leaves of the rate's base (and tax) spread over them.

    Each as (account, sub-account, category, amount, tax column or None).
    """
    gross = form.gross
    left = (line.gross if gross else line.net).amount + reduction
    left_tax = line.tax.amount + reduction_tax
    for credit in credits:
        left -= credit[3]
        if gross and credit[4] is not None:
            left_tax -= credit[4]
    capped = not gross and form.inclusive  # a net items line's tax: what it was priced, less
    amounts = spread(
        [c[3] for c in credits],
        left,
        [c[5] if capped and c[5] is not None else None for c in credits],
    )
    taxes = [c[4] or zero for c in credits]
    if gross:
        taxes = spread(taxes, left_tax, [None] * len(credits))
    out = []
    for i, (account, sub, cat, _, tax, as_priced) in enumerate(credits):
        amount = amounts[i]
        if gross:
            tax = taxes[i]
        elif capped and as_priced is not None:
            tax = as_priced - amount
        out.append((account, sub, cat, amount, tax))
    return out
