"""What every text orderflow keeps must be: whole Unicode, which every database can store."""

from __future__ import annotations

__all__ = ["storable"]


def storable(text: str) -> bool:
    """Whether ``text`` is whole Unicode (no lone surrogate): what a database can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
