"""The effect base class, the purposes of payment calls, and the two answers (Done, Refused)."""

from __future__ import annotations

import enum
from typing import ClassVar

import attrs

from orderflow._mask import mask_personal_data_in, masked_repr

__all__ = [
    "Answer",
    "Done",
    "Effect",
    "Purpose",
    "Refused",
]


class Purpose(enum.Enum):
    """Why a payment or points effect was decided: it says what the answer means."""

    __hash__ = object.__hash__

    PLACE = "place"
    """受注: a refusal closes the new order (its number stays free); a declined 後払い holds it
    instead under ``PostpayDeclined.ASK_ANOTHER_METHOD``."""
    SWITCH = "switch"
    """A change of payment method: a refusal leaves the order as it was."""
    SPLIT = "split"
    """A part of a split order: a refusal holds the part."""
    CHANGE = "change"
    """The total grew (or more points): a refusal holds the order or drops the change."""
    REAUTHORIZE = "reauthorize"
    """再オーソリ: a refusal holds the order and tells the customer once."""
    CAPTURE = "capture"
    """The authorization lapsed before the capture: a refusal is a capture to collect again."""
    REBILL = "rebill"
    """後払い: bill the rest after a refund; a refusal refuses the refund."""
    REISSUE = "reissue"
    """コンビニ: a new number for a new amount; a refusal holds the order."""


@attrs.frozen(slots=True)
class Effect:
    """One outside call the domain decided on, with the key that makes it happen at most once."""

    key: str
    """Idempotency key ``<order number>:<seq>`` (``<po number>:<seq>`` for a purchase
    order): the provider does the work once per key; a key is never reused for another request."""
    attempt: int = attrs.field(default=1, kw_only=True)
    """1 for the first request; a refused obligation is asked again under a new key."""

    kind: ClassVar[str] = "effect"
    """The effect's name, one per class: the ``kind`` tag of its stored form, and how errors
    (``OutcomeUnknown``, ``EffectsPending``) and ``effect_refused`` facts name it."""
    obligation: ClassVar[bool] = False
    """True for what must happen whatever it takes (give stock or money back, post the journal):
    a refusal is asked again under a fresh key, and after three refusals a person is called."""
    query: ClassVar[bool] = False
    """True for a read whose answer may differ when asked again (stock, a credit decision): the
    order is saved right after its answer is folded, so what was decided from it is kept."""


# -- answers ----------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Done:
    """The provider did it; ``value`` is its reply (a reference, a decision, units reserved…)."""

    value: object = None
    """The provider's reply: units available (``CheckStock``) or reserved (``Reserve``), a
    reference, an ``Authorization``, a ``CreditDecision``, True/False (``Recall``), or None."""


@attrs.frozen(slots=True)
class Refused:
    """The provider refused (a decline, an unknown reference, too few points…).

    ``reason`` is the provider's own text: it goes to the order's history for staff, never into a
    notice to the customer.
    """

    code: str
    """A short code: the provider's ``PaymentDeclined.code`` (``declined`` unless it says
    more), or ``refused`` for any other provider error; recorded in the order's facts."""
    reason: str = attrs.field(default="", repr=masked_repr(mask_personal_data_in))
    """The provider's own words, for staff (empty if it gave none)."""


Answer = Done | Refused
"""What performing an effect gave."""
