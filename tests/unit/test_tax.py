from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from orderflow import Money, PriceMode, Rounding, TaxRate, TaxRule, compute_tax
from orderflow.domain.tax import TaxBreakdown, TaxLine
from orderflow.errors import CurrencyMismatch, InvalidValue

EXCLUSIVE = TaxRule(PriceMode.EXCLUSIVE, Rounding.DOWN)
INCLUSIVE = TaxRule(PriceMode.INCLUSIVE, Rounding.DOWN)


def test_rates() -> None:
    assert TaxRate.STANDARD.percent == 10
    assert TaxRate.REDUCED.percent == 8


def test_exclusive_tax_is_added_per_rate() -> None:
    result = compute_tax(
        {TaxRate.STANDARD: Money.yen(3080), TaxRate.REDUCED: Money.yen(3780)},
        Money.yen(0),
        EXCLUSIVE,
    )
    assert result.for_rate(TaxRate.STANDARD).tax == Money.yen(308)  # type: ignore[union-attr]
    assert result.for_rate(TaxRate.REDUCED).tax == Money.yen(302)  # type: ignore[union-attr]
    assert result.tax == Money.yen(610)


def test_inclusive_tax_is_worked_out_of_the_price() -> None:
    result = compute_tax({TaxRate.STANDARD: Money.yen(1100)}, Money.yen(0), INCLUSIVE)
    line = result.for_rate(TaxRate.STANDARD)
    assert line is not None
    assert line.tax == Money.yen(100)
    assert line.net == Money.yen(1000)
    assert line.gross == Money.yen(1100)


@pytest.mark.parametrize(
    ("rounding", "expected"), [(Rounding.DOWN, 7), (Rounding.HALF_UP, 8), (Rounding.UP, 8)]
)
def test_the_shops_rounding_rule(rounding: Rounding, expected: int) -> None:
    # 98 yen at 8% excl. = 7.84 yen of tax
    result = compute_tax(
        {TaxRate.REDUCED: Money.yen(98)}, Money.yen(0), TaxRule(PriceMode.EXCLUSIVE, rounding)
    )
    assert result.tax == Money.yen(expected)


def test_rounded_once_per_rate_not_per_line() -> None:
    # Three lines of 98 yen at 8%: per line 7 + 7 + 7 = 21, once over 294 yen: 23.
    charges = {TaxRate.REDUCED: Money.yen(98) * 3}
    assert compute_tax(charges, Money.yen(0), EXCLUSIVE).tax == Money.yen(23)


def test_reductions_are_apportioned_over_the_bases() -> None:
    # 333 points over bases of 2000 (10%) and 1000 (8%): 222 and 111.
    result = compute_tax(
        {TaxRate.STANDARD: Money.yen(2000), TaxRate.REDUCED: Money.yen(1000)},
        Money.yen(333),
        INCLUSIVE,
    )
    standard = result.for_rate(TaxRate.STANDARD)
    reduced = result.for_rate(TaxRate.REDUCED)
    assert standard is not None and reduced is not None
    assert (standard.reduction, reduced.reduction) == (Money.yen(222), Money.yen(111))
    assert standard.base == Money.yen(1778)


def test_the_remainder_goes_to_the_stated_base() -> None:
    charges = {TaxRate.STANDARD: Money.yen(100), TaxRate.REDUCED: Money.yen(100)}
    to_standard = compute_tax(charges, Money.yen(3), INCLUSIVE)
    to_reduced = compute_tax(
        charges, Money.yen(3), TaxRule(PriceMode.INCLUSIVE, Rounding.DOWN, TaxRate.REDUCED)
    )
    assert to_standard.for_rate(TaxRate.STANDARD).reduction == Money.yen(2)  # type: ignore[union-attr]
    assert to_reduced.for_rate(TaxRate.REDUCED).reduction == Money.yen(2)  # type: ignore[union-attr]


def test_reductions_larger_than_the_charges_are_refused() -> None:
    with pytest.raises(InvalidValue, match="discount"):
        compute_tax({TaxRate.STANDARD: Money.yen(100)}, Money.yen(101), INCLUSIVE)


amounts = st.integers(min_value=0, max_value=10**8)


