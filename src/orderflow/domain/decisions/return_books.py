"""返品 in the books and the customer's mail: the 売上戻り entry, posted when the money moved.

A return's entry is posted when its money moved: at once if the sale is booked, else with the
booking (:func:`book_returns`); a 後払い return's once the provider agreed to bill the rest
(:func:`settle_return`), never if it refused. An entry that would move nothing is not posted.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from orderflow.domain._values import replace
from orderflow.domain.booking import JournalEntry
from orderflow.domain.effects import Notify, PostJournal
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import Order
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import HoldCode
from orderflow.domain.payments.common import hold
from orderflow.domain.refunds import Shares, return_entry
from orderflow.domain.returns import Return, ReturnStatus
from orderflow.domain.rules import Rules
from orderflow.domain.status import OrderStatus
from orderflow.domain.tax import RATES, TaxRate

__all__ = [
    "book_returns",
    "follow_retry",
    "post_return_entry",
    "settle_return",
    "tell_refunded",
]


def tell_refunded(plan: Plan, ret: Return) -> None:
    """The ``return_refunded`` notice of ``ret``: what was paid back, and the fee kept."""
    plan.add(
        Notify,
        notice="return_refunded",
        facts=(("return_id", ret.return_id), ("paid_back", ret.paid_back), ("fee", ret.fee)),
    )


def _entry(order: Order, ret: Return, rules: Rules, ctx: Context) -> JournalEntry:
    settings = rules.settings
    stamp = ret.received_at or ctx.at
    on = stamp.astimezone(ZoneInfo(settings.zone)).date()
    return return_entry(order, ret, settings.tax, settings.accounts, on)


def post_return_entry(plan: Plan, order: Order, ret: Return, rules: Rules, ctx: Context) -> None:
    """Post ``ret``'s 売上戻り entry, unless it moves nothing.

    All of its refund settled owed points, or the sale was all refunded before: an entry of ¥0
    lines is no entry.
    """
    entry = _entry(order, ret, rules, ctx)
    if any(line.amount for line in entry.lines):
        plan.add(PostJournal, entry=entry)


def _due(ret: Return) -> bool:
    """A refunded return whose entry is still to be posted: its money moved, none posted yet."""
    return (
        ret.status is ReturnStatus.REFUNDED
        and not ret.journal
        and not ret.payment_key
        and not ret.refund_refused
    )


def book_returns(plan: Plan, order: Order, ctx: Context, rules: Rules) -> Order:
    """At booking: the reversing entries of the returns refunded before it, after the sale's.

    A 後払い return still waiting on the provider posts when it agrees; one it refused, never.
    """
    due = [r for r in order.returns if _due(r)]
    if not due:
        return order
    for ret in due:
        post_return_entry(plan, order, ret, rules, ctx)
    returns = tuple(replace(r, journal=True) if _due(r) else r for r in order.returns)
    return replace(order, returns=returns)


def settle_return(
    plan: Plan, order: Order, key: str, paid: bool, ctx: Context, rules: Rules
) -> Order:
    """後払い: the provider answered request ``key``; a return's refund waiting on it is settled.

    Paid (the rest billed again, or the claim cancelled): its 売上戻り entry is posted now if the
    order is booked, else at booking, and the customer is told (``return_refunded``).
    Refused: nothing was paid back and nothing is posted; the units' worth stays in the sales
    (``Return.withheld``), the return is marked ``refund_refused`` and the order held
    (``refund_failed``) for a person to pay it back by transfer (``desk.refund(…,
    by_transfer=True)``, a 売上値引
    once its money moves).
    """
    ret = next((r for r in order.returns if key and r.payment_key == key), None)
    if ret is None:  # a goodwill refund's, or answered before
        return order
    if paid:
        settled = replace(ret, payment_key="", journal=order.status is OrderStatus.BOOKED)
        if settled.journal:
            post_return_entry(plan, order, settled, rules, ctx)
        tell_refunded(plan, settled)
    else:
        zero = Money.zero(order.currency)
        settled = replace(
            ret,
            payment_key="",
            refund=(),
            withheld=_merged(ret.refund, ret.withheld),
            fee=zero,
            paid_back=zero,
            refund_refused=True,
        )
    order = replace(
        order, returns=tuple(settled if r.return_id == ret.return_id else r for r in order.returns)
    )
    if paid:
        return order
    return hold(
        order,
        HoldCode.REFUND_FAILED,
        f"後払いの再請求が拒否されました: 返品 {ret.return_id} の返金を振込で行ってください",
        f"the 後払い provider would not bill the rest: pay return {ret.return_id} back by transfer",
        ctx,
    )


def follow_retry(order: Order, key: str, retry: str) -> Order:
    """A return waiting on request ``key`` waits on ``retry`` instead.

    The provider refused ``key`` and it is asked again under a fresh key (a 後払い claim's
    cancel is an obligation): the return's refund follows it.
    """
    if not any(r.payment_key == key for r in order.returns if key):
        return order
    returns = tuple(
        replace(r, payment_key=retry) if r.payment_key == key else r for r in order.returns
    )
    return replace(order, returns=returns)


def _merged(*parts: Iterable[tuple[TaxRate, Money, Money]]) -> Shares:
    """Per-rate amounts and taxes added up, in the rates' order."""
    out: dict[TaxRate, tuple[Money, Money]] = {}
    for part in parts:
        for rate, amount, tax in part:
            if rate in out:
                was_amount, was_tax = out[rate]
                amount, tax = was_amount + amount, was_tax + tax
            out[rate] = (amount, tax)
    return tuple((rate, *out[rate]) for rate in sorted(out, key=RATES.index))
