"""The requests of an inventory on SQL: their checks, the ledger's replay rule, batches.

What a request must be (:func:`asked`, the ``check_*`` functions), how a repeated key is
answered (:func:`replay`), and how a batch of moves (:class:`~orderflow.ports.StockBatches`)
is made one request after another (:func:`each_until_refused` in one transaction,
:func:`one_by_one` for an adapter without a batch of its own). Private: used by
:mod:`orderflow.stores._inventory`, which re-exports them, and by the fakes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from orderflow.domain._text import storable
from orderflow.domain.bounds import MAX_UNITS
from orderflow.domain.bounds import check_units as units
from orderflow.errors import InvalidValue, KeyReused, ProviderError, ProviderTimeout, StoreError
from orderflow.ports import StockMove

__all__ = [
    "Asked",
    "MovementKind",
    "asked",
    "asked_each",
    "check_delta",
    "check_key",
    "check_moves",
    "check_optional_key",
    "check_reason",
    "check_text",
    "check_units",
    "each_until_refused",
    "one_by_one",
    "order_ref",
    "raised",
    "replay",
    "told",
]


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


_STORABLE = "whole Unicode text without NUL (a lone surrogate or U+0000 cannot be stored)"


def check_text(field: str, value: object) -> str:
    """A non-empty string (a warehouse code, a SKU) every database can store."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, value, "a non-empty string")
    if not storable(value):
        raise InvalidValue(field, value, _STORABLE)
    return value


def check_key(value: object) -> str:
    """An idempotency key: a non-empty string."""
    return check_text("key", value)


def check_optional_key(value: object) -> str | None:
    """An operator move's key: None or a non-empty string."""
    return None if value is None else check_text("key", value)


def check_units(field: str, value: object) -> int:
    """A whole number of units from 1 to :data:`~orderflow.domain.bounds.MAX_UNITS`.

    A bool is not a number of units; the bound keeps every stock count inside a 64-bit integer.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, value, f"a whole number of units from 1 to {MAX_UNITS:,}")
    return units(value, field)


def check_delta(value: object) -> int:
    """A non-zero whole number of units, negative to take units off; ``MAX_UNITS`` at most."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value == 0
        or not -MAX_UNITS <= value <= MAX_UNITS
    ):
        raise InvalidValue(
            "delta", value, f"a non-zero whole number of units from -{MAX_UNITS:,} to {MAX_UNITS:,}"
        )
    return value


def check_reason(value: object, *, required: bool) -> str:
    """The operator's reason: a string, non-empty where ``required``."""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidValue("reason", value, "a non-empty string" if required else "a string")
    if not storable(value):
        raise InvalidValue("reason", value, _STORABLE)
    return value


def order_ref(key: str | None) -> str | None:
    """The order number inside a key ``<order number>:<sequence>``: the part before the last ':'."""
    if key is None or ":" not in key:
        return None
    return key.rpartition(":")[0]


Asked = tuple[MovementKind, str, str, int]
"""A request as the ledger records it: ``(kind, warehouse, sku, requested)``."""


def asked(kind: MovementKind, key: str | None, warehouse: str, sku: str, quantity: int) -> Asked:
    """The request, its arguments checked (a key is required but for a receipt)."""
    if kind is not MovementKind.RECEIVE:
        check_key(key)
    check_text("warehouse", warehouse)
    check_text("sku", sku)
    check_units("quantity", quantity)
    return (kind, warehouse, sku, quantity)


def replay(store: str, key: str | None, asked: Asked, first: Sequence[Any] | None) -> int:
    """The first answer recorded under ``key``, if ``asked`` is the request it answered.

    ``first`` is the ledger row's ``(kind, warehouse, sku, requested, done, refusal)``. A key
    reused for another request raises :class:`ProviderError` naming the key and both requests;
    a recorded refusal is raised again. No row (the conflicting request rolled back in between)
    is a :class:`StoreError`: try again.
    """
    assert key is not None  # a row without a key never conflicts
    if first is None:
        raise StoreError(f"{asked[0].value} {key!r}: the key's first request vanished; retry")
    kind, warehouse, sku, requested, done, refusal = first
    requested, done = int(requested), int(done)
    if (kind, warehouse, sku, requested) != (asked[0].value, *asked[1:]):
        raise KeyReused(
            f"{store}.{asked[0].value}: idempotency key {key!r} was first used for another "
            f"request ({kind} {requested} of {sku}@{warehouse}), not "
            f"{asked[0].value} {asked[3]} of {asked[2]}@{asked[1]}",
            key=key,
        )
    if refusal is not None:
        raise ProviderError(refusal)
    return done


def check_moves(
    moves: Sequence[StockMove], each: Callable[[StockMove], object] | None = None
) -> Sequence[StockMove]:
    """``moves`` if a list of :class:`~orderflow.ports.StockMove`, each as its call's arguments.

    ``each`` checks one move (by default, every field as :func:`asked` does). Else
    InvalidValue, before any of them is made.
    """
    if isinstance(moves, str | bytes) or not isinstance(moves, Sequence):
        raise InvalidValue("moves", type(moves).__name__, "a list of StockMove")
    for move in moves:
        if not isinstance(move, StockMove):
            raise InvalidValue("moves", type(move).__name__, "a list of StockMove")
        if each is None:
            asked(MovementKind.RESERVE, move.key, move.warehouse, move.sku, move.quantity)
        else:
            each(move)
    return moves


def asked_each(kind: MovementKind, moves: Sequence[StockMove]) -> list[tuple[str, Asked]]:
    """Each move of a batch as (key, request), checked as its own call's arguments are.

    Every move is checked before any is made (the list is built whole first); the checks are
    :func:`asked`'s, once per move.
    """
    typed = check_moves(moves, each=lambda move: None)  # the fields: asked, just below
    return [(m.key, asked(kind, m.key, m.warehouse, m.sku, m.quantity)) for m in typed]


T = TypeVar("T")


def each_until_refused(
    on: Any, one: Callable[[Any, str, Asked], T], requests: Sequence[tuple[str, Asked]]
) -> list[T | ProviderError]:
    """``one(on, key, asked)`` for each request in order, in one transaction (``on``).

    A refusal (a :class:`ProviderError` one raised: a refusal it wrote down, a replayed one,
    a key reused) ends the list, in its place; what the requests before it did is kept.
    """
    done: list[T | ProviderError] = []
    for key, request in requests:
        try:
            done.append(one(on, key, request))
        except ProviderTimeout:
            raise  # no answer: not a refusal
        except ProviderError as refused:
            done.append(refused)
            break
    return done


def one_by_one(call: Callable[..., T], moves: Sequence[StockMove]) -> list[T | str]:
    """A batch's entries (:class:`~orderflow.ports.StockBatches`) from ``call`` made per move.

    For an adapter without a batch of its own (the fakes), ``moves`` checked by the caller:
    each call's answer, in order; a refusal's text ends the list. A time-out is raised (no
    answer is not a refusal).
    """
    answers: list[T | str] = []
    for move in moves:
        try:
            answers.append(
                call(key=move.key, warehouse=move.warehouse, sku=move.sku, quantity=move.quantity)
            )
        except ProviderTimeout:
            raise
        except ProviderError as refused:
            answers.append(str(refused))
            break
    return answers


def raised(entry: T | ProviderError) -> T:
    """A single call's answer: the entry, or its refusal raised."""
    if isinstance(entry, ProviderError):
        raise entry
    return entry


def told(entry: T | ProviderError) -> T | str:
    """A batch's entry: the answer, or the refusal's text."""
    return str(entry) if isinstance(entry, ProviderError) else entry
