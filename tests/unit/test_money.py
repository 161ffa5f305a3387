from decimal import Decimal

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
