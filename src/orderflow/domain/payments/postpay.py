"""後払い answers: credit checks, amendments, the shipment report, cancelled claims."""

from __future__ import annotations

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.effects import (
    CheckCredit,
    Done,
    Effect,
    Notify,
    PostpayAmend,
    PostpayCancel,
    PostpayRegister,
    PostpayReport,
    Purpose,
    Refused,
)
from orderflow.domain.events import PostpayAmended, PostpayRebilled, RefundRefused
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import Order, PaymentMethod, PaymentOp, PaymentOutcome, ShipmentStatus
from orderflow.domain.outbox import Plan
from orderflow.domain.payment import PaymentEntry
from orderflow.domain.payments import HoldCode
from orderflow.domain.payments.common import (
    Answer,
    decline_placement,
    failure_reason,
    hold,
    payment_failed,
    switch_granted,
    switch_refused,
)
from orderflow.domain.payments.ledger import (
    claim_amount,
    close_reference,
    record,
    with_instructions,
)
from orderflow.domain.rules import Rules
from orderflow.domain.status import OrderStatus

__all__ = [
    "credit_approved",
    "credit_declined",
    "fold_check_credit",
    "fold_postpay_amend",
    "fold_postpay_cancel",
    "fold_postpay_register",
    "fold_postpay_report",
    "report_unreported",
]

_FAILED = PaymentOutcome.FAILED


# -- 後払い -------------------------------------------------------------------------------------


