"""分納の残り取消: the customer drops the units a partly shipped order still waits for.

The narrow path the change machinery cannot take (it undoes allocations and re-reviews, which an
order with parcels on their way cannot): only the units no warehouse holds for the order
(``order.unallocated()``) are cancelled; what is shipped, instructed or reserved stays. With
``reserved`` (``desk.drop_unshipped``, after a parcel that will never ship was taken back) the
reserved units no parcel carries go too, their stock released. The order
keeps its discount (cut to the charges left, recorded as ``discount_capped``, when it is larger:
クーポン利用額は請求額まで), fees and (as far as they fit) its points; its totals and payment
follow:

- card, Amazon Pay: nothing more is asked now; the authorization is captured for the smaller
  total at the last parcel (per parcel: no parcel ever took more than its units cost alone, so
  the remainder's share is simply never captured);
- 後払い: the claim is amended to the new total (reported once, at the last parcel);
- bank transfer, konbini: money received above the new total is owed back;
- 代引き: what the parcels collect above the new total is owed back (a drop that would leave the
  parcels collecting less is refused: an instructed parcel's amount cannot change).

With nothing else waiting the order moves on as if its last unit had shipped: 出荷済 when every
shipment has left (and 着荷済 when every parcel is delivered).
"""

from __future__ import annotations

from orderflow.domain import lifecycle
from orderflow.domain._arrival import last_arrival
from orderflow.domain._values import replace
from orderflow.domain.changes import _cap_points, lines_taken_off
from orderflow.domain.decisions.changing import removed_facts
from orderflow.domain.effects import Notify, Release, RestorePoints
from orderflow.domain.events import Changed, Delivered, DiscountCapped, Shipped
from orderflow.domain.goodwill import goodwill_refunds
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.moves import check_order_move
from orderflow.domain.order import (
    Allocation,
    Order,
    PaymentMethod,
    PaymentOp,
    ShipmentStatus,
    drop_ship_supplier,
)
from orderflow.domain.outbox import Plan
from orderflow.domain.payments.ledger import record
from orderflow.domain.payments.parcels import COD_EXCESS, cod_excess_owed, in_flight
from orderflow.domain.payments.plans import at_shipping, follow_total
from orderflow.domain.points import schedule_grant
from orderflow.domain.rules import Rules
from orderflow.domain.sets import line_components
from orderflow.domain.shipments import pending_units
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import InvalidValue

__all__ = ["drop_remainder", "shipped_in_part"]


def shipped_in_part(order: Order, *, reserved: bool = False) -> bool:
    """出荷指示済 with parcels on their way and units still waiting for stock (分納).

    ``reserved``: or units reserved (or at a supplier) that no parcel carries (a parcel taken
    back, units reserved since and not instructed yet).
    """
    return (
        order.status is OrderStatus.SHIPPING_INSTRUCTED
        and bool(order.shipments)
        and bool(order.unallocated() or (reserved and pending_units(order)))
    )


def drop_remainder(order: Order, ctx: Context, rules: Rules, *, reserved: bool = False) -> Order:
    """Cancel the units a partly shipped order waits for; the totals and payment follow.

    ``reserved`` (``desk.drop_unshipped``): every unit no parcel carries goes, the reserved ones
    too; their stock is released (a supplier's units were cancelled with its parcel).
    """
    if not shipped_in_part(order, reserved=reserved):
        expected = "an order shipped in part waiting for stock"
        if reserved:
            expected = "an instructed order with units no parcel carries"
        raise InvalidValue("number", order.number, expected)
    if reserved and goodwill_refunds(order):
        raise InvalidValue(
            "number",
            order.number,
            "an order with no goodwill refund (a refund took its share of these units' tax "
            "rates: desk.instruct_shipping(number) sends them again)",
        )
    rule = rules.settings.tax
    held = pending_units(order) if reserved else {}
    missing = _units_dropped(order, held)
    lines = tuple(
        line if line.line_id not in missing else replace(line, quantity=line.quantity - units)
        for line in order.lines
        for units in (missing.get(line.line_id, 0),)
        if line.quantity > units
    )
    charges = Money.total(
        [line.amount for line in lines] + [order.shipping_fee, order.fees], order.currency
    )
    # クーポン利用額は請求額まで: a coupon above what is left is cut to it (the points then go
    # back); the parcels are gone, so nothing waits for a person: the cut is recorded below
    discount = min(order.discount, charges)
    allocations = _less(order.allocations, held)
    after = replace(
        order, lines=lines, allocations=allocations, tax_adjustments=(), discount=discount
    )
    after = _cap_points(after)
    total = after.totals(rule).total
    cod = after.payment.method is PaymentMethod.COD
    asked = _cod_asked(order, after, total) if cod else total
    dropped = ", ".join(f"{line_id}×{units}" for line_id, units in sorted(missing.items()))
    fields: dict[str, object] = {
        "changes": (("dropped", dropped),),
        "taken_off": lines_taken_off(order, after),
    }
    after, _ = lifecycle.record_fact(after, ctx, Changed, fields=fields)
    if after.discount != order.discount:
        fields = {"old_discount": str(order.discount.amount), "new_discount": str(discount.amount)}
        after, _ = lifecycle.record_fact(after, ctx, DiscountCapped, fields=fields)
    plan = Plan(after)
    _release(plan, order, held, rules)
    if not cod:
        after = follow_total(plan, after, total, ctx, rules)
    elif asked > total:  # the parcels collect the old amounts: the difference is owed back
        after = record(
            after, PaymentOp.REFUND_OWED, asked - total, plan.key(), ctx.at, detail=COD_EXCESS
        )
    fewer = after.points_taken - after.points_used
    if rules.points and fewer > 0:
        plan.add(RestorePoints, points=fewer)
    delta = total - order.totals(rule).total
    plan.add(
        Notify,
        notice="order_changed",
        facts=(
            ("total", total),
            ("delta", delta),
            ("changed", "items"),
            *removed_facts(order, after),
            ("reason", ctx.reason),
        ),
    )
    return plan.apply(_move_on(plan, after, total, ctx, rules))


