"""Points earned by an order (ポイント付与) and taken back (ポイント回収): decisions and folds.

An order earns points on what was paid for its items (each line at its own ``points_rate``, else
the shop's). The shop's :class:`~orderflow.settings.PointsGrant` says when they fall due: the
move that reaches the moment (the last shipment shipped or delivered, the booking) sets
``Order.points_due_at``, and ``desk.grant_points_due()`` grants them once (a ``GrantPoints``
obligation). Provisional points (仮ポイント) are confirmed by the same sweep when their
confirmation falls due.

A clawback (``desk.claw_back_points``, and a received return) takes back what is still there
(``RevokePoints``, which answers how many it found); what the customer already spent is recorded
as owed (``Order.points_owed``), never a negative balance, and under
:attr:`~orderflow.settings.Clawback.DEDUCT_FROM_REFUND` the next refund pays that much less.
Before the grant, a clawback lowers the grant instead (``points_withheld``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Literal

from orderflow.domain import lifecycle
from orderflow.domain._checks import given, given_rate
from orderflow.domain._values import replace
from orderflow.domain.bounds import from_one_to
from orderflow.domain.effects import (
    Answer,
    ConfirmPoints,
    Done,
    Effect,
    GrantPoints,
    Notify,
    RevokePoints,
)
from orderflow.domain.events import (
    PointsConfirmed,
    PointsGranted,
    PointsOwed,
    PointsOwedSettled,
    PointsRevoked,
    PointsWithheld,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.line import OrderLine
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderTotals
from orderflow.domain.outbox import Plan
from orderflow.domain.rules import Rules
from orderflow.domain.status import OrderStatus
from orderflow.errors import InvalidValue

GrantPoint = Literal["SHIPMENT", "DELIVERY", "BOOKING"]
"""The name of a ``GrantAt`` member: when a grant falls due (the settings import the domain, so
the domain names the member rather than importing the enum)."""

__all__ = [
    "POINTS_FOLDS",
    "claw_back",
    "clawback_limit",
    "earned_for_clawback",
    "grant_due",
    "owed_settled",
    "points_earned",
    "points_earned_on",
    "points_settled",
    "schedule_grant",
    "settle_owed",
    "unschedule_grant",
]


def points_earned(order: Order, rate: Decimal) -> int:
    """Points ``order`` earns: each line's rate (``rate`` when it has none) on what was paid.

    What was paid for the items is their amount less the discount and the points used, shared
    over the lines by amount; rounded down once. With one rate for every line this is
    :func:`orderflow.domain.changes.points_to_grant`.
    """
    given(order, Order, "order", "an Order")
    items, weighted = _weighted(order.lines, given_rate(rate))
    return _earned(items, weighted, items - order.discount.amount - order.points_used)


def points_earned_on(totals: OrderTotals, lines: Sequence[OrderLine], rate: Decimal) -> int:
    """Points earned on ``totals`` (items, discount, points used) by ``lines``' rates.

    :func:`points_earned` worked out from totals: what a change preview shows before and after
    (獲得予定ポイント), a ×N campaign line (``OrderLine.points_rate``) counted at its own rate.
    With the order's own totals and lines it is :func:`points_earned`.
    """
    given(totals, OrderTotals, "totals", "an OrderTotals (desk.totals(order))")
    items, weighted = _weighted(lines, given_rate(rate))
    base = totals.items.amount - totals.discount.amount - totals.points_used.amount
    return _earned(items, weighted, base)


def _weighted(lines: Sequence[OrderLine], rate: Decimal) -> tuple[Decimal, Decimal]:
    """The lines' amount, and their amount each weighted by its rate (``rate`` if none)."""
    items = weighted = Decimal(0)
    for line in lines:
        amount = line.unit_price.amount * line.quantity
        items += amount
        weighted += amount * (rate if line.points_rate is None else line.points_rate)
    return items, weighted


def _earned(items: Decimal, weighted: Decimal, base: Decimal) -> int:
    """``weighted`` points on ``items``, for ``base`` of them paid: rounded down once."""
    if items <= 0 or base <= 0:
        return 0
    return int((weighted * base / items).to_integral_value(rounding=ROUND_DOWN))


