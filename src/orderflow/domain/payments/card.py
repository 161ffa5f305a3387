"""Card and Amazon Pay answers: screening, authorization, capture, void, refund (カード決済)."""

from __future__ import annotations

from datetime import timedelta

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.effects import (
    Authorize,
    Capture,
    Done,
    Effect,
    Notify,
    Purpose,
    Refund,
    Refused,
    Screen,
    Void,
)
from orderflow.domain.events import RefundRefused
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import Order, PaymentOp, PaymentOutcome
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import HoldCode
from orderflow.domain.payments.common import (
    Answer,
    decline_placement,
    hold,
    payment_failed,
    switch_granted,
    switch_refused,
)
from orderflow.domain.payments.ledger import (
    open_authorizations,
    record,
)
from orderflow.domain.payments.payback import owe_refund
from orderflow.domain.rules import Rules

__all__ = [
    "fold_authorize",
    "fold_capture",
    "fold_refund",
    "fold_screen",
    "fold_void",
    "reauthorize",
]

_FAILED = PaymentOutcome.FAILED


# -- card ---------------------------------------------------------------------------------------


def reauthorize(plan: Plan, order: Order, total: Money) -> None:
    """再オーソリ: a new authorization with the stored token; the old one voided once it holds."""
    held = open_authorizations(order.payment)
    replaces = next(reversed(held))[1] if held else ""
    plan.add(
        Authorize,
        method=order.payment.method,
        amount=total,
        purpose=Purpose.REAUTHORIZE,
        replaces=replaces,
    )


