"""Folding answers back: what the domain makes of each effect's outcome (結果の反映).

:func:`fold` is the one entry point the executor uses. It takes the performed effect off the
order's outbox, lets the fold of that kind of effect decide (payment folds live in
:mod:`orderflow.domain.payments.answers`), and queues the follow-up effects it decided *before*
the rest of the outbox, so that a chain (authorize the new card → void the old one) finishes in
order. Everything here is pure: the answer is data, the time comes in the :class:`Context`.

A refused *obligation* (a release, a void, a journal post: things that must happen) is asked
again under a fresh key, never under the refused one; after three refusals the order is held
(``effect_refused``) for a person, and the effect stays pending for the next ``resume``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.decisions.common import (
    add_reserved,
    add_set_part,
    reserve_planned,
    settle_allocation,
    settle_set,
)
from orderflow.domain.decisions.return_books import follow_retry
from orderflow.domain.decisions.returning import RESTOCK_FOLDS
from orderflow.domain.decisions.shipping import settle_recall
from orderflow.domain.effects import (
    Answer,
    CheckStock,
    Commit,
    CreatePart,
    Done,
    Effect,
    Instruct,
    Notify,
    PostJournal,
    Purpose,
    Recall,
    RedeemPoints,
    Refused,
    Release,
    Reserve,
    RestorePoints,
)
from orderflow.domain.events import (
    EffectRefused,
    JournalPosted,
    NoticeFailed,
    PointsChangeRefused,
    PointsRedeemed,
    PointsRestored,
    ReserveShort,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Allocation, Order, SetPart, ShipmentStatus, line_index
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import HoldCode
from orderflow.domain.payments.answers import PAYMENT_FOLDS, decline_placement
from orderflow.domain.points import POINTS_FOLDS
from orderflow.domain.rules import Rules
from orderflow.domain.sets import line_recipe

__all__ = ["MAX_ATTEMPTS", "asked_together", "fold"]

MAX_ATTEMPTS = 3
"""Refusals of an obligation in a row before a person is called (it stays pending)."""

Fold = Callable[[Order, Effect, Answer, Context, Rules, Plan], Order]


def fold(
    order: Order,
    effect: Effect,
    answer: Answer,
    ctx: Context,
    rules: Rules,
    version: int | None = None,
) -> Order:
    """``order`` after ``effect`` (the first of its outbox) was answered with ``answer``.

    ``version``, when given, is the version the result will be saved as (saves a copy).
    """
    if not order.outbox or order.outbox[0].key != effect.key:
        raise ValueError(f"{effect.key} is not the next pending effect of {order.number}")
    if version is None:
        order = replace(order, outbox=order.outbox[1:])
    else:
        order = replace(order, outbox=order.outbox[1:], version=version)
    plan = Plan(order)
    if isinstance(answer, Refused) and effect.obligation:
        order = _refused_obligation(order, effect, answer, ctx, plan)
    else:
        order = _FOLDS[type(effect)](order, effect, answer, ctx, rules, plan)
    return plan.apply(order, first=True)


def _refused_obligation(
    order: Order, effect: Effect, answer: Refused, ctx: Context, plan: Plan
) -> Order:
    retry = plan.again(effect)
    order, _ = lifecycle.record_fact(
        order,
        ctx,
        EffectRefused,
        fields={"effect": effect.kind, "key": effect.key, "code": answer.code, "retry": retry.key},
    )
    if effect.attempt >= MAX_ATTEMPTS:
        order, _ = lifecycle.raise_hold(
            order,
            HoldCode.EFFECT_REFUSED,
            f"外部システムが {effect.kind} を拒否し続けています",
            ctx,
            message_en=f"the provider keeps refusing {effect.kind}",
        )
    return follow_retry(order, effect.key, retry.key)


# -- 在庫 ------------------------------------------------------------------------------------


def _check_stock(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    available: Mapping[tuple[str, str], int] = {}
    if isinstance(answer, Done) and isinstance(answer.value, Mapping):
        available = answer.value
    return reserve_planned(plan, order, available, rules, ctx)


def _reserve(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    assert isinstance(effect, Reserve)
    got = answer.value if isinstance(answer, Done) else 0
    assert isinstance(got, int)
    line = line_index(order.lines).get(effect.line_id)
    recipe = line_recipe(line, rules.settings.sets) if line is not None else None
    if got > 0 and recipe is not None:  # a component of a set: whole sets once all answered
        order = add_set_part(order, SetPart(effect.line_id, effect.warehouse, effect.sku, got))
    elif got > 0:
        order = add_reserved(order, Allocation(effect.line_id, effect.warehouse, got))
    if got < effect.quantity or isinstance(answer, Refused):
        order, _ = lifecycle.record_fact(
            order,
            ctx,
            ReserveShort,
            fields={"line": effect.line_id, "asked": effect.quantity, "got": got},
        )
    if recipe is not None and not _same_set(order, effect):
        order = settle_set(plan, order, effect.line_id, effect.warehouse, recipe)
    if order.outbox and isinstance(order.outbox[0], Reserve):  # the round's next reservation
        return order
    return settle_allocation(order, ctx)


def _same_set(order: Order, effect: Reserve) -> bool:
    """The next pending effect reserves another component of the same set line and warehouse."""
    if not order.outbox:
        return False
    after = order.outbox[0]
    return (
        isinstance(after, Reserve)
        and after.line_id == effect.line_id
        and after.warehouse == effect.warehouse
    )


StockMoveEffect = Reserve | Release | Commit


def asked_together(order: Order, rules: Rules) -> tuple[StockMoveEffect, ...]:
    """The first pending effects of ``order`` that the inventory may be asked in one call.

    Two or more stock moves of one kind in a row: a round's reservations (引当), a shipment's
    commits (出荷), a cancel's releases (引当解除); () when there are fewer. The answer of each
    changes nothing ahead of the next in the outbox, so that asking them together and folding the
    answers in order is asking them one by one. A reservation of a set line's component is not
    (once the set's last one is answered, a short set gives its parts back first), and is asked
    alone.
    """
    outbox = order.outbox
    if len(outbox) < 2 or type(outbox[0]) not in _MOVES or type(outbox[1]) is not type(outbox[0]):
        return ()
    kind = type(outbox[0])
    lines = line_index(order.lines) if kind is Reserve else {}
    sets = rules.settings.sets
    run: list[StockMoveEffect] = []
    for effect in outbox:
        if type(effect) is not kind:
            break
        assert isinstance(effect, Reserve | Release | Commit)
        line = lines.get(effect.line_id)
        if line is not None and line_recipe(line, sets) is not None:
            break
        run.append(effect)
    return tuple(run) if len(run) > 1 else ()


_MOVES = (Reserve, Release, Commit)


def _nothing(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    return order


# -- 倉庫 ------------------------------------------------------------------------------------


def _recall(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    assert isinstance(effect, Recall) and isinstance(answer, Done)
    if answer.value:
        shipments = tuple(
            replace(s, status=ShipmentStatus.RECALLED) if s.shipment_id == effect.shipment_id else s
            for s in order.shipments
        )
        order = replace(order, shipments=shipments)
    if order.outbox and isinstance(order.outbox[0], Recall):  # another warehouse to answer
        return order
    return settle_recall(order, ctx, plan)


# -- ポイント / 会計 / 連絡 ----------------------------------------------------------------


def _redeem(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    from orderflow.domain.decisions.changing import take_proposal

    assert isinstance(effect, RedeemPoints)
    if isinstance(answer, Refused):
        if effect.purpose is Purpose.PLACE:
            # the customer's own input (more points than they hold), answered at once as
            # InvalidValue on points_used: no payment was asked, none "failed" to mail about
            return decline_placement(
                order, "points_refused", answer.reason, ctx, rules, plan, notice=None
            )
        order = replace(order, proposal=None)
        order, _ = lifecycle.record_fact(order, ctx, PointsChangeRefused)
        return order
    order = replace(order, points_taken=order.points_taken + effect.points)
    order, _ = lifecycle.record_fact(order, ctx, PointsRedeemed, fields={"points": effect.points})
    if effect.purpose is Purpose.CHANGE:
        return take_proposal(order, ctx, rules, plan)
    return order


def _restore(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    assert isinstance(effect, RestorePoints)
    order = replace(order, points_taken=order.points_taken - effect.points)
    order, _ = lifecycle.record_fact(order, ctx, PointsRestored, fields={"points": effect.points})
    return order


def _journal(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    assert isinstance(answer, Done)
    order, _ = lifecycle.record_fact(
        order, ctx, JournalPosted, fields={"journal": str(answer.value)}
    )
    return order


def _notify(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    assert isinstance(effect, Notify)
    if isinstance(answer, Refused):
        order, _ = lifecycle.record_fact(
            order, ctx, NoticeFailed, fields={"kind": effect.notice, "error": answer.code}
        )
    return order


_FOLDS: dict[type[Effect], Fold] = {
    CheckStock: _check_stock,
    Reserve: _reserve,
    Release: _nothing,
    Commit: _nothing,
    CreatePart: _nothing,
    Instruct: _nothing,
    Recall: _recall,
    RedeemPoints: _redeem,
    RestorePoints: _restore,
    PostJournal: _journal,
    Notify: _notify,
    **PAYMENT_FOLDS,
    **POINTS_FOLDS,
    **RESTOCK_FOLDS,
}
