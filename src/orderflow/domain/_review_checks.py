"""What a review finding may hold: the checks of :class:`~orderflow.domain.review.Finding`.

A hold's code is what ``desk.raise_hold`` takes; its messages, what a hold keeps and every
database stores (at most 1,000 characters, whole Unicode without NUL). The validators of the
built-in rules' settings (``rule_…``) are here too.
"""

from __future__ import annotations

from typing import Any

import attrs

from orderflow.domain._text import storable
from orderflow.domain.bounds import check_units
from orderflow.domain.money import Money
from orderflow.domain.review_tables import check_duplicate_window
from orderflow.errors import InvalidValue

__all__ = [
    "HOLD_CODE",
    "MESSAGE_LIMIT",
    "finding_fee",
    "fit_message",
    "hold_code",
    "hold_message",
    "is_hold_code",
    "ja_amount",
    "rule_limit",
    "rule_product_of",
    "rule_window",
]


HOLD_CODE = "a hold code (a non-empty text of at most 100 characters)"
"""What a refusal of a hold code expects."""


def is_hold_code(value: object) -> bool:
    """Whether ``value`` may be a hold's code (what ``desk.raise_hold`` takes)."""
    return isinstance(value, str) and bool(value.strip()) and len(value) <= 100 and storable(value)


def hold_code(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a hold code (:func:`is_hold_code`)."""
    if not is_hold_code(value):
        raise InvalidValue(attribute.name, value, HOLD_CODE)


MESSAGE_LIMIT = 1000
"""The longest message a finding may give: what ``desk.raise_hold`` takes."""


def hold_message(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A text a hold can keep: at most 1,000 characters, whole Unicode without NUL."""
    if not isinstance(value, str) or len(value) > MESSAGE_LIMIT or not storable(value):
        raise InvalidValue(
            attribute.name,
            value,
            f"a text of at most {MESSAGE_LIMIT} characters, whole Unicode without NUL",
        )


def fit_message(text: str) -> str:
    """A built-in rule's message cut to what a hold keeps (a SKU is as long as a shop makes it)."""
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def finding_fee(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: a corrected shipping fee is a Money of zero or more, or None."""
    if value is not None and (not isinstance(value, Money) or value.is_negative):
        raise InvalidValue(attribute.name, value, "a Money of zero or more (not a float), or None")


def rule_window(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: a duplicate rule's window (above 0, at most the 31 days read)."""
    check_duplicate_window(value, "window")


def rule_limit(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: a quantity rule's default limit, 1 or more units."""
    check_units(value, "default_limit")  # 0 would hold every order: no default, a mistake


def rule_product_of(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: a variant rule's function of a SKU giving its product."""
    if not callable(value):
        raise InvalidValue(attribute.name, value, "a function of a SKU giving its product")


def ja_amount(money: Money) -> str:
    """An amount as a hold's Japanese message writes it: ``1980円``, else ``30.00 USD``."""
    return f"{money.amount}円" if money.currency == "JPY" else str(money)
