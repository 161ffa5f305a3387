"""Every bad input of the foundation issue: a clear error, and the order and world unchanged."""

import decimal
from collections.abc import Callable
from typing import Any

import pytest

from orderflow import Address, Money, OrderLine, OrderStatus, ShopSettings
from orderflow.domain import lifecycle
from orderflow.domain.order import Allocation
from orderflow.errors import (
    CurrencyMismatch,
    EmptyOrder,
    InvalidValue,
    MoveNotAllowed,
    OrderflowError,
    UnknownSku,
)
from orderflow.testing import FakeShop
from tests.builders import CTX, address, customer, lines, place, shop, to_allocated


def port_calls(s: FakeShop) -> int:
    return sum(
        len(fake.calls)
        for fake in (s.gateway, s.inventory, s.accounting, s.notifier, *s.warehouses.values())
    )


def assert_refused_and_unchanged(
    s: FakeShop, action: Callable[[], object], error: type[OrderflowError], field: str | None
) -> OrderflowError:
    before = dict(s.store.orders)
    calls = port_calls(s)
    with pytest.raises(error) as caught:
        action()
    assert s.store.orders == before, "the stored orders changed"
    assert port_calls(s) == calls, "an outside system was called"
    if field is not None:
        assert isinstance(caught.value, InvalidValue)
        assert caught.value.field == field
        assert field in str(caught.value)
    return caught.value


@pytest.mark.parametrize("quantity", [0, -3])
def test_quantity_zero_or_negative(quantity: int) -> None:
    s = shop()
    error = assert_refused_and_unchanged(
        s,
        lambda: place(s, order_lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), quantity)]),
        InvalidValue,
        "quantity",
    )
    assert "a whole number of 1 or more" in str(error)


def test_a_float_price() -> None:
    s = shop()
    assert_refused_and_unchanged(
        s,
        lambda: place(s, order_lines=[OrderLine("L1", "TEA-1", "緑茶", 1080.0, 1)]),  # type: ignore[arg-type]
        InvalidValue,
        "unit_price",
    )


def test_a_float_shipping_fee() -> None:
    s = shop()
    assert_refused_and_unchanged(
        s,
        lambda: s.desk.place(
            number="1001",
            customer=customer(),
            ship_to=address(),
            lines=lines(),
            token="tok",
            shipping_fee=880.0,  # type: ignore[arg-type]
        ),
        InvalidValue,
        "shipping_fee",
    )


def test_mixed_currencies() -> None:
    s = shop()
    dollars = OrderLine("L9", "TEA-1", "tea", Money.of("9.99", "USD"), 1)
    assert_refused_and_unchanged(
        s,
        lambda: place(s, order_lines=[*lines(), dollars]),
        CurrencyMismatch,
        "lines[3].unit_price",
    )


def test_an_unknown_sku() -> None:
    s = shop()
    unknown = OrderLine("L1", "NO-SUCH", "幻の茶", Money.yen(100), 1)
    error = assert_refused_and_unchanged(
        s, lambda: place(s, order_lines=[unknown]), UnknownSku, "lines[0].sku"
    )
    assert "NO-SUCH" in str(error)
    # a newcomer on an empty SQLite file meets this first: the message says how a SKU gets known
    assert "received stock of" in str(error) and "inventory.receive" in str(error)


def test_an_empty_order() -> None:
    s = shop()
    assert_refused_and_unchanged(s, lambda: place(s, order_lines=[]), EmptyOrder, "lines")


def test_a_malformed_postal_code() -> None:
    s = shop()

    def place_with_bad_address() -> object:
        bad = Address("12-34567", "東京都", "渋谷区", "1-2-3", "山田 太郎", "03-1234-5678")
        return s.desk.place(
            number="1001",
            customer=customer(),
            ship_to=bad,
            lines=lines(),
            token="tok",
        )

    error = assert_refused_and_unchanged(s, place_with_bad_address, InvalidValue, "postal_code")
    assert "7 digits" in str(error)


