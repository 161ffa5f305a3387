"""How every drive loop asks a provider for one effect (the executor's and the purchase orders').

Only the executor's drive loops call it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from orderflow.domain.effects import Done, Effect, Refused
from orderflow.errors import EffectInterrupted, OrderflowError, OutcomeUnknown, ProviderTimeout

__all__ = ["ask"]

S = TypeVar("S")


def ask(
    number: str,
    effect: Effect,
    perform: Callable[[S, Effect], Done | Refused],
    subject: S,
    checkpoint: Callable[[], object],
) -> Done | Refused:
    """One effect's call for ``subject`` (an order, a purchase order), as every drive loop makes it.

    A time-out saves what is known (``checkpoint``) and raises
    :class:`~orderflow.errors.OutcomeUnknown` (``resume`` asks again under the same key); any
    other exception that is not orderflow's is a crash:
    :class:`~orderflow.errors.EffectInterrupted`.
    """
    try:
        return perform(subject, effect)
    except ProviderTimeout as timeout:
        checkpoint()
        raise OutcomeUnknown(number, effect.kind, effect.key) from timeout
    except OrderflowError:
        raise
    except Exception as crash:
        cause = type(crash).__qualname__
        raise EffectInterrupted(number, effect.kind, effect.key, cause) from crash
