"""What every text orderflow keeps must be: whole Unicode without NUL.

Every database can store that (PostgreSQL's text and jsonb refuse U+0000).
"""

from __future__ import annotations

__all__ = ["storable", "storable_text"]


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
