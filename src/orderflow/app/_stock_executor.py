"""The executor's stock half (在庫): the inventory's reads and moves an order's effects ask for.

A stock move is one call per effect; an inventory with the optional batch methods
(:class:`~orderflow.ports.StockBatches`) is asked the moves an order makes together
(:func:`~orderflow.domain.answers.asked_together`) in one call, which an inventory on a database
makes in one transaction. Asking them together is asking them one by one: the keys and the
answers are the same, and the answers are folded in order. The batch answers each move it made,
up to the first refused, whose refusal is folded where it stands (an obligation is then asked
again under a fresh key, after a save, as one by one); a batch that raises a ``ProviderError``
made none of them, and the first move is asked alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from orderflow.app._ask import WrongAnswer, checked_answer
from orderflow.app._wiring import Ports
from orderflow.domain._text import storable_text
from orderflow.domain.answers import StockMoveEffect
from orderflow.domain.effects import CheckStock, Commit, Done, Refused, Release, Reserve
from orderflow.domain.order import Order
from orderflow.errors import (
    EffectInterrupted,
    OrderflowError,
    OutcomeUnknown,
    ProviderError,
    ProviderTimeout,
)
from orderflow.ports import StockMove

__all__ = ["StockPerformers"]

_BATCH = {Reserve: "reserve_many", Release: "release_many", Commit: "commit_many"}
"""The batch method of each stock move (:class:`~orderflow.ports.StockBatches`)."""


class StockPerformers:
    """Performs an order's stock effects (mixed into the executor)."""

    ports: Ports

    def _check_stock(self, order: Order, e: CheckStock) -> object:
        inventory = self.ports.inventory
        return {(w, s): inventory.available(w, s) for w in e.warehouses for s in e.skus}

    def _reserve(self, order: Order, e: Reserve) -> object:
        return self.ports.inventory.reserve(
            key=e.key, warehouse=e.warehouse, sku=e.sku, quantity=e.quantity
        )

    def _release(self, order: Order, e: Release) -> object:
        self.ports.inventory.release(
            key=e.key, warehouse=e.warehouse, sku=e.sku, quantity=e.quantity
        )
        return None

    def _commit(self, order: Order, e: Commit) -> object:
        self.ports.inventory.commit(
            key=e.key, warehouse=e.warehouse, sku=e.sku, quantity=e.quantity
        )
        return None

    def ask_together(
        self, number: str, moves: Sequence[StockMoveEffect], checkpoint: Callable[[], object]
    ) -> list[tuple[StockMoveEffect, Done | Refused]] | None:
        """``moves`` (stock moves of one kind) asked of the inventory in one call, and answered.

        Each move made with its answer, in order, up to the first refused (the last pair then);
        None when the inventory has no batch method for them, or refused the batch as a whole
        (nothing was made: the first move is asked alone). A time-out saves what is known
        (``checkpoint``) and raises :class:`~orderflow.errors.OutcomeUnknown` naming the first
        move, as :func:`ask` does; any other exception that is not orderflow's is a crash
        (:class:`~orderflow.errors.EffectInterrupted`), an answer of the wrong shape too.
        """
        first = moves[0]
        batch: Callable[[list[StockMove]], Any] | None = getattr(
            self.ports.inventory, _BATCH[type(first)], None
        )
        if not callable(batch):
            return None
        asked = [StockMove(m.key, m.warehouse, m.sku, m.quantity) for m in moves]
        try:
            return _answered(moves, batch(asked))
        except ProviderTimeout as timeout:
            checkpoint()
            raise OutcomeUnknown(number, first.kind, first.key) from timeout
        except ProviderError:
            return None  # none of them was made: the first alone, its refusal folded if refused
        except OrderflowError:
            raise
        except Exception as crash:
            cause = type(crash).__qualname__
            raise EffectInterrupted(number, first.kind, first.key, cause) from crash


def _answered(
    moves: Sequence[StockMoveEffect], entries: object
) -> list[tuple[StockMoveEffect, Done | Refused]]:
    """Each move made with its answer: a batch's entries read as its calls' answers."""
    if not isinstance(entries, list | tuple) or not 0 < len(entries) <= len(moves):
        raise WrongAnswer(f"{moves[0].kind} answered {type(entries).__name__}, not an entry each")
    answered: list[tuple[StockMoveEffect, Done | Refused]] = []
    for move, entry in zip(moves, entries, strict=False):
        if isinstance(entry, str):
            answered.append((move, Refused("refused", storable_text(entry))))
            break
        answered.append((move, Done(checked_answer(move, entry))))
    if len(answered) < len(entries):
        raise WrongAnswer(f"{moves[0].kind} answered entries after a refusal")
    return answered
