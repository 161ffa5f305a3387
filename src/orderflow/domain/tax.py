"""Japanese consumption tax (消費税): rates, price modes and the per-rate computation.

The tax on an order is computed once per rate over the order's bases, with the shop's
rounding rule (切り捨て / 四捨五入 / 切り上げ), never per line: that is what a qualified invoice
(適格請求書) and a delivery note (納品書) show. Price reductions (値引き: coupons, points used)
lower the taxable amount; they are apportioned over the 10% and 8% bases in proportion to each
base, and the yen left over by rounding goes to a stated base.

The tax is worked out exactly in whole minor units (yen; cents for USD): base × r / 100 (外税) or
base × r / (100 + r) (内税) with r the whole percentage, then rounded once; no rounded factor such
as 0.0740… is ever multiplied in.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from orderflow.domain.money import Money, Rounding
from orderflow.errors import CurrencyMismatch, InvalidValue

__all__ = [
    "PriceMode",
    "TaxBreakdown",
    "TaxLine",
    "TaxRate",
    "TaxRule",
    "compute_tax",
    "tax_carried",
]


class TaxRate(enum.Enum):
    """A consumption-tax rate."""

    __hash__ = object.__hash__  # members are singletons; 4x faster than Enum.__hash__

    STANDARD = Decimal("0.10")
    """標準税率 10%: everything but food and newspapers; shipping and COD fees."""
    REDUCED = Decimal("0.08")
    """軽減税率 8%: food and drink (not alcohol or eating in), subscribed newspapers."""

    @property
    def percent(self) -> int:
        """The rate as a whole percentage (10 or 8)."""
        return _PERCENT[self]


class PriceMode(enum.Enum):
    """Whether the shop's prices include consumption tax."""

    __hash__ = object.__hash__  # members are singletons; 4x faster than Enum.__hash__

    INCLUSIVE = "inclusive"
    """内税 (税込価格): prices include the tax; the tax is worked out of them."""
    EXCLUSIVE = "exclusive"
    """外税 (税抜価格): prices exclude the tax; the tax is added on top."""


_PERCENT = {rate: int(rate.value * 100) for rate in TaxRate}

#: Rates in the order used for output and for apportioning (standard first).
RATES: tuple[TaxRate, ...] = (TaxRate.STANDARD, TaxRate.REDUCED)


def _divide(numerator: int, denominator: int, rounding: Rounding) -> int:
    """``numerator / denominator`` (a positive denominator) rounded to a whole number, exactly."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder:
        twice = 2 * remainder
        if (
            rounding is Rounding.UP
            or (rounding is Rounding.HALF_UP and twice >= denominator)
            or (
                rounding is Rounding.HALF_EVEN
                and (twice > denominator or (twice == denominator and quotient % 2 == 1))
            )
        ):
            quotient += 1
    return quotient if numerator >= 0 else -quotient


def _money(field: str, value: object) -> Money:
    if not isinstance(value, Money):
        raise InvalidValue(field, value, "a Money such as Money.yen(1080)")
    return value


def _rate(field: str, value: object) -> TaxRate:
    if not isinstance(value, TaxRate):
        raise InvalidValue(field, value, "a TaxRate (TaxRate.STANDARD 10% or TaxRate.REDUCED 8%)")
    return value


def _check_member(kind: type[enum.Enum], what: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidValue(attribute.name, value, what)

    return check


def _check_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _money(attribute.name, value)


def _check_rate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _rate(attribute.name, value)


def _check_lines(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(line, TaxLine) for line in value):
        raise InvalidValue("lines", value, "a tuple of TaxLine")


def _check_currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    Money.zero(value)  # type: ignore[arg-type]  # an unknown code: InvalidValue naming currency


def _tax(base: Money, rate: TaxRate, mode: PriceMode, rounding: Rounding) -> Money:
    """The tax on ``base``, in whole minor units, rounded once.

    外税: base × r / 100; 内税: base × r / (100 + r), with r the whole percentage. No rounded
    factor is used: ¥135 at 8% incl. is exactly ¥10 (135 × 8 / 108), not ¥9.99….
    """
    percent = rate.percent
    denominator = 100 + percent if mode is PriceMode.INCLUSIVE else 100
    units = _divide(base.minor_units * percent, denominator, rounding)
    return Money.from_minor_units(units, base.currency)


@attrs.frozen(slots=True)
class TaxRule:
    """The shop's tax settings: price mode, rounding rule, and where apportioning remainders go."""

    mode: PriceMode = attrs.field(
        default=PriceMode.INCLUSIVE,
        validator=_check_member(PriceMode, "a PriceMode (INCLUSIVE or EXCLUSIVE)"),
    )
    """Whether the shop's prices include the tax (内税, the default) or exclude it (外税)."""
    rounding: Rounding = attrs.field(
        default=Rounding.DOWN,
        validator=_check_member(Rounding, "a Rounding (DOWN, HALF_UP, UP or HALF_EVEN)"),
    )
    """How each rate's tax is rounded, once per rate: 切り捨て (``DOWN``, the default),
    四捨五入 (``HALF_UP``), 切り上げ (``UP``) or ``HALF_EVEN``."""
    remainder_rate: TaxRate = attrs.field(
        default=TaxRate.STANDARD,
        validator=_check_member(TaxRate, "a TaxRate (TaxRate.STANDARD or TaxRate.REDUCED)"),
    )
    """The base that takes the yen left over when a reduction is apportioned over the bases."""

    def tax_on(self, base: Money, rate: TaxRate) -> Money:
        """The tax on one rate's base, rounded once with this rule."""
        return _tax(_money("base", base), _rate("rate", rate), self.mode, self.rounding)


