"""注文分割: an order split into parts that add up to the yen, each with its own payment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from orderflow.domain import lifecycle
from orderflow.domain.decisions.cancelling import STILL_A_PERSONS
from orderflow.domain.effects import CreatePart, Notify, Purpose
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order
from orderflow.domain.outbox import Plan
from orderflow.domain.payments.plans import close_payment, open_payment
from orderflow.domain.rules import Rules
from orderflow.domain.split import split_order

__all__ = ["decide_split"]


def decide_split(
    order: Order, parts: Sequence[Mapping[str, int]], ctx: Context, rules: Rules
) -> Order:
    """The parent closed as split, its parts queued before its own payment is given back.

    Each part opens its own payment (a card: a new authorization with the stored token). The
    parent's open holds close with it, as a cancel's do: its parts carry what is still to be
    looked at, and the parent waits for nothing (its payment is given back). The customer is
    told (``order_split``: the parts' numbers; what was asked for the parent no longer applies).
    """
    tax = rules.settings.tax
    closed, children = split_order(order, parts, tax, ctx)
    plan = Plan(closed)
    for child in children:
        child_plan = Plan(child)
        open_payment(child_plan, child, child.totals(tax).total, ctx, rules, Purpose.SPLIT)
        plan.add(CreatePart, part=child_plan.apply(child))
    closed = close_payment(plan, closed, ctx)
    waiting = [h.code for h in closed.open_holds if h.code not in STILL_A_PERSONS]
    closed = lifecycle.clear_holds(closed, waiting, ctx)
    numbers = ", ".join(child.number for child in children)
    plan.add(Notify, notice="order_split", facts=(("parts", numbers), ("count", len(children))))
    return plan.apply(closed)
