"""What every text orderflow keeps must be: whole Unicode without NUL.

Every database can store that (PostgreSQL's text and jsonb refuse U+0000).
"""

from __future__ import annotations

__all__ = ["storable"]


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
