"""What the SQLite and PostgreSQL inventories share: the ledger's row, the checks, the replay rule.

Private: the public names are re-exported by :mod:`orderflow.stores`.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from orderflow.errors import InvalidValue, ProviderError

__all__ = [
    "SCHEMA_VERSION",
    "Movement",
    "MovementKind",
    "StockLevel",
    "check_delta",
    "check_key",
    "check_optional_key",
    "check_reason",
    "check_text",
    "check_units",
    "order_ref",
    "replay",
]

SCHEMA_VERSION = 1
"""The version of the ``stock`` and ``stock_movements`` tables this code reads and writes."""


class MovementKind(enum.Enum):
    """What a row of the stock ledger (``stock_movements``) records."""

    RECEIVE = "receive"
    """入荷: units arrived (on hand +)."""
    RESERVE = "reserve"
    """引当: units reserved for an order (reserved +)."""
    RELEASE = "release"
    """引当解除: reserved units given back (reserved −)."""
    COMMIT = "commit"
    """出荷: reserved units left the warehouse (on hand −, reserved −)."""
    ADJUST = "adjust"
    """棚卸 correction: on hand corrected by a signed delta."""


@attrs.frozen(slots=True)
class Movement:
    """One row of the append-only stock ledger: one request, with its answer."""

    id: int
    """The ledger's sequence: rows are listed in this order."""
    key: str | None
    """The idempotency key (``<order number>:<sequence>``); None for an operator move."""
    kind: MovementKind
    warehouse: str
    sku: str
    requested: int
    """The units asked for (for ``adjust``, the signed delta)."""
    done: int
    """The units really moved: the answer a repeated key replays (0 for a refusal)."""
    reason: str
    """The operator's words (``adjust``, ``receive``); empty for the desk's moves."""
    order_ref: str | None
    """The key's part before its last ``:`` (the order number); None for a key without ``:``."""
    at: datetime
    """When the row was written (aware, UTC)."""
    refusal: str | None = None
    """Why the request was refused (release or commit of more than is reserved); None if done."""


@attrs.frozen(slots=True)
class StockLevel:
    """On hand and reserved units of one SKU in one warehouse."""

    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        """On hand less reserved (引当可能数)."""
        return self.on_hand - self.reserved


def check_text(field: str, value: object) -> str:
    """A non-empty string (a warehouse code, a SKU)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, value, "a non-empty string")
    return value


def check_key(value: object) -> str:
    """An idempotency key: a non-empty string."""
    return check_text("key", value)


def check_optional_key(value: object) -> str | None:
    """An operator move's key: None or a non-empty string."""
    return None if value is None else check_text("key", value)


def check_units(field: str, value: object) -> int:
    """A whole number of units, 1 or more (a bool is not a number of units)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValue(field, value, "a whole number of units, 1 or more")
    return value


def check_delta(value: object) -> int:
    """A non-zero whole number of units, negative to take units off."""
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        raise InvalidValue("delta", value, "a non-zero whole number of units")
    return value


def check_reason(value: object, *, required: bool) -> str:
    """The operator's reason: a string, non-empty where ``required``."""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidValue("reason", value, "a non-empty string" if required else "a string")
    return value


def order_ref(key: str | None) -> str | None:
    """The order number inside a key ``<order number>:<sequence>``: the part before the last ':'."""
    if key is None or ":" not in key:
        return None
    return key.rpartition(":")[0]


def replay(
    store: str,
    key: str,
    asked: tuple[MovementKind, str, str, int],
    first: tuple[str, str, str, int, int, str | None],
) -> int:
    """The first answer recorded under ``key``, if ``asked`` is the request it answered.

    ``first`` is the ledger row's ``(kind, warehouse, sku, requested, done, refusal)``. A key
    reused for another request raises :class:`ProviderError` naming the key and both requests;
    a recorded refusal is raised again.
    """
    kind, warehouse, sku, requested, done, refusal = first
    if (kind, warehouse, sku, requested) != (asked[0].value, *asked[1:]):
        raise ProviderError(
            f"{store}.{asked[0].value}: idempotency key {key!r} was first used for another "
            f"request ({kind} {requested} of {sku}@{warehouse}), not "
            f"{asked[0].value} {asked[3]} of {asked[2]}@{asked[1]}"
        )
    if refusal is not None:
        raise ProviderError(refusal)
    return done
