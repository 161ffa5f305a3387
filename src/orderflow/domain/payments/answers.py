"""What the domain does with each payment provider's answer (決済結果の反映).

Each function takes the order (the effect already taken off its outbox), the effect, the answer
and a :class:`~orderflow.domain.outbox.Plan` for follow-up effects, and returns the new order.
A refusal is handled here like any answer: a hold a person can act on, a notice, a compensating
effect, or the order left as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.effects import (
    Authorize,
    Capture,
    CheckCredit,
    Done,
    Effect,
    IssueAccount,
    IssueKonbini,
    Notify,
    PostpayAmend,
    PostpayCancel,
    PostpayRegister,
    PostpayReport,
    Refund,
    Refused,
    ReleaseAccount,
    Screen,
    Void,
    WithdrawKonbini,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import Order, PaymentMethod, PaymentOp, PaymentOutcome
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import HoldCode
from orderflow.domain.payments.ledger import (
    Subject,
    claim_amount,
    close_reference,
    open_authorizations,
    record,
    with_instructions,
)
from orderflow.domain.rules import Rules
from orderflow.domain.status import OrderStatus

__all__ = ["PAYMENT_FOLDS", "failure_reason"]

Answer = Done | Refused
Fold = Callable[[Order, Effect, Answer, Context, Rules, Plan], Order]

_FAILED = PaymentOutcome.FAILED


def failure_reason(rules: Rules) -> str:
    """What the customer is told when a payment fails (never the provider's own text)."""
    if rules.settings.locale.startswith("ja"):
        return "決済が承認されませんでした"
    return "the payment was not approved"


def _hold(order: Order, code: str, ja: str, en: str, ctx: Context) -> Order:
    held, _ = lifecycle.raise_hold(order, code, ja, ctx, message_en=en)
    return held


def _payment_failed(plan: Plan, rules: Rules) -> None:
    plan.add(Notify, notice="payment_failed", facts=(("reason", failure_reason(rules)),))


def decline_placement(
    order: Order,
    code: str,
    detail: str,
    ctx: Context,
    rules: Rules,
    plan: Plan,
    notice: str = "payment_failed",
) -> Order:
    """A new order's payment was refused: it is closed, its number free for another try."""
    from orderflow.domain.decisions.cancelling import close_order

    pending = order.outbox
    order = lifecycle.drop_outbox(order)
    order = close_order(plan, order, ctx, reason=code)
    order, _ = lifecycle.record_fact(
        order, ctx, "placement_declined", details={"code": code, "detail": detail[:200]}
    )
    del pending
    if notice == "cancellation":
        plan.add(
            Notify,
            notice="cancellation",
            facts=(("cancelled_at", ctx.at), ("reason", failure_reason(rules))),
        )
    else:
        _payment_failed(plan, rules)
    return order


# -- card ---------------------------------------------------------------------------------------


def fold_screen(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """不正検知: reject closes the new order; review (or no answer we can use) holds it."""
    from orderflow.ports import FraudResult, FraudVerdict

    assert isinstance(effect, Screen)
    verdict = answer.value if isinstance(answer, Done) else None
    if isinstance(verdict, FraudResult) and verdict.verdict is FraudVerdict.REJECT:
        return decline_placement(
            order, "fraud_rejected", verdict.reason, ctx, rules, plan, notice="cancellation"
        )
    if isinstance(verdict, FraudResult) and verdict.verdict is FraudVerdict.ACCEPT:
        return order
    return _hold(
        order, HoldCode.FRAUD_REVIEW, "不正検知の審査待ち", "fraud screen asks for review", ctx
    )


def fold_authorize(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """オーソリ: recorded; what a refusal means depends on why the card was asked."""
    from orderflow.ports import Authorization

    assert isinstance(effect, Authorize) and effect.amount is not None
    if isinstance(answer, Refused):
        order = record(
            order,
            PaymentOp.AUTHORIZE,
            effect.amount,
            effect.key,
            ctx.at,
            outcome=_FAILED,
            detail=answer.reason[:200],
            method=effect.method,
        )
        if effect.purpose == "place":
            return decline_placement(order, answer.code, answer.reason, ctx, rules, plan)
        if effect.purpose == "switch":
            return _switch_refused(order, ctx)
        order = _hold(
            order,
            HoldCode.AUTHORIZATION_FAILED,
            "再オーソリ失敗",
            "the card could not be authorized again",
            ctx,
        )
        _payment_failed(plan, rules)
        return order
    auth = answer.value
    assert isinstance(auth, Authorization)
    order = record(
        order,
        PaymentOp.AUTHORIZE,
        auth.amount,
        effect.key,
        ctx.at,
        reference=auth.reference,
        expires_at=auth.expires_at,
        method=effect.method,
    )
    if effect.purpose == "switch":
        order = _switch_granted(order, ctx, rules, plan, keep=(effect.method, auth.reference))
    held = open_authorizations(order.payment)
    for (method, reference), amount in held.items():
        if (method, reference) != (effect.method, auth.reference) and (
            effect.replaces == reference or effect.purpose in ("reauthorize", "change", "capture")
        ):
            plan.add(Void, method=method, authorization=reference, amount=amount)
    if effect.purpose in ("reauthorize", "change", "switch"):
        order = lifecycle.clear_holds(order, [HoldCode.AUTHORIZATION_FAILED], ctx)
        if effect.purpose == "reauthorize":
            plan.add(
                Notify,
                notice="authorization_renewed",
                facts=(("total", auth.amount), ("expires_at", auth.expires_at or ctx.at)),
            )
    if effect.purpose == "capture":
        plan.add(Capture, method=effect.method, authorization=auth.reference, amount=auth.amount)
    return order


def fold_capture(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """売上確定: recorded; a refused capture holds the order for a person to collect."""
    assert isinstance(effect, Capture) and effect.amount is not None
    if isinstance(answer, Refused):
        order = record(
            order,
            PaymentOp.CAPTURE,
            effect.amount,
            effect.key,
            ctx.at,
            target=effect.authorization,
            outcome=_FAILED,
            detail=answer.reason[:200],
            method=effect.method,
        )
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
        return _hold(
            order, HoldCode.CAPTURE_FAILED, "売上確定に失敗しました", "the capture was refused", ctx
        )
    return record(
        order,
        PaymentOp.CAPTURE,
        effect.amount,
        effect.key,
        ctx.at,
        reference=str(answer.value),
        target=effect.authorization,
        method=effect.method,
    )


def fold_void(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """An authorization given back."""
    assert isinstance(effect, Void) and effect.amount is not None
    assert isinstance(answer, Done)
    return record(
        order,
        PaymentOp.VOID,
        effect.amount,
        effect.key,
        ctx.at,
        reference=str(answer.value),
        target=effect.authorization,
        method=effect.method,
    )


def fold_refund(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """返金: recorded; a refused refund holds the order for a person to pay back otherwise."""
    assert isinstance(effect, Refund) and effect.amount is not None
    if isinstance(answer, Refused):
        order = record(
            order,
            PaymentOp.REFUND,
            effect.amount,
            effect.key,
            ctx.at,
            target=effect.capture,
            outcome=_FAILED,
            detail=answer.reason[:200],
            method=effect.method,
        )
        order = _hold(
            order, HoldCode.REFUND_FAILED, "返金に失敗しました", "the refund was refused", ctx
        )
        order, _ = lifecycle.record_fact(
            order, ctx, "refund_refused", details={"code": answer.code}
        )
        return order
    order = record(
        order,
        PaymentOp.REFUND,
        effect.amount,
        effect.key,
        ctx.at,
        reference=str(answer.value),
        target=effect.capture,
        method=effect.method,
    )
    plan.add(Notify, notice="refund", facts=(("amount", effect.amount),))
    return order


# -- method switch ------------------------------------------------------------------------------


def _switch_refused(order: Order, ctx: Context) -> Order:
    """The new method said no: the proposed change is dropped, the order stays as it was."""
    order = replace(order, proposal=None)
    order, _ = lifecycle.record_fact(order, ctx, "payment_switch_refused")
    return order


def _switch_granted(
    order: Order, ctx: Context, rules: Rules, plan: Plan, keep: Subject | None = None
) -> Order:
    """The new method said yes: the proposed change takes effect and the old payment closes."""
    from orderflow.domain.decisions.changing import take_proposal

    return take_proposal(order, ctx, rules, plan, keep)


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
        if effect.purpose == "rebill" and not approved:
            # the provider will not bill the rest now: the refund is refused, the old claim stands
            plan.add(PostpayCancel, reference=reference, amount=Money.zero(order.currency))
            return _rebill_refused(order, effect, ctx)
        if effect.purpose == "rebill":
            # the sale was captured once already: the new claim only carries it on, so the
            # ledger keeps its sums (the refund is recorded when the old claim is cancelled)
            assert effect.refund is not None
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
        if effect.purpose == "switch":
            order = _switch_granted(order, ctx, rules, plan, keep=(method, reference))
        order = with_instructions(order, reference=reference)
        if approved:
            return credit_approved(order, reference, ctx, rules, plan)
        return _hold(
            order, HoldCode.POSTPAY_REVIEW, "後払い与信の審査待ち", "credit check under review", ctx
        )
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
        detail=reason[:200],
        method=method,
        reference=decision.reference if isinstance(decision, CreditDecision) else "",
    )
    if effect.purpose == "rebill":
        return _rebill_refused(order, effect, ctx)
    if effect.purpose == "switch":
        return _switch_refused(order, ctx)
    if effect.purpose == "place" and rules.settings.postpay_declined is PostpayDeclined.CANCEL:
        return decline_placement(order, "postpay_declined", reason, ctx, rules, plan)
    return credit_declined(order, ctx, rules, plan)


def _rebill_refused(order: Order, effect: PostpayRegister, ctx: Context) -> Order:
    assert effect.refund is not None
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
        order, ctx, "refund_refused", details={"code": "postpay_rebill_declined"}
    )
    return order


def credit_approved(order: Order, reference: str, ctx: Context, rules: Rules, plan: Plan) -> Order:
    """The claim is approved: the review hold goes, and the claim follows the order's total."""
    from orderflow.domain.decisions.common import advance

    order = lifecycle.clear_holds(order, [HoldCode.POSTPAY_REVIEW, HoldCode.POSTPAY_DECLINED], ctx)
    total = order.totals(rules.settings.tax).total
    if (
        order.status is not OrderStatus.CANCELLED
        and claim_amount(order.payment, reference) != total
    ):
        plan.add(PostpayAmend, reference=reference, amount=total)
    return advance(plan, order, rules)


def credit_declined(order: Order, ctx: Context, rules: Rules, plan: Plan) -> Order:
    """The customer must choose another method: held, and told."""
    order = lifecycle.clear_holds(order, [HoldCode.POSTPAY_REVIEW], ctx)
    order = _hold(
        order,
        HoldCode.POSTPAY_DECLINED,
        "別の決済方法を選んでください",
        "choose another method",
        ctx,
    )
    _payment_failed(plan, rules)
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
    pending = next(
        (
            e
            for e in order.payment.ledger
            if e.op is PaymentOp.AUTHORIZE
            and e.outcome is PaymentOutcome.REQUESTED
            and (e.target or e.reference) == effect.reference
        ),
        None,
    )
    if pending is None:
        return order
    if decision.status is CreditStatus.APPROVED:
        order = record(
            order,
            PaymentOp.AUTHORIZE,
            pending.amount,
            pending.key,
            ctx.at,
            reference=effect.reference,
            method=PaymentMethod.POSTPAY,
        )
        return credit_approved(order, effect.reference, ctx, rules, plan)
    order = record(
        order,
        PaymentOp.AUTHORIZE,
        pending.amount,
        pending.key,
        ctx.at,
        reference=effect.reference,
        outcome=_FAILED,
        detail=decision.reason[:200],
        method=PaymentMethod.POSTPAY,
    )
    if rules.settings.postpay_declined is PostpayDeclined.CANCEL and order.status in (
        OrderStatus.ORDERED,
        OrderStatus.UNALLOCATED,
        OrderStatus.PARTIALLY_ALLOCATED,
        OrderStatus.ALLOCATED,
    ):
        _payment_failed(plan, rules)
        return cancel_order(plan, order, ctx, rules, "後払い credit declined", notify=False)
    return credit_declined(order, ctx, rules, plan)


def fold_postpay_amend(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """The claim's amount changed (or the provider wants a review, or said no)."""
    from orderflow.ports import CreditDecision, CreditStatus

    assert isinstance(effect, PostpayAmend) and effect.amount is not None
    decision = answer.value if isinstance(answer, Done) else None
    status = decision.status.value if isinstance(decision, CreditDecision) else "refused"
    order, _ = lifecycle.record_fact(order, ctx, "postpay_amended", details={"status": status})
    if isinstance(decision, CreditDecision) and decision.status is not CreditStatus.DECLINED:
        held = claim_amount(order.payment, effect.reference)
        if effect.amount > held:
            order = record(
                order,
                PaymentOp.AUTHORIZE,
                effect.amount - held,
                effect.key,
                ctx.at,
                target=effect.reference,
                reference=effect.reference,
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
        if decision.status is CreditStatus.PENDING:
            return _hold(
                order,
                HoldCode.POSTPAY_REVIEW,
                "後払い与信の審査待ち",
                "credit check under review",
                ctx,
            )
        return order
    return _hold(
        order,
        HoldCode.POSTPAY_DECLINED,
        "別の決済方法を選んでください",
        "choose another method",
        ctx,
    )


def fold_postpay_report(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """出荷報告: the claim is billable."""
    assert isinstance(effect, PostpayReport) and effect.amount is not None
    assert isinstance(answer, Done)
    if effect.rebill:
        order, _ = lifecycle.record_fact(
            order, ctx, "postpay_rebilled", details={"reference": effect.reference}
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
    for entry in order.payment.ledger:
        if (
            entry.op is PaymentOp.AUTHORIZE
            and entry.outcome is PaymentOutcome.REQUESTED
            and (entry.target or entry.reference) == effect.reference
        ):
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
    order = lifecycle.clear_holds(order, [HoldCode.POSTPAY_REVIEW], ctx)
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
    return order


# -- 銀行振込 / コンビニ ---------------------------------------------------------------------------


def fold_issue_account(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """A virtual account for the order: held until paid, the customer told where to pay."""
    from orderflow.ports import VirtualAccount

    assert isinstance(effect, IssueAccount) and effect.amount is not None
    if isinstance(answer, Refused):
        if effect.purpose == "switch":
            return _switch_refused(order, ctx)
        return decline_placement(order, answer.code, answer.reason, ctx, rules, plan)
    account = answer.value
    assert isinstance(account, VirtualAccount)
    if effect.purpose == "switch":
        order = _switch_granted(order, ctx, rules, plan)
    order = with_instructions(
        order,
        account=account.account,
        bank=f"{account.bank_name} ({account.bank_code})",
        branch=f"{account.branch_name} ({account.branch_code})",
        account_type=account.account_type,
        account_number=account.account_number,
        holder=account.holder,
    )
    order = _hold(order, HoldCode.PAYMENT_PENDING, "入金待ち", "waiting for the bank transfer", ctx)
    plan.add(
        Notify,
        notice="payment_request_bank",
        facts=(
            ("total", effect.amount),
            ("bank", account.bank_name),
            ("branch", account.branch_name),
            ("account_type", account.account_type),
            ("account_number", account.account_number),
            ("holder", account.holder),
        ),
    )
    return order


def fold_release_account(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """The account is free for another order."""
    assert isinstance(effect, ReleaseAccount)
    return close_reference(order, effect.account)


def fold_issue_konbini(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """A konbini number: held until paid; a new number replaces the old one (then withdrawn)."""
    from orderflow.ports import KonbiniSlip

    assert isinstance(effect, IssueKonbini) and effect.amount is not None
    if isinstance(answer, Refused):
        if effect.purpose == "switch":
            return _switch_refused(order, ctx)
        if effect.purpose == "reissue":
            return _hold(
                order,
                HoldCode.KONBINI_REISSUE_FAILED,
                "コンビニ番号を再発行できません",
                "the konbini number could not be issued again",
                ctx,
            )
        return decline_placement(order, answer.code, answer.reason, ctx, rules, plan)
    slip = answer.value
    assert isinstance(slip, KonbiniSlip)
    if effect.purpose == "switch":
        order = _switch_granted(order, ctx, rules, plan)
    old = order.payment.instruction("payment_number")
    order = with_instructions(
        order,
        payment_number=slip.payment_number,
        deadline=slip.deadline.isoformat(),
        url=slip.url,
        amount=str(effect.amount.amount),
    )
    if effect.purpose == "reissue":
        if old and old != slip.payment_number and old not in order.payment.closed:
            plan.add(WithdrawKonbini, payment_number=old)
        order, _ = lifecycle.record_fact(
            order, ctx, "konbini_reissued", details={"payment_number": slip.payment_number}
        )
    else:
        order = _hold(
            order,
            HoldCode.PAYMENT_PENDING,
            "コンビニ入金待ち",
            "waiting for the konbini payment",
            ctx,
        )
    plan.add(
        Notify,
        notice="payment_request_konbini",
        facts=(
            ("total", effect.amount),
            ("payment_number", slip.payment_number),
            ("deadline", slip.deadline),
            ("url", slip.url),
        ),
    )
    return order


def fold_withdraw_konbini(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """The number can no longer be paid."""
    assert isinstance(effect, WithdrawKonbini)
    return close_reference(order, effect.payment_number)


PAYMENT_FOLDS: dict[type[Effect], Fold] = {
    Screen: fold_screen,
    Authorize: fold_authorize,
    Capture: fold_capture,
    Void: fold_void,
    Refund: fold_refund,
    PostpayRegister: fold_postpay_register,
    CheckCredit: fold_check_credit,
    PostpayAmend: fold_postpay_amend,
    PostpayReport: fold_postpay_report,
    PostpayCancel: fold_postpay_cancel,
    IssueAccount: fold_issue_account,
    ReleaseAccount: fold_release_account,
    IssueKonbini: fold_issue_konbini,
    WithdrawKonbini: fold_withdraw_konbini,
}
"""The fold of every payment effect's answer."""
