"""受注 and 注文確認: a new order with its payment started, acceptance with review, holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from orderflow.domain import lifecycle
from orderflow.domain._change_fields import check_delivery
from orderflow.domain._values import replace
from orderflow.domain.address import Address, Customer
from orderflow.domain.decisions.changing import follow_review, reviewed
from orderflow.domain.decisions.common import (
    advance,
    allocating,
    check_stock,
    go_on,
    reserve_planned,
)
from orderflow.domain.dropship import check_collected
from orderflow.domain.effects import Notify, Purpose, RedeemPoints
from orderflow.domain.events import Placed, PlacementDeclined
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.moves import offered
from orderflow.domain.order import Order, OrderLine, PaymentMethod
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import HoldCode, check_method_currency, payment_confirmed
from orderflow.domain.payments.ledger import CARDLIKE
from orderflow.domain.payments.parcels import capture_share
from orderflow.domain.payments.plans import collect_card, follow_total, open_payment
from orderflow.domain.payments.postpay import report_unreported
from orderflow.domain.rules import Rules
from orderflow.domain.sets import with_recipe
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import InvalidValue, MoveNotAllowed

__all__ = ["accept", "allocate", "clear_hold", "place", "raise_hold", "retry_allowed"]


_AFTER_SHIPPING = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.BOOKED)


def place(
    *,
    number: str,
    customer: Customer,
    ship_to: Address,
    lines: Sequence[OrderLine],
    payment_method: PaymentMethod,
    token: str | None,
    shipping_fee: Money | None,
    discount: Money | None,
    points_used: int,
    channel: str,
    remarks: str,
    address_from_amazon: bool,
    ctx: Context,
    rules: Rules,
    previous: Order | None = None,
    delivery_date: date | None = None,
    delivery_slot: str | None = None,
) -> Order:
    """受注: the new order, its payment started and the confirmation queued.

    ``previous`` is an earlier attempt under the same number whose payment was refused: the new
    attempt continues its key sequence and history, so no key is used twice. The delivery date
    and slot the customer asked for (お届け日時指定) are checked as a change checks them: a
    date from today in the shop's zone, a slot of ``DELIVERY_SLOTS``.
    """
    settings = rules.settings
    check_delivery(delivery_date, delivery_slot, ctx.at.astimezone(ZoneInfo(settings.zone)).date())
    if isinstance(lines, Sequence) and not isinstance(lines, str):  # else new_order says why
        lines = [with_recipe(x, settings.sets) if isinstance(x, OrderLine) else x for x in lines]
    order, _ = lifecycle.new_order(
        number=number,
        customer=customer,
        ship_to=ship_to,
        lines=lines,
        payment_method=payment_method,
        ctx=ctx,
        currency=settings.currency,
        shipping_fee=shipping_fee,
        discount=discount,
        points_used=points_used,
        channel=channel,
        remarks=remarks,
        token=token,
    )
    check_collected(order.lines, payment_method, "payment_method")
    check_method_currency(payment_method, order.currency, "payment_method")
    if payment_method is PaymentMethod.COD:
        fee = settings.cod_fees.fee_for(order.totals(settings.tax).total)
        order = replace(order, fees=fee)
    if payment_method is PaymentMethod.AMAZON_PAY and address_from_amazon:
        order = replace(order, address_guaranteed=True)
    if delivery_date is not None or delivery_slot is not None:
        order = replace(order, delivery_date=delivery_date, delivery_slot=delivery_slot)
    if previous is not None:
        order = replace(
            order,
            seq=previous.seq,
            history=(*previous.history, *order.history),
            version=previous.version,
        )
    totals = order.totals(settings.tax)
    plan = Plan(order)
    if order.points_used and rules.points:
        plan.add(RedeemPoints, points=order.points_used, purpose=Purpose.PLACE)
    open_payment(plan, order, totals.total, ctx, rules, Purpose.PLACE)
    plan.add(
        Notify,
        notice="order_confirmation",
        facts=(("placed_at", order.placed_at), ("total", totals.total), ("tax", totals.tax_total)),
    )
    return plan.apply(order)


def retry_allowed(stored: Order) -> bool:
    """Whether a new ``place`` may reuse the number: the earlier attempt's payment was refused."""
    if stored.status is not OrderStatus.CANCELLED:
        return False
    for event in reversed(stored.history):
        if isinstance(event, PlacementDeclined):
            return True
        if isinstance(event, Placed):
            return False
    return False


