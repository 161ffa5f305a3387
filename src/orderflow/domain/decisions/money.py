"""返金, 再オーソリ, 後払い の再確認, 入金: decisions about money after the order was placed."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from orderflow.domain import lifecycle
from orderflow.domain.booking import JournalEntry
from orderflow.domain.decisions.common import go_on
from orderflow.domain.deposits import Deposit
from orderflow.domain.effects import CheckCredit, PostJournal, PostpayCancel, PostpayRegister
from orderflow.domain.events import (
    DepositReversed,
    GoodwillRefunded,
    GoodwillSettled,
    PaymentReceived,
    RefundTransferred,
)
from orderflow.domain.goodwill import (
    goodwill_entry,
    goodwill_refunds,
    goodwill_room,
    goodwill_settled,
    goodwill_share,
    goodwill_waiting,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.moves import offered
from orderflow.domain.order import (
    Order,
    PaymentMethod,
    PaymentOp,
    PaymentOutcome,
    ShipmentStatus,
)
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import HoldCode
from orderflow.domain.payments.card import reauthorize
from orderflow.domain.payments.direct import customer_debt
from orderflow.domain.payments.ledger import CARDLIKE, live_authorization, record, relied_on
from orderflow.domain.payments.payback import (
    owe_refund,
    refund,
    refundable,
    returned,
    withdraw_excess,
)
from orderflow.domain.payments.plans import settle_received
from orderflow.domain.points import points_settled, settle_owed
from orderflow.domain.rules import Rules
from orderflow.domain.status import OrderStatus
from orderflow.domain.tax import TaxRate
from orderflow.errors import InvalidValue, MoveBlocked, MoveNotAllowed

__all__ = [
    "book_goodwill",
    "check_credit",
    "goodwill_refund",
    "needs_reauthorization",
    "reauthorize_order",
    "receive",
    "receive_deposit",
    "receive_konbini",
    "record_refund_transfer",
    "refund_limit",
    "refund_order",
    "settle_goodwill",
]

_AFTER_SHIPPING = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.BOOKED)


def refund_limit(order: Order) -> Money:
    """What a refund may still pay back: refundable less the owed points settled off refunds.

    1 point = 1 yen: the yen kept back for owed points paid the debt, they are the shop's now.
    A 後払い refund owed back by transfer leaves the claim as it was (the customer pays it and
    gets the transfer): it is no longer refundable either, as for a card.
    """
    limit = refundable(order)
    if order.payment.method is PaymentMethod.POSTPAY:
        limit = limit - returned(order.payment)
    settled = Money(Decimal(points_settled(order)), order.currency)
    return limit - settled if settled < limit else Money.zero(order.currency)


def _check_shipped(order: Order) -> None:
    """A refund pays back money for goods that left: after shipping, or once a parcel has.

    出荷指示済 with a parcel gone (an order over two warehouses, its first box with the
    customer) is refunded as a shipped order is: its lines can no longer change (no change,
    no recall once a parcel left), so the tax rates a refund takes its share of stay as they
    are. Not while units still wait for stock (分納): dropping them would lower a rate below
    what a refund took off it. Before shipping an order is cancelled, not refunded.
    """
    if order.status in _AFTER_SHIPPING:
        return
    allowed = offered(order)  # before shipping: cancel
    gone = any(s.status in _LEFT for s in order.shipments)
    if order.status is not OrderStatus.SHIPPING_INSTRUCTED or not gone:
        raise MoveNotAllowed(order.number, order.status.name, "refund", allowed)
    if order.unallocated():
        raise MoveBlocked(
            order.number,
            order.status.name,
            "refund",
            allowed,
            "shipped in part (分納): units still wait for stock, and dropping them would "
            "change the tax rates a refund takes its share of; refund once they have shipped, "
            "or after desk.drop_missing(number) drops them",
        )


_LEFT = (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)
"""A shipment in one of these has left the warehouse."""


def refund_order(order: Order, amount: Money, ctx: Context, rules: Rules) -> Order:
    """返金: pay back (part of) what was paid, never more, once goods have left the warehouse."""
    return _pay_back(order, amount, ctx, rules)[0]


def _pay_back(
    order: Order, amount: Money, ctx: Context, rules: Rules, *, by_transfer: bool = False
) -> tuple[Order, Money]:
    """:func:`refund_order`, and what it pays back (owed points come off first).

    ``by_transfer``: owed back by bank transfer whatever the method (a person makes it), as
    when the provider will not pay it back.
    """
    _check_shipped(order)
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise InvalidValue("amount", amount, "a positive Money")
    if amount.currency != order.currency:
        raise InvalidValue("amount", amount, f"an amount in {order.currency}")
    limit = refund_limit(order)
    if amount > limit:
        paid = "what was paid"
        if order.status is OrderStatus.SHIPPING_INSTRUCTED:  # a parcel left, others to come
            paid += " so far: the rest is taken as the other parcels ship"
        raise InvalidValue("amount", amount.amount, f"no more than {limit} ({paid})")
    order, amount = settle_owed(order, amount, ctx, rules)  # owed points come off first
    if amount.amount <= 0:
        return order, amount
    plan = Plan(order)
    order = (owe_refund if by_transfer else refund)(plan, order, amount, ctx)
    return plan.apply(order), amount


def goodwill_refund(
    order: Order,
    amount: Money,
    ctx: Context,
    rules: Rules,
    *,
    by_transfer: bool = False,
    rate: TaxRate | None = None,
) -> Order:
    """返金 (売上値引): pay back ``amount`` with no goods coming back, and put it in the books.

    What :func:`refund_order` pays back is shared over the order's tax rates
    (:func:`~orderflow.domain.goodwill.goodwill_share`) and recorded (``GoodwillRefunded``).
    Once the order is booked its entry (:func:`~orderflow.domain.goodwill.goodwill_entry`) is
    posted at once; before, it is posted at booking, after the sale's (:func:`book_goodwill`).
    A 後払い refund waits on the provider (:func:`settle_goodwill`): refused, it was not made
    and nothing is posted. ``by_transfer``: owed back by bank transfer whatever the method
    (after a 後払い provider refused to bill the rest of a return, say). ``rate`` takes it off
    that tax rate alone (a shipping fee refunded: the standard rate), up to what it holds.
    """
    if rate is not None and not isinstance(rate, TaxRate):
        raise InvalidValue("rate", rate, "a TaxRate (TaxRate.STANDARD or REDUCED), or None")
    before = {e.key for e in order.outbox}
    order, paid = _pay_back(order, amount, ctx, rules, by_transfer=by_transfer)
    if paid.amount <= 0:  # owed points took it all: no money moves, nothing for the books
        return order
    room = goodwill_room(order, rules.settings.tax, rate)
    if paid > room:
        held = "what the sale still holds"
        if rate is not None:
            held = f"what the sale still holds at the {rate.name} rate"
        raise InvalidValue("amount", paid.amount, f"no more than {room} ({held})")
    waits = [
        e.key
        for e in order.outbox
        if isinstance(e, (PostpayRegister, PostpayCancel))
        and e.refund is not None
        and e.key not in before
    ]
    settings = rules.settings
    shares = goodwill_share(order, paid, settings.tax, rate)
    refund_id = f"G{sum(isinstance(e, GoodwillRefunded) for e in order.history) + 1}"
    post = order.status is OrderStatus.BOOKED and not waits
    order, (recorded,) = lifecycle.record_fact(
        order,
        ctx,
        GoodwillRefunded,
        fields={
            "refund_id": refund_id,
            "amount": str(paid),
            "rates": shares,
            "journal": post,
            "payment_key": waits[0] if waits else "",
        },
    )
    if not post:
        return order
    plan = Plan(order)
    assert isinstance(recorded, GoodwillRefunded)
    plan.add(PostJournal, entry=_goodwill_entry(order, recorded, rules))
    return plan.apply(order)


def settle_goodwill(
    plan: Plan, order: Order, key: str, paid: bool, ctx: Context, rules: Rules
) -> Order:
    """後払い: the provider answered request ``key``; a goodwill refund waiting on it is settled.

    Paid (the rest billed again, or the claim cancelled): its entry is posted now if the order
    is booked, else at booking. Refused: the refund was not made, nothing goes in the books.
    """
    waiting = goodwill_waiting(order, key)
    if waiting is None:  # a return's refund, or answered before
        return order
    fields = {"refund_id": waiting.refund_id, "paid": paid}
    order, _ = lifecycle.record_fact(order, ctx, GoodwillSettled, fields=fields)
    if paid and order.status is OrderStatus.BOOKED:
        plan.add(PostJournal, entry=_goodwill_entry(order, waiting, rules))
    return order


def _goodwill_entry(order: Order, refund: GoodwillRefunded, rules: Rules) -> JournalEntry:
    settings = rules.settings
    on = refund.at.astimezone(ZoneInfo(settings.zone)).date()
    return goodwill_entry(order, refund.refund_id, refund.rates, settings.accounts, on)


def book_goodwill(plan: Plan, order: Order, rules: Rules) -> Order:
    """At booking: the entries of the goodwill refunds made before it, after the sale's.

    Each dated the day it was paid back. Booking happens once; a refund made after it posts its
    own entry, and a 後払い one still waiting posts when the provider agrees: each once.
    """
    for made in goodwill_refunds(order):
        if not made.journal and goodwill_settled(order, made):
            plan.add(PostJournal, entry=_goodwill_entry(order, made, rules))
    return order


def needs_reauthorization(order: Order, now: datetime, rules: Rules) -> bool:
    """A card authorization lapsing soon on an unshipped order owing money, not failing yet.

    Soon: within ``reauthorize_within_days``, and in the second half of its life.
    """
    payment = order.payment
    if payment.method not in CARDLIKE or order.status.is_final:
        return False
    if order.status in _AFTER_SHIPPING:
        return False
    if any(h.code == HoldCode.AUTHORIZATION_FAILED for h in order.open_holds):
        return False  # told once already; a person or the customer acts now
    settings = rules.settings
    if (order.totals(settings.tax).total - payment.captured).amount <= 0:
        return False  # nothing owed (全額ポイント, or the parcels took it all): nothing to hold
    life = relied_on(payment, settings.authorization_days)
    if life is None:
        return False
    soon = now + timedelta(days=settings.reauthorize_within_days)
    if live_authorization(payment, soon, settings.authorization_days) is not None:
        return False
    # an authorization living no longer than twice the window (a gateway's short ones) is
    # renewed in the second half of its life, not as soon as it is given (at every sweep)
    given, lapses = life
    return lapses - now <= (lapses - given) / 2


def reauthorize_order(order: Order, rules: Rules) -> Order:
    """再オーソリ: new authorization for what is not captured; the old one voided once it holds."""
    plan = Plan(order)
    owed = order.totals(rules.settings.tax).total - order.payment.captured  # 分納 per parcel
    reauthorize(plan, order, owed)
    return plan.apply(order)


def check_credit(order: Order) -> Order:
    """Ask the 後払い provider again about a claim under review."""
    if order.payment.method is not PaymentMethod.POSTPAY:
        raise InvalidValue("number", order.number, "an order paid by 後払い")
    reference = order.payment.instruction("reference")
    pending = any(
        e.op is PaymentOp.AUTHORIZE
        and e.outcome is PaymentOutcome.REQUESTED
        and (e.target or e.reference) == reference
        for e in order.payment.ledger
    )
    if order.status.is_final or not pending or reference is None:
        return order
    plan = Plan(order)
    plan.add(CheckCredit, reference=reference)
    return plan.apply(order)


def receive(
    order: Order,
    amount: Money,
    key: str,
    reference: str,
    detail: str,
    ctx: Context,
    rules: Rules,
    paid_at: datetime | None = None,
    *,
    field: str = "amount",
) -> Order:
    """入金: money arrived for the order (a deposit, a konbini payment), once per reference.

    Covered: the waiting holds go and the order moves on by itself; short: held for the rest;
    over, or for an order already cancelled: the excess is owed back. The same payment again
    (its ``key``) changes nothing; under the same key with another amount it is another
    payment claiming the reference: refused, ``InvalidValue`` naming ``field``.
    """
    first = order.payment.entry(key)
    if first is not None:
        if amount != first.amount:
            raise InvalidValue(
                field,
                amount,
                f"{first.amount}, as first recorded under reference {reference!r} (a reference "
                "names one payment: give another payment its own)",
            )
        return order
    if amount.currency != order.currency:
        raise InvalidValue("amount", amount, f"an amount in {order.currency}")
    order = record(
        order, PaymentOp.RECEIVE, amount, key, paid_at or ctx.at, reference=reference, detail=detail
    )
    order, _ = lifecycle.record_fact(order, ctx, PaymentReceived, fields={"amount": str(amount)})
    plan = Plan(order)
    total = order.totals(rules.settings.tax).total
    if order.status is OrderStatus.CANCELLED:
        total = Money.zero(order.currency)
    cancelled = order.status is OrderStatus.CANCELLED
    order = settle_received(plan, order, ctx, total, tell=not cancelled)
    if cancelled:  # money a person collected after a 取消 lifts its hold
        order = customer_debt(order, ctx)
    order = go_on(plan, order, rules)
    return plan.apply(order)


def receive_deposit(order: Order, deposit: Deposit, ctx: Context, rules: Rules) -> Order:
    """入金消込: a bank deposit applied to ``order``, once per deposit reference.

    Only an order paid by bank transfer and not yet booked takes deposits (money that comes
    after the books are closed is for the shop's accounting); a deposit the bank reversed (取消)
    moves no money and is refused. What :func:`receive` says follows: covered, short or over
    (a cancelled order owes the whole deposit back).
    """
    if order.payment.method is not PaymentMethod.BANK_TRANSFER:  # the wrong order, whatever
        raise InvalidValue(  # its status: the person's mistake first
            "number",
            order.number,
            f"an order paid by bank transfer (this one: {order.payment.method.value})",
        )
    if order.status is OrderStatus.BOOKED:
        raise MoveNotAllowed(order.number, order.status.name, "receive a deposit", [])
    if deposit.cancelled:
        raise InvalidValue("deposit.cancelled", True, "a deposit the bank did not reverse")
    return receive(
        order,
        deposit.amount,
        f"{order.number}:deposit:{deposit.reference}",
        deposit.reference,
        deposit.payer_display,
        ctx,
        rules,
        field="deposit.amount",
    )


def receive_konbini(
    order: Order,
    amount: Money,
    reference: str,
    ctx: Context,
    rules: Rules,
    paid_at: datetime | None = None,
) -> Order:
    """コンビニ入金: the provider's payment ``reference`` of ``amount``, once per reference.

    Only an order paid at a convenience store takes it. What :func:`receive` says follows; the
    same reference with another amount is refused (``InvalidValue`` naming ``amount``).
    """
    if order.payment.method is not PaymentMethod.KONBINI:
        raise InvalidValue("number", order.number, "an order paid at a convenience store")
    key = f"{order.number}:konbini:{reference}"
    return receive(order, amount, key, reference, "", ctx, rules, paid_at)


REVERSED = "reversed"
"""The detail of the ledger entries a deposit the bank took back (取消) made."""


def reverse_deposit(order: Order, deposit: Deposit, ctx: Context, rules: Rules) -> Order:
    """入金取消: the bank took back (取消, 組戻し) a deposit ``order`` received; once per reference.

    ``deposit`` is the bank's 取消 record of it (``cancelled``, the same reference and amount).
    The money no longer counts as received (a ``receive`` entry of minus the amount): what the
    order owed back of an over-payment and has not transferred yet shrinks first; what the order
    is then short of holds it (``payment_shortfall``, the customer told), before shipping as
    after, where a person collects it. A cancelled order owes back that much less; when the
    shop had already transferred it, the hold says how much to collect. A booked order is the
    books' (``MoveNotAllowed``).
    """
    received_key = f"{order.number}:deposit:{deposit.reference}"
    original = order.payment.entry(received_key)
    if original is None or original.op is not PaymentOp.RECEIVE:
        raise InvalidValue(
            "deposit.reference", deposit.reference, f"a deposit order {order.number} received"
        )
    key = f"{received_key}:{REVERSED}"
    if order.payment.entry(key) is not None:  # taken back before: nothing more
        return order
    if not deposit.cancelled:
        raise InvalidValue("deposit.cancelled", False, "the bank's 取消 record of the deposit")
    if deposit.amount != original.amount:
        raise InvalidValue("deposit.amount", deposit.amount, f"{original.amount}, as received")
    if order.status is OrderStatus.BOOKED:
        raise MoveNotAllowed(order.number, order.status.name, "take a deposit back", [])
    amount = original.amount
    order = record(order, PaymentOp.RECEIVE, -amount, key, ctx.at, reference=deposit.reference)
    fields = {"amount": str(amount), "reference": deposit.reference}
    order, _ = lifecycle.record_fact(order, ctx, DepositReversed, fields=fields)
    cancelled = order.status is OrderStatus.CANCELLED
    total = Money.zero(order.currency) if cancelled else order.totals(rules.settings.tax).total
    plan = Plan(order)
    order = withdraw_excess(plan, order, total, f"{key}:owed", ctx, detail=REVERSED)
    if not cancelled:
        payment = order.payment
        short = payment.received - payment.refund_owed < total - returned(payment)
        return plan.apply(settle_received(plan, order, ctx, total, tell=short))
    return plan.apply(customer_debt(order, ctx))  # transferred back before the bank took it


def record_refund_transfer(order: Order, amount: Money, reference: str, ctx: Context) -> Order:
    """返金振込済: the shop transferred ``amount`` of what ``order`` owes back, once per reference.

    Never more than is owed back and not yet transferred (``Payment.refund_to_transfer``). Once
    nothing is left to transfer, a ``refund_failed`` hold (a card refund the gateway refused)
    is cleared: the person it called has paid.
    """
    key = f"{order.number}:refund_paid:{reference}"
    first = order.payment.entry(key)
    if first is not None:  # recorded before: the same transfer again changes nothing
        if amount != first.amount:
            raise InvalidValue(
                "amount", amount, f"{first.amount}, as first recorded under {reference!r}"
            )
        return order
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise InvalidValue("amount", amount, "a positive Money")
    if amount.currency != order.currency:
        raise InvalidValue("amount", amount, f"an amount in {order.currency}")
    left = order.payment.refund_to_transfer
    if amount > left:
        raise InvalidValue(
            "amount", amount.amount, f"no more than {left} (owed back and not yet transferred)"
        )
    order = record(order, PaymentOp.REFUND_PAID, amount, key, ctx.at, reference=reference)
    fields = {"amount": str(amount), "reference": reference}
    order, _ = lifecycle.record_fact(order, ctx, RefundTransferred, fields=fields)
    if not order.payment.refund_to_transfer.amount:
        order = lifecycle.clear_holds(order, (HoldCode.REFUND_FAILED,), ctx)
    return order