@pytest.mark.parametrize(
    "command",
    [
        lambda s: s.desk.instruct_shipping("1001"),
        lambda s: s.desk.book("1001"),
        lambda s: s.desk.recall("1001"),
    ],
)
def test_a_move_from_the_wrong_status(command: Callable[[FakeShop], object]) -> None:
    s = shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 5, ("TOKYO", "CAKE-1"): 5})
    to_allocated(s)  # 中途引当
    error = assert_refused_and_unchanged(s, lambda: command(s), MoveNotAllowed, None)
    assert isinstance(error, MoveNotAllowed)
    assert error.status == "PARTIALLY_ALLOCATED"
    # what next_moves offers: 出荷指示 of a 中途引当 order is refused too (分納: ship_available)
    assert error.allowed == ("allocate", "release", "cancel")


def test_ship_before_instruction() -> None:
    s = shop()
    to_allocated(s)
    error = assert_refused_and_unchanged(
        s, lambda: s.desk.ship("1001", "1001-S1", "1234-5678-9013"), MoveNotAllowed, None
    )
    assert "ship" in str(error) and "ALLOCATED" in str(error)


def test_a_cancel_without_a_reason() -> None:
    s = shop()
    place(s)
    assert_refused_and_unchanged(
        s, lambda: s.desk.cancel("1001", reason=""), InvalidValue, "reason"
    )


def test_the_domain_refuses_an_over_allocation_and_keeps_the_order() -> None:
    s = shop()
    order = place(s)
    order, _ = lifecycle.accept(order, CTX)
    snapshot = order
    with pytest.raises(InvalidValue, match="quantity"):
        lifecycle.allocate(order, [Allocation("L1", "TOKYO", 3)], CTX)
    assert order == snapshot and order.status is OrderStatus.UNALLOCATED


BIG = 10**28 - 1  # the largest amount of yen Money holds


@pytest.mark.parametrize(
    ("kwargs", "order_lines"),
    [
        pytest.param(
            {"shipping_fee": Money.yen(BIG - 1000)},
            [OrderLine("L1", "TEA-1", "緑茶", Money.yen(1081), 1)],
            id="fee-plus-items",
        ),
        pytest.param(
            {}, [OrderLine("L1", "TEA-1", "緑茶", Money.yen(BIG // 2 + 1), 2)], id="price-times-2"
        ),
        pytest.param(
            {},
            [
                OrderLine("L1", "TEA-1", "緑茶", Money.yen(BIG), 1),
                OrderLine("L2", "MUG-1", "湯呑", Money.yen(1), 1),
            ],
            id="two-lines",
        ),
    ],
)
def test_an_order_whose_total_is_past_the_money_bound_is_refused_not_rounded(
    kwargs: dict[str, Any], order_lines: list[OrderLine]
) -> None:
    s = shop()
    error = assert_refused_and_unchanged(
        s, lambda: place(s, order_lines=order_lines, **kwargs), InvalidValue, None
    )
    assert "10^28" in str(error)
    assert not s.gateway.calls and not s.inventory.calls


def test_a_total_at_the_money_bound_is_authorized_exactly() -> None:
    s = shop()
    order = place(
        s,
        order_lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1081), 1)],
        shipping_fee=Money.yen(BIG - 1081),
    )
    assert s.desk.totals(order).total == Money.yen(BIG)
    assert s.gateway.calls[-1].request[1] == Money.yen(BIG)


def test_totals_are_exact_whatever_the_callers_decimal_context() -> None:
    s = shop()
    with decimal.localcontext(decimal.Context(prec=4)):
        order = place(s, order_lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(123457), 3)])
        totals = s.desk.totals(order)
    assert totals.items == Money.yen(370371)
    assert totals.total == Money.yen(370371 + 880)
    assert s.gateway.calls[-1].request[1] == Money.yen(371251)


def test_a_negative_zero_fee_reads_as_zero_in_the_confirmation() -> None:
    s = shop(settings=ShopSettings())
    order = place(s, shipping_fee=Money.yen("-0"))
    assert str(order.shipping_fee) == "0 JPY"
    bodies = [notice.body for notice in s.notifier.sent]
    assert bodies and not any("-￥0" in body or "-¥0" in body for body in bodies)