def fold_postpay_register(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """与信: approved, pending review or declined; a refusal is a decline."""
    from orderflow.ports import CreditDecision, CreditStatus
    from orderflow.settings import PostpayDeclined

    assert isinstance(effect, PostpayRegister) and effect.amount is not None
    decision = answer.value if isinstance(answer, Done) else None
    method = PaymentMethod.POSTPAY
    if isinstance(decision, CreditDecision) and decision.status is not CreditStatus.DECLINED:
        reference = decision.reference
        approved = decision.status is CreditStatus.APPROVED
        if effect.purpose is Purpose.REBILL and not approved:
            # the provider will not bill the rest now: the refund is refused, the old claim stands
            plan.add(PostpayCancel, reference=reference, amount=Money.zero(order.currency))
            return _rebill_refused(order, effect, ctx, rules, plan)
        if effect.purpose is Purpose.REBILL:
            # the sale was captured once already: the new claim only carries it on, so the
            # ledger keeps its sums (the refund is recorded when the old claim is cancelled)
            assert effect.refund is not None
            order = _goodwill(plan, order, effect.key, True, ctx, rules)
            order = with_instructions(order, reference=reference)
            last = next((s for s in reversed(order.shipments) if s.tracking_number), None)
            plan.add(
                PostpayReport,
                reference=reference,
                carrier=last.carrier if last else "",
                tracking_number=(last.tracking_number or "") if last else "",
                amount=effect.amount,
                rebill=True,
            )
            plan.add(
                PostpayCancel,
                reference=effect.replaces,
                amount=claim_amount(order.payment, effect.replaces),
                refund=effect.refund,
            )
            return order
        outcome = PaymentOutcome.SUCCEEDED if approved else PaymentOutcome.REQUESTED
        order = record(
            order,
            PaymentOp.AUTHORIZE,
            effect.amount,
            effect.key,
            ctx.at,
            reference=reference,
            outcome=outcome,
            method=method,
        )
        review = (HoldCode.POSTPAY_REVIEW, "後払い与信の審査待ち", "credit check under review")
        if effect.purpose is Purpose.SWITCH:
            waiting = None if approved else review
            order = switch_granted(order, ctx, rules, plan, (method, reference), waiting)
        order = with_instructions(order, reference=reference)
        if approved:
            return credit_approved(order, reference, ctx, rules, plan)
        return hold(order, *review, ctx)
    reason = (
        decision.reason
        if isinstance(decision, CreditDecision)
        else (answer.reason if isinstance(answer, Refused) else "")
    )
    if isinstance(decision, CreditDecision) and decision.reference:
        order = close_reference(order, decision.reference)
    order = record(
        order,
        PaymentOp.AUTHORIZE,
        effect.amount,
        effect.key,
        ctx.at,
        outcome=_FAILED,
        detail=reason,
        method=method,
        reference=decision.reference if isinstance(decision, CreditDecision) else "",
    )
    if effect.purpose is Purpose.REBILL:
        return _rebill_refused(order, effect, ctx, rules, plan)
    if effect.purpose is Purpose.SWITCH:
        return switch_refused(order, ctx)
    if (
        effect.purpose is Purpose.PLACE
        and rules.settings.postpay_declined is PostpayDeclined.CANCEL
    ):
        return decline_placement(order, "postpay_declined", reason, ctx, rules, plan)
    return credit_declined(order, ctx, rules, plan)


def _goodwill(plan: Plan, order: Order, key: str, paid: bool, ctx: Context, rules: Rules) -> Order:
    """A goodwill refund or a return waiting on request ``key`` is settled.

    See ``settle_goodwill`` and ``settle_return``: the books follow the provider's answer.
    """
    from orderflow.domain.decisions.money import settle_goodwill
    from orderflow.domain.decisions.return_books import settle_return

    order = settle_goodwill(plan, order, key, paid, ctx, rules)
    return settle_return(plan, order, key, paid, ctx, rules)


def _rebill_refused(
    order: Order, effect: PostpayRegister, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    assert effect.refund is not None
    order = _goodwill(plan, order, effect.key, False, ctx, rules)
    order = record(
        order,
        PaymentOp.REFUND,
        effect.refund,
        effect.key + ":refund",
        ctx.at,
        outcome=_FAILED,
        detail="rebill not approved",
        method=PaymentMethod.POSTPAY,
    )
    order, _ = lifecycle.record_fact(
        order, ctx, RefundRefused, fields={"code": "postpay_rebill_declined"}
    )
    return order


def credit_approved(order: Order, reference: str, ctx: Context, rules: Rules, plan: Plan) -> Order:
    """The claim is approved: the review hold goes, and the claim follows the order's total.

    An order that shipped while the claim was under review has its shipment reported now.
    """
    from orderflow.domain.decisions.common import go_on

    order = lifecycle.clear_holds(order, [HoldCode.POSTPAY_REVIEW, HoldCode.POSTPAY_DECLINED], ctx)
    total = order.totals(rules.settings.tax).total
    if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        report_unreported(plan, order, total, rules, ctx)
    elif (
        order.status is not OrderStatus.CANCELLED
        and claim_amount(order.payment, reference) != total
    ):
        plan.add(PostpayAmend, reference=reference, amount=total)
    return go_on(plan, order, rules)


def report_unreported(plan: Plan, order: Order, total: Money, rules: Rules, ctx: Context) -> None:
    """後払い whose shipment report never went out: the claim is amended and reported now.

    Its amend was refused after the parcel left (a person cleared the hold), or went to review
    (the provider approved it since). Nothing when the report was made or is on its way.
    """
    from orderflow.domain.payments.plans import at_shipping

    reference = order.payment.instruction("reference") or ""
    reported = any(
        e.op is PaymentOp.CAPTURE and e.target == reference for e in order.payment.ledger
    )
    waiting = any(isinstance(e, PostpayReport) and e.reference == reference for e in order.outbox)
    shipped = [s for s in order.shipments if s.shipped_at is not None]
    if reference and not reported and not waiting and shipped:
        last = max(shipped, key=lambda s: (s.shipped_at or ctx.at, s.shipment_id))
        at_shipping(plan, order, total, last, rules, ctx.at)


def _drop_report(order: Order, reference: str) -> Order:
    """``order`` without the shipment report of claim ``reference`` waiting in its outbox."""
    waiting = tuple(
        e for e in order.outbox if not (isinstance(e, PostpayReport) and e.reference == reference)
    )
    return replace(order, outbox=waiting) if waiting != order.outbox else order


def credit_declined(order: Order, ctx: Context, rules: Rules, plan: Plan) -> Order:
    """The customer must choose another method: held, and told."""
    order = lifecycle.clear_holds(order, [HoldCode.POSTPAY_REVIEW], ctx)
    order = hold(
        order,
        HoldCode.POSTPAY_DECLINED,
        "別の決済方法を選んでください",
        "choose another method",
        ctx,
    )
    payment_failed(plan, rules)
    return order


def fold_check_credit(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """A claim under review was decided (or is still pending)."""
    from orderflow.domain.decisions.cancelling import cancel_order
    from orderflow.ports import CreditDecision, CreditStatus
    from orderflow.settings import PostpayDeclined

    assert isinstance(effect, CheckCredit)
    decision = answer.value if isinstance(answer, Done) else None
    if not isinstance(decision, CreditDecision) or decision.status is CreditStatus.PENDING:
        return order
    pending = _awaiting(order, effect.reference)
    if not pending:
        return order
    approved = decision.status is CreditStatus.APPROVED
    for entry in pending:
        order = record(
            order,
            PaymentOp.AUTHORIZE,
            entry.amount,
            entry.key,
            ctx.at,
            target=entry.target,
            reference=effect.reference,
            outcome=PaymentOutcome.SUCCEEDED if approved else _FAILED,
            detail="" if approved else decision.reason,
            method=PaymentMethod.POSTPAY,
        )
    if approved:
        return credit_approved(order, effect.reference, ctx, rules, plan)
    # the declined claim is dead: withdraw it at the provider too (nothing is held on it)
    plan.add(PostpayCancel, reference=effect.reference, amount=Money.zero(order.currency))
    if rules.settings.postpay_declined is PostpayDeclined.CANCEL and order.status in (
        OrderStatus.ORDERED,
        OrderStatus.UNALLOCATED,
        OrderStatus.PARTIALLY_ALLOCATED,
        OrderStatus.ALLOCATED,
    ):
        # the customer hears the order is gone (not asked to choose another method for it)
        return cancel_order(plan, order, ctx, rules, failure_reason())
    return credit_declined(order, ctx, rules, plan)


def fold_postpay_amend(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """The claim's amount changed (or the provider wants a review, or said no)."""
    from orderflow.ports import CreditDecision, CreditStatus

    assert isinstance(effect, PostpayAmend) and effect.amount is not None
    decision = answer.value if isinstance(answer, Done) else None
    status = decision.status.value if isinstance(decision, CreditDecision) else "refused"
    order, _ = lifecycle.record_fact(order, ctx, PostpayAmended, fields={"status": status})
    if isinstance(decision, CreditDecision) and decision.status is not CreditStatus.DECLINED:
        held = claim_amount(order.payment, effect.reference)
        review = decision.status is CreditStatus.PENDING
        if review and effect.amount <= held:
            # nothing more to approve, but the provider reviews the claim: a request of 0 waits
            # for its decision, so that refresh_postpay asks for it (CheckCredit)
            order = record(
                order,
                PaymentOp.AUTHORIZE,
                Money.zero(order.currency),
                effect.key + ":review",
                ctx.at,
                target=effect.reference,
                reference=effect.reference,
                outcome=PaymentOutcome.REQUESTED,
                method=PaymentMethod.POSTPAY,
            )
        if effect.amount > held:
            # under review, the increase is asked, not approved: the claim holds what it held
            order = record(
                order,
                PaymentOp.AUTHORIZE,
                effect.amount - held,
                effect.key,
                ctx.at,
                target=effect.reference,
                reference=effect.reference,
                outcome=PaymentOutcome.REQUESTED if review else PaymentOutcome.SUCCEEDED,
                method=PaymentMethod.POSTPAY,
            )
        elif effect.amount < held:
            order = record(
                order,
                PaymentOp.VOID,
                held - effect.amount,
                effect.key,
                ctx.at,
                target=effect.reference,
                method=PaymentMethod.POSTPAY,
            )
        if decision.status is CreditStatus.APPROVED:
            return _amend_approved(order, ctx, rules, plan)
        if decision.status is CreditStatus.PENDING:
            # a claim under review cannot be reported: the report waiting behind this amend is
            # asked once the provider approves (credit_approved), not refused until a person acts
            order = _drop_report(order, effect.reference)
            return hold(
                order,
                HoldCode.POSTPAY_REVIEW,
                "後払い与信の審査待ち",
                "credit check under review",
                ctx,
            )
        return order
    if any(s.status is not ShipmentStatus.INSTRUCTED for s in order.shipments):
        # The parcel left: the claim cannot be reported for an amount the customer does not
        # owe. The report waiting behind this amend is dropped; a person collects the money.
        order = _drop_report(order, effect.reference)
        return hold(
            order,
            HoldCode.CAPTURE_FAILED,
            "後払いの請求額を変更できませんでした: 代金の回収を確認してください",
            "the 後払い claim could not be amended: a person must collect the money",
            ctx,
        )
    if not any(h.code == HoldCode.POSTPAY_DECLINED for h in order.open_holds):
        payment_failed(plan, rules)  # the hold asks the customer to choose: they are told, once
    return hold(
        order,
        HoldCode.POSTPAY_DECLINED,
        "別の決済方法を選んでください",
        "choose another method",
        ctx,
    )


def _amend_approved(order: Order, ctx: Context, rules: Rules, plan: Plan) -> Order:
    """The claim holds its new amount: an earlier refused amend's hold has nothing to say."""
    from orderflow.domain.decisions.common import advance

    if not any(h.code == HoldCode.POSTPAY_DECLINED for h in order.open_holds):
        return order
    order = lifecycle.clear_holds(order, [HoldCode.POSTPAY_DECLINED], ctx)
    return advance(plan, order, rules)


def fold_postpay_report(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """出荷報告: the claim is billable."""
    assert isinstance(effect, PostpayReport) and effect.amount is not None
    assert isinstance(answer, Done)
    if effect.rebill:
        order, _ = lifecycle.record_fact(
            order, ctx, PostpayRebilled, fields={"reference": effect.reference}
        )
        return order
    amount = claim_amount(order.payment, effect.reference)
    return record(
        order,
        PaymentOp.CAPTURE,
        amount,
        effect.key,
        ctx.at,
        reference=str(answer.value),
        target=effect.reference,
        method=PaymentMethod.POSTPAY,
    )


def fold_postpay_cancel(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """The claim is gone: what it held is voided; a pending credit request closes with it."""
    assert isinstance(effect, PostpayCancel) and effect.amount is not None
    assert isinstance(answer, Done)
    held = claim_amount(order.payment, effect.reference)
    reported = any(
        e.op is PaymentOp.CAPTURE and e.target == effect.reference for e in order.payment.ledger
    )
    if held.amount > 0 and not reported:
        order = record(
            order,
            PaymentOp.VOID,
            held,
            effect.key,
            ctx.at,
            target=effect.reference,
            method=PaymentMethod.POSTPAY,
        )
    for entry in _awaiting(order, effect.reference):
        order = record(
            order,
            PaymentOp.AUTHORIZE,
            entry.amount,
            entry.key,
            ctx.at,
            reference=effect.reference,
            outcome=_FAILED,
            detail="claim cancelled before the credit decision",
            method=PaymentMethod.POSTPAY,
        )
    order = close_reference(order, effect.reference)
    reviewed = any(h.code == HoldCode.POSTPAY_REVIEW for h in order.open_holds)
    order = lifecycle.clear_holds(order, [HoldCode.POSTPAY_REVIEW], ctx)
    if reviewed:  # the wait is over (nothing is owed any more): the order goes on by itself
        from orderflow.domain.decisions.common import advance

        order = advance(plan, order, rules)
    if effect.refund is not None:
        order = record(
            order,
            PaymentOp.REFUND,
            effect.refund,
            effect.key + ":refund",
            ctx.at,
            target=effect.reference,
            method=PaymentMethod.POSTPAY,
        )
        plan.add(Notify, notice="refund", facts=(("amount", effect.refund),))
        order = _goodwill(plan, order, effect.key, True, ctx, rules)
    return order


def _awaiting(order: Order, reference: str | None) -> list[PaymentEntry]:
    """The claim's request, and the amends the provider took to review, awaiting its decision."""
    return [
        e
        for e in order.payment.ledger
        if e.op is PaymentOp.AUTHORIZE
        and e.outcome is PaymentOutcome.REQUESTED
        and (e.target or e.reference) == reference
    ]
