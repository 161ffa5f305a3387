from decimal import Decimal

import attrs
import pytest

from orderflow import Money, Order, OrderLine, PaymentMethod, TaxRate, TaxRule
from orderflow.domain.lifecycle import new_order
from orderflow.errors import CurrencyMismatch, EmptyOrder, InvalidValue
from tests.builders import CTX, address, customer, lines


def build(**overrides: object) -> Order:
    args: dict[str, object] = {
        "number": "1001",
        "customer": customer(),
        "ship_to": address(),
        "lines": lines(),
        "payment_method": PaymentMethod.CARD,
        "ctx": CTX,
    }
    args.update(overrides)
    order, _ = new_order(**args)  # type: ignore[arg-type]
    return order


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_below_one(quantity: int) -> None:
    with pytest.raises(InvalidValue) as caught:
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), quantity)
    assert caught.value.field == "quantity"
    assert "1 or more" in str(caught.value)


def test_float_price() -> None:
    with pytest.raises(InvalidValue) as caught:
        OrderLine("L1", "TEA-1", "緑茶", 1080.0, 1)  # type: ignore[arg-type]
    assert caught.value.field == "unit_price"


def test_negative_price() -> None:
    with pytest.raises(InvalidValue, match="unit_price"):
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(-1), 1)


@pytest.mark.parametrize("rate", [Decimal("0.08"), 8, "REDUCED", 0.1, None])
def test_tax_rate_must_be_a_tax_rate(rate: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1, rate)  # type: ignore[arg-type]
    assert caught.value.field == "tax_rate"
    assert "TaxRate" in str(caught.value)


def test_empty_order() -> None:
    with pytest.raises(EmptyOrder):
        build(lines=[])


def test_mixed_currencies_in_an_order() -> None:
    dollars = OrderLine("L9", "X", "x", Money.of("1.00", "USD"), 1)
    with pytest.raises(CurrencyMismatch) as caught:
        build(lines=[*lines(), dollars])
    assert caught.value.field == "lines[3].unit_price"


def test_duplicate_line_ids() -> None:
    with pytest.raises(InvalidValue, match=r"lines\[1\]\.line_id"):
        build(lines=[lines()[0], lines()[0]])


def test_points_must_be_whole_and_not_negative() -> None:
    with pytest.raises(InvalidValue, match="points_used"):
        build(points_used=-1)


def test_more_points_than_the_charges_are_refused_as_points_used() -> None:
    # charges: items 5980 + shipping 880 = 6860; no discount, so the excess is the points'
    with pytest.raises(InvalidValue) as caught:
        build(shipping_fee=Money.yen(880), points_used=6861).totals(TaxRule())
    assert caught.value.field == "points_used"


def test_a_valid_order_is_frozen_and_versioned() -> None:
    order = build()
    assert order.version == 1
    assert [e.name for e in order.history] == ["placed"]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        order.number = "x"  # type: ignore[misc]


def test_evolve_validates_again() -> None:
    order = build()
    with pytest.raises(EmptyOrder):
        attrs.evolve(order, lines=())


def test_totals_inclusive_with_shipping_and_points() -> None:
    order = build(shipping_fee=Money.yen(880), points_used=333)
    totals = order.totals(__import__("orderflow").TaxRule())
    # items 2160 (8%) + 2200 (10%) + 1620 (8%) + shipping 880 (10%) - 333 points
    assert totals.items == Money.yen(5980)
    assert totals.total == Money.yen(5980 + 880 - 333)
    standard = totals.tax.for_rate(TaxRate.STANDARD)
    reduced = totals.tax.for_rate(TaxRate.REDUCED)
    assert standard is not None and reduced is not None
    assert standard.charges == Money.yen(3080) and reduced.charges == Money.yen(3780)
    assert standard.reduction + reduced.reduction == Money.yen(333)
    assert standard.tax.amount == (standard.base.amount * 10 / 110).to_integral_value("ROUND_DOWN")
    assert reduced.tax.amount == (reduced.base.amount * 8 / Decimal(108)).to_integral_value(
        "ROUND_DOWN"
    )


def test_a_domain_copy_is_an_equal_frozen_order_with_only_the_changes() -> None:
    from orderflow.domain._values import replace

    order = build()
    copy = replace(replace(order, version=7), status=order.status)  # a copy of a copy, too
    assert type(copy) is Order
    assert copy == attrs.evolve(order, version=7)
    assert copy.lines is order.lines and order.version == 1
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        copy.version = 8  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del copy.version
    with pytest.raises(TypeError, match="colour"):
        replace(order, colour="red")
