"""The checks every :class:`~orderflow.domain.order.Order` passes when it is built."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from orderflow.domain.line import OrderLine
from orderflow.domain.money import Money
from orderflow.errors import CurrencyMismatch, EmptyOrder, InvalidValue

if TYPE_CHECKING:
    from orderflow.domain.order import Order

__all__ = ["check_order"]


def check_order(order: Order) -> None:
    """Refuse an order whose lines or amounts do not fit together (when it is built).

    At least one line, each an :class:`OrderLine` with its own id, every amount in the order's
    currency and not negative, and no more points used than the charges after the discount.
    """
    _check_lines(order)
    _check_amounts(order)
    _check_points(order)


def _check_lines(order: Order) -> None:
    if not order.lines:
        raise EmptyOrder()
    for index, line in enumerate(order.lines):
        if not isinstance(line, OrderLine):
            raise InvalidValue(f"lines[{index}]", line, "an OrderLine")
    currency = order.currency
    seen: set[str] = set()
    for index, line in enumerate(order.lines):
        if line.unit_price.currency != currency:
            raise CurrencyMismatch(f"lines[{index}].unit_price", currency, line.unit_price.currency)
        if line.line_id in seen:
            raise InvalidValue(f"lines[{index}].line_id", line.line_id, "a line id used once")
        seen.add(line.line_id)


def _check_amounts(order: Order) -> None:
    currency = order.currency
    for field in ("shipping_fee", "discount", "fees"):
        money = getattr(order, field)
        if not isinstance(money, Money):
            raise InvalidValue(field, money, "a Money (never a float)")
        if money.currency != currency:
            raise CurrencyMismatch(field, currency, money.currency)
        if money.is_negative:
            raise InvalidValue(field, money.amount, "an amount of zero or more")


def _check_points(order: Order) -> None:
    if type(order.points_used) is not int or order.points_used < 0:
        raise InvalidValue("points_used", order.points_used, "a whole number of points, 0 or more")
    if order.points_used:
        room = sum((line.unit_price.amount * line.quantity for line in order.lines), Decimal(0))
        room += order.shipping_fee.amount + order.fees.amount - order.discount.amount
        if order.points_used > room:
            raise InvalidValue(
                "points_used",
                order.points_used,
                f"no more points than the charges after the discount ({room})",
            )
