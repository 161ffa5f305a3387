"""The checks every command makes of its plain inputs: an order number, a free text."""

from __future__ import annotations

from orderflow.domain._text import check_printable, storable
from orderflow.errors import InvalidValue

__all__ = ["MAX_NUMBER", "check_number", "check_text"]

MAX_NUMBER = 64
"""The longest order number every command takes (the parts of a split included)."""


def check_number(number: object, field: str = "number") -> str:
    """An order number: a short printable text without spaces or line breaks."""
    if (
        not isinstance(number, str)
        or not 1 <= len(number) <= MAX_NUMBER
        or not number.isprintable()  # no line breaks, controls or separators but " "
        or " " in number
    ):
        raise InvalidValue(
            field, number, f"an order number: 1 to {MAX_NUMBER} printable characters, no spaces"
        )
    return number


def check_text(
    value: object, field: str, *, required: bool = False, limit: int = 1000, breaks: bool = False
) -> str:
    """A text of at most ``limit`` characters (non-empty when ``required``).

    On one line (an id, a code, an actor: no line break, tab, control or invisible character)
    unless ``breaks``: a free text a person wrote (a reason, remarks) keeps its line breaks and
    tabs, but no other control character (ESC would drive the terminal that shows it).
    """
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        what = "a non-empty text" if required else "a text"
        raise InvalidValue(field, value, f"{what} of at most {limit} characters")
    if not storable(value):
        raise InvalidValue(
            field,
            value,
            "whole Unicode text without NUL (a lone surrogate or U+0000 cannot be stored)",
        )
    return check_printable(field, value, breaks=breaks)