def fold_screen(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """不正検知: what a verdict does depends on what was screened (``effect.purpose``).

    At order (``place``): reject closes the new order; review (or no answer we can use) holds
    it. A switch to a card (``switch``): reject refuses the switch before the card is asked (the
    order stays as it was); review holds the switched order once the card is authorized. An
    order sent elsewhere (``change``): anything but accept holds it for a person.
    """
    from orderflow.ports import FraudResult, FraudVerdict

    assert isinstance(effect, Screen)
    result = answer.value if isinstance(answer, Done) else None
    if not isinstance(result, FraudResult):  # refused, or no answer we can use: a person looks
        result = None
    verdict = result.verdict if result is not None else None
    if verdict is FraudVerdict.ACCEPT:
        return order
    if effect.purpose is Purpose.SWITCH:
        return _switch_screened(order, verdict is FraudVerdict.REJECT, ctx)
    if result is not None and verdict is FraudVerdict.REJECT and effect.purpose is Purpose.PLACE:
        return decline_placement(
            order, "fraud_rejected", result.reason, ctx, rules, plan, notice="cancellation"
        )
    return _fraud_review(order, ctx)


def _fraud_review(order: Order, ctx: Context) -> Order:
    return hold(
        order, HoldCode.FRAUD_REVIEW, "不正検知の審査待ち", "fraud screen asks for review", ctx
    )


def _switch_screened(order: Order, rejected: bool, ctx: Context) -> Order:
    """A switch to a card, screened: refused when rejected, else held for review if it holds.

    Rejected, the switch is refused before its card is asked (the pending authorization is
    dropped); under review, the proposal is held, so the order is held once the card is
    authorized and the switch takes effect (a card that refuses leaves no hold behind).
    """
    if rejected:
        pending = tuple(
            e
            for e in order.outbox
            if not (isinstance(e, Authorize) and e.purpose is Purpose.SWITCH)
        )
        return switch_refused(replace(order, outbox=pending), ctx)
    if order.proposal is None:  # the switch is no longer proposed: nothing to hold
        return order
    return replace(order, proposal=_fraud_review(order.proposal, ctx))


def fold_authorize(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """オーソリ: recorded; what a refusal means depends on why the card was asked."""
    from orderflow.ports import Authorization

    assert isinstance(effect, Authorize) and effect.amount is not None
    if isinstance(answer, Refused):
        return _authorization_refused(order, effect, answer, ctx, rules, plan)
    auth = answer.value
    assert isinstance(auth, Authorization)
    # a provider that does not say when it lapses: the shop's authorization_days, written down
    # (the ledger then says when on its own: the work lists index it, knowing no settings)
    days = timedelta(days=rules.settings.authorization_days)
    expires_at = auth.expires_at or ctx.at + days
    order = record(
        order,
        PaymentOp.AUTHORIZE,
        auth.amount,
        effect.key,
        ctx.at,
        reference=auth.reference,
        expires_at=expires_at,
        method=effect.method,
    )
    if effect.purpose is Purpose.SWITCH:
        order = switch_granted(order, ctx, rules, plan, keep=(effect.method, auth.reference))
    held = open_authorizations(order.payment)
    for (method, reference), amount in held.items():
        if (method, reference) != (effect.method, auth.reference) and (
            effect.replaces == reference
            or effect.purpose in (Purpose.REAUTHORIZE, Purpose.CHANGE, Purpose.CAPTURE)
        ):
            plan.add(Void, method=method, authorization=reference, amount=amount)
    if effect.purpose in (Purpose.REAUTHORIZE, Purpose.CHANGE, Purpose.SWITCH, Purpose.CAPTURE):
        order = lifecycle.clear_holds(order, [HoldCode.AUTHORIZATION_FAILED], ctx)
        if effect.purpose is Purpose.REAUTHORIZE:
            plan.add(
                Notify,
                notice="authorization_renewed",
                facts=(("total", auth.amount), ("expires_at", expires_at)),
            )
    if effect.purpose is Purpose.CAPTURE:
        plan.add(Capture, method=effect.method, authorization=auth.reference, amount=auth.amount)
    return order


def _authorization_refused(
    order: Order, effect: Authorize, answer: Refused, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """A refused オーソリ, recorded; the placement declined, the switch undone, or a hold."""
    assert effect.amount is not None
    order = record(
        order,
        PaymentOp.AUTHORIZE,
        effect.amount,
        effect.key,
        ctx.at,
        outcome=_FAILED,
        detail=answer.reason,
        method=effect.method,
    )
    if effect.purpose is Purpose.PLACE:
        return decline_placement(order, answer.code, answer.reason, ctx, rules, plan)
    if effect.purpose is Purpose.SWITCH:
        return switch_refused(order, ctx)
    if effect.purpose is Purpose.CAPTURE:  # shipped, and the card no longer pays: collect it
        order = hold(
            order,
            HoldCode.CAPTURE_FAILED,
            "売上確定に失敗しました",
            "the card could not be charged",
            ctx,
        )
        payment_failed(plan, rules)
        return order
    order = hold(
        order,
        HoldCode.AUTHORIZATION_FAILED,
        "再オーソリ失敗",
        "the card could not be authorized again",
        ctx,
    )
    payment_failed(plan, rules)
    return order


def _recorded(
    order: Order,
    op: PaymentOp,
    effect: Capture | Void | Refund,
    target: str,
    answer: Answer,
    ctx: Context,
) -> Order:
    """The gateway's answer to ``effect`` in the ledger: done with its reference, or failed."""
    assert effect.amount is not None
    refused = isinstance(answer, Refused)
    return record(
        order,
        op,
        effect.amount,
        effect.key,
        ctx.at,
        reference=str(answer.value) if isinstance(answer, Done) else "",
        target=target,
        outcome=_FAILED if refused else PaymentOutcome.SUCCEEDED,
        detail=answer.reason if isinstance(answer, Refused) else "",
        method=effect.method,
    )


def fold_capture(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """売上確定: recorded; a refused capture holds the order for a person to collect."""
    assert isinstance(effect, Capture)
    order = _recorded(order, PaymentOp.CAPTURE, effect, effect.authorization, answer, ctx)
    if isinstance(answer, Refused):
        # the remainder was to be given back after the capture: the authorization stays whole
        kept = tuple(
            e
            for e in order.outbox
            if not (
                isinstance(e, Void)
                and (e.method, e.authorization) == (effect.method, effect.authorization)
            )
        )
        order = replace(order, outbox=kept)
        return hold(
            order, HoldCode.CAPTURE_FAILED, "売上確定に失敗しました", "the capture was refused", ctx
        )
    return order


def fold_void(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """An authorization given back (a refusal is asked again: voids are obligations)."""
    assert isinstance(effect, Void)
    return _recorded(order, PaymentOp.VOID, effect, effect.authorization, answer, ctx)


def fold_refund(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """返金: recorded; a refused refund is owed back by bank transfer, a person to make it.

    The order is held (``refund_failed``) until that person has paid and clears the hold; the
    customer hears that the money comes by transfer. The parts of one refund paid back from
    several captures (``Refund.batch``) are told together: one ``refund`` notice of what the
    gateway paid back, once the last part is answered.
    """
    assert isinstance(effect, Refund) and effect.amount is not None
    order = _recorded(order, PaymentOp.REFUND, effect, effect.capture, answer, ctx)
    if isinstance(answer, Refused):
        order = hold(
            order,
            HoldCode.REFUND_FAILED,
            "返金が拒否されました。銀行振込で返金してください",
            "the refund was refused: pay it back by bank transfer",
            ctx,
        )
        order, _ = lifecycle.record_fact(order, ctx, RefundRefused, fields={"code": answer.code})
        order = owe_refund(plan, order, effect.amount, ctx)
    paid = _paid_back(order, effect)
    if paid is not None:
        plan.add(Notify, notice="refund", facts=(("amount", paid),))
    return order


def _paid_back(order: Order, effect: Refund) -> Money | None:
    """What the gateway paid back of ``effect``'s refund, to tell once all of it is answered.

    None while a part of its batch is still to ask, or when nothing was paid back (a refused
    part is owed by transfer and told so on its own).
    """
    batch = effect.batch or (effect.key,)
    if any(isinstance(e, Refund) and e.key in batch for e in order.outbox):
        return None
    paid = Money.total(
        (
            e.amount
            for e in order.payment.ledger
            if e.op is PaymentOp.REFUND and e.key in batch and e.outcome is PaymentOutcome.SUCCEEDED
        ),
        order.currency,
    )
    return paid if paid.amount > 0 else None
