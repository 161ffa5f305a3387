"""How every drive loop asks a provider for one effect (the executor's and the purchase orders').

Only the executor's drive loops call it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
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
from orderflow.domain.money import Money
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
    if _unstorable_in(value):
        raise WrongAnswer(
            f"{effect.kind} answered text that cannot be stored (U+0000 or a lone surrogate)"
        )
    return value


_PLAIN = (int, float, Decimal, date, timedelta, enum.Enum, Money, type(None))
"""Values without text of their own to check (a Money's currency is checked when it is made)."""

_FIELDS: dict[type, tuple[str, ...]] = {}
"""The field names of each attrs class an answer held, looked up once."""


def _unstorable_in(value: object) -> bool:
    """Whether an answer holds a text no database stores: in itself, its fields or its items."""
    if isinstance(value, str):
        return not storable(value)
    if isinstance(value, _PLAIN):
        return False
    if isinstance(value, (tuple, list)):
        items: tuple[object, ...] | list[object] = value
    else:
        kind = type(value)
        names = _FIELDS.get(kind)
        if names is None:
            fields = attrs.fields(kind) if attrs.has(kind) else ()
            names = _FIELDS[kind] = tuple(f.name for f in fields)
        items = [getattr(value, name) for name in names]
    return any(_unstorable_in(item) for item in items)


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
