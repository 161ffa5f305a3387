"""The checks every :class:`~orderflow.domain.order.Order` passes when it is built."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orderflow.domain.address import Address, Customer
from orderflow.domain.line import OrderLine
from orderflow.domain.money import Money
from orderflow.domain.payment import Payment
from orderflow.domain.returns import Return
from orderflow.domain.status import OrderStatus
from orderflow.errors import CurrencyMismatch, EmptyOrder, InvalidValue

if TYPE_CHECKING:
    from orderflow.domain.order import Order

__all__ = ["check_order"]


def check_order(order: Order) -> None:
    """Refuse an order whose fields or amounts do not fit together (when it is built).

    Every field of its type (:class:`~orderflow.errors.InvalidValue` naming the first that is
    not), at least one line, each an :class:`OrderLine` with its own id, every amount in the
    order's currency and not negative, and no more points used than the charges after the
    discount.
    """
    _check_fields(order)
    _check_lines(order)
    _check_amounts(order)
    _check_points(order)


_NONE = type(None)


def _field_types() -> tuple[tuple[str, type | tuple[type, ...], str], ...]:
    """(field, the types it takes, what it is) of the fields of an order (but its lines)."""
    from orderflow.domain.order import Order

    text = (str, "a text")
    whole = (int, "a whole number, 0 or more")
    moment = ((datetime, _NONE), "an aware datetime, or None")
    table: dict[str, tuple[type | tuple[type, ...], str]] = {
        "customer": (Customer, "a Customer"),
        "ship_to": (Address, "an Address"),
        "payment": (Payment, "a Payment"),
        "placed_at": (datetime, "an aware datetime"),
        "points_taken": whole,
        "channel": text,
        "remarks": text,
        "status": (OrderStatus, "an OrderStatus"),
        "seq": whole,
        "proposal": ((Order, _NONE), "an Order, or None"),
        "version": whole,
        "booked_at": moment,
        "address_guaranteed": (bool, "True or False"),
        "delivery_date": ((date, _NONE), "a date, or None"),
        "delivery_slot": ((str, _NONE), "a time slot such as '14-16', or None"),
        "split_from": ((str, _NONE), "an order number, or None"),
        "points_granted": whole,
        "points_provisional": (bool, "True or False"),
        "points_revoked": whole,
        "points_owed": whole,
        "points_withheld": whole,
        "points_due_at": moment,
        "exchange_for": ((str, _NONE), "an order number, or None"),
    }
    return tuple((name, types, wanted) for name, (types, wanted) in table.items())


def _item_types() -> tuple[tuple[str, type | tuple[type, ...], str], ...]:
    """(field, the type of its items, what it is) of the tuple fields of an order."""
    from orderflow.domain.effects import Effect
    from orderflow.domain.order import Allocation, Hold, OrderEvent, SetPart, Shipment

    return (
        ("holds", Hold, "Hold"),
        ("allocations", Allocation, "Allocation"),
        ("shipments", Shipment, "Shipment"),
        ("history", OrderEvent, "OrderEvent"),
        ("outbox", Effect, "Effect"),
        ("requests", str, "request id"),
        ("tax_adjustments", tuple, "(TaxRate, Money) pair"),
        ("bundle", str, "order number"),
        ("arrivals", tuple, "(line id, date) pair"),
        ("returns", Return, "Return"),
        ("set_parts", SetPart, "SetPart"),
    )


_TYPES: list[Any] = []
"""The two tables, made on first use (the effects import the order)."""


def _check_fields(order: Order) -> None:
    if not _TYPES:
        _TYPES.extend((_field_types(), _item_types()))
    fields, items = _TYPES
    for name, types, wanted in fields:
        value = getattr(order, name)
        if not isinstance(value, types) or (type(value) is bool and types is int):  # True: no count
            raise InvalidValue(name, value, wanted)
    for name, kind, wanted in items:
        value = getattr(order, name)
        if type(value) is not tuple:
            raise InvalidValue(name, value, f"a tuple of {wanted}s")
        if value and not all([isinstance(item, kind) for item in value]):
            index = next(i for i, item in enumerate(value) if not isinstance(item, kind))
            raise InvalidValue(f"{name}[{index}]", value[index], f"a {wanted}")


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
