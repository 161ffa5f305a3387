"""Checks of the review rules' settings: each wrong value an InvalidValue naming the field."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from orderflow._mask import mask_street
from orderflow.domain.bounds import check_units
from orderflow.errors import InvalidValue

__all__ = ["items_of", "of_kind", "sku_limits"]


def items_of(field: str, value: object, kinds: tuple[type, ...]) -> list[Any]:
    """The values of a list (or set) given for ``field``.

    One text alone is refused (not split into its characters), and so is a value of another
    kind (named by its type, its value unshown).
    """
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        shown = mask_street(value) if isinstance(value, str) else value
        raise InvalidValue(field, shown, "a list (or set) of values, not one text")
    items = list(value)
    for item in items:
        if not isinstance(item, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise InvalidValue(field, type(item).__name__, f"a list of {names} values")
    return items


def of_kind(kind: type, expected: str) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """An attrs validator: the value is a ``kind`` (else InvalidValue naming the field)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidValue(attribute.name, type(value).__name__, expected)

    return check


def sku_limits(value: object, field: str = "limits") -> dict[str, int]:
    """SKU → the most units a line of it may ask for, each checked."""
    if not isinstance(value, Mapping):
        raise InvalidValue(field, value, "a mapping of SKU to a number of units")
    for sku, limit in value.items():
        if not isinstance(sku, str):
            raise InvalidValue(field, sku, "SKUs (texts) as keys")
        check_units(limit, f"{field}[{sku!r}]")
    return dict(value)