def accept(
    order: Order,
    ctx: Context,
    rules: Rules,
    recent: Sequence[Order],
    available: Mapping[tuple[str, str], int] | None = None,
) -> Order:
    """受注 → 未引当: accepted, reviewed (注文確認); with no hold, allocation begins.

    ``available`` is the stock read before deciding (planned at once when given).
    """
    order, _ = lifecycle.accept(order, ctx)
    plan = Plan(order)
    order = follow_review(plan, order, reviewed(order, ctx, rules, recent), ctx, rules)
    order = advance(plan, order, rules, available, ctx)
    return plan.apply(order)


def allocate(
    order: Order,
    rules: Rules,
    available: Mapping[tuple[str, str], int] | None = None,
    ctx: Context | None = None,
) -> Order:
    """引当: reserve what is missing from ``available`` (or read the stock first)."""
    if not allocating(order):
        raise MoveNotAllowed(
            order.number,
            order.status.name,
            Move.ALLOCATE.value,
            offered(order),
        )
    plan = Plan(order)
    if available is not None and ctx is not None:
        return plan.apply(reserve_planned(plan, order, available, rules, ctx))
    check_stock(plan, order, rules)
    return plan.apply(order)


def raise_hold(order: Order, code: str, message: str, message_en: str, ctx: Context) -> Order:
    """保留: the order stops until the hold is cleared."""
    held, _ = lifecycle.raise_hold(order, code, message, ctx, message_en=message_en)
    return held


def clear_hold(order: Order, code: str, ctx: Context, rules: Rules) -> Order:
    """Clear one hold; the last one lets the order go on by itself.

    A person clearing ``capture_failed`` asks for the money once more; ``konbini_reissue_failed``,
    for a konbini number of the order's total once more (refused again, it is held again). An
    order waiting for stock (中途引当) reads the stock again: a receipt passed it by while it was
    held.

    ``payment_pending`` (入金待ち) and ``payment_shortfall`` (入金不足) of an order not yet
    instructed to ship are not a person's to clear while its payment is not confirmed: they lift
    themselves when the money is recorded, and cleared by hand they would leave an order no
    hold explains on the ready list that ``instruct_shipping`` refuses (``InvalidValue`` naming
    ``code``, saying how to record the money). Once shipping was instructed a person may clear
    them (the money collected another way, or waived) and book the sale.
    """
    _check_payment_wait(order, code, ctx, rules)
    cleared, _ = lifecycle.clear_hold(order, code, ctx)
    plan = Plan(cleared)
    if code == HoldCode.CAPTURE_FAILED and cleared.status in _AFTER_SHIPPING:
        total = cleared.totals(rules.settings.tax).total
        owed = total - cleared.payment.captured
        if owed.amount > 0 and cleared.payment.method in CARDLIKE:
            collect_card(plan, cleared, owed, rules, ctx.at)  # a person asks for it once more
        elif cleared.payment.method is PaymentMethod.POSTPAY:
            report_unreported(plan, cleared, total, rules, ctx)
    elif code == HoldCode.CAPTURE_FAILED and cleared.status is OrderStatus.SHIPPING_INSTRUCTED:
        capture_share(plan, cleared, rules, ctx.at)  # 分納 per parcel: what is owed so far
    elif code == HoldCode.KONBINI_REISSUE_FAILED and not cleared.status.is_final:
        total = cleared.totals(rules.settings.tax).total  # a person asks for the number again
        cleared = follow_total(plan, cleared, total, ctx, rules)
    cleared = go_on(plan, cleared, rules)
    return plan.apply(cleared)


_RECORD_MONEY = {
    PaymentMethod.BANK_TRANSFER: (
        "desk.reconcile_deposits or import-transfers with the bank's file, "
        "or desk.apply_deposit for a deposit matched by hand"
    ),
    PaymentMethod.KONBINI: "desk.record_konbini_payment, when the konbini provider reports it",
}


def _check_payment_wait(order: Order, code: str, ctx: Context, rules: Rules) -> None:
    """Refuse clearing a 入金待ち or 入金不足 hold before shipping while the money is missing."""
    if code not in (HoldCode.PAYMENT_PENDING, HoldCode.PAYMENT_SHORTFALL):
        return
    status = order.status
    if status.is_final or status.reached(OrderStatus.SHIPPING_INSTRUCTED):
        return  # after shipping a person collects the money another way, or waives it
    if not any(hold.code == code for hold in order.open_holds):
        return  # not open: lifecycle.clear_hold says so
    settings = rules.settings
    total = order.totals(settings.tax).total
    if payment_confirmed(order.payment, total, ctx.at, settings.authorization_days):
        return
    how = _RECORD_MONEY.get(order.payment.method, "the payment recorded")
    raise InvalidValue(
        "code",
        code,
        "a hold a person may clear: this one waits for the customer's money and lifts itself "
        f"when it is recorded ({how}); until then the order cannot be instructed to ship "
        "(change its payment method with desk.change, or cancel it)",
    )
