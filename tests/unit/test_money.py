import decimal
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import Money, Rounding
from orderflow.errors import CurrencyMismatch, InvalidValue


def test_yen_has_no_minor_unit() -> None:
    assert Money.yen(1980).amount == Decimal(1980)
    with pytest.raises(InvalidValue, match="amount"):
        Money(Decimal("1.5"), "JPY")


def test_usd_keeps_cents() -> None:
    assert Money.of("19.99", "USD").amount == Decimal("19.99")
    with pytest.raises(InvalidValue):
        Money.of("19.999", "USD")


def test_float_is_refused_with_the_field_named() -> None:
    with pytest.raises(InvalidValue) as caught:
        Money(1.5, "JPY")  # type: ignore[arg-type]
    assert caught.value.field == "amount"
    assert "never a float" in str(caught.value)
    with pytest.raises(InvalidValue):
        Money.of(1.5, "JPY")  # type: ignore[arg-type]


def test_unknown_currency() -> None:
    with pytest.raises(InvalidValue, match="currency"):
        Money(Decimal(1), "XYZ1")


def test_mixed_currencies_never_add_up() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.yen(100) + Money.of("1", "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money.yen(100) < Money.of("1", "USD")
    with pytest.raises(CurrencyMismatch):
        Money.total([Money.yen(1), Money.of("1", "USD")], "JPY")


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [(Rounding.DOWN, 10), (Rounding.HALF_UP, 11), (Rounding.UP, 11), (Rounding.HALF_EVEN, 10)],
)
def test_explicit_rounding_modes(rounding: Rounding, expected: int) -> None:
    assert Money.of("10.5", "JPY", rounding).amount == expected


def test_rate_needs_decimal_and_rounding() -> None:
    assert Money.yen(999).times_rate(Decimal("0.1"), Rounding.DOWN) == Money.yen(99)
    assert Money.yen(999).times_rate(Decimal("0.1"), Rounding.UP) == Money.yen(100)
    with pytest.raises(InvalidValue):
        Money.yen(999).times_rate(0.1, Rounding.DOWN)  # type: ignore[arg-type]


def test_quantity_must_be_whole() -> None:
    assert Money.yen(1080) * 3 == Money.yen(3240)
    with pytest.raises(InvalidValue):
        Money.yen(1080) * 1.5  # type: ignore[operator]


def test_allocate_remainder_goes_to_the_stated_share() -> None:
    assert Money.yen(100).allocate([1, 1, 1]) == [Money.yen(34), Money.yen(33), Money.yen(33)]
    assert Money.yen(100).allocate([1, 1, 1], remainder_to=2) == [
        Money.yen(33),
        Money.yen(33),
        Money.yen(34),
    ]
    assert Money.yen(5).allocate([0, 0]) == [Money.yen(5), Money.yen(0)]


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8),
    st.data(),
)
def test_allocate_conserves_money_to_the_yen(
    amount: int, weights: list[int], data: st.DataObject
) -> None:
    remainder_to = data.draw(st.integers(min_value=0, max_value=len(weights) - 1))
    shares = Money.yen(amount).allocate(weights, remainder_to=remainder_to)
    assert Money.total(shares, "JPY") == Money.yen(amount)
    total_weight = sum(weights)
    for i, (share, weight) in enumerate(zip(shares, weights, strict=True)):
        if i != remainder_to and total_weight:
            exact = Decimal(amount) * weight / total_weight
            assert abs(share.amount - exact) < 1


@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
def test_addition_is_exact(a: int, b: int) -> None:
    assert (Money.yen(a) + Money.yen(b)).amount == a + b
    assert (Money.yen(a) - Money.yen(b)).amount == a - b


# -- 28 digits at most, never rounded (an amount past the bound is refused, not rounded) --------

BIG = 10**28 - 1  # the largest amount of yen: 28 nines


