"""What the SQLite and PostgreSQL inventories share: the ledger's row, the checks, the replay rule.

:class:`LedgerInventory` is each inventory's public face: the argument checks, the answers
(a repeated key's replay, a refusal, a row of the ledger as a :class:`Movement`) and the life
cycle. An engine's subclass gives only its SQL, in the methods marked abstract.

Private: the public names are re-exported by :mod:`orderflow.stores`.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol, Self

import attrs

from orderflow.errors import InvalidValue, ProviderError, StoreError
from orderflow.ports import Clock, StockMove
from orderflow.stores._stock_requests import (
    Asked,
    MovementKind,
    asked,
    asked_each,
    check_delta,
    check_optional_key,
    check_reason,
    check_text,
    raised,
    replay,
    told,
)

__all__ = [
    "COLUMNS",
    "SCHEMA_VERSION",
    "LedgerInventory",
    "Movement",
    "StockLevel",
    "refuse_foreign",
]

SCHEMA_VERSION = 1
"""The version of the ``stock`` and ``stock_movements`` tables this code reads and writes."""

COLUMNS: dict[str, frozenset[str]] = {
    "stock": frozenset({"warehouse", "sku", "on_hand", "reserved"}),
    "stock_movements": frozenset(
        {"id", "key", "kind", "warehouse", "sku", "requested", "done", "reason", "order_ref"}
        | {"at", "refusal"}
    ),
}
"""The columns of the inventory's tables: a table of the same name with others is not ours."""


def refuse_foreign(where: str, foreign: list[str]) -> None:
    """Refuse tables of the inventory's names that another application made (StoreError)."""
    if foreign:
        raise StoreError(
            f"{where}: the table(s) {', '.join(foreign)} are not orderflow's inventory (other "
            "columns): another application's? give the inventory a database of its own"
        )


@attrs.frozen(slots=True)
class Movement:
    """One row of the append-only stock ledger: one request, with its answer."""

    id: int
    """The ledger's sequence: rows are listed in this order."""
    key: str | None
    """The idempotency key (an order's effect: ``<order number>:<sequence>``; a receipt through the
    desk: ``receipt:…``); None for an operator move made without one."""
    kind: MovementKind
    """What the row records: 入荷, 引当, 引当解除, 出荷 or a 棚卸 correction."""
    warehouse: str
    """The code of the warehouse whose stock moved."""
    sku: str
    """The SKU whose stock moved."""
    requested: int
    """The units asked for (for ``adjust``, the signed delta)."""
    done: int
    """The units really moved: the answer a repeated key replays (0 for a refusal)."""
    reason: str
    """Why, for a receipt or an adjustment: the operator's words, or the desk's (``return
    <order>/<return id>``, ``発注 <number>``); empty for reserve, release and commit."""
    order_ref: str | None
    """The key's part before its last ``:`` (the order number, for an order's effect); None for a
    key without ``:``."""
    at: datetime
    """When the row was written (aware, UTC)."""
    refusal: str | None = None
    """Why the request was refused (release or commit of more than is reserved); None if done."""


@attrs.frozen(slots=True)
class StockLevel:
    """On hand and reserved units of one SKU in one warehouse."""

    on_hand: int
    """Units in the warehouse (在庫数), reserved ones included; never below ``reserved``."""
    reserved: int
    """Units reserved for orders (引当済) and not yet shipped."""

    @property
    def available(self) -> int:
        """On hand less reserved (引当可能数)."""
        return self.on_hand - self.reserved


class Closable(Protocol):
    """An engine's connections, as the inventory closes them."""

    def close(self, *, final: bool = False) -> None: ...


