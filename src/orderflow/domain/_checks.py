"""Checks shared by the values a shop configures (settings, policies, review rules and tables).

Each refuses a wrong value when the value is built, with :class:`~orderflow.errors.InvalidValue`
naming the field: never later, when an order first needs it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from orderflow.errors import InvalidValue

__all__ = ["given", "given_rate", "instance_of", "members"]

Validator = Callable[[object, "attrs.Attribute[Any]", object], None]


def members(
    field: str,
    value: object,
    what: str,
    *,
    shown: object = None,
    kind: type | None = None,
    each: str = "",
) -> list[Any]:
    """The members of a collection given for ``field`` (a tuple, list, set …).

    A text is no collection of texts: a bare ``"taro@example.jp"`` would be read as a set of
    its characters (a blacklist that never matches); a mapping or an enum member neither.
    ``shown`` is what the error shows instead of ``value`` (for personal data); None: ``value``.
    ``kind``: every member must be one (else the member is refused, ``each`` saying what).
    """
    if isinstance(value, str | bytes | Mapping | enum.Enum) or not isinstance(value, Iterable):
        raise InvalidValue(
            field,
            value if shown is None else shown,
            f"a collection (a tuple, list or set) of {what}",
        )
    out = list(value)
    if kind is not None:
        for one in out:
            if not isinstance(one, kind):
                raise InvalidValue(field, one, each or what)
    return out


def instance_of(kind: type, expected: str) -> Validator:
    """An attrs validator refusing a value that is not a ``kind`` (and a bool as an int)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise InvalidValue(attribute.name, value, expected)

    return check


def given(value: object, kind: type | tuple[type, ...], field: str, expected: str) -> None:
    """Refuse an argument of a public helper that is not a ``kind`` (InvalidValue naming it).

    The pure helpers a shop calls itself (``points_earned``, ``posted_entries``, ``sale_entry``
    …) take values the desk would have made: a text where an ``AccountMap`` or a
    ``RecognitionBasis`` goes is refused here, not read as something else or failed on later.
    """
    if not isinstance(value, kind):
        raise InvalidValue(field, value, expected)


def given_rate(value: object, field: str = "rate") -> Decimal:
    """A points rate: a finite Decimal from 0 to 1 (``Decimal("0.01")`` for 1%)."""
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 1:
        raise InvalidValue(field, value, "a Decimal from 0 to 1, such as Decimal('0.01')")
    return value