def schedule_grant(
    order: Order,
    at: GrantPoint,
    ctx: Context,
    rules: Rules,
    plan: Plan,
    *,
    since: datetime | None = None,
) -> Order:
    """The order reached ``at`` (shipped, delivered, booked): its grant falls due, once.

    The days count from ``since`` (when it was reached: the carrier's time of the last
    配達完了, which a poll may record days later), ``ctx.at`` when None. Due by now (0 days, or
    a late poll), the grant is decided at once in ``plan``; else ``points_due_at`` waits for
    the sweep. Provisional points whose confirmation an undone delivery took back
    (:func:`unschedule_grant`) are confirmed ``confirm_days`` after this one.
    """
    grant = rules.settings.points_grant
    if grant is None or grant.at.name != at or not rules.points:
        return order
    if order.points_due_at is not None:
        return order
    start = min(since or ctx.at, ctx.at)
    if order.points_granted:
        if not order.points_provisional or grant.confirm_days is None:
            return order
        return replace(order, points_due_at=start + timedelta(days=grant.confirm_days))
    due = start + timedelta(days=grant.days)
    order = replace(order, points_due_at=due)
    return _grant(order, ctx, rules, plan) if due <= ctx.at else order


def unschedule_grant(order: Order, at: GrantPoint, rules: Rules) -> Order:
    """The move that reached ``at`` was undone (着荷取消): points it made due are not due now.

    Nor is the confirmation of provisional points (仮ポイント) it granted. Spendable points
    already granted stay (a person claws them back if need be); reaching ``at`` again makes
    them due again, counted from then (:func:`schedule_grant`).
    """
    grant = rules.settings.points_grant
    if grant is None or grant.at.name != at or order.points_due_at is None:
        return order
    if order.points_granted and not order.points_provisional:
        return order
    return replace(order, points_due_at=None)


def grant_due(order: Order, ctx: Context, rules: Rules) -> Order:
    """The sweep's decision: grant (or confirm) what has fallen due by ``ctx.at``; else as is.

    Not while a hold is open: a hold is a person's question about the order (a delivery in
    doubt, a parcel lost or sent back, a capture refused), and the points wait for the answer;
    the first sweep after the last hold is cleared grants them.
    """
    if order.points_due_at is None or order.points_due_at > ctx.at or order.open_holds:
        return order
    plan = Plan(order)
    if order.points_provisional:
        left = order.points_granted - order.points_revoked
        order = replace(order, points_due_at=None)
        if left > 0:
            plan.add(ConfirmPoints, points=left)
        else:
            order = replace(order, points_provisional=False)
        return plan.apply(order)
    return plan.apply(_grant(order, ctx, rules, plan))


def _grant(order: Order, ctx: Context, rules: Rules, plan: Plan) -> Order:
    settings = rules.settings
    grant = settings.points_grant
    points = points_earned(order, settings.points_rate) - order.points_withheld
    due = order.points_due_at or ctx.at
    order = replace(order, points_due_at=None)
    if grant is None or points <= 0:
        return order
    confirm_at = None
    if grant.confirm_days is not None:
        confirm_at = due + timedelta(days=grant.confirm_days - grant.days)
    plan.add(GrantPoints, points=points, provisional=grant.provisional, confirm_at=confirm_at)
    return order


def points_settled(order: Order) -> int:
    """Owed points paid off refunds so far (``PointsOwedSettled``): taken back, as yen."""
    return sum(e.points for e in order.history if isinstance(e, PointsOwedSettled))


def clawback_limit(order: Order, rules: Rules) -> int:
    """The most points a clawback may take from ``order`` now.

    Granted points less those taken back: revoked, owed, and owed then settled off a refund.
    Before the grant, what the grant would give less what was withheld: none for a cancelled
    order, nor in a shop that grants no points (``points_grant`` None, or no points system).
    """
    if order.points_granted:
        taken_back = order.points_revoked + order.points_owed + points_settled(order)
        return max(0, order.points_granted - taken_back)
    if order.status is OrderStatus.CANCELLED:
        return 0
    return max(0, earned_for_clawback(order, rules) - order.points_withheld)