@attrs.frozen(slots=True)
class TaxLine:
    """One rate's share of an order: its base after reductions, and the tax on it."""

    rate: TaxRate = attrs.field(validator=_check_rate)
    """The tax rate this line is for (10% or 8%)."""
    charges: Money = attrs.field(validator=_check_money)
    """What is charged at this rate before reductions (as priced: with tax if inclusive)."""
    reduction: Money = attrs.field(validator=_check_money)
    """This rate's share of the price reductions."""
    base: Money = attrs.field(validator=_check_money)
    """``charges - reduction``: the amount the tax is computed on (as priced)."""
    tax: Money = attrs.field(validator=_check_money)
    """The tax on ``base``, rounded once."""

    @property
    def net(self) -> Money:
        """The base without tax (税抜): ``base`` less the tax if prices include it."""
        return self.base - self.tax if self._inclusive else self.base

    @property
    def gross(self) -> Money:
        """The base with tax (税込)."""
        return self.base if self._inclusive else self.base + self.tax

    _inclusive: bool = attrs.field(default=True, repr=False)


@attrs.frozen(slots=True)
class TaxBreakdown:
    """Tax per rate over a whole order (税率ごとの消費税額)."""

    lines: tuple[TaxLine, ...] = attrs.field(validator=_check_lines)
    """One line per rate charged, the standard rate first; empty when nothing is charged."""
    currency: str = attrs.field(validator=_check_currency)
    """The currency of every amount in it (``JPY``, ``USD`` …)."""

    @property
    def tax(self) -> Money:
        """The tax of every rate together."""
        return Money.total((line.tax for line in self.lines), self.currency)

    def adjusted(self, adjustments: Iterable[tuple[TaxRate, Money]]) -> TaxBreakdown:
        """The breakdown with yen added to some rates' tax (a split part's share of rounding)."""
        extra = _adjustments(adjustments)
        lines = tuple(
            attrs.evolve(line, tax=line.tax + extra[line.rate]) if line.rate in extra else line
            for line in self.lines
        )
        return TaxBreakdown(lines, self.currency)

    def for_rate(self, rate: TaxRate) -> TaxLine | None:
        """The line for ``rate``, or None when nothing is charged at that rate."""
        for line in self.lines:
            if line.rate is rate:
                return line
        return None