def test_the_bound_is_28_digits_of_the_minor_unit() -> None:
    assert Money.yen(BIG).amount == BIG
    assert Money.yen(-BIG).amount == -BIG
    assert Money.of(Decimal(BIG).scaleb(-2), "USD").minor_units == BIG
    for amount, currency in [(10**28, "JPY"), (-(10**28), "JPY"), (10**26, "USD")]:
        with pytest.raises(InvalidValue) as caught:
            Money.of(amount, currency)
        assert caught.value.field == "amount"
        assert "10^28" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "operation"),
    [
        ("sum", lambda: Money.yen(BIG) + Money.yen(2)),
        ("difference", lambda: Money.yen(-BIG) - Money.yen(2)),
        ("product", lambda: Money.yen(1234567891234567891) * 1234567891234),
        ("product", lambda: 10**100 * Money.yen(1)),
        ("product", lambda: Money.yen(BIG).times_rate(Decimal("1.5"), Rounding.DOWN)),
        ("product", lambda: Money.yen(1).times_rate(Decimal("1E+999999"), Rounding.DOWN)),
        ("product", lambda: Money.yen(BIG).times_rate(Decimal("1." + "0" * 28 + "1"), Rounding.UP)),
        ("total", lambda: Money.total([Money.yen(BIG), Money.yen(1)], "JPY")),
        ("sum", lambda: Money.of("99999999999999999999999999.99", "USD") + Money.of("0.01", "USD")),
        ("amount", lambda: Money.from_minor_units(10**28, "USD")),
        ("amount", lambda: Money.of(Decimal("1E+30"), "JPY", Rounding.DOWN)),
    ],
)
def test_a_result_past_the_bound_is_refused_never_rounded(
    name: str, operation: Callable[[], object]
) -> None:
    with pytest.raises(InvalidValue) as caught:
        operation()
    assert name in str(caught.value)
    assert "10^28" in str(caught.value)


