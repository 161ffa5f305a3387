"""How an event class is declared: frozen, slotted, every field given by keyword."""

from __future__ import annotations

import attrs

__all__ = ["event"]

event = attrs.frozen(slots=True, kw_only=True)
"""The decorator of every event class."""
