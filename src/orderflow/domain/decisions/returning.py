"""返品: a return requested under the shop's policy, received, restocked or written off, refunded.

The order keeps its status (着荷済 or 計上済): a return is recorded on it (``Order.returns``).
Receiving a return decides everything at once: a ``Restock`` per line and warehouse, the refund
(:func:`~orderflow.domain.refunds.refund_share`) paid back the way the method can (through
:func:`~orderflow.domain.decisions.money.refund_order`), the points used given back and the
points earned clawed back, the reversing journal entry (now if the sale is booked, else with the
booking) and a notice. The entry takes off the sales what was really paid back
(:func:`~orderflow.domain.refunds.paid_share`); a 後払い return's waits for the provider to bill
the rest (:func:`settle_return`), and posts nothing if it will not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from math import floor
from zoneinfo import ZoneInfo

from orderflow.domain import lifecycle
from orderflow.domain._arrival import last_arrival
from orderflow.domain._values import replace
from orderflow.domain.bounds import from_one_to
from orderflow.domain.decisions.money import refund_limit, refund_order
from orderflow.domain.decisions.return_books import post_return_entry, tell_refunded
from orderflow.domain.effects import (
    Answer,
    Effect,
    Notify,
    PostpayCancel,
    PostpayRegister,
    Restock,
    RestorePoints,
)
from orderflow.domain.events import Restocked, ReturnDeclined, ReturnReceived, ReturnRequested
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import Order, line_index
from orderflow.domain.outbox import Plan
from orderflow.domain.payments.common import Fold
from orderflow.domain.points import (
    claw_back,
    clawback_limit,
    earned_for_clawback,
    owed_settled,
)
from orderflow.domain.refunds import (
    paid_share,
    refund_share,
    returned_units,
)
from orderflow.domain.returns import Disposition, Return, ReturnLine, ReturnReason, ReturnStatus
from orderflow.domain.rules import Rules
from orderflow.domain.sets import line_components
from orderflow.domain.status import OrderStatus
from orderflow.errors import InvalidValue, ReturnRefused

__all__ = [
    "RESTOCK_FOLDS",
    "find_return",
    "receive_return",
    "refuse_return",
    "request_return",
]

_RETURNABLE = (OrderStatus.DELIVERED, OrderStatus.BOOKED)


def _delivered_at(order: Order) -> datetime | None:
    """When the last parcel arrived: by the carrier's 配達完了, not by the poll that recorded it."""
    return last_arrival(order)


def find_return(order: Order, return_id: str) -> Return:
    """The return ``return_id`` of ``order`` (``InvalidValue`` naming the ids if none)."""
    for ret in order.returns:
        if ret.return_id == return_id:
            return ret
    known = [r.return_id for r in order.returns]
    raise InvalidValue("return_id", return_id, f"one of {known}")


def check_lines(order: Order, lines: object) -> tuple[ReturnLine, ...]:
    """``lines`` (line id → units) checked against what is left to return of each line."""
    if not isinstance(lines, Mapping) or not lines:
        raise InvalidValue("lines", lines, "a mapping of line id → units to return, not empty")
    taken = returned_units(order, refunded_only=False)
    out = []
    for line_id, units in lines.items():
        line = line_index(order.lines).get(line_id) if isinstance(line_id, str) else None
        if line is None:
            known = [x.line_id for x in order.lines]
            raise InvalidValue("lines", line_id, f"a line id of the order: one of {known}")
        already = taken.get(line_id, 0)
        left = line.quantity - already
        if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= left:
            # "exactly 1 unit of line L2 (1 shipped, 0 already in a return)"
            expected = from_one_to(left, "unit", f"of line {line_id}")
            why = f"{line.quantity} shipped, {already} already in a return"
            raise InvalidValue(f"lines[{line_id}]", units, f"{expected} ({why})")
        out.append(ReturnLine(line_id, units))
    return tuple(out)


