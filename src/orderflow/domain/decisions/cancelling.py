"""キャンセル: end an order before shipping, giving back stock, money and points."""

from __future__ import annotations

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.decisions.common import release_all
from orderflow.domain.effects import Notify, RestorePoints
from orderflow.domain.events import Cancelled
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import HoldCode
from orderflow.domain.payments.plans import close_payment
from orderflow.domain.rules import Rules
from orderflow.domain.status import OrderStatus

__all__ = ["STILL_A_PERSONS", "cancel_order", "close_order"]

STILL_A_PERSONS = (
    HoldCode.REFUND_FAILED,
    HoldCode.CAPTURE_FAILED,
    HoldCode.EFFECT_REFUSED,
    HoldCode.DEPOSIT_REVERSED,
)
"""Holds a cancel leaves open: a refund to pay another way, money to collect, a provider that
kept refusing (a person acts on them whatever the order's status)."""


def close_order(plan: Plan, order: Order, ctx: Context, rules: Rules, reason: str = "") -> Order:
    """Stock released, payment given back, points restored; the order moves to キャンセル.

    Its open holds are cleared with it: a cancelled order waits for nothing (入金待ち, a review),
    and the held work list is for orders a person can still move. Those that ask a person to
    move money or make a provider do something stay (:data:`STILL_A_PERSONS`), as does a hold a
    refused give-back raises later.
    """
    order = release_all(plan, order, rules)
    order = close_payment(plan, order, ctx)
    if order.points_taken:
        plan.add(RestorePoints, points=order.points_taken)
    if order.status is not OrderStatus.CANCELLED:
        order, _ = lifecycle.record_fact(
            order,
            ctx,
            Cancelled,
            OrderStatus.CANCELLED,
            {"code": reason},
            shipments=(),
        )
    waiting = [h.code for h in order.open_holds if h.code not in STILL_A_PERSONS]
    order = lifecycle.clear_holds(order, waiting, ctx)
    return replace(order, proposal=None) if order.proposal is not None else order


def cancel_order(
    plan: Plan, order: Order, ctx: Context, rules: Rules, reason: str, *, notify: bool = True
) -> Order:
    """キャンセル (checked against the status machine), with a notice to the customer."""
    lifecycle.cancel(order, ctx)  # raises MoveNotAllowed when the status does not allow it
    order = close_order(plan, order, ctx, rules)
    if notify:
        plan.add(
            Notify,
            notice="cancellation",
            facts=(("cancelled_at", ctx.at), ("reason", reason)),
        )
    return order
