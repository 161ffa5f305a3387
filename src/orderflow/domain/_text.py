"""What every text orderflow keeps must be: whole Unicode without NUL.

Every database can store that (PostgreSQL's text and jsonb refuse U+0000). A name, an address
part, an id or a code must also be printable on one line (:func:`first_unprintable`): labels,
carrier files (B2クラウド, e飛伝), CSV papers, notices and the command line show it as it is.
"""

from __future__ import annotations

from orderflow.errors import InvalidValue

__all__ = [
    "ONE_LINE",
    "TOKEN_LIMIT",
    "WITH_BREAKS",
    "check_printable",
    "first_unprintable",
    "is_token",
    "storable",
    "storable_text",
]

ONE_LINE = "text on one line: no line breaks, tabs, control or invisible characters"
"""What :func:`first_unprintable` (without ``breaks``) asks for, as an error says it."""

WITH_BREAKS = "text without control characters such as ESC (line breaks and tabs are kept)"
"""What :func:`first_unprintable` with ``breaks`` asks for, as an error says it."""

_BREAKS = frozenset("\n\r\t")


def storable(text: str) -> bool:
    """Whether ``text`` is whole Unicode without NUL (no lone surrogate, no U+0000).

    What every database can store: SQLite keeps both, but PostgreSQL refuses them, and an order
    SQLite took would not move to PostgreSQL.
    """
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def storable_text(text: str) -> str:
    """``text`` with U+FFFD in place of each character :func:`storable` refuses.

    For what a provider said that a person reads (a refusal's code and message): kept, not
    refused, as the provider says it again under the same key.
    """
    if storable(text):
        return text
    return "".join("\ufffd" if ch == "\x00" or "\ud800" <= ch <= "\udfff" else ch for ch in text)


def first_unprintable(text: str, *, breaks: bool = False) -> str | None:
    """The first character of ``text`` that is not printed as itself on one line, or None.

    Refused: control characters (C0, DEL, C1: a line break, a tab, ESC), line and paragraph
    separators (U+2028, U+2029), invisible format characters (U+200B, U+202E, U+FEFF …), spaces
    other than `` `` and the ideographic ``\u3000`` (a no-break space), private-use and
    unassigned code points, lone surrogates: what ``str.isprintable`` refuses, as the carrier
    files refuse it (a label is one line per field).

    ``breaks``: a free text a person wrote (a reason, remarks): only control characters are
    refused (ESC would drive the terminal showing it, a form feed or a NUL the files), but not
    line breaks and tabs, which every writer of such a text handles (notices, the stores), nor an
    emoji's joiner; a lone surrogate neither, as it cannot be stored.
    """
    if breaks:
        for char in text:
            if (char < " " and char not in _BREAKS) or "\x7f" <= char <= "\x9f":
                return char
            if "\ud800" <= char <= "\udfff":
                return char
        return None
    for char in text:
        if not char.isprintable() and char != "\u3000":
            return char
    return None


def check_printable(field: str, value: str, *, breaks: bool = False) -> str:
    """``value``, unless :func:`first_unprintable` finds a character in it.

    Then :class:`~orderflow.errors.InvalidValue` naming ``field`` and the character's code point.
    """
    char = first_unprintable(value, breaks=breaks)
    if char is not None:
        raise InvalidValue(
            field, value, f"{WITH_BREAKS if breaks else ONE_LINE} (found U+{ord(char):04X})"
        )
    return value


TOKEN_LIMIT = 2000
"""The most characters of a card (or Amazon Pay) token a shop passes on from its gateway."""


def is_token(value: object) -> bool:
    """Whether ``value`` can be a gateway's stored card token.

    A text, not blank, storable, printable on one line and at most :data:`TOKEN_LIMIT`
    characters. The token is kept with the order's payment: one a database cannot store (a NUL,
    a lone surrogate) made the save fail after the card was authorized.
    """
    return (
        isinstance(value, str)
        and bool(value.strip())
        and len(value) <= TOKEN_LIMIT
        and storable(value)
        and first_unprintable(value) is None
    )
