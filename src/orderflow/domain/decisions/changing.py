"""注文変更: quantities, lines, address, delivery, payment method and points, with money following.

A change that needs an outside *yes* first — a new payment method, or more points taken from the
customer — is kept on the order as its ``proposal`` while the gate effect runs. The fold of a yes
makes the proposal the order (:func:`take_proposal`); a no drops it and the order is as it was.
Any other change applies at once (:func:`apply_proposal`): stock released and allocated again,
the payment following the new total, points given back, the review run again, the customer told.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import attrs

from orderflow.domain import lifecycle
from orderflow.domain._review_discount import DISCOUNT_CAPPED
from orderflow.domain._values import replace
from orderflow.domain.changes import OrderChange, _cap_points, apply_change
from orderflow.domain.decisions.common import (
    advance,
    check_stock,
    release_all,
    settle_allocation,
)
from orderflow.domain.dropship import check_collected
from orderflow.domain.effects import Notify, Purpose, RedeemPoints, RestorePoints, Screen
from orderflow.domain.events import Changed, Released, ShippingFeeChanged
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.moves import check_order_move
from orderflow.domain.order import Hold, Order, OrderEvent, Payment, PaymentMethod
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import PAYMENT_WAITS, check_method_currency
from orderflow.domain.payments.ledger import CARDLIKE
from orderflow.domain.payments.plans import (
    close_payment,
    follow_total,
    holds_payment,
    open_payment,
)
from orderflow.domain.review import ReviewContext, apply_findings, run_rules
from orderflow.domain.rules import Rules
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import InvalidValue

E = TypeVar("E", bound=OrderEvent)

__all__ = [
    "apply_proposal",
    "changed_order",
    "changes_nothing",
    "decide_change",
    "follow_review",
    "give_back_points",
    "reviewed",
    "switches_payment",
    "take_proposal",
]


def changed_order(order: Order, change: OrderChange, ctx: Context, rules: Rules) -> Order:
    """The order as the change would make it (validated); nothing is decided yet."""
    settings = rules.settings
    if isinstance(change, OrderChange) and isinstance(change.payment_method, PaymentMethod):
        check_method_currency(change.payment_method, order.currency, "payment_method")
    changed, _ = apply_change(
        order,
        change,
        ctx,
        rule=settings.tax,
        shipping_fees=settings.shipping_fees,
        cod_fees=settings.cod_fees,
        sets=settings.sets,
        zone=settings.zone,
    )
    payment = order.payment
    if payment.method is PaymentMethod.COD:  # a drop-shipped line added to a 代引き order
        check_collected(change.add_lines, changed.payment.method, "change.add_lines[{}].supplier")
    else:  # a move to 代引き of an order with a drop-shipped line
        check_collected(changed.lines, changed.payment.method, "payment_method")
    if changed.payment.method is payment.method is PaymentMethod.KONBINI and payment.received:
        # a paid number asks no more: the total may not grow past what the shop keeps of the
        # payment (an excess recorded as owed back is the customer's, not a credit)
        kept = payment.received - payment.refund_owed
        total = changed.totals(settings.tax).total
        if total > kept:
            raise InvalidValue(
                "total",
                total.amount,
                f"no more than the {kept.amount} already paid at the store and not owed "
                "back (cancel the order and place a new one)",
            )
    _check_owes_from_nothing(order, changed, rules)
    if switches_payment(order.payment, changed.payment):
        if order.payment.received or order.payment.captured:
            raise InvalidValue(
                "payment_method",
                changed.payment.method.value,
                "the same method and card: money has already been paid (refund or cancel instead)",
            )
        if changed.points_used > order.points_taken and rules.points:
            raise InvalidValue(
                "points_used",
                changed.points_used,
                "no more points in a change of payment method (change them separately)",
            )
        # the old method's instructions stay on the order until the new one says yes
        changed = replace(
            changed,
            payment=Payment(
                changed.payment.method,
                order.currency,
                changed.payment.token,
                order.payment.ledger,
                (),
                order.payment.closed,
            ),
        )
    return changed


def _check_owes_from_nothing(order: Order, changed: Order, rules: Rules) -> None:
    """Refuse a change giving an order of ¥0 (全額ポイント) a total no payment can be asked of.

    Its payment must still hold something to ask (an authorization, a claim, an account, a
    number), or the change must switch to a method that opens a payment for the new total (a
    switch to 代引き opens none: its fee would be owed by an order paid in full by points).
    """
    tax = rules.settings.tax
    total = changed.totals(tax).total
    if not order.totals(tax).total.amount <= 0 < total.amount:
        return
    if switches_payment(order.payment, changed.payment):
        if changed.payment.method is not PaymentMethod.COD:
            return  # opened first for the new total, as any switch
    elif holds_payment(order.payment):
        return
    raise InvalidValue(
        "change",
        str(total.amount),
        "a total of 0 for an order paid in full by points (place a new order for the rest)",
    )


def changes_nothing(order: Order, changed: Order, change: OrderChange) -> bool:
    """Whether ``change`` (made into ``changed``) leaves ``order`` as it is.

    The same quantities, address, delivery, payment method, points and charges, and no new card:
    nothing to release, authorize or tell the customer (a change asked twice, or a form sent
    unchanged).
    """
    return not changed_parts(order, changed)


def switches_payment(before: Payment, after: Payment) -> bool:
    """Whether ``after`` is another payment than ``before`` (支払方法変更, another card).

    Another method, or a new token for a card or Amazon Pay: either is opened first, then the
    old one closed.
    """
    if after.method is not before.method:
        return True
    return after.method in CARDLIKE and bool(after.token) and after.token != before.token


def decide_change(
    order: Order,
    change: OrderChange,
    ctx: Context,
    rules: Rules,
    recent: Sequence[Order],
) -> Order:
    """The order after ``change``, or with the change proposed behind its gate."""
    changed = changed_order(order, change, ctx, rules)
    plan = Plan(order)
    if switches_payment(order.payment, changed.payment):
        total = changed.totals(rules.settings.tax).total
        open_payment(plan, changed, total, ctx, rules, Purpose.SWITCH)
        proposed = replace(order, proposal=changed)
        if not plan.effects:  # nothing to ask (代引き): the change takes effect at once
            return plan.apply(take_proposal(proposed, ctx, rules, plan))
        return plan.apply(proposed)
    more = changed.points_used - order.points_taken
    if rules.points and more > 0:
        plan.add(RedeemPoints, points=more, purpose=Purpose.CHANGE)
        return plan.apply(replace(order, proposal=changed))
    after = apply_proposal(plan, order, changed, ctx, rules, recent)
    return plan.apply(after)


def take_proposal(
    order: Order,
    ctx: Context,
    rules: Rules,
    plan: Plan,
    keep: tuple[PaymentMethod, str] | None = None,
    waiting: tuple[str, str, str] | None = None,
) -> Order:
    """The gate said yes: the proposal becomes the order (a new method closes the old one).

    ``waiting`` is the new method's wait (code, Japanese and English messages), held in place
    of the old method's before the order may go on.
    """
    proposal = order.proposal
    if proposal is None:
        return order
    current = replace(order, proposal=None)
    if switches_payment(order.payment, proposal.payment):
        current = close_payment(plan, current, ctx, keep=keep)
        # the old method's waiting is over; the new one raises its own holds when it answers
        current = lifecycle.clear_holds(current, PAYMENT_WAITS, ctx)
        if waiting is not None:  # the new one's, before the order would go on (no stock held)
            code, message, message_en = waiting
            current, _ = lifecycle.raise_hold(current, code, message, ctx, message_en=message_en)
        payment = replace(
            proposal.payment,
            ledger=current.payment.ledger,
            closed=current.payment.closed,
            instructions=(),
        )
    else:
        payment = current.payment
    after = replace(
        proposal,
        payment=payment,
        history=(*current.history, *_own(order.history, proposal.history)),
        holds=(*current.holds, *_new_holds(order.holds, proposal.holds)),
        outbox=current.outbox,
        seq=plan.seq,
        points_taken=current.points_taken,
        requests=current.requests,
        proposal=None,
        version=current.version,
    )
    return apply_proposal(plan, current, after, ctx, rules, ())


def _own(before: tuple[E, ...], proposed: tuple[E, ...]) -> tuple[E, ...]:
    """What ``proposed`` added after what it shares with ``before`` (a change's own facts).

    The proposal was made of the order as it was then; the order's history (or holds) since
    only grew by the gate's answers, so what they share is the proposal's beginning.
    """
    shared = 0
    for old, new in zip(before, proposed, strict=False):
        if old != new:
            break
        shared += 1
    return proposed[shared:]


def _new_holds(holds: tuple[Hold, ...], proposed: tuple[Hold, ...]) -> tuple[Hold, ...]:
    """The holds the proposed change raised (a coupon cut, …): those the order never had.

    A hold of the order cleared while the gate was asked is the same hold, not a new one.
    """
    known = {(h.code, h.raised_at, h.message) for h in holds}
    return tuple(h for h in proposed if (h.code, h.raised_at, h.message) not in known)


def apply_proposal(
    plan: Plan,
    before: Order,
    after: Order,
    ctx: Context,
    rules: Rules,
    recent: Sequence[Order],
) -> Order:
    """Everything that follows a change: stock, payment, points, review, notice, moving on."""
    changed = changed_parts(before, after)
    # 中途引当 with nothing reserved waits too, and 引当済 with nothing reserved (直送 lines
    # only) holds what it has: their new lines are allocated like any order's
    waiting = before.allocations or before.status in (
        OrderStatus.PARTIALLY_ALLOCATED,
        OrderStatus.ALLOCATED,
    )
    reallocate = bool(waiting) and after.lines != before.lines
    if reallocate:
        check_order_move(before, Move.RELEASE, OrderStatus.UNALLOCATED)
        after = release_all(plan, replace(after, allocations=before.allocations), rules, before)
        after, _ = lifecycle.record_fact(after, ctx, Released, OrderStatus.UNALLOCATED)
    if after.status is not OrderStatus.ORDERED:
        after = reviewed(after, ctx, rules, recent)
    total = after.totals(rules.settings.tax).total
    before_total = before.totals(rules.settings.tax).total
    switched = switches_payment(before.payment, after.payment)  # opened for the new total
    if (
        before_total.amount <= 0 < total.amount
        and not switched
        and not holds_payment(after.payment)
    ):
        raise InvalidValue(  # 全額ポイント: no provider holds anything to ask more of
            "change",
            str(total.amount),
            "a total of 0 for an order paid in full by points (place a new order for the rest)",
        )
    if sent_elsewhere_by_card(before, after, total, rules):
        plan.add(Screen, amount=total, purpose=Purpose.CHANGE)  # 配送先変更: judged again
    after = follow_total(plan, after, total, ctx, rules)
    give_back_points(plan, after, rules)
    delta = total - before_total
    plan.add(
        Notify,
        notice="order_changed",
        facts=(
            ("total", total),
            ("delta", delta),
            ("changed", changed),
            *removed_facts(before, after),
            ("reason", ctx.reason),
        ),
    )
    if after.status is OrderStatus.PARTIALLY_ALLOCATED and not after.unallocated():
        after = settle_allocation(after, ctx)  # what waited was dropped: 直送 lines are left
    # the stock it held is taken again at once, unless the change raised a hold (a quantity to
    # look at): a hold older than the change waits for a person, not for stock; so does a coupon
    # the change cut (the person confirming it does not give the stock away)
    held_before = {(h.code, h.message) for h in before.open_holds}
    older = all(
        (h.code, h.message) in held_before or h.code == DISCOUNT_CAPPED for h in after.open_holds
    )
    if reallocate and older and (after.open_holds or not rules.settings.auto_advance):
        check_stock(plan, after, rules)
        return after
    return advance(plan, after, rules)


def sent_elsewhere_by_card(before: Order, after: Order, total: Money, rules: Rules) -> bool:
    """Whether a change sends a card order elsewhere, to be screened again (不正検知).

    The screen judged the old address: a new one after approval is the classic fraud. A switch
    to another card is screened as it is asked (before its authorization), nothing to pay is no
    card's risk.
    """
    return (
        rules.screen_cards
        and after.payment.method is PaymentMethod.CARD
        and after.ship_to != before.ship_to
        and total.amount > 0
        and not switches_payment(before.payment, after.payment)
    )


def fee_set_by_hand(order: Order) -> bool:
    """Whether ``order``'s shipping fee is one staff set (送料訂正), not the table's or review's.

    The latest of the fee's changes says: a change correcting ``shipping_fee`` by hand, or a
    fee the review corrected since (a later new address takes the table's fee again).
    """
    for event in reversed(order.history):
        if isinstance(event, ShippingFeeChanged):
            return False
        if isinstance(event, Changed):
            named = {what for what, _ in event.changes}
            if "shipping_fee" in named:
                return True
            if "ship_to" in named:
                return False
    return False


def reviewed(order: Order, ctx: Context, rules: Rules, recent: Sequence[Order]) -> Order:
    """注文確認: the review's findings applied (holds, a corrected shipping fee).

    A 代引き order's fee follows a corrected shipping fee, as it follows a change (its bracket
    is that of the new total; above the table's last bracket it stays as it was, for the person
    the review's hold calls). A lower fee may leave fewer charges than the points used: those
    that no longer fit are no more used (:func:`give_back_points` gives them back).
    """
    # the desk checked its rules when given them (check_rules): not again at every review
    context = ReviewContext(ctx.at, tuple(recent), rules.settings.shipping_fees)
    findings = run_rules(order, rules.review, context)
    if fee_set_by_hand(order):  # 送料訂正 by staff stands: the review's holds still ask a person
        findings = [attrs.evolve(f, shipping_fee=None) for f in findings]
    result, events = apply_findings(order, findings, ctx)
    if not events:
        return order
    if result.shipping_fee != order.shipping_fee:
        result = _cap_points(_cod_fee_again(result, rules))
    return result


def follow_review(plan: Plan, before: Order, after: Order, ctx: Context, rules: Rules) -> Order:
    """What follows a shipping fee the review corrected (離島): the payment, points, a notice.

    The payment follows the new total, points that no longer fit go back, and the customer,
    whose confirmation told the total as placed, is told the new total and the difference
    (``order_changed``, the charges changed) before being asked for it. ``before``: the order
    as it was before the review; nothing follows when the fee stayed.
    """
    if after.shipping_fee == before.shipping_fee:
        return after
    tax = rules.settings.tax
    total = after.totals(tax).total
    after = follow_total(plan, after, total, ctx, rules, reviewed=True)
    give_back_points(plan, after, rules)
    plan.add(
        Notify,
        notice="order_changed",
        facts=(
            ("total", total),
            ("delta", total - before.totals(tax).total),
            ("changed", changed_parts(before, after)),
            ("reason", ctx.reason),
        ),
    )
    return after


def _cod_fee_again(order: Order, rules: Rules) -> Order:
    """``order`` with its 代引手数料 worked out again on its total before the fee."""
    if order.payment.method is not PaymentMethod.COD:
        return order
    settings = rules.settings
    before_fee = replace(order, fees=Money.zero(order.currency)).totals(settings.tax).total
    try:
        return replace(order, fees=settings.cod_fees.fee_for(before_fee))
    except InvalidValue:  # above the last bracket: not for the review to refuse the order
        return order


def give_back_points(plan: Plan, order: Order, rules: Rules) -> None:
    """Points taken from the customer that the order no longer uses go back (``RestorePoints``)."""
    fewer = order.points_taken - order.points_used
    if rules.points and fewer > 0:
        plan.add(RestorePoints, points=fewer)


def removed_facts(before: Order, after: Order) -> tuple[tuple[str, object], ...]:
    """What a change took off the order, for its notice: ``removed`` and ``removed_skus``.

    ``removed`` is one line per line that lost units, its name as ordered and the units taken
    off (``緑茶 ×1``); ``removed_skus`` the lines' SKUs, one a line in the same order (the notice
    shows the shop's name for the SKU in its language). Nothing when no unit was taken off.
    """
    left = {line.line_id: line.quantity for line in after.lines}
    removed = [
        (line, line.quantity - left.get(line.line_id, 0))
        for line in before.lines
        if line.quantity > left.get(line.line_id, 0)
    ]
    if not removed:
        return ()
    return (
        ("removed", "\n".join(f"{line.name} ×{units}" for line, units in removed)),
        ("removed_skus", "\n".join(line.sku for line, _ in removed)),
    )


def changed_parts(before: Order, after: Order) -> str:
    """What a change touched, as the order-changed notice names it (``items,address`` …)."""
    parts = [
        name
        for name, differs in (
            ("items", after.lines != before.lines),
            ("address", after.ship_to != before.ship_to),
            (
                "delivery",
                (after.delivery_date, after.delivery_slot)
                != (before.delivery_date, before.delivery_slot),
            ),
            ("payment", switches_payment(before.payment, after.payment)),
            ("points", after.points_used != before.points_used),
            ("charges", (after.shipping_fee, after.fees) != (before.shipping_fee, before.fees)),
            ("discount", after.discount != before.discount),
        )
        if differs
    ]
    return ",".join(parts)