@given(
    amounts, amounts, st.data(), st.sampled_from(list(PriceMode)), st.sampled_from(list(Rounding))
)
def test_bases_add_up_to_charges_less_reductions(
    ten: int, eight: int, data: st.DataObject, mode: PriceMode, rounding: Rounding
) -> None:
    reductions = data.draw(st.integers(min_value=0, max_value=ten + eight))
    charges = {TaxRate.STANDARD: Money.yen(ten), TaxRate.REDUCED: Money.yen(eight)}
    result = compute_tax(charges, Money.yen(reductions), TaxRule(mode, rounding))
    assert sum(line.base.amount for line in result.lines) == ten + eight - reductions
    assert sum(line.reduction.amount for line in result.lines) == reductions
    for line in result.lines:
        assert Decimal(0) <= line.reduction.amount <= line.charges.amount
        assert line.tax.amount >= 0
        exact = line.base.amount * line.rate.value
        if mode is PriceMode.INCLUSIVE:
            exact = line.base.amount * line.rate.value / (1 + line.rate.value)
        assert abs(line.tax.amount - exact) < 1


@pytest.mark.parametrize(("amount", "tax"), [(135, 10), (1350, 100), (108, 8), (1080, 80)])
def test_inclusive_tax_is_exact(amount: int, tax: int) -> None:
    # ¥135 at 8% incl. is 135 × 8 / 108 = ¥10 exactly: a rounded factor 0.0740… gave ¥9.
    result = compute_tax({TaxRate.REDUCED: Money.yen(amount)}, Money.yen(0), INCLUSIVE)
    assert result.tax == Money.yen(tax)
    assert INCLUSIVE.tax_on(Money.yen(amount), TaxRate.REDUCED) == Money.yen(tax)


def test_tax_in_minor_units() -> None:
    # $1.35 at 8% incl. is 135 × 8 / 108 = 10 cents exactly.
    result = compute_tax({TaxRate.REDUCED: Money.of("1.35", "USD")}, Money.zero("USD"), INCLUSIVE)
    assert result.tax == Money.of("0.10", "USD")
    exclusive = TaxRule(PriceMode.EXCLUSIVE, Rounding.HALF_UP)
    assert exclusive.tax_on(Money.of("0.55", "USD"), TaxRate.STANDARD) == Money.of("0.06", "USD")


def whole_number_tax(units: int, percent: int, mode: PriceMode, rounding: Rounding) -> int:
    """The tax on ``units`` (0 or more) in whole-number arithmetic, as a person would check it."""
    numerator = units * percent
    denominator = 100 + percent if mode is PriceMode.INCLUSIVE else 100
    if rounding is Rounding.DOWN:
        return numerator // denominator
    if rounding is Rounding.UP:
        return -(-numerator // denominator)
    if rounding is Rounding.HALF_UP:
        return (2 * numerator + denominator) // (2 * denominator)
    return round(Fraction(numerator, denominator))  # Python rounds half to even


modes = st.sampled_from(list(PriceMode))
roundings = st.sampled_from(list(Rounding))
rates = st.sampled_from(list(TaxRate))
#: Any amount, or one whose tax is a whole number at both rates inclusive (a multiple of 27 × 11),
#: where a rounded factor falls just short and rounding down loses a yen.
tax_amounts = st.one_of(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**9).map(lambda n: n * 297),
)


@given(tax_amounts, modes, rates, roundings)
@example(135, PriceMode.INCLUSIVE, TaxRate.REDUCED, Rounding.DOWN)
@example(1100, PriceMode.INCLUSIVE, TaxRate.STANDARD, Rounding.DOWN)
def test_tax_is_the_whole_number_law(
    amount: int, mode: PriceMode, rate: TaxRate, rounding: Rounding
) -> None:
    rule = TaxRule(mode, rounding)
    expected = whole_number_tax(amount, rate.percent, mode, rounding)
    assert compute_tax({rate: Money.yen(amount)}, Money.yen(0), rule).tax == Money.yen(expected)
    assert rule.tax_on(Money.yen(amount), rate) == Money.yen(expected)
    cents = Money.from_minor_units(amount, "USD")
    assert rule.tax_on(cents, rate) == Money.from_minor_units(expected, "USD")


@given(tax_amounts, tax_amounts, amounts, modes, roundings, rates)
@example(2200, 270, 1235, PriceMode.INCLUSIVE, Rounding.DOWN, TaxRate.STANDARD)  # bases 1100, 135
def test_apportioned_reductions_keep_the_law(
    ten: int, eight: int, drawn: int, mode: PriceMode, rounding: Rounding, remainder_rate: TaxRate
) -> None:
    reductions = drawn % (ten + eight + 1)
    charges = {TaxRate.STANDARD: Money.yen(ten), TaxRate.REDUCED: Money.yen(eight)}
    result = compute_tax(charges, Money.yen(reductions), TaxRule(mode, rounding, remainder_rate))
    for line in result.lines:
        base = int(line.base.amount)
        assert line.tax == Money.yen(whole_number_tax(base, line.rate.percent, mode, rounding))