def _units_dropped(order: Order, held: dict[tuple[str, str], int]) -> dict[str, int]:
    """Line id → units dropped: those waiting for stock, and ``held`` (no parcel carries)."""
    missing = order.unallocated()
    for (line_id, _), units in held.items():
        missing[line_id] = missing.get(line_id, 0) + units
    return missing


def _cod_asked(order: Order, after: Order, total: Money) -> Money:
    """What the 代引き parcels collect (less an earlier drop's excess owed back), if enough.

    A drop that leaves reserved units no parcel carries, or the parcels collecting less than
    the new ``total``, is refused: nothing would collect the rest.
    """
    zero = Money.zero(order.currency)
    asked = Money.total((s.cod_amount or zero for s in after.shipments), order.currency)
    asked = asked - cod_excess_owed(order)
    if pending_units(after):
        raise InvalidValue(
            "number",
            order.number,
            "an order with no reserved units left to instruct (instruct_shipping them first: "
            "its 代引き parcels must collect its total)",
        )
    if asked < total:
        raise InvalidValue(
            "number",
            order.number,
            f"an order whose 代引き parcels collect its total ({asked} of {total}): "
            "the rest is collected with a parcel still to come",
        )
    return asked


def _release(plan: Plan, order: Order, held: dict[tuple[str, str], int], rules: Rules) -> None:
    """Give back the stock of the ``held`` units dropped (a supplier's holds none of ours)."""
    for (line_id, warehouse), units in sorted(held.items()):
        if drop_ship_supplier(warehouse) is None:
            for sku, per in line_components(order.line(line_id), rules.settings.sets):
                plan.add(
                    Release, line_id=line_id, warehouse=warehouse, sku=sku, quantity=units * per
                )


def _less(
    allocations: tuple[Allocation, ...], held: dict[tuple[str, str], int]
) -> tuple[Allocation, ...]:
    """``allocations`` less the units ``held`` per (line, warehouse) that are dropped."""
    left = dict(held)
    kept = []
    for a in allocations:
        taken = min(a.quantity, left.get((a.line_id, a.warehouse), 0))
        if taken:
            left[(a.line_id, a.warehouse)] -= taken
        if a.quantity > taken:
            kept.append(replace(a, quantity=a.quantity - taken) if taken else a)
    return tuple(kept)


def _move_on(plan: Plan, order: Order, total: Money, ctx: Context, rules: Rules) -> Order:
    """Nothing waits and every shipment has left: 出荷済 (着荷済 if every parcel arrived)."""
    left = [s for s in order.shipments if s.status is not ShipmentStatus.INSTRUCTED]
    if pending_units(order) or len(left) != len(order.shipments):
        return order
    check_order_move(order, Move.SHIP, OrderStatus.SHIPPED)
    order, _ = lifecycle.record_fact(order, ctx, Shipped, OrderStatus.SHIPPED)
    last = max(left, key=lambda s: (s.shipped_at or ctx.at, s.shipment_id))
    at_shipping(plan, order, total, last, rules, ctx.at, taken=in_flight(order))
    order = schedule_grant(order, "SHIPMENT", ctx, rules, plan)
    if all(s.status is ShipmentStatus.DELIVERED for s in order.shipments):
        order, _ = lifecycle.record_fact(order, ctx, Delivered, OrderStatus.DELIVERED)
        since = last_arrival(order)  # the carrier's time, not the poll's
        order = schedule_grant(order, "DELIVERY", ctx, rules, plan, since=since)
    return order
