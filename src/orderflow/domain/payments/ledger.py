"""The payment ledger, read and written by reference (授権・請求ごとの残高).

Every money entry names the authorization or 後払い claim it applies to (its *subject*: the
entry's ``target``, or its own ``reference`` for an authorization). What is still held, captured
or open is worked out from the entries per subject, so an order that re-authorized, changed its
method or was billed again never mixes one authorization's money with another's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from orderflow.domain._values import replace
from orderflow.domain.money import WIDE, Money
from orderflow.domain.order import (
    Order,
    Payment,
    PaymentEntry,
    PaymentMethod,
    PaymentOp,
    PaymentOutcome,
)

__all__ = [
    "CARDLIKE",
    "held_by_subject",
    "live_authorization",
    "open_authorizations",
    "open_claims",
    "record",
    "relied_on",
    "relied_on_until",
    "with_instructions",
]

CARDLIKE = (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY)
_OK = PaymentOutcome.SUCCEEDED


def record(
    order: Order,
    op: PaymentOp,
    amount: Money,
    key: str,
    at: datetime,
    *,
    reference: str = "",
    target: str = "",
    outcome: PaymentOutcome = _OK,
    detail: str = "",
    expires_at: datetime | None = None,
    method: PaymentMethod | None = None,
) -> Order:
    """``order`` with one ledger entry under ``key`` (replacing a pending one of the same key).

    A final entry (succeeded or failed) is never replaced: recording an answer twice changes
    nothing. ``detail`` (a provider's words, for staff) is kept to 200 characters.
    """
    entry = PaymentEntry(
        op,
        amount,
        key,
        outcome,
        at,
        reference,
        detail[:200],
        expires_at,
        target or reference,
        method or order.payment.method,
    )
    ledger = order.payment.ledger
    for index, old in enumerate(ledger):
        if old.key == key and old.op is op:
            if old.outcome in (PaymentOutcome.SUCCEEDED, PaymentOutcome.FAILED):
                return order
            ledger = (*ledger[:index], entry, *ledger[index + 1 :])
            break
    else:
        ledger = (*ledger, entry)
    return replace(order, payment=replace(order.payment, ledger=ledger))


Subject = tuple[PaymentMethod, str]
"""An authorization: the method whose provider gave it, and its reference there."""


def held_by_subject(payment: Payment, methods: tuple[PaymentMethod, ...]) -> dict[Subject, Decimal]:
    """(method, subject) → authorized less captured and voided, for entries of ``methods``."""
    held: dict[Subject, Decimal] = {}
    for e in payment.ledger:
        method = e.method or payment.method
        if e.outcome is not _OK or method not in methods:
            continue
        subject = (method, e.target or e.reference)
        if e.op is PaymentOp.AUTHORIZE:
            held[subject] = WIDE.add(held.get(subject, Decimal(0)), e.amount.amount)
        elif e.op in (PaymentOp.CAPTURE, PaymentOp.VOID):
            held[subject] = WIDE.subtract(held.get(subject, Decimal(0)), e.amount.amount)
    return held


def live_authorization(
    payment: Payment, now: datetime | None, days: int
) -> tuple[PaymentMethod, str, Money] | None:
    """The newest card-style authorization still holding money and not lapsed, if any."""
    held = held_by_subject(payment, CARDLIKE)
    for e in reversed(payment.ledger):
        if e.op is not PaymentOp.AUTHORIZE or e.outcome is not _OK:
            continue
        method = e.method or payment.method
        if method not in CARDLIKE:
            continue
        subject = (method, e.target or e.reference)
        left = held.get(subject, Decimal(0))
        if left <= 0:
            continue
        expires = e.expires_at or e.at + timedelta(days=days)
        if now is not None and expires <= now:
            continue
        return method, subject[1], Money._exact(left, payment.currency)
    return None


def relied_on_until(payment: Payment, days: int) -> datetime | None:
    """When the authorization a card-style payment relies on lapses, if one holds money.

    The newest authorization still holding money (the one :func:`live_authorization` gives
    before anything lapsed): its ``expires_at``, or ``days`` after it was given. From then on
    the payment does not count as confirmed for what is not captured (until a new one is
    given). None: no authorization holds money.
    """
    life = relied_on(payment, days)
    return None if life is None else life[1]


def relied_on(payment: Payment, days: int) -> tuple[datetime, datetime] | None:
    """When the authorization :func:`relied_on_until` names was given, and when it lapses."""
    held = held_by_subject(payment, CARDLIKE)
    for e in reversed(payment.ledger):
        if e.op is not PaymentOp.AUTHORIZE or e.outcome is not _OK:
            continue
        method = e.method or payment.method
        if method in CARDLIKE and held.get((method, e.target or e.reference), Decimal(0)) > 0:
            return e.at, e.expires_at or e.at + timedelta(days=days)
    return None


def open_authorizations(payment: Payment) -> dict[Subject, Money]:
    """Card-style authorizations still holding money (lapsed or not): (method, ref) → amount."""
    return {
        subject: Money._exact(left, payment.currency)
        for subject, left in held_by_subject(payment, CARDLIKE).items()
        if left > 0
    }


def open_claims(payment: Payment) -> dict[str, Money]:
    """後払い claims not cancelled: reference → amount approved and not voided (0 if pending)."""
    claims: dict[str, Decimal] = {}
    for e in payment.ledger:
        if e.method is not PaymentMethod.POSTPAY:
            continue
        subject = e.target or e.reference
        if not subject or subject in payment.closed:
            continue
        if e.op is PaymentOp.AUTHORIZE and e.outcome in (_OK, PaymentOutcome.REQUESTED):
            claims.setdefault(subject, Decimal(0))
            if e.outcome is _OK:
                claims[subject] = WIDE.add(claims[subject], e.amount.amount)
        elif e.op is PaymentOp.VOID and e.outcome is _OK:
            claims[subject] = WIDE.subtract(claims.get(subject, Decimal(0)), e.amount.amount)
    return {ref: Money._exact(max(v, Decimal(0)), payment.currency) for ref, v in claims.items()}


def claim_amount(payment: Payment, reference: str) -> Money:
    """What the 後払い claim ``reference`` holds now (approved less voided)."""
    return open_claims(payment).get(reference, Money.zero(payment.currency))


def claim_pending(payment: Payment, reference: str) -> bool:
    """Whether the claim's credit check still waits for the provider's decision."""
    return any(
        e.op is PaymentOp.AUTHORIZE
        and e.outcome is PaymentOutcome.REQUESTED
        and (e.target or e.reference) == reference
        for e in payment.ledger
    )


def with_instructions(order: Order, **values: str) -> Order:
    """``order`` with payment instructions set (the account, the konbini number…)."""
    kept = tuple((k, v) for k, v in order.payment.instructions if k not in values)
    payment = replace(order.payment, instructions=(*kept, *values.items()))
    return replace(order, payment=payment)


def reopen_reference(order: Order, reference: str) -> Order:
    """``order`` holding ``reference`` again: a bank may issue a number it was given back."""
    if reference not in order.payment.closed:
        return order
    closed = tuple(r for r in order.payment.closed if r != reference)
    return replace(order, payment=replace(order.payment, closed=closed))


def close_reference(order: Order, reference: str) -> Order:
    """``order`` with ``reference`` handed back for good."""
    if reference in order.payment.closed:
        return order
    payment = replace(order.payment, closed=(*order.payment.closed, reference))
    return replace(order, payment=payment)