def earned_for_clawback(order: Order, rules: Rules) -> int:
    """What ``order`` earned, as a return shares it out over its units (ポイント回収).

    Once granted: what was granted and what returns withheld before the grant, whatever the
    shop's ``points_rate`` or ``points_grant`` say now (a campaign's rate lowered, the points
    programme ended), so that a full return takes back exactly what the customer was given.
    Before the grant: what the order earns under the shop's settings, as the grant will give.
    """
    if not rules.points:
        return 0
    if order.points_granted:
        return order.points_granted + order.points_withheld
    if rules.settings.points_grant is None:
        return 0
    return points_earned(order, rules.settings.points_rate)


def claw_back(order: Order, points: int | None, ctx: Context, rules: Rules) -> Order:
    """ポイント回収: take back ``points`` (None: all that is left) of what the order earned.

    Granted points are revoked (``RevokePoints``); before the grant the grant is lowered.
    """
    limit = clawback_limit(order, rules)
    if points is None:
        points = limit
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= limit:
        raise InvalidValue("points", points, from_one_to(limit, "point", "to take back"))
    if not order.points_granted:
        order, _ = lifecycle.record_fact(
            order,
            ctx,
            PointsWithheld,
            fields={"points": points},
            points_withheld=order.points_withheld + points,
        )
        return order
    plan = Plan(order)
    plan.add(RevokePoints, points=points)
    return plan.apply(order)


def owed_settled(order: Order, amount: Money, rules: Rules) -> int:
    """The owed points a refund of ``amount`` settles (DEDUCT_FROM_REFUND), 1 point = 1 yen.

    What :func:`settle_owed` takes off it; 0 when the shop does not deduct or nothing is owed.
    """
    from orderflow.settings import Clawback

    if rules.settings.points_clawback is not Clawback.DEDUCT_FROM_REFUND or not order.points_owed:
        return 0
    whole = int(amount.amount.to_integral_value(rounding=ROUND_DOWN))
    return max(0, min(order.points_owed, whole))


def settle_owed(order: Order, amount: Money, ctx: Context, rules: Rules) -> tuple[Order, Money]:
    """A refund of ``amount`` under DEDUCT_FROM_REFUND: owed points come off it first.

    Returns the order (with the settlement recorded) and what is left to pay back.
    """
    settled = owed_settled(order, amount, rules)
    if settled <= 0:
        return order, amount
    order, _ = lifecycle.record_fact(
        order,
        ctx,
        PointsOwedSettled,
        fields={"points": settled},
        points_owed=order.points_owed - settled,
    )
    return order, amount - Money(Decimal(settled), amount.currency)


# -- folds ------------------------------------------------------------------------------------


def _granted(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    assert isinstance(effect, GrantPoints)
    order, _ = lifecycle.record_fact(
        order,
        ctx,
        PointsGranted,
        fields={"points": effect.points, "provisional": effect.provisional},
        points_granted=order.points_granted + effect.points,
        points_provisional=effect.provisional,
        points_due_at=effect.confirm_at,
    )
    plan.add(
        Notify,
        notice="points_granted_provisional" if effect.provisional else "points_granted",
        facts=(("points", effect.points),),
    )
    return order


def _confirmed(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    assert isinstance(effect, ConfirmPoints)
    order, _ = lifecycle.record_fact(
        order, ctx, PointsConfirmed, fields={"points": effect.points}, points_provisional=False
    )
    return order


def _revoked(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    assert isinstance(effect, RevokePoints) and isinstance(answer, Done)
    found = answer.value if isinstance(answer.value, int) else 0
    got = max(0, min(effect.points, found))
    if got:
        order, _ = lifecycle.record_fact(
            order,
            ctx,
            PointsRevoked,
            fields={"points": got},
            points_revoked=order.points_revoked + got,
        )
    short = effect.points - got
    if short:
        order, _ = lifecycle.record_fact(
            order, ctx, PointsOwed, fields={"points": short}, points_owed=order.points_owed + short
        )
    return order


POINTS_FOLDS = {GrantPoints: _granted, ConfirmPoints: _confirmed, RevokePoints: _revoked}
"""The folds of the points effects granted and taken back (joined into ``answers``)."""