def _check_policy(
    order: Order,
    checked: tuple[ReturnLine, ...],
    reason: ReturnReason,
    delivered: datetime,
    ctx: Context,
    rules: Rules,
) -> None:
    """The shop's return policy: its window, the customer's reason, the SKUs it excludes."""
    settings = rules.settings
    policy = settings.return_policy
    zone = ZoneInfo(settings.zone)
    elapsed = (ctx.at.astimezone(zone).date() - delivered.astimezone(zone).date()).days
    window = policy.window(reason)
    if elapsed >= window:
        raise ReturnRefused(
            order.number, "days", f"{window} days from receipt, day {elapsed + 1} now"
        )
    if not reason.shop_at_fault:
        if not policy.accepts_customer_reason:
            raise ReturnRefused(order.number, "reason", "no returns for the customer's reason")
        for line in checked:
            sku = order.line(line.line_id).sku
            if sku in policy.excluded_skus:
                raise ReturnRefused(order.number, "excluded", f"{sku} is not taken back")


def request_return(
    order: Order,
    lines: object,
    reason: object,
    ctx: Context,
    rules: Rules,
    *,
    request: str = "",
    exchange: str = "",
    refund_account: str = "",
    exception: str = "",
) -> Order:
    """返品受付: a return of ``lines`` for ``reason``, if the shop's policy takes it.

    Refused with :class:`~orderflow.errors.ReturnRefused` naming the rule: ``not_delivered``,
    ``days`` (the window counts the day of receipt as the first), ``reason``, ``excluded``.
    An ``exception`` (why staff take it anyway, 例外対応) passes the last three, recorded on the
    ``return_requested`` event; what was never delivered is never returned.
    """
    if not isinstance(reason, ReturnReason):
        raise InvalidValue("reason", reason, "a ReturnReason (DEFECTIVE, WRONG_ITEM, CUSTOMER)")
    delivered = _delivered_at(order)
    if order.status not in _RETURNABLE or delivered is None:
        raise ReturnRefused(order.number, "not_delivered", f"the order is {order.status.name}")
    checked = check_lines(order, lines)
    policy = rules.settings.return_policy
    if not exception:
        _check_policy(order, checked, reason, delivered, ctx, rules)
    ret = Return(
        f"R{len(order.returns) + 1}",
        checked,
        reason,
        ctx.at,
        shop_pays_shipping=policy.shop_pays_shipping(reason),
        request=request,
        exchange=exchange,
        refund_account=refund_account,
    )
    order, _ = lifecycle.record_fact(
        order,
        ctx,
        ReturnRequested,
        fields={
            "return_id": ret.return_id,
            "lines": ",".join(f"{x.line_id}×{x.quantity}" for x in checked),
            "return_reason": reason.value,
            "exception": exception,
        },
        returns=(*order.returns, ret),
    )
    plan = Plan(order)
    shipping = (
        "Return shipping is on us (cash on delivery to the shop)."
        if ret.shop_pays_shipping
        else "Please send it at your own cost."
    )
    plan.add(
        Notify,
        notice="return_accepted",
        facts=(("return_id", ret.return_id), ("shipping", shipping)),
    )
    return plan.apply(order)


def _check_dispositions(
    ret: Return, dispositions: object, warehouses: Sequence[str]
) -> tuple[Disposition, ...]:
    if isinstance(dispositions, str | bytes) or not isinstance(dispositions, Sequence):
        raise InvalidValue("dispositions", dispositions, "a list of Disposition values")
    counted: dict[str, int] = {}
    for index, d in enumerate(dispositions):
        if not isinstance(d, Disposition):
            raise InvalidValue(f"dispositions[{index}]", d, "a Disposition")
        if not isinstance(d.line_id, str):
            raise InvalidValue(f"dispositions[{index}].line_id", d.line_id, "a line id (a text)")
        if isinstance(d.quantity, bool) or not isinstance(d.quantity, int) or d.quantity < 1:
            raise InvalidValue(f"dispositions[{index}].quantity", d.quantity, "1 or more units")
        if d.warehouse is not None and d.warehouse not in warehouses:
            raise InvalidValue(
                f"dispositions[{index}].warehouse", d.warehouse, f"one of {list(warehouses)}"
            )
        counted[d.line_id] = counted.get(d.line_id, 0) + d.quantity
    want = {line.line_id: ret.units(line.line_id) for line in ret.lines}
    if counted != want:
        # the units counted, as text: a dict is shown by its size alone (it might hold an address)
        raise InvalidValue("dispositions", str(counted), f"every returned unit once: {want}")
    return tuple(dispositions)