T: Any = compute_tax  # called with what its types do not allow
R: Any = TaxRule
ONE = {TaxRate.STANDARD: Money.yen(1100)}


@pytest.mark.parametrize(
    ("field", "call"),
    [
        pytest.param("charges", lambda: T(None, Money.yen(0), INCLUSIVE), id="charges-None"),
        pytest.param("charges", lambda: T({"x": Money.yen(1)}, Money.yen(0), INCLUSIVE), id="key"),
        pytest.param(
            "charges", lambda: T({TaxRate.STANDARD: 5}, Money.yen(0), INCLUSIVE), id="int"
        ),
        pytest.param("reductions", lambda: T(ONE, None, INCLUSIVE), id="reductions-None"),
        pytest.param("reductions", lambda: T(ONE, 0, INCLUSIVE), id="reductions-int"),
        pytest.param("rule", lambda: T(ONE, Money.yen(0), None), id="rule-None"),
        pytest.param("mode", lambda: R(mode="inclusive"), id="mode-str"),
        pytest.param("rounding", lambda: R(rounding="DOWN"), id="rounding-str"),
        pytest.param("remainder_rate", lambda: R(remainder_rate=Decimal("0.1")), id="remainder"),
        pytest.param("base", lambda: R().tax_on(None, TaxRate.STANDARD), id="tax_on-base"),
        pytest.param("rate", lambda: R().tax_on(Money.yen(100), "x"), id="tax_on-rate"),
        pytest.param(
            "adjustments", lambda: T(ONE, Money.yen(0), INCLUSIVE).adjusted(None), id="adj-None"
        ),
        pytest.param(
            "adjustments",
            lambda: T(ONE, Money.yen(0), INCLUSIVE).adjusted([(TaxRate.STANDARD, 1)]),
            id="adj-int",
        ),
        pytest.param("lines", lambda: TaxBreakdown(None, "JPY"), id="breakdown-lines"),  # type: ignore[arg-type]
        pytest.param("currency", lambda: TaxBreakdown((), ["JPY"]), id="breakdown-currency"),  # type: ignore[arg-type]
        pytest.param(
            "charges",
            lambda: TaxLine(TaxRate.STANDARD, None, *[Money.yen(0)] * 3),  # type: ignore[arg-type]
            id="line-charges",
        ),
    ],
)
def test_garbage_is_refused_with_invalid_value_naming_the_argument(
    field: str, call: Callable[[], object]
) -> None:
    with pytest.raises(InvalidValue) as caught:
        call()
    assert caught.value.field == field


def test_tax_of_the_largest_amount_is_exact() -> None:
    big = Money.yen(10**28 - 1)
    line = compute_tax({TaxRate.STANDARD: big}, Money.yen(0), INCLUSIVE).lines[0]
    assert line.tax.amount == (10**28 - 1) * 10 // 110
    excl = compute_tax({TaxRate.REDUCED: big}, Money.yen(0), EXCLUSIVE).lines[0]
    assert excl.tax.amount == (10**28 - 1) * 8 // 100
    with pytest.raises(InvalidValue, match="10\\^28"):
        _ = excl.gross  # base + tax is past the bound: refused, not rounded


@pytest.mark.parametrize(
    ("charges", "reductions", "field"),
    [
        ({TaxRate.STANDARD: "1.00", TaxRate.REDUCED: 100}, "0.00", "charges[REDUCED]"),
        ({TaxRate.STANDARD: "1.00"}, 0, "reductions"),
        ({TaxRate.REDUCED: 100}, "0.50", "reductions"),
    ],
)
def test_compute_tax_names_the_amount_in_another_currency(
    charges: dict[TaxRate, object], reductions: object, field: str
) -> None:
    """A ¥ charge among dollar charges, or a reduction in another currency than the charges,
    raised a CurrencyMismatch naming ``amount``, which compute_tax has no argument of."""

    def money(value: object) -> Money:
        return Money.yen(value) if isinstance(value, int) else Money.of(value, "USD")  # type: ignore[arg-type]

    with pytest.raises(CurrencyMismatch) as mixed:
        compute_tax({rate: money(v) for rate, v in charges.items()}, money(reductions), TaxRule())
    assert mixed.value.field == field