def test_arithmetic_is_exact_up_to_the_bound_whatever_the_callers_context() -> None:
    with decimal.localcontext(decimal.Context(prec=3)):
        assert (Money.yen(BIG - 5) + Money.yen(5)).amount == BIG
        assert (Money.yen(BIG) - Money.yen(BIG - 1)).amount == 1
        assert (Money.yen(123456) * 3).amount == 370368
        assert Money.yen(123457).times_rate(Decimal("0.1"), Rounding.DOWN) == Money.yen(12345)
        assert Money.total([Money.yen(123456), Money.yen(1)], "JPY").amount == 123457
        assert Money.yen(BIG).minor_units == BIG
        shares = Money.yen(BIG).allocate([Decimal(1), Decimal(2)])
        assert [s.amount for s in shares] == [BIG - BIG * 2 // 3, BIG * 2 // 3]
    assert Money.yen(BIG // 3) * 3 == Money.yen(BIG)


def test_allocate_is_exact_for_large_amounts() -> None:
    shares = Money.yen(BIG).allocate([Decimal("0.3"), Decimal("0.7")], remainder_to=1)
    assert shares[0].amount == BIG * 3 // 10
    assert Money.total(shares, "JPY") == Money.yen(BIG)


# -- garbage given to the Money API: InvalidValue, nothing else -----------------------------

M: Any = Money  # called with what its types do not allow


@pytest.mark.parametrize(
    ("field", "call"),
    [
        ("rate", lambda: M.yen(100).times_rate(Decimal("NaN"), Rounding.DOWN)),
        ("rate", lambda: M.yen(100).times_rate(Decimal("sNaN"), Rounding.DOWN)),
        ("rate", lambda: M.yen(1).times_rate(Decimal("Infinity"), Rounding.DOWN)),
        ("rate", lambda: M.yen(1).times_rate(Decimal("-Infinity"), Rounding.UP)),
        ("rounding", lambda: M.yen(1).times_rate(Decimal("0.1"), "DOWN")),
        ("rounding", lambda: M.yen(1).times_rate(Decimal("0.1"), None)),
        ("weights", lambda: M.yen(1000).allocate([Decimal("NaN"), 1])),
        ("weights", lambda: M.yen(1000).allocate([Decimal("Infinity"), 1])),
        ("weights", lambda: M.yen(1000).allocate(["x", 1])),
        ("weights", lambda: M.yen(1000).allocate([0.1, 0.2])),
        ("weights", lambda: M.yen(1000).allocate([True, 1])),
        ("weights", lambda: M.yen(1000).allocate([None])),
        ("weights", lambda: M.yen(1000).allocate(None)),
        ("weights", lambda: M.yen(1000).allocate("12")),
        ("weights", lambda: M.yen(1000).allocate([Decimal("1E+999999"), 1])),
        ("weights", lambda: M.yen(1000).allocate([Decimal("1E-999999"), 1])),
        ("weights", lambda: M.yen(1000).allocate([-1, 2])),
        ("remainder_to", lambda: M.yen(1000).allocate([1, 1], remainder_to="0")),
        ("remainder_to", lambda: M.yen(1000).allocate([1, 1], remainder_to=True)),
        ("remainder_to", lambda: M.yen(1000).allocate([1, 1], remainder_to=2)),
        ("amount", lambda: M.of(Decimal("NaN"), "JPY", Rounding.DOWN)),
        ("amount", lambda: M.of(Decimal("Infinity"), "JPY")),
        ("amount", lambda: M.of("sNaN", "JPY")),
        ("amount", lambda: M(Decimal("NaN"), "JPY")),
        ("rounding", lambda: M.of("1.5", "JPY", "DOWN")),
        ("rounding", lambda: M.of("1.5", "JPY", decimal.ROUND_DOWN)),
        ("amounts", lambda: M.total([None], "JPY")),
        ("amounts", lambda: M.total(None, "JPY")),
        ("amounts", lambda: M.total(["1"], "JPY")),
        ("currency", lambda: M.total([], ["JPY"])),
        ("currency", lambda: M(Decimal(1), ["JPY"])),
        ("currency", lambda: M(Decimal(1), None)),
        ("currency", lambda: M.of(1, {"JPY": 1})),
        ("currency", lambda: M.zero(["JPY"])),
        ("currency", lambda: M.from_minor_units(1, ["USD"])),
        ("units", lambda: M.from_minor_units("1", "USD")),
        ("units", lambda: M.from_minor_units(1.0, "USD")),
        ("units", lambda: M.from_minor_units(True, "USD")),
        ("quantity", lambda: M.yen(1) * True),
        ("quantity", lambda: M.yen(1) * Decimal(2)),
        ("amount", lambda: M.yen(1) + 1),
        ("amount", lambda: M.yen(1) < None),
    ],
)
def test_garbage_is_refused_with_invalid_value_naming_the_argument(
    field: str, call: Callable[[], object]
) -> None:
    with pytest.raises(InvalidValue) as caught:
        call()
    assert caught.value.field == field


def test_negative_zero_is_zero() -> None:
    for zero in [
        Money.yen("-0"),
        Money.yen(Decimal("-0")),
        Money.of("-0.00", "USD"),
        Money.of("-0.4", "JPY", Rounding.DOWN),
        -Money.yen(0),
        Money.yen(0) * -3,
        Money.yen(-1) + Money.yen(1),
        Money.yen(-1).times_rate(Decimal("0.5"), Rounding.DOWN),
        Money.total([Money.yen(-1), Money.yen(1)], "JPY"),
        Money.from_minor_units(0, "JPY"),
        Money.yen(-1).allocate([0, 1])[0],
    ]:
        assert not zero.amount.is_signed(), repr(zero)
        assert str(zero) == f"0 {zero.currency}" or str(zero) == "0.00 USD"


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda q: Money.yen(1) * q, id="mul"),
        pytest.param(lambda q: q * Money.yen(1), id="rmul"),
        pytest.param(lambda q: Money.yen(q), id="yen"),
        pytest.param(lambda q: Money.from_minor_units(q, "JPY"), id="from_minor_units"),
        pytest.param(lambda q: Money.yen(1).allocate([q, 1]), id="allocate"),
    ],
)
def test_an_int_of_millions_of_digits_is_refused_at_once_and_shown_short(
    call: Callable[[int], object],
) -> None:
    huge = 10 ** (10**6)  # past Python's 4,300 digits for str(): the message must not need it
    started = time.monotonic()
    with pytest.raises(InvalidValue) as caught:
        call(huge)
    assert len(str(caught.value)) < 400
    assert time.monotonic() - started < 1
