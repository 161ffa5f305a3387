"""返金: what an order can still pay back, and how each payment method pays it back.

Card and Amazon Pay refund through the gateway (from the captures, newest first, when parcels
were captured one by one); 後払い bills the rest again or cancels the claim; bank transfer,
konbini and 代引き owe it back by transfer (a person makes it). These functions only decide:
they add effects to a :class:`~orderflow.domain.outbox.Plan`.
"""

from __future__ import annotations

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.effects import Notify, PostpayCancel, PostpayRegister, Purpose, Refund
from orderflow.domain.events import RefundOwed
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import (
    Order,
    Payment,
    PaymentEntry,
    PaymentMethod,
    PaymentOp,
    PaymentOutcome,
)
from orderflow.domain.outbox import Plan
from orderflow.domain.payments.ledger import CARDLIKE, claim_amount, record

__all__ = ["owe_refund", "refund", "refundable", "returned", "still_due", "withdraw_excess"]


def still_due(payment: Payment, total: Money) -> Money:
    """What money received (deposits, konbini, 代引き) must cover of ``total``.

    Refunds already owed back for returns and goodwill are no longer owed to the shop; what was
    received counts net of everything owed back (``received - refund_owed``).
    """
    return total - returned(payment)


def withdraw_excess(
    plan: Plan, order: Order, total: Money, key: str | None, ctx: Context, *, detail: str
) -> Order:
    """Of what ``order`` owes back for paying more than ``total``, what no longer is.

    An over-payment is what was received above the total; owed back and not transferred yet,
    the part the total or the money received no longer leaves over (the total went up, the
    bank took a deposit back) is owed no more, and the customer, told it would come back, is
    told so (``refund_withdrawn``: how much, and what is still to be paid back). Money already
    transferred back stays so: the customer owes it again. ``key``: the ledger entry's (a
    fresh one of ``plan`` when ``None``).
    """
    payment = order.payment
    excess = payment.refund_owed - returned(payment)  # owed back for paying too much
    target = payment.received - total
    target = target if target.amount > 0 else Money.zero(order.currency)
    untransferred = payment.refund_owed - payment.refund_paid
    withdrawn = min(excess - target, untransferred)
    if withdrawn.amount <= 0:
        return order
    key = plan.key() if key is None else key
    order = record(order, PaymentOp.REFUND_OWED, -withdrawn, key, ctx.at, detail=detail)
    owed = order.payment.refund_to_transfer
    plan.add(Notify, notice="refund_withdrawn", facts=(("amount", withdrawn), ("owed", owed)))
    return order


def returned(payment: Payment) -> Money:
    """Money owed back for returns and goodwill (not for paying too much)."""
    total = Money.zero(payment.currency)
    for e in payment.ledger:
        if e.op is PaymentOp.REFUND_OWED and e.detail == "refund":
            total = total + e.amount
    return total


def refundable(order: Order) -> Money:
    """What can still be paid back: captured less refunded, or received less owed back.

    A card or Amazon Pay refund the provider refused is owed back by transfer instead: it is no
    longer refundable through the provider (asking again could pay it back twice).
    """
    payment = order.payment
    if payment.method in CARDLIKE:
        return payment.captured - payment.refunded - returned(payment)
    if payment.method is PaymentMethod.POSTPAY:
        return payment.captured - payment.refunded
    return payment.received - payment.refund_owed


def refund(plan: Plan, order: Order, amount: Money, ctx: Context) -> Order:
    """Pay back ``amount`` the way the method can; bank, konbini and COD owe it by transfer.

    The customer hears of it (the ``refund`` notice) once the money moves: when the provider
    confirms for card, Amazon Pay and 後払い, at once for a refund owed by transfer.
    """
    payment = order.payment
    method = payment.method
    if method in CARDLIKE:
        parts = [
            plan.add(
                Refund, method=capture.method or method, capture=capture.reference, amount=part
            )
            for capture, part in _from_captures(payment, amount)
        ]
        if len(parts) > 1:  # one refund from several captures: one notice, once all answered
            batch = tuple(part.key for part in parts)
            plan.effects[-len(parts) :] = [replace(part, batch=batch) for part in parts]
        return order
    if method is PaymentMethod.POSTPAY:
        reference = payment.instruction("reference") or ""
        rest = refundable(order) - amount
        held = claim_amount(payment, reference)
        if rest.amount > 0:
            plan.add(
                PostpayRegister,
                amount=rest,
                purpose=Purpose.REBILL,
                replaces=reference,
                refund=amount,
            )
        else:
            plan.add(PostpayCancel, reference=reference, amount=held, refund=amount)
        return order
    return owe_refund(plan, order, amount, ctx)


def _from_captures(payment: Payment, amount: Money) -> list[tuple[PaymentEntry, Money]]:
    """``amount`` shared over the succeeded captures, newest first, each up to what it has left.

    分納 captured per parcel makes several captures; a gateway refunds each only up to what it
    took. What a capture has left is its amount less every refund asked of it (a refused one is
    owed back by transfer instead). Anything beyond (never, while ``amount`` is refundable) is
    asked of the newest capture, which refuses it: owed back by transfer.
    """
    captures = [
        e
        for e in payment.ledger
        if e.op is PaymentOp.CAPTURE and e.outcome is PaymentOutcome.SUCCEEDED
    ]
    assert captures
    parts: list[tuple[PaymentEntry, Money]] = []
    rest = amount
    for capture in reversed(captures):
        asked = Money.total(
            (
                e.amount
                for e in payment.ledger
                if e.op is PaymentOp.REFUND and e.target == capture.reference
            ),
            payment.currency,
        )
        part = min(rest, capture.amount - asked)
        if part.amount > 0:
            parts.append((capture, part))
            rest = rest - part
        if not rest.amount:
            return parts
    newest = captures[-1]
    if parts and parts[0][0] is newest:
        return [(newest, parts[0][1] + rest), *parts[1:]]
    return [(newest, rest), *parts]


def owe_refund(plan: Plan, order: Order, amount: Money, ctx: Context) -> Order:
    """``amount`` owed back by bank transfer (a person makes it), and the customer told so.

    How bank transfer, konbini and 代引き pay back, and what a card refund the provider refused
    becomes: either way it no longer counts as :func:`refundable`.
    """
    key = plan.key()
    order = record(order, PaymentOp.REFUND_OWED, amount, key, ctx.at, detail="refund")
    order, _ = lifecycle.record_fact(order, ctx, RefundOwed, fields={"amount": str(amount)})
    plan.add(Notify, notice="refund", facts=(("amount", amount), ("paid_back_by", "transfer")))
    return order
