"""The fields of an :class:`~orderflow.domain.changes.OrderChange`, checked as it is made.

Each converter refuses a value of the wrong kind with an :class:`~orderflow.errors.InvalidValue`
naming the field (``change.quantities``, ``change.unit_prices['L1']`` …).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING

from orderflow.domain._text import is_token
from orderflow.domain.address import Address
from orderflow.domain.bounds import MAX_DAYS
from orderflow.domain.line import OrderLine
from orderflow.domain.money import Money
from orderflow.domain.order import PaymentMethod
from orderflow.errors import InvalidValue

if TYPE_CHECKING:
    from orderflow.domain.changes import OrderChange

__all__ = [
    "DELIVERY_SLOTS",
    "check_change",
    "check_delivery",
    "line_ids_field",
    "lines_field",
    "prices_field",
    "quantities_field",
]

DELIVERY_SLOTS = ("午前中", "14-16", "16-18", "18-20", "19-21")
"""The delivery time slots (お届け時間帯) Japanese carriers offer."""


def check_delivery(day: object, slot: object, today: date) -> None:
    """お届け日時指定: a date from ``today`` (the shop's) on, a slot of :data:`DELIVERY_SLOTS`.

    ``None`` asks for neither. A date more than :data:`~orderflow.domain.bounds.MAX_DAYS` ahead
    is refused too (no carrier takes it); each refusal is an ``InvalidValue`` naming the field.
    """
    if slot is not None and (not isinstance(slot, str) or slot not in DELIVERY_SLOTS):
        raise InvalidValue("delivery_slot", slot, f"one of {DELIVERY_SLOTS}, or None")
    if day is None:
        return
    if type(day) is not date:
        raise InvalidValue("delivery_date", day, "a date (datetime.date, not a datetime), or None")
    last = today + timedelta(days=MAX_DAYS)
    if not today <= day <= last:
        expected = f"a date from today ({today.isoformat()}) to {last.isoformat()}"
        raise InvalidValue("delivery_date", day, expected)


def quantities_field(value: Mapping[str, int]) -> Mapping[str, int]:
    """``OrderChange.quantities`` checked: line id → a whole number of units, 0 or more."""
    if not isinstance(value, Mapping):
        raise InvalidValue("change.quantities", value, "a mapping of line id → quantity")
    out: dict[str, int] = {}
    for line_id, quantity in value.items():
        if not isinstance(line_id, str):
            raise InvalidValue("change.quantities", line_id, "line ids (texts) as the keys")
        if type(quantity) is not int or quantity < 0:
            raise InvalidValue(
                f"change.quantities[{line_id!r}]", quantity, "a whole number, 0 or more"
            )
        out[line_id] = quantity
    return out


def lines_field(value: tuple[OrderLine, ...] | list[OrderLine]) -> tuple[OrderLine, ...]:
    """``OrderChange.add_lines`` checked: a list (or tuple) of :class:`OrderLine`."""
    if not isinstance(value, (list, tuple)):
        raise InvalidValue("change.add_lines", value, "a list of OrderLine")
    for index, line in enumerate(value):
        if not isinstance(line, OrderLine):
            raise InvalidValue(f"change.add_lines[{index}]", line, "an OrderLine")
    return tuple(value)


def line_ids_field(
    value: frozenset[str] | set[str] | tuple[str, ...] | list[str],
) -> frozenset[str]:
    """``OrderChange.remove_lines`` checked: a set (or list) of line ids, never one text."""
    if not isinstance(value, (frozenset, set, tuple, list)):
        raise InvalidValue("change.remove_lines", value, "a set of line ids")
    for line_id in value:
        if not isinstance(line_id, str):
            raise InvalidValue("change.remove_lines", line_id, "line ids (texts)")
    return frozenset(value)


def check_change(change: OrderChange) -> None:
    """Every field of ``change`` of the type it must have (``InvalidValue`` naming it)."""
    if change.ship_to is not None and not isinstance(change.ship_to, Address):
        raise InvalidValue("change.ship_to", change.ship_to, "an Address, or None")
    if change.delivery_date is not None and type(change.delivery_date) is not date:
        raise InvalidValue("change.delivery_date", change.delivery_date, "a date, or None")
    if change.delivery_slot is not None and change.delivery_slot not in DELIVERY_SLOTS:
        raise InvalidValue("change.delivery_slot", change.delivery_slot, f"one of {DELIVERY_SLOTS}")
    if not isinstance(change.clear_delivery, bool):
        raise InvalidValue("change.clear_delivery", change.clear_delivery, "True or False")
    method = change.payment_method
    if method is not None and not isinstance(method, PaymentMethod):
        raise InvalidValue("change.payment_method", method, "a PaymentMethod, or None")
    if change.token is not None and not is_token(change.token):
        raise InvalidValue(
            "change.token",
            change.token,
            "the stored card token (one line, not blank, storable), or None",
        )
    points = change.points_used
    if points is not None and (type(points) is not int or points < 0):
        raise InvalidValue("change.points_used", points, "a whole number, 0 or more, or None")
    for name in ("shipping_fee", "discount"):
        amount = getattr(change, name)
        if amount is not None:
            _check_amount(amount, f"change.{name}", "a Money of zero or more, or None")


def prices_field(value: Mapping[str, Money]) -> Mapping[str, Money]:
    """``OrderChange.unit_prices`` checked: line id → a new unit price, zero or more (単価訂正)."""
    if not isinstance(value, Mapping):
        raise InvalidValue("change.unit_prices", value, "a mapping of line id → Money")
    out: dict[str, Money] = {}
    for line_id, price in value.items():
        if not isinstance(line_id, str):
            raise InvalidValue("change.unit_prices", line_id, "line ids (texts) as the keys")
        field = f"change.unit_prices[{line_id!r}]"
        _check_amount(price, field, "a Money of zero or more, such as Money.yen(980)")
        out[line_id] = price
    return out


def _check_amount(value: object, field: str, expected: str) -> None:
    if not isinstance(value, Money) or value.is_negative:
        raise InvalidValue(field, value.amount if isinstance(value, Money) else value, expected)
