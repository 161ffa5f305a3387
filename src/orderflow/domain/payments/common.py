"""What every payment fold shares: holds, failure notices, refused placements, switches.

A change of payment method is kept as the order's proposal until the new method answers:
:func:`switch_granted` makes it the order, :func:`switch_refused` drops it.
"""

from __future__ import annotations

from collections.abc import Callable

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.effects import (
    Answer,
    Effect,
    Notify,
)
from orderflow.domain.events import PaymentSwitchRefused, PlacementDeclined
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order, PaymentOutcome
from orderflow.domain.outbox import Plan
from orderflow.domain.payments.ledger import (
    Subject,
)
from orderflow.domain.rules import Rules

__all__ = [
    "Answer",
    "Fold",
    "decline_placement",
    "failure_reason",
    "hold",
    "payment_failed",
    "switch_granted",
    "switch_refused",
]

Fold = Callable[[Order, Effect, Answer, Context, Rules, Plan], Order]

_FAILED = PaymentOutcome.FAILED


def failure_reason() -> str:
    """What the customer is told when a payment fails (never the provider's own text).

    A catalog msgid: the notice shows it in its own language (決済が承認されませんでした).
    """
    return "The payment was not approved."


def hold(order: Order, code: str, ja: str, en: str, ctx: Context) -> Order:
    """``order`` held with ``code`` (Japanese and English messages)."""
    held, _ = lifecycle.raise_hold(order, code, ja, ctx, message_en=en)
    return held


def payment_failed(plan: Plan, rules: Rules) -> None:
    """Tell the customer the payment did not go through (never the provider's own words)."""
    plan.add(Notify, notice="payment_failed", facts=(("reason", failure_reason()),))


def decline_placement(
    order: Order,
    code: str,
    detail: str,
    ctx: Context,
    rules: Rules,
    plan: Plan,
    notice: str | None = "payment_failed",
) -> Order:
    """A new order's payment was refused: it is closed, its number free for another try.

    ``notice`` is what the customer is told: ``payment_failed``, ``cancellation``, or None for
    nothing (the caller is told at once, as for points the points system would not take).
    """
    from orderflow.domain.decisions.cancelling import close_order

    order = lifecycle.drop_outbox(order)  # what the placement still planned is moot
    order = close_order(plan, order, ctx, rules, reason=code)
    order, _ = lifecycle.record_fact(
        order, ctx, PlacementDeclined, fields={"code": code, "detail_text": detail[:200]}
    )
    if notice is None:
        return order
    if notice == "cancellation":
        plan.add(
            Notify,
            notice="cancellation",
            facts=(("cancelled_at", ctx.at), ("reason", failure_reason())),
        )
    else:
        payment_failed(plan, rules)
    return order


# -- method switch ------------------------------------------------------------------------------


def switch_refused(order: Order, ctx: Context) -> Order:
    """The new method said no: the proposed change is dropped, the order stays as it was."""
    order = replace(order, proposal=None)
    order, _ = lifecycle.record_fact(order, ctx, PaymentSwitchRefused)
    return order


def switch_granted(
    order: Order,
    ctx: Context,
    rules: Rules,
    plan: Plan,
    keep: Subject | None = None,
    waiting: tuple[str, str, str] | None = None,
) -> Order:
    """The new method said yes: the proposed change takes effect and the old payment closes.

    ``waiting`` (code, Japanese and English messages) is the new method's wait (入金待ち, a
    credit check under review): held before the order would go on, so an accepted order
    waiting for its money reserves no stock, as at acceptance.
    """
    from orderflow.domain.decisions.changing import take_proposal

    return take_proposal(order, ctx, rules, plan, keep, waiting)
