"""How every drive loop asks a provider for one effect (the executor's and the purchase orders').

Only the executor's drive loops call it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import attrs

from orderflow.domain._text import storable
from orderflow.domain.effects import (
    Authorize,
    CheckCredit,
    Done,
    Effect,
    IssueAccount,
    IssueKonbini,
    PostpayAmend,
    PostpayRegister,
    Refused,
    Reserve,
    Screen,
)
from orderflow.errors import EffectInterrupted, OrderflowError, OutcomeUnknown, ProviderTimeout
from orderflow.ports import Authorization, CreditDecision, FraudResult, KonbiniSlip, VirtualAccount

__all__ = ["WrongAnswer", "ask", "checked_answer"]

_ANSWERS: dict[type[Effect], type] = {
    Reserve: int,
    Screen: FraudResult,
    Authorize: Authorization,
    PostpayRegister: CreditDecision,
    CheckCredit: CreditDecision,
    PostpayAmend: CreditDecision,
    IssueAccount: VirtualAccount,
    IssueKonbini: KonbiniSlip,
}
"""The answers the domain decides on, by the type the port declares for them."""


class WrongAnswer(Exception):
    """An adapter answered a value of another type than its port declares: its bug, a crash.

    Not an orderflow error on purpose: :func:`ask` raises it as
    :class:`~orderflow.errors.EffectInterrupted`, the effect stays pending under its key, and
    nothing is decided from the answer (a text for an authorization is no decline).
    """


def checked_answer(effect: Effect, value: object) -> object:
    """``value`` if of the type the port declares for ``effect``'s answer; else WrongAnswer."""
    expected = _ANSWERS.get(type(effect))
    if expected is not None and not isinstance(value, expected):
        raise WrongAnswer(
            f"{effect.kind} answered a {type(value).__name__}, expected a {expected.__name__}"
        )
    if not all(storable(text) for text in _texts(value)):
        raise WrongAnswer(
            f"{effect.kind} answered text that cannot be stored (U+0000 or a lone surrogate)"
        )
    return value


def _texts(value: object) -> Iterator[str]:
    """Every text in an answer: itself, its fields', its items' (what an order would keep)."""
    kind = type(value)
    if isinstance(value, str):
        yield value
    elif attrs.has(kind):
        for field in attrs.fields(kind):
            yield from _texts(getattr(value, field.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _texts(item)


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
