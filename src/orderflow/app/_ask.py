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

from orderflow.domain._text import first_unprintable, storable
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
    if isinstance(value, VirtualAccount):
        wrong = _wrong_in_account(value)
        if wrong:
            raise WrongAnswer(f"{effect.kind} answered a VirtualAccount whose {wrong}")
    return value


_ACCOUNT_DIGITS = {"bank_code": 4, "branch_code": 3, "account_number": 7}
"""The codes of a virtual account, in ASCII digits, as the bank's Zengin file names the account
a deposit went to (金融機関コード 4, 支店コード 3, 口座番号 7): any other account no deposit
could match."""

_ACCOUNT_NAMES = {"bank_name": 100, "branch_name": 100, "holder": 100, "account_type": 20}
"""The names of a virtual account the customer's payment request prints, and their most
characters."""


def _wrong_in_account(account: VirtualAccount) -> str:
    """What is wrong with a virtual account an adapter answered ("" when nothing is).

    Its codes are ASCII digits of their Zengin lengths; its names are not blank, on one line
    (no line break or control character) and of at most their lengths.
    """
    for name, size in _ACCOUNT_DIGITS.items():
        code: object = getattr(account, name)
        if not (isinstance(code, str) and len(code) == size and code.isascii() and code.isdigit()):
            return f"{name} is {code!r}, not {size} digits 0-9"
    for name, limit in _ACCOUNT_NAMES.items():
        text: object = getattr(account, name)
        if not isinstance(text, str) or not text.strip() or len(text) > limit:
            shown = text if not isinstance(text, str) else f"{len(text)} characters"
            return f"{name} is {shown}, not a text of 1 to {limit} characters"
        char = first_unprintable(text)
        if char is not None:
            return f"{name} holds U+{ord(char):04X}: expected text on one line"
    return ""


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
