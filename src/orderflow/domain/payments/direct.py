"""Bank transfer and konbini answers: virtual accounts and payment numbers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from orderflow.domain import lifecycle
from orderflow.domain.effects import (
    Effect,
    IssueAccount,
    IssueKonbini,
    Notify,
    Purpose,
    Refused,
    ReleaseAccount,
    WithdrawKonbini,
)
from orderflow.domain.events import KonbiniReissued
from orderflow.domain.lifecycle import Context
from orderflow.domain.machine import allowed_moves
from orderflow.domain.money import Money
from orderflow.domain.order import Order, Payment, PaymentMethod, PaymentOutcome
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import HoldCode, payment_confirmed
from orderflow.domain.payments.common import (
    Answer,
    decline_placement,
    hold,
    payment_failed,
    switch_granted,
    switch_refused,
)
from orderflow.domain.payments.ledger import (
    close_reference,
    reopen_reference,
    with_instructions,
)
from orderflow.domain.rules import Rules
from orderflow.domain.status import Move

__all__ = [
    "ask_transfer_again",
    "asked_for",
    "asked_moved",
    "fold_issue_account",
    "fold_issue_konbini",
    "fold_release_account",
    "fold_withdraw_konbini",
    "konbini_lapsed",
]

_FAILED = PaymentOutcome.FAILED
_BANK_WAIT = (HoldCode.PAYMENT_PENDING, "入金待ち", "waiting for the bank transfer")
_KONBINI_WAIT = (HoldCode.PAYMENT_PENDING, "コンビニ入金待ち", "waiting for the konbini payment")


# -- 銀行振込 / コンビニ ---------------------------------------------------------------------------


def konbini_lapsed(order: Order, moment: datetime, rules: Rules) -> bool:
    """支払期限切れ: a konbini order, open, unpaid and past its number's deadline at ``moment``.

    The deadline is the current number's (an order change issues a new one), and the order waits
    ``ShopSettings.konbini_grace`` past it for a payment the provider reports late.
    """
    payment = order.payment
    deadline = payment.instruction("deadline")
    if payment.method is not PaymentMethod.KONBINI or deadline is None:
        return False
    settings = rules.settings
    if datetime.fromisoformat(deadline) + settings.konbini_grace >= moment:
        return False
    if Move.CANCEL not in allowed_moves(order.status):
        return False
    total = order.totals(settings.tax).total
    return not payment_confirmed(payment, total, moment, settings.authorization_days)


def fold_issue_account(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """A virtual account for the order: held until paid, the customer told where to pay."""
    from orderflow.ports import VirtualAccount

    assert isinstance(effect, IssueAccount) and effect.amount is not None
    if isinstance(answer, Refused):
        return _not_opened(order, effect.purpose, answer, ctx, rules, plan)
    account = answer.value
    assert isinstance(account, VirtualAccount)
    if effect.purpose is Purpose.SWITCH:
        order = switch_granted(order, ctx, rules, plan, waiting=_BANK_WAIT)
    order = reopen_reference(order, account.account)  # the bank may give back the same number
    # the day (the shop's, as the bank books deposits) the account became the order's: a
    # transfer dated before was made to the order that held the reused number then
    since = ctx.at.astimezone(ZoneInfo(rules.settings.zone)).date().isoformat()
    order = with_instructions(
        order,
        account=account.account,
        account_since=since,
        bank=f"{account.bank_name} ({account.bank_code})",
        branch=f"{account.branch_name} ({account.branch_code})",
        account_type=account.account_type,
        account_number=account.account_number,
        holder=account.holder,
        amount=str(effect.amount.amount),  # what the customer was asked to transfer
    )
    order = hold(order, *_BANK_WAIT, ctx)
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


def customer_debt(order: Order, ctx: Context) -> Order:
    """A closed order whose money received is less than was paid back: the customer owes it.

    The shop paid back (part of) a transfer the bank later took back (取消): the order is held
    ``deposit_reversed`` with the amount for a person to collect; once money received covers
    it again (a deposit applied to the order), the hold is lifted.
    """
    payment = order.payment
    net = payment.received - payment.refund_owed
    if not net.is_negative:
        return lifecycle.clear_holds(order, (HoldCode.DEPOSIT_REVERSED,), ctx)
    return hold(
        order,
        HoldCode.DEPOSIT_REVERSED,
        f"返金済の入金が取消: {-net.amount}{net.currency} 回収",
        f"paid back, then taken back by the bank: {-net.amount} {net.currency}",
        ctx,
    )


def asked_moved(payment: Payment, total: Money) -> bool:
    """Whether the customer was asked to transfer another amount than ``total``.

    An order stored before the amount was kept among the instructions is never asked again.
    """
    asked = payment.instruction("amount")
    return asked is not None and asked != str(total.amount)


def asked_for(order: Order, total: Money) -> Order:
    """``order`` having asked the customer for ``total`` (when it keeps what it asked)."""
    if not asked_moved(order.payment, total):
        return order
    return with_instructions(order, amount=str(total.amount))


def ask_transfer_again(plan: Plan, order: Order, total: Money) -> Order:
    """Ask the customer for ``total`` to the same account, unless that is what they were asked.

    Before any money came: a change or the review (a 離島 fee) moved the total.
    """
    payment = order.payment
    if not asked_moved(payment, total):
        return order
    plan.add(
        Notify,
        notice="payment_request_bank",
        facts=(
            ("total", total),
            *(
                (name, payment.instruction(name) or "")
                for name in ("bank", "branch", "account_type", "account_number", "holder")
            ),
        ),
    )
    return asked_for(order, total)


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
        if effect.purpose is Purpose.REISSUE:
            return hold(
                order,
                HoldCode.KONBINI_REISSUE_FAILED,
                "コンビニ番号を再発行できません",
                "the konbini number could not be issued again",
                ctx,
            )
        return _not_opened(order, effect.purpose, answer, ctx, rules, plan)
    slip = answer.value
    assert isinstance(slip, KonbiniSlip)
    if effect.purpose is Purpose.SWITCH:
        order = switch_granted(order, ctx, rules, plan, waiting=_KONBINI_WAIT)
    old = order.payment.instruction("payment_number")
    order = with_instructions(
        order,
        payment_number=slip.payment_number,
        deadline=slip.deadline.isoformat(),
        url=slip.url,
        amount=str(effect.amount.amount),
    )
    if effect.purpose is Purpose.REISSUE:
        if old and old != slip.payment_number and old not in order.payment.closed:
            plan.add(WithdrawKonbini, payment_number=old)
        order, _ = lifecycle.record_fact(
            order, ctx, KonbiniReissued, fields={"payment_number": slip.payment_number}
        )
        # a number for the total at last: an earlier refusal's hold has nothing left to say
        order = lifecycle.clear_holds(order, (HoldCode.KONBINI_REISSUE_FAILED,), ctx)
    else:
        order = hold(order, *_KONBINI_WAIT, ctx)
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


def _not_opened(
    order: Order, purpose: Purpose, answer: Refused, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    """The provider would not open the payment: what that means depends on why it was opened.

    A change of method is dropped; a split part is held for a person (its parent is closed); a
    new order is closed with its number free for another try.
    """
    if purpose is Purpose.SWITCH:
        return switch_refused(order, ctx)
    if purpose is Purpose.SPLIT:
        payment_failed(plan, rules)
        return hold(
            order,
            HoldCode.PAYMENT_REFUSED,
            "決済を開始できませんでした",
            "the payment could not be opened",
            ctx,
        )
    return decline_placement(order, answer.code, answer.reason, ctx, rules, plan)