def _adjustments(value: object) -> dict[TaxRate, Money]:
    """``(rate, Money)`` pairs as a mapping, or InvalidValue naming ``adjustments``."""
    pairs = list(value.items()) if isinstance(value, Mapping) else value
    if isinstance(pairs, str | bytes) or not isinstance(pairs, Iterable):
        raise InvalidValue("adjustments", value, "(TaxRate, Money) pairs")
    extra: dict[TaxRate, Money] = {}
    for pair in pairs:
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or not isinstance(pair[0], TaxRate)
            or not isinstance(pair[1], Money)
        ):
            raise InvalidValue("adjustments", pair, "a (TaxRate, Money) pair")
        extra[pair[0]] = pair[1]
    return extra


def tax_carried(amount: Money, rate: TaxRate) -> Money:
    """The most consumption tax ``amount`` (tax included) can carry at ``rate``: rounded up.

    What a refund leaves of a rate must be able to carry the tax left with it (a yen withheld
    never keeps two yen of tax).
    """
    return _CARRIED.tax_on(amount, rate)


def _checked_charges(
    charges: object, reductions: object, rule: object
) -> tuple[list[TaxRate], list[Money], str]:
    """:func:`compute_tax`'s arguments, checked: the rates charged, their amounts, the currency.

    The rates come standard first; InvalidValue or CurrencyMismatch names what is wrong.
    """
    if not isinstance(charges, Mapping) or not all(
        isinstance(r, TaxRate) and isinstance(m, Money) for r, m in charges.items()
    ):
        raise InvalidValue("charges", charges, "a mapping of TaxRate → Money")
    reduction = _money("reductions", reductions)
    if not isinstance(rule, TaxRule):
        raise InvalidValue("rule", rule, "a TaxRule")
    rates = [rate for rate in RATES if rate in charges]
    amounts: list[Money] = [charges[rate] for rate in rates]
    currency = amounts[0].currency if amounts else reduction.currency
    for rate, amount in zip(rates, amounts, strict=True):
        if amount.currency != currency:
            raise CurrencyMismatch(f"charges[{rate.name}]", currency, amount.currency)
    if reduction.currency != currency:
        raise CurrencyMismatch("reductions", currency, reduction.currency)
    return rates, amounts, currency


def compute_tax(charges: Mapping[TaxRate, Money], reductions: Money, rule: TaxRule) -> TaxBreakdown:
    """Tax per rate over ``charges`` after apportioning ``reductions`` over the bases.

    ``charges`` maps each rate to what is charged at it (items, and at 10% the shipping and COD
    fees). ``reductions`` (coupons, points used) may not exceed the charges. Anything else than a
    mapping of :class:`TaxRate` to :class:`Money`, a ``Money`` and a :class:`TaxRule` raises
    :class:`~orderflow.errors.InvalidValue` naming the argument; an amount in another currency
    than the first charge's, :class:`~orderflow.errors.CurrencyMismatch` naming it
    (``charges[REDUCED]``, ``reductions``).
    """
    rates, amounts, currency = _checked_charges(charges, reductions, rule)
    total = Money.total(amounts, currency)
    if reductions.is_negative:
        raise InvalidValue("discount", reductions.amount, "a reduction of zero or more")
    if reductions > total:
        raise InvalidValue(
            "discount", reductions.amount, f"a reduction no larger than the charges ({total})"
        )
    if not rates:
        return TaxBreakdown((), currency)
    if reductions.amount:
        remainder_to = rates.index(rule.remainder_rate) if rule.remainder_rate in rates else 0
        if not amounts[remainder_to]:
            remainder_to = max(range(len(amounts)), key=lambda i: amounts[i].amount)
        shares = reductions.allocate([m.amount for m in amounts], remainder_to=remainder_to)
    else:
        shares = [reductions] * len(rates)
    inclusive = rule.mode is PriceMode.INCLUSIVE
    lines = []
    for rate, charged, share in zip(rates, amounts, shares, strict=True):
        base = charged - share if share.amount else charged
        tax = _tax(base, rate, rule.mode, rule.rounding)
        lines.append(TaxLine(rate, charged, share, base, tax, inclusive))
    return TaxBreakdown(tuple(lines), currency)


_CARRIED = TaxRule(PriceMode.INCLUSIVE, Rounding.UP)