class LedgerInventory(abc.ABC):
    """Stock per (warehouse, SKU) and its movement ledger: the port, the operator's moves.

    The subclass sets ``_db`` (its connections) and ``_clock`` and writes the SQL: each
    ``_``-method below marked abstract runs one request in one transaction.
    """

    _db: Closable
    _clock: Clock | None

    # -- the port ---------------------------------------------------------------------------

    def knows(self, sku: str) -> bool:
        """Whether ``sku`` has a stock row in any warehouse (it was ever received)."""
        return self._knows(check_text("sku", sku))

    def available(self, warehouse: str, sku: str) -> int:
        """On hand less reserved; 0 for a SKU the warehouse never had."""
        return self.stock(warehouse, sku).available

    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        """Reserve up to ``quantity`` units; return how many were reserved (0..quantity).

        The answer is ``min(quantity, on_hand - reserved)``, decided and moved in one
        transaction with the ledger row. A repeated key returns the first answer and moves
        nothing.
        """
        return raised(
            self._reserve([(key, asked(MovementKind.RESERVE, key, warehouse, sku, quantity))])[0]
        )

    def release(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """Give ``quantity`` reserved units back; a ProviderError if fewer are reserved."""
        request = (key, asked(MovementKind.RELEASE, key, warehouse, sku, quantity))
        raised(self._unreserve([request])[0])

    def commit(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """Take ``quantity`` reserved units off on hand (they shipped); once per key."""
        request = (key, asked(MovementKind.COMMIT, key, warehouse, sku, quantity))
        raised(self._unreserve([request])[0])

    # -- the port's batches (StockBatches): one transaction for an order's moves of one kind ---

    def reserve_many(self, moves: Sequence[StockMove]) -> list[int | str]:
        """:meth:`reserve` of each move, in order, in one transaction.

        Each move's units, or the text of its refusal (a key reused for another request), which
        ends the list: the moves before it are made, the moves after it are not.
        """
        return [told(entry) for entry in self._reserve(asked_each(MovementKind.RESERVE, moves))]

    def release_many(self, moves: Sequence[StockMove]) -> list[str | None]:
        """:meth:`release` of each move, in order, in one transaction.

        None for each move made; at the first refused (fewer units reserved), the text of its
        refusal, written with the moves before it, ends the list.
        """
        return [told(e) for e in self._unreserve(asked_each(MovementKind.RELEASE, moves))]

    def commit_many(self, moves: Sequence[StockMove]) -> list[str | None]:
        """:meth:`commit` of each move, in order, in one transaction; refused as release_many."""
        return [told(e) for e in self._unreserve(asked_each(MovementKind.COMMIT, moves))]

    # -- the operator's moves ---------------------------------------------------------------

    def receive(
        self, warehouse: str, sku: str, quantity: int, *, reason: str = "", key: str | None = None
    ) -> None:
        """入荷: add ``quantity`` units on hand (the SKU becomes known). Once per ``key``."""
        check_reason(reason, required=False)
        key = check_optional_key(key)
        self._receive(key, asked(MovementKind.RECEIVE, key, warehouse, sku, quantity), reason)

    def adjust(
        self, warehouse: str, sku: str, delta: int, *, reason: str, key: str | None = None
    ) -> None:
        """棚卸 correction: change on hand by ``delta`` (negative takes units off).

        Refused with :class:`~orderflow.errors.InvalidValue` (and nothing written) when on hand
        would fall below the reserved units. ``reason`` is required. Once per ``key``.
        """
        check_reason(reason, required=True)
        key = check_optional_key(key)
        check_text("warehouse", warehouse)
        check_text("sku", sku)
        check_delta(delta)
        self._adjust(key, (MovementKind.ADJUST, warehouse, sku, delta), reason)

    def stock(self, warehouse: str, sku: str) -> StockLevel:
        """On hand and reserved units of ``sku`` in ``warehouse`` (zeros when it has none)."""
        check_text("warehouse", warehouse)
        check_text("sku", sku)
        row = self._level(warehouse, sku)
        return StockLevel(int(row[0]), int(row[1])) if row else StockLevel(0, 0)

    def movements(
        self,
        warehouse: str | None = None,
        sku: str | None = None,
        order_ref: str | None = None,
    ) -> list[Movement]:
        """The ledger's rows, oldest first, filtered by whichever of the arguments are given."""
        given = {"warehouse": warehouse, "sku": sku, "order_ref": order_ref}
        filters = {column: check_text(column, v) for column, v in given.items() if v is not None}
        return [
            Movement(
                id=int(r[0]),
                key=r[1],
                kind=MovementKind(r[2]),
                warehouse=r[3],
                sku=r[4],
                requested=int(r[5]),
                done=int(r[6]),
                reason=r[7],
                order_ref=r[8],
                at=self._at(r[9]),
                refusal=r[10],
            )
            for r in self._ledger(filters)
        ]

    # -- life cycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connections this instance opened (never the host's connection or pool).

        Later calls raise :class:`~orderflow.errors.StoreError`.
        """
        self._db.close(final=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- for the engines ---------------------------------------------------------------------

    def _now(self) -> datetime:
        """The time of a ledger row: the clock's, else now; aware, in UTC."""
        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        return now.astimezone(UTC)

    def _replay(self, key: str | None, asked: Asked, first: Sequence[Any] | None) -> int:
        """The answer of the key's first request (see :func:`replay`)."""
        return replay(type(self).__name__, key, asked, first)

    def _refusal(self, key: str, asked: Asked, reserved: int) -> str:
        """Why a release or commit of more than is reserved is refused (kept in the ledger)."""
        kind, warehouse, sku, quantity = asked
        return (
            f"{type(self).__name__}.{kind.value} {quantity} of {sku}@{warehouse} "
            f"(key {key!r}): only {reserved} reserved"
        )

    @staticmethod
    def _below_reserved(asked: Asked, on_hand: int, reserved: int) -> InvalidValue:
        """The refusal of an adjustment that would leave on hand below the reserved units."""
        _, warehouse, sku, delta = asked
        return InvalidValue(
            "delta",
            delta,
            f"a change leaving on hand ({on_hand}) at or above the {reserved} "
            f"reserved units of {sku}@{warehouse}",
        )

    # -- the engine's SQL ----------------------------------------------------------------------

    @abc.abstractmethod
    def _knows(self, sku: str) -> bool:
        """Whether a stock row of ``sku`` exists."""

    @abc.abstractmethod
    def _reserve(self, requests: Sequence[tuple[str, Asked]]) -> list[int | ProviderError]:
        """Reserve each (or replay its key's answer), in order, in one transaction.

        The units of each; a refusal (a key reused) ends the list, the moves before it made.
        """

    @abc.abstractmethod
    def _unreserve(self, requests: Sequence[tuple[str, Asked]]) -> list[ProviderError | None]:
        """Release or commit each (or replay its key's answer), in order, in one transaction.

        None for each made; the first refused (recorded with the moves before it) ends the list.
        """

    @abc.abstractmethod
    def _receive(self, key: str | None, asked: Asked, reason: str) -> None:
        """Add units on hand, creating the stock row (or replay the key's answer)."""

    @abc.abstractmethod
    def _adjust(self, key: str | None, asked: Asked, reason: str) -> None:
        """Change on hand by the signed delta (or replay); :meth:`_below_reserved` if it can't."""

    @abc.abstractmethod
    def _level(self, warehouse: str, sku: str) -> Sequence[Any] | None:
        """The stock row's ``(on_hand, reserved)``; None without one."""

    @abc.abstractmethod
    def _ledger(self, filters: dict[str, str]) -> list[Sequence[Any]]:
        """The ledger's rows by id, as the columns of :class:`Movement` in order.

        Only the rows where each column of ``filters`` has its value.
        """

    @staticmethod
    @abc.abstractmethod
    def _at(value: Any) -> datetime:
        """A ledger row's time, as the engine stores it, as an aware datetime."""