def receive_return(
    order: Order,
    return_id: str,
    dispositions: object,
    ctx: Context,
    rules: Rules,
    *,
    shipping_fee: Money | None = None,
) -> Order:
    """返品受領: the goods of ``return_id`` came back; restock, refund, reverse, tell.

    A return already received is left as it is (receiving it again is safe).
    """
    ret = find_return(order, return_id)
    if ret.status is ReturnStatus.REFUNDED:
        return order
    if ret.status is not ReturnStatus.REQUESTED:
        raise InvalidValue("return_id", return_id, "a return waiting for its goods (REQUESTED)")
    settings = rules.settings
    checked = _check_dispositions(ret, dispositions, settings.warehouses)
    earned = earned_for_clawback(order, rules)
    share = refund_share(
        order,
        ret,
        settings.tax,
        settings.return_policy,
        shipping_fee=shipping_fee,
        points_earned=earned,
    )
    clawed = _points_clawed(order, ret, earned, settings.points_rate) if earned else 0
    # the money that really goes back: capped at what is still refundable, less the owed
    # points settled from it; the books take off that, no more (the rest is withheld)
    amount = min(share.paid_back, refund_limit(order))
    paid = amount - Money.from_minor_units(owed_settled(order, amount, rules), order.currency)
    rates, withheld = paid_share(share, paid, settings.tax)
    plan = Plan(order)
    restocked = _restock(plan, order, ret.return_id, checked, rules)
    points_back = share.points_back if rules.points else 0
    if points_back:
        plan.add(RestorePoints, points=points_back)
    received = replace(
        ret,
        status=ReturnStatus.REFUNDED,
        received_at=ctx.at,
        dispositions=checked,
        refund=rates,
        withheld=withheld,
        shipping_refunded=share.shipping_refunded,
        fee=share.fee,
        paid_back=paid,
        points_back=points_back,
    )
    returns = tuple(received if r.return_id == return_id else r for r in order.returns)
    written_off = sum(d.quantity for d in checked if d.warehouse is None)
    order, _ = lifecycle.record_fact(
        order,
        ctx,
        ReturnReceived,
        fields={
            "return_id": return_id,
            "restocked": ",".join(f"{k[0]}@{k[1]}×{v}" for k, v in restocked.items()),
            "written_off": str(written_off),
            "paid_back": str(paid),
        },
        returns=returns,
    )
    order = plan.apply(order)
    before = {e.key for e in order.outbox}
    if amount.amount > 0:
        order = refund_order(order, amount, ctx, rules)
    waits = [  # 後払い: the money moves once the provider agrees; the books wait for it
        e.key
        for e in order.outbox
        if isinstance(e, (PostpayRegister, PostpayCancel))
        and e.refund is not None
        and e.key not in before
    ]
    booked = order.status is OrderStatus.BOOKED
    received = replace(
        received, journal=booked and not waits, payment_key=waits[0] if waits else ""
    )
    order = replace(
        order, returns=tuple(received if r.return_id == return_id else r for r in order.returns)
    )
    if received.journal:
        plan = Plan(order)
        post_return_entry(plan, order, received, rules, ctx)
        order = plan.apply(order)
    clawed = min(clawed, clawback_limit(order, rules))
    if clawed > 0:
        order = claw_back(order, clawed, ctx, rules)
        returns = tuple(
            replace(r, points_clawed=clawed) if r.return_id == return_id else r
            for r in order.returns
        )
        order = replace(order, returns=returns)
    if waits:  # the customer hears of the money once the 後払い provider agreed
        return order
    plan = Plan(order)
    tell_refunded(plan, received)
    return plan.apply(order)


