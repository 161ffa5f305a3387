"""Checks of the names an ``AccountMap`` holds: accounts, sub-accounts and tax categories.

Every name ends up in a cell of a journal file (弥生, freee, MF): an account may not be empty and
no name may hold a line break or a control character, so a map the exports would refuse is
refused when it is built (:class:`~orderflow.errors.InvalidValue` naming the field), never at the
month's export.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from orderflow.domain.tax import RATES, TaxRate
from orderflow.errors import InvalidValue

__all__ = ["check_categories", "check_line", "check_member", "check_name", "check_products"]

_NOT_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters and line breaks (Unicode's Cc, Zl and Zp), as the exports refuse them."""

_Check = Callable[[object, "attrs.Attribute[Any]", object], None]


def check_line(field: str, value: object, *, required: bool, what: str) -> None:
    """Refuse ``value`` unless it is a text on one line (not blank when ``required``)."""
    _text(field, value, required=required, what=what)


def _text(field: str, value: object, *, required: bool, what: str) -> None:
    if (
        not isinstance(value, str)
        or (required and not value.strip())
        or _NOT_ON_ONE_LINE.search(value) is not None
    ):
        raise InvalidValue(field, value, f"{what}: text on one line, without control characters")


def check_name(*, required: bool, optional: bool = False) -> _Check:
    """An attrs validator: an account (``required``: not blank) or a sub-account / category.

    ``optional``: ``None`` is taken too (a product's sales account left to the map's).
    """
    what = "an account name" if required else "a name (may be empty)"
    if optional:
        what += ", or None"

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if optional and value is None:
            return
        _text(attribute.name, value, required=required, what=what)

    return check


def check_categories(*, every_rate: bool) -> _Check:
    """An attrs validator: a mapping of :class:`TaxRate` to a tax category's name.

    ``every_rate``: both rates must be named (the map's own); else some may be left out (a
    product's), and ``None`` keeps the map's.
    """
    expected = "a mapping of TaxRate to a tax category's name"
    if every_rate:
        expected += ", for both rates (10% and 8%)"

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and not every_rate:
            return
        if not isinstance(value, Mapping) or not all(isinstance(k, TaxRate) for k in value):
            raise InvalidValue(attribute.name, value, expected)
        if every_rate and any(rate not in value for rate in RATES):
            missing = [f"{rate.percent}%" for rate in RATES if rate not in value]
            raise InvalidValue(attribute.name, ", ".join(missing) + " missing", expected)
        for rate, name in value.items():
            _text(f"{attribute.name}[{rate.percent}%]", name, required=False, what="a tax category")

    return check


def check_products(product_type: type) -> _Check:
    """An attrs validator: a mapping of SKU (text) to ``product_type`` (``ProductAccounts``)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, Mapping):
            raise InvalidValue(attribute.name, value, "a mapping of SKU to ProductAccounts")
        for sku, product in value.items():
            if not isinstance(sku, str) or not sku:
                raise InvalidValue(f"{attribute.name}", sku, "a SKU (text) as each key")
            if not isinstance(product, product_type):
                raise InvalidValue(f"{attribute.name}[{sku}]", product, "a ProductAccounts")

    return check


def check_member(kind: type, what: str) -> _Check:
    """An attrs validator: one of the members of the enum ``kind`` (``what`` says which)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidValue(attribute.name, value, what)

    return check
