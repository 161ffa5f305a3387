"""What each payment method needs at each moment, as effects (決済方法ごとの処理).

| moment | card, Amazon Pay | 後払い | bank transfer | konbini | COD |
|---|---|---|---|---|---|
| order | (screen,) authorize | register + credit check | issue account | issue number | fee |
| total changes | new authorization if short | amend the claim | settle | new number | fee |
| last shipment | capture, void the rest | shipment report | - | - | - |
| cancel | void | cancel the claim | release account, owe back | withdraw, owe back | - |
| refund | refund | bill the rest again, cancel | owe back | owe back | owe back |

These functions only *decide*: they add effects to a :class:`~orderflow.domain.outbox.Plan` and
return the order with what can be written at once (money owed back, holds).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from orderflow.domain import lifecycle
from orderflow.domain.effects import (
    Authorize,
    Capture,
    IssueAccount,
    IssueKonbini,
    Notify,
    PostpayAmend,
    PostpayCancel,
    PostpayRegister,
    PostpayReport,
    Purpose,
    ReleaseAccount,
    Screen,
    Void,
    WithdrawKonbini,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import (
    Order,
    Payment,
    PaymentMethod,
    PaymentOp,
    Shipment,
)
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import HoldCode
from orderflow.domain.payments.direct import (
    ask_transfer_again,
    asked_for,
    asked_moved,
    customer_debt,
)
from orderflow.domain.payments.ledger import (
    CARDLIKE,
    claim_amount,
    claim_pending,
    live_authorization,
    open_authorizations,
    open_claims,
    record,
)
from orderflow.domain.payments.parcels import COD_EXCESS, cod_excess_owed
from orderflow.domain.payments.payback import still_due, withdraw_excess
from orderflow.domain.rules import Rules

__all__ = [
    "at_shipping",
    "close_payment",
    "follow_total",
    "holds_payment",
    "never_opened",
    "open_payment",
    "paid_in_full",
    "settle_received",
]


_SCREENED = (Purpose.PLACE, Purpose.SWITCH)
"""Why a card is screened before it is authorized: a new order, a switch to another card (a
split part's card is the order's, screened already)."""


def open_payment(
    plan: Plan, order: Order, total: Money, ctx: Context, rules: Rules, purpose: Purpose
) -> None:
    """Start the payment of ``order`` for ``total`` (at order, on a switch, for a split part).

    Nothing to pay (全額ポイント利用: the points cover everything, or a split part of ¥0) opens
    nothing at order, on a switch or for a part: no provider hears of it, the payment is
    confirmed, and a switch takes effect at once.
    """
    method = order.payment.method
    if total.amount <= 0 and purpose in (Purpose.PLACE, Purpose.SPLIT, Purpose.SWITCH):
        return
    if method in CARDLIKE:
        if method is PaymentMethod.CARD and rules.screen_cards and purpose in _SCREENED:
            plan.add(Screen, amount=total, purpose=purpose)
        plan.add(Authorize, method=method, amount=total, purpose=purpose)
    elif method is PaymentMethod.POSTPAY:
        plan.add(PostpayRegister, amount=total, purpose=purpose)
    elif method is PaymentMethod.BANK_TRANSFER:
        plan.add(IssueAccount, amount=total, purpose=purpose)
    elif method is PaymentMethod.KONBINI:
        deadline = ctx.at + timedelta(days=rules.settings.konbini_days)
        plan.add(IssueKonbini, amount=total, deadline=deadline, purpose=purpose)


def close_payment(
    plan: Plan, order: Order, ctx: Context, keep: tuple[PaymentMethod, str] | None = None
) -> Order:
    """Give back everything the payment holds; money already received is owed back.

    ``keep`` names an authorization or claim that stays (the new one of a change of method).
    A claim whose cancel is already planned or pending (a claim declined after review) is not
    cancelled twice: the provider would refuse the second.
    """
    payment = order.payment
    for (method, reference), amount in open_authorizations(payment).items():
        if (method, reference) != keep:
            plan.add(Void, method=method, authorization=reference, amount=amount)
    cancelling = {
        e.reference for e in (*order.outbox, *plan.effects) if isinstance(e, PostpayCancel)
    }
    for reference, amount in open_claims(payment).items():
        if (PaymentMethod.POSTPAY, reference) != keep and reference not in cancelling:
            plan.add(PostpayCancel, reference=reference, amount=amount)
    account = payment.instruction("account")
    if account and account not in payment.closed:
        plan.add(ReleaseAccount, account=account)
    number = payment.instruction("payment_number")
    if number and number not in payment.closed and not paid_in_full(payment):
        plan.add(WithdrawKonbini, payment_number=number)  # a short payment is owed back below
    owed = payment.received - payment.refund_owed
    if owed.amount > 0:  # told as any refund owed by transfer: the customer gives an account
        order = record(order, PaymentOp.REFUND_OWED, owed, plan.key(), ctx.at)
        plan.add(Notify, notice="refund", facts=(("amount", owed), ("paid_back_by", "transfer")))
    elif owed.is_negative:  # more owed back than received: a 代引き excess never collected
        withdrawn = min(-owed, cod_excess_owed(order))
        if withdrawn.amount > 0:
            order = record(
                order, PaymentOp.REFUND_OWED, -withdrawn, plan.key(), ctx.at, detail=COD_EXCESS
            )
        order = customer_debt(order, ctx)  # paid back what the bank then took back
    return order


def never_opened(payment: Payment) -> bool:
    """Whether nothing was ever asked of a provider for ``payment`` (an order of ¥0)."""
    return not payment.ledger and not payment.instructions


def holds_payment(payment: Payment) -> bool:
    """Whether ``payment`` holds something a total growing from ¥0 can be asked of.

    An authorization (lapsed or not: the stored token is asked again), a 後払い claim not
    cancelled, a virtual account not released, a konbini number (issued again). An order of
    ¥0 whose payment holds none of these cannot come to owe money (its change is refused).
    """
    method = payment.method
    if method in CARDLIKE:
        return bool(open_authorizations(payment))
    if method is PaymentMethod.POSTPAY:
        return (payment.instruction("reference") or "") in open_claims(payment)
    if method is PaymentMethod.BANK_TRANSFER:
        account = payment.instruction("account")
        return account is not None and account not in payment.closed
    if method is PaymentMethod.KONBINI:
        return payment.instruction("payment_number") is not None
    return False  # 代引き: its fee would be owed by an order paid in full by points


def paid_in_full(payment: Payment) -> bool:
    """Whether the konbini number was paid for all it asked (it can no longer be withdrawn)."""
    asked = payment.instruction("amount")
    received = payment.received.amount
    return asked is not None and received > 0 and received >= Decimal(asked)


def at_shipping(
    plan: Plan,
    order: Order,
    total: Money,
    shipment: Shipment,
    rules: Rules,
    now: datetime,
    *,
    taken: Money | None = None,
) -> None:
    """The last shipment left: capture the card (void the rest) or report the 後払い shipment.

    ``taken``: card money the parcels before captured already (分納 per shipment); the last
    captures what is left of ``total``.
    """
    payment = order.payment
    method = payment.method
    if method in CARDLIKE:
        owed = total - taken if taken is not None else total
        collect_card(plan, order, owed, rules, now)
    elif method is PaymentMethod.POSTPAY and payment.instruction("reference"):
        reference = payment.instruction("reference") or ""
        claim = claim_amount(payment, reference)
        if total.amount <= 0:  # nothing left to bill: the claim is withdrawn, not reported
            if reference in open_claims(payment):
                plan.add(PostpayCancel, reference=reference, amount=claim)
            return
        if claim != total:
            plan.add(PostpayAmend, reference=reference, amount=total)
        plan.add(
            PostpayReport,
            reference=reference,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number or "",
            amount=total,
        )


def collect_card(plan: Plan, order: Order, owed: Money, rules: Rules, now: datetime) -> None:
    """売上確定: capture ``owed`` from the live authorization and give back the rest.

    An authorization that lapsed, or holds less than is owed, is replaced first (a new one with
    the stored token, captured once it holds).
    """
    payment = order.payment
    if owed.amount <= 0:  # the parcels took it all already: give back what is held
        for (method, reference), left in open_authorizations(payment).items():
            plan.add(Void, method=method, authorization=reference, amount=left)
        return
    live = live_authorization(payment, now, rules.settings.authorization_days)
    if live is None or live[2] < owed:
        plan.add(Authorize, method=payment.method, amount=owed, purpose=Purpose.CAPTURE)
        return
    live_method, reference, _ = live
    plan.add(Capture, method=live_method, authorization=reference, amount=owed)
    for (other_method, other), left in open_authorizations(payment).items():
        same = (other_method, other) == (live_method, reference)
        rest = left - owed if same else left
        if rest.amount > 0:
            plan.add(Void, method=other_method, authorization=other, amount=rest)


def follow_total(
    plan: Plan,
    order: Order,
    total: Money,
    ctx: Context,
    rules: Rules,
    *,
    reviewed: bool = False,
) -> Order:
    """The payment follows a new total of the same method.

    ``reviewed``: the total changed by the order review (a shipping fee it found); an order of
    ¥0 that never opened its payment opens it now if it comes to owe money, as at order. An
    authorization that lapsed while nothing was owed is asked again of the stored token; a
    後払い claim still under review is withdrawn once nothing is owed.
    """
    payment = order.payment
    if reviewed and never_opened(payment):
        if total.amount > 0:
            open_payment(plan, order, total, ctx, rules, Purpose.PLACE)
        return order
    follow = _FOLLOW.get(payment.method)
    return order if follow is None else follow(plan, order, total, ctx, rules)


def _follow_card(plan: Plan, order: Order, total: Money, ctx: Context, rules: Rules) -> Order:
    """Card, Amazon Pay: a new authorization when the live one holds less than is owed."""
    payment = order.payment
    live = live_authorization(payment, ctx.at, rules.settings.authorization_days)
    owed = total - payment.captured  # 分納 per parcel: what the parcels took is not asked
    if owed.amount > 0 and (live is None or live[2] < owed):
        replaces = live[1] if live is not None else ""
        plan.add(
            Authorize, method=payment.method, amount=owed, purpose=Purpose.CHANGE, replaces=replaces
        )
    return order


def _follow_postpay(plan: Plan, order: Order, total: Money, ctx: Context, rules: Rules) -> Order:
    """後払い: the claim amended to the new total, or withdrawn once nothing is owed."""
    payment = order.payment
    reference = payment.instruction("reference")
    if not reference or reference not in open_claims(payment):
        return order
    pending = claim_pending(payment, reference)
    if total.amount <= 0 and pending:  # 全額ポイント now: no credit decision is waited for
        plan.add(PostpayCancel, reference=reference, amount=Money.zero(order.currency))
    elif not pending and claim_amount(payment, reference) != total:
        plan.add(PostpayAmend, reference=reference, amount=total)
    elif not pending:  # the claim holds the total: a refused amend's hold has nothing to say
        order = lifecycle.clear_holds(order, (HoldCode.POSTPAY_DECLINED,), ctx)
    return order


def _follow_konbini(plan: Plan, order: Order, total: Money, ctx: Context, rules: Rules) -> Order:
    """コンビニ: a new payment number for the new total (withdrawn once nothing is owed)."""
    payment = order.payment
    number = payment.instruction("payment_number")
    if payment.received:
        return settle_received(plan, order, ctx, total, tell=False)
    if not number:
        return order
    if total.amount <= 0:  # 全額ポイント now: the number is withdrawn, nothing is waited for
        if number not in payment.closed:
            plan.add(WithdrawKonbini, payment_number=number)
        return lifecycle.clear_holds(order, _WAITING, ctx)
    if number in payment.closed or payment.instruction("amount") != str(total.amount):
        deadline = ctx.at + timedelta(days=rules.settings.konbini_days)
        plan.add(IssueKonbini, amount=total, deadline=deadline, purpose=Purpose.REISSUE)
    return _waiting(order, ctx, "コンビニ入金待ち", "waiting for the konbini payment")


def _follow_bank(plan: Plan, order: Order, total: Money, ctx: Context, rules: Rules) -> Order:
    """銀行振込: what was received settles the new total; else the order waits for it again."""
    payment = order.payment
    if payment.received:  # a total that moved (a change, the review) tells of a shortfall
        short = payment.received - payment.refund_owed < still_due(payment, total)
        tell = short and asked_moved(payment, total)
        return asked_for(settle_received(plan, order, ctx, total, tell=tell), total)
    if not payment.instruction("account"):
        return order
    if total.amount <= 0:  # 全額ポイント now: the account stays (released at booking)
        return lifecycle.clear_holds(order, _WAITING, ctx)
    order = ask_transfer_again(plan, order, total)
    return _waiting(order, ctx, "入金待ち", "waiting for the bank transfer")


_FOLLOW: dict[PaymentMethod, Callable[[Plan, Order, Money, Context, Rules], Order]] = {
    PaymentMethod.CARD: _follow_card,
    PaymentMethod.AMAZON_PAY: _follow_card,
    PaymentMethod.POSTPAY: _follow_postpay,
    PaymentMethod.KONBINI: _follow_konbini,
    PaymentMethod.BANK_TRANSFER: _follow_bank,
}


_WAITING = (HoldCode.PAYMENT_PENDING, HoldCode.PAYMENT_SHORTFALL)


def _waiting(order: Order, ctx: Context, ja: str, en: str) -> Order:
    """``order`` held for its payment again (it owed nothing for a while), unless it is held."""
    if any(h.code in _WAITING for h in order.open_holds):
        return order
    held, _ = lifecycle.raise_hold(order, HoldCode.PAYMENT_PENDING, ja, ctx, message_en=en)
    return held


def settle_received(
    plan: Plan, order: Order, ctx: Context, total: Money, *, tell: bool = True
) -> Order:
    """Money received (deposits, konbini, COD) measured against ``total``.

    Covered: the waiting holds are cleared and any excess not yet owed back is recorded as owed.
    Short: the order is held for the shortfall. With ``tell`` the customer hears which. An
    excess is always told (a ``refund`` notice: it comes back by transfer, to the account the
    customer gives), whether paid too much or the total went down since (a change, the rest of
    a 分納 dropped). An over-payment owed back and not transferred yet pays first for a total
    that went up (:func:`~orderflow.domain.payments.payback.withdraw_excess`).
    """
    order = withdraw_excess(plan, order, total, None, ctx, detail="withdrawn")
    payment = order.payment
    received = payment.received - payment.refund_owed
    total = still_due(payment, total)  # refunds already owed back are no longer owed to us
    if received >= total:
        order = lifecycle.clear_holds(order, _WAITING, ctx)
        excess = received - total
        if tell:
            plan.add(Notify, notice="payment_received", facts=(("total", payment.received),))
        if excess.amount > 0:
            order = record(order, PaymentOp.REFUND_OWED, excess, plan.key(), ctx.at)
            facts = (("amount", excess), ("paid_back_by", "transfer"))
            plan.add(Notify, notice="refund", facts=facts)
        return order
    short = total - received
    order = lifecycle.clear_holds(order, _WAITING, ctx)
    order, _ = lifecycle.raise_hold(
        order,
        HoldCode.PAYMENT_SHORTFALL,
        f"入金不足: あと{short.amount}{short.currency}",
        ctx,
        message_en=f"short by {short.amount} {short.currency}",
    )
    if tell:
        plan.add(
            Notify,
            notice="payment_shortfall",
            facts=(("total", total), ("received", received), ("shortfall", short)),
        )
    return order