def _restock(
    plan: Plan, order: Order, return_id: str, checked: tuple[Disposition, ...], rules: Rules
) -> dict[tuple[str, str], int]:
    """A ``Restock`` per line, warehouse and SKU (a set: each component); units by line, place."""
    restocked: dict[tuple[str, str], int] = {}
    for d in checked:
        if d.warehouse is not None:
            restocked[(d.line_id, d.warehouse)] = restocked.get((d.line_id, d.warehouse), 0)
            restocked[(d.line_id, d.warehouse)] += d.quantity
    for (line_id, warehouse), units in restocked.items():
        for sku, per in line_components(order.line(line_id), rules.settings.sets):
            plan.add(
                Restock,
                return_id=return_id,
                line_id=line_id,
                warehouse=warehouse,
                sku=sku,
                quantity=units * per,
            )
    return restocked


def _points_clawed(order: Order, ret: Return, earned: int, rate: Decimal) -> int:
    """The points ``ret``'s units earned, of the ``earned`` of the whole order.

    Each unit weighs its price times its line's rate (``rate`` when it has none), as
    :func:`~orderflow.domain.points.points_earned` shares them: a ×5 ポイント unit takes back its
    ×5. Worked out cumulatively over the returns refunded before, rounded down, so that every
    unit returned takes back all that was earned.
    """
    before = returned_units(order)
    after = dict(before)
    for line in ret.lines:
        after[line.line_id] = after.get(line.line_id, 0) + line.quantity

    def weight(units: Mapping[str, int]) -> Fraction:
        return sum(
            (
                Fraction(line.unit_price.amount)
                * units.get(line.line_id, 0)
                * Fraction(rate if line.points_rate is None else line.points_rate)
                for line in order.lines
            ),
            Fraction(0),
        )

    whole = weight({line.line_id: line.quantity for line in order.lines})
    if whole <= 0:
        return 0
    return floor(earned * weight(after) / whole) - floor(earned * weight(before) / whole)


def refuse_return(order: Order, return_id: str, ctx: Context) -> Order:
    """返品拒否: the shop will not take back what came for ``return_id`` (nothing is paid).

    The customer is told why (``return_refused``, with the reason the shop gave); a return
    refused already is left as it is, told once.
    """
    ret = find_return(order, return_id)
    if ret.status is ReturnStatus.REFUSED:
        return order
    if ret.status is not ReturnStatus.REQUESTED:
        raise InvalidValue("return_id", return_id, "a return waiting for its goods (REQUESTED)")
    refused = replace(ret, status=ReturnStatus.REFUSED, received_at=ctx.at)
    order, _ = lifecycle.record_fact(
        order,
        ctx,
        ReturnDeclined,
        fields={"return_id": return_id},
        returns=tuple(refused if r.return_id == return_id else r for r in order.returns),
    )
    plan = Plan(order)  # the customer who sent the goods hears why nothing is paid
    plan.add(
        Notify, notice="return_refused", facts=(("return_id", return_id), ("reason", ctx.reason))
    )
    return plan.apply(order)


def _restocked(
    order: Order, effect: Effect, answer: Answer, ctx: Context, rules: Rules, plan: Plan
) -> Order:
    assert isinstance(effect, Restock)
    order, _ = lifecycle.record_fact(
        order,
        ctx,
        Restocked,
        fields={
            "line": effect.line_id,
            "warehouse": effect.warehouse,
            "sku": effect.sku,
            "quantity": effect.quantity,
        },
    )
    return order


RESTOCK_FOLDS: dict[type[Effect], Fold] = {Restock: _restocked}
"""The fold of a restock's answer (joined into ``answers``)."""
