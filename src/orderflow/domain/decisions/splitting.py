"""注文分割: an order split into parts that add up to the yen, each with its own payment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.decisions.cancelling import STILL_A_PERSONS
from orderflow.domain.effects import CreatePart, Notify, Purpose
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order
from orderflow.domain.outbox import Plan
from orderflow.domain.payments.plans import close_payment, open_payment
from orderflow.domain.review import QuantityRule, ReviewContext, VariantRule
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
    children = [_own_line_holds(child, rules, ctx) for child in children]
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


_LINE_RULES = (QuantityRule, VariantRule)
"""The built-in review rules that judge an order's lines alone (数量, サイズ・色違い)."""


def _own_line_holds(part: Order, rules: Rules, ctx: Context) -> Order:
    """``part`` with the open holds of the line rules judged again on its own lines.

    A part carries its parent's open holds (a person still has to look at them); a hold of a
    rule that judges the lines (:data:`_LINE_RULES`) stays only on the parts whose own lines
    still raise it, naming those lines: the part of the mugs is not held for the tea's quantity.
    """
    context = ReviewContext(ctx.at)
    for rule in rules.review:
        held = any(h.code == rule.code and h.is_open for h in part.holds)
        if not isinstance(rule, _LINE_RULES) or not held:
            continue
        finding = rule.check(part, context)
        if finding is None:
            kept = tuple(h for h in part.holds if not (h.code == rule.code and h.is_open))
        else:  # the parent's hold, named for the part's own lines
            kept = tuple(
                attrs.evolve(h, message=finding.message, message_en=finding.message_en)
                if h.code == rule.code and h.is_open
                else h
                for h in part.holds
            )
        part = replace(part, holds=kept)
    return part
