"""The outbox: effects decided for an order, keyed by the order number and a per-order sequence.

Domain code that decides effects builds them through a :class:`Plan`, which numbers them from the
order's ``seq`` so that no key is ever reused for another request (``1001:7``). The plan is applied
to the new order before it is saved: the order and its pending effects are one write.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from orderflow.domain._values import replace
from orderflow.domain.effects import Effect

__all__ = ["Plan"]

E = TypeVar("E", bound=Effect)


class WithOutbox(Protocol):
    """An aggregate with an outbox: an order, a purchase order (発注)."""

    @property
    def number(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def outbox(self) -> tuple[Effect, ...]: ...


A = TypeVar("A", bound=WithOutbox)


class Plan:
    """Effects being decided for one order (or purchase order), numbered from its sequence."""

    __slots__ = ("effects", "number", "seq")

    def __init__(self, order: WithOutbox) -> None:
        self.number = order.number
        self.seq = order.seq
        self.effects: list[Effect] = []

    def add(self, cls: type[E], **fields: Any) -> E:
        """A new effect of ``cls`` with the next key, appended to the plan."""
        self.seq += 1
        effect = cls(key=f"{self.number}:{self.seq}", **fields)
        self.effects.append(effect)
        return effect

    def key(self) -> str:
        """A fresh key of the order's sequence, for a record that needs no outside call."""
        self.seq += 1
        return f"{self.number}:{self.seq}"

    def again(self, effect: E) -> E:
        """``effect`` asked once more under a fresh key (after a refusal)."""
        self.seq += 1
        retry = replace(effect, key=f"{self.number}:{self.seq}", attempt=effect.attempt + 1)
        self.effects.append(retry)
        return retry

    def apply(self, order: A, *, first: bool = False) -> A:
        """``order`` with the planned effects queued (after the pending ones, or before them)."""
        if not self.effects and self.seq == order.seq:
            return order
        queued = (*self.effects, *order.outbox) if first else (*order.outbox, *self.effects)
        self.effects = []
        return replace(order, outbox=queued, seq=self.seq)
