"""出荷指示, 出荷指示取消, 出荷, 着荷, 計上: the order's way from the warehouse to the books."""

from __future__ import annotations

from datetime import date

from orderflow.domain import lifecycle
from orderflow.domain import shipments as planning
from orderflow.domain._arrival import last_arrival
from orderflow.domain._values import replace
from orderflow.domain.booking import sale_entry
from orderflow.domain.effects import (
    Commit,
    Instruct,
    Notify,
    PostJournal,
    Recall,
    ReleaseAccount,
    WithdrawKonbini,
)
from orderflow.domain.events import (
    ParcelRecalled,
    Recalled,
    RecallRefused,
    RecallRequested,
    Unbundled,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.moves import check_order_move, offered
from orderflow.domain.order import (
    Order,
    PaymentMethod,
    PaymentOp,
    Shipment,
    ShipmentStatus,
    drop_ship_supplier,
)
from orderflow.domain.outbox import Plan
from orderflow.domain.payments import payment_confirmed
from orderflow.domain.payments.ledger import live_authorization, open_authorizations, record
from orderflow.domain.payments.parcels import (
    capture_share,
    cod_amounts,
    cod_over_limit,
    in_flight,
)
from orderflow.domain.payments.plans import at_shipping, paid_in_full
from orderflow.domain.points import schedule_grant
from orderflow.domain.rules import Rules
from orderflow.domain.sets import line_components
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import InvalidValue, MoveBlocked

__all__ = [
    "book",
    "check_number_free",
    "deliver",
    "instruct_shipping",
    "recall",
    "recall_parcel",
    "settle_recall",
    "ship",
]


def _not_instructed(order: Order, reason: str) -> MoveBlocked:
    """The refusal of 出荷指示 for ``reason``."""
    allowed = offered(order)
    return MoveBlocked(
        order.number, order.status.name, Move.INSTRUCT_SHIPPING.value, allowed, reason
    )


def _lapsed(order: Order, ctx: Context, days: int) -> bool:
    """Whether the order's card authorization still holds money but has lapsed (期限切れ)."""
    payment = order.payment
    return bool(open_authorizations(payment)) and live_authorization(payment, ctx.at, days) is None


def instruct_shipping(
    order: Order, carrier: str, ctx: Context, rules: Rules, *, partial: bool = False
) -> Order:
    """出荷指示: one shipment per warehouse, each sent to its warehouse; → 出荷指示済.

    A 中途引当 order is instructed only with ``partial`` (分納, the customer's choice): its
    reserved units leave now and the rest, once reserved, is instructed in 出荷指示済 as more
    shipments. 代引き: what each shipment collects follows ``settings.cod_split``
    (:func:`~orderflow.domain.payments.parcels.cod_amounts`).
    """
    if order.status is OrderStatus.PARTIALLY_ALLOCATED and not partial:
        missing = "units are still missing (ship_available ships what is reserved)"
        raise _not_instructed(order, missing)
    settings = rules.settings
    total = order.totals(settings.tax).total
    shipments = planning.plan_shipments(order, carrier)
    if not shipments and order.status is OrderStatus.PARTIALLY_ALLOCATED:
        raise _not_instructed(order, "nothing is reserved yet: no unit to ship")
    if order.payment.method is PaymentMethod.COD:
        last = not order.unallocated()
        shipments = cod_amounts(order, shipments, settings.tax, settings.cod_split, last=last)
        for shipment in shipments:
            collects = shipment.cod_amount or Money.zero(order.currency)
            over = cod_over_limit(carrier, collects, shipment.shipment_id)
            if over:
                raise _not_instructed(order, over)
    days = settings.authorization_days
    confirmed = payment_confirmed(order.payment, total, ctx.at, days)
    if not confirmed and not order.open_holds and _lapsed(order, ctx, days):
        lapsed = "the card authorization has lapsed (desk.reauthorize_expiring() renews it)"
        raise _not_instructed(order, lapsed)
    order, _ = lifecycle.instruct_shipping(order, shipments, ctx, payment_confirmed=confirmed)
    plan = Plan(order)
    for shipment in shipments:
        plan.add(Instruct, shipment=shipment, ship_to=order.ship_to)
    return plan.apply(order)


def recall(order: Order, ctx: Context, shipment_id: str | None = None) -> Order:
    """出荷指示取消: ask every warehouse to take its instruction back (the answers decide).

    With ``shipment_id``, only that parcel's warehouse (or supplier) is asked
    (:func:`recall_parcel`).
    """
    check_order_move(order, Move.RECALL, OrderStatus.ALLOCATED)
    if shipment_id is not None:
        return recall_parcel(order, ctx, shipment_id)
    why = lifecycle.why_not_recalled(order)
    if why:
        raise MoveBlocked(
            order.number,
            order.status.name,
            Move.RECALL.value,
            offered(order),
            why,
        )
    plan = Plan(order)
    for shipment in order.shipments:
        plan.add(Recall, shipment_id=shipment.shipment_id, warehouse=shipment.warehouse)
    order, _ = lifecycle.record_fact(order, ctx, RecallRequested)
    return plan.apply(order)


def recall_parcel(order: Order, ctx: Context, shipment_id: str) -> Order:
    """出荷指示取消 of one parcel: the others stay (one left, this one never will).

    For an order one of whose parcels cannot ship (the supplier cannot deliver, the goods are
    lost in the second warehouse) while another has left: once taken back, the parcel's units
    wait on the order (reserved, or at the supplier) to be instructed again or dropped
    (:func:`~orderflow.domain.decisions.remainder.drop_remainder`). The order's only parcel
    recalls the whole order; a parcel that left is refused (``MoveBlocked``), as is one of an
    order packed with others (同梱: ``InvalidValue``, recall the whole order).
    """
    shipment = lifecycle.find_shipment(order, shipment_id, Move.RECALL)
    if shipment.status is not ShipmentStatus.INSTRUCTED:
        why = f"shipment {shipment_id} has already left the warehouse"
        raise MoveBlocked(order.number, order.status.name, Move.RECALL.value, offered(order), why)
    if len(order.shipments) == 1:
        return recall(order, ctx)  # the order's only parcel: the whole order goes back
    if order.bundle:
        raise InvalidValue(
            "shipment_id",
            shipment_id,
            "a parcel of an order not packed with others (同梱: recall the whole order)",
        )
    plan = Plan(order)
    plan.add(Recall, shipment_id=shipment_id, warehouse=shipment.warehouse)
    order, _ = lifecycle.record_fact(order, ctx, RecallRequested, fields={"shipment": shipment_id})
    return plan.apply(order)


def _parcel_asked(order: Order) -> str:
    """The one parcel the latest 出荷指示取消 asked for, or "" (every shipment)."""
    for event in reversed(order.history):
        if isinstance(event, RecallRequested):
            return event.shipment
    return ""


def _settle_parcel(order: Order, ctx: Context, shipment_id: str) -> Order:
    """One parcel's answer: taken back (off the order, its units wait) or too late (stays)."""
    taken = any(
        s.shipment_id == shipment_id and s.status is ShipmentStatus.RECALLED
        for s in order.shipments
    )
    if not taken:
        fields = {"left": shipment_id, "resent": ""}
        return lifecycle.record_fact(order, ctx, RecallRefused, fields=fields)[0]
    kept = tuple(s for s in order.shipments if s.shipment_id != shipment_id)
    fields = {"shipment": shipment_id}
    return lifecycle.record_fact(order, ctx, ParcelRecalled, fields=fields, shipments=kept)[0]


def settle_recall(order: Order, ctx: Context, plan: Plan) -> Order:
    """Every warehouse answered: all taken back → 引当済; one too late → the rest sent again.

    An order taken back out of a 同梱 parcel leaves it: the parcel's other orders stay
    instructed and their box goes without it; it is instructed again on its own.

    What is sent again gets a new shipment id: a warehouse system that remembers the recalled id
    (and may drop an instruction under it) sees a new shipment.
    """
    asked = _parcel_asked(order)
    if asked:
        return _settle_parcel(order, ctx, asked)
    recalled = [s for s in order.shipments if s.status is ShipmentStatus.RECALLED]
    if len(recalled) == len(order.shipments):
        moved, _ = lifecycle.record_fact(order, ctx, Recalled, OrderStatus.ALLOCATED, shipments=())
        if moved.bundle:  # out of its box (同梱): the box goes on without it, and it on its own
            stay = ", ".join(n for n in moved.bundle if n != moved.number)
            moved, _ = lifecycle.record_fact(
                moved, ctx, Unbundled, fields={"members": stay}, bundle=()
            )
        return moved
    late = [s.shipment_id for s in order.shipments if s.status is not ShipmentStatus.RECALLED]
    used = planning.shipment_numbers_used(order)
    shipments, resent = [], []
    for shipment in order.shipments:
        if shipment.status is ShipmentStatus.RECALLED:  # sent again, under a new id
            used += 1
            again = replace(
                shipment, shipment_id=f"{order.number}-S{used}", status=ShipmentStatus.INSTRUCTED
            )
            resent.append(f"{shipment.shipment_id}→{again.shipment_id}")
            plan.add(Instruct, shipment=again, ship_to=order.ship_to)
            shipment = again
        shipments.append(shipment)
    order, _ = lifecycle.record_fact(
        order,
        ctx,
        RecallRefused,
        fields={"left": ", ".join(late), "resent": ", ".join(resent)},
        shipments=tuple(shipments),
    )
    return order


def check_number_free(order: Order, shipment_id: str, number: str, given: str) -> None:
    """A tracking number names one parcel: refuse ``number`` when another of the order's has it.

    An order's parcels (分納, several warehouses) leave days apart, never under one number: the
    same number again is a label scanned twice, and the carrier's events for it would find two
    shipments and be left unknown. ``InvalidValue`` naming ``tracking_number`` (as ``given``)
    and the shipment that has it. (Other orders' parcels in transit are compared by the desk,
    which reads them; a 同梱 box's orders share its number, and carriers use numbers again.)
    """
    mine = lifecycle.find_shipment(order, shipment_id, Move.SHIP)
    for s in order.shipments:
        if (
            s.shipment_id != shipment_id
            and s.tracking_number == number
            and s.carrier == mine.carrier
            and s.status is not ShipmentStatus.RECALLED
        ):
            raise InvalidValue(
                "tracking_number",
                given,
                f"a number no other parcel of the order has (shipment {s.shipment_id} left "
                "under it)",
            )


def ship(
    order: Order,
    shipment_id: str,
    tracking_number: str | None,
    tracking_required: bool,
    tracking_url: str,
    ctx: Context,
    rules: Rules,
) -> Order:
    """出荷: a shipment left; its units come off stock; the last one takes the payment.

    A drop-shipped shipment (メーカー直送) takes nothing off our stock.
    With ``settings.partial_payment`` ``PER_SHIPMENT`` each earlier parcel captures its share.
    """
    shipment = lifecycle.find_shipment(order, shipment_id, Move.SHIP)
    result, events = lifecycle.ship(
        order, shipment_id, tracking_number, ctx, tracking_required=tracking_required
    )
    if not events:
        return order
    plan = Plan(result)
    for line in () if drop_ship_supplier(shipment.warehouse) else shipment.lines:
        # a set line: each component, quantity × units per set
        for sku, per in line_components(order.line(line.line_id), rules.settings.sets):
            plan.add(
                Commit,
                shipment_id=shipment_id,
                line_id=line.line_id,
                warehouse=shipment.warehouse,
                sku=sku,
                quantity=line.quantity * per,
            )
    if result.status is OrderStatus.SHIPPED:
        total = result.totals(rules.settings.tax).total
        shipped = lifecycle.find_shipment(result, shipment_id, Move.SHIP)
        at_shipping(plan, result, total, shipped, rules, ctx.at, taken=in_flight(result))
    else:
        capture_share(plan, result, rules, ctx.at)  # a parcel of an order shipped in part
    if tracking_number:
        plan.add(
            Notify,
            notice="shipping",
            facts=_shipping_facts(order, shipment, ctx, tracking_number, tracking_url),
        )
    if result.status is OrderStatus.SHIPPED:  # told after the shipping notice: points last
        result = schedule_grant(result, "SHIPMENT", ctx, rules, plan)
    return plan.apply(result)


def _shipping_facts(
    order: Order, shipment: Shipment, ctx: Context, tracking_number: str, tracking_url: str
) -> tuple[tuple[str, object], ...]:
    """The shipping notice's facts: the carrier, the tracking, the parcel, and what it collects.

    代引き: what its driver collects is the shipment's ``cod_amount``, the amount its label asks
    for (¥0 when another parcel collects the order's money).
    """
    facts: tuple[tuple[str, object], ...] = (
        ("carrier", shipment.carrier),
        ("shipped_at", ctx.at),
        ("tracking_number", tracking_number),
        ("tracking_url", tracking_url),
        ("shipment_id", shipment.shipment_id),
    )
    if order.payment.method is PaymentMethod.COD:
        collected = shipment.cod_amount or Money.zero(order.currency)
        facts = (*facts, ("cod_amount", max(collected, Money.zero(order.currency))))
    return facts


def deliver(order: Order, shipment_id: str, ctx: Context, rules: Rules) -> Order:
    """着荷: a shipment arrived; 代引き money collected on it is received.

    The last one makes points due when the shop grants them after delivery.
    """
    shipment = lifecycle.find_shipment(order, shipment_id, Move.DELIVER)
    result, events = lifecycle.deliver(order, shipment_id, ctx)
    if not events:
        return order
    if shipment.cod_amount is not None and shipment.cod_amount.amount > 0:
        key = f"{order.number}:cod:{shipment_id}"
        result = record(
            result,
            PaymentOp.RECEIVE,
            shipment.cod_amount,
            key,
            ctx.at,
            reference=shipment_id,
        )
    if result.status is OrderStatus.DELIVERED:
        plan = Plan(result)
        since = last_arrival(result)  # the carrier's time, not the poll's
        result = plan.apply(schedule_grant(result, "DELIVERY", ctx, rules, plan, since=since))
    return result


def book(order: Order, on: date, ctx: Context, rules: Rules) -> Order:
    """計上: 着荷済 → 計上済, the sale's journal entry posted once; the virtual account freed."""
    if order.open_holds:  # a capture refused, an obligation stuck…: not a sale to book yet
        codes = ", ".join(h.code for h in order.open_holds)
        raise MoveBlocked(
            order.number,
            order.status.name,
            Move.BOOK.value,
            offered(order),
            f"open holds: {codes}",
        )
    settings = rules.settings
    entry = sale_entry(order, settings.tax, settings.accounts, on, order.totals(settings.tax))
    booked, _ = lifecycle.book(order, on, ctx)
    plan = Plan(booked)
    plan.add(PostJournal, entry=entry)
    booked = book_returns(plan, booked, ctx, rules)  # 返品 before the booking: 売上戻り after
    booked = book_goodwill(plan, booked, rules)  # 返金 before the booking: 売上値引 after
    booked = schedule_grant(booked, "BOOKING", ctx, rules, plan)
    account = booked.payment.instruction("account")
    if account and account not in booked.payment.closed:
        plan.add(ReleaseAccount, account=account)
    number = booked.payment.instruction("payment_number")
    if number and number not in booked.payment.closed and not paid_in_full(booked.payment):
        plan.add(WithdrawKonbini, payment_number=number)  # paid otherwise: the slip is void
    return plan.apply(booked)


def book_returns(plan: Plan, order: Order, ctx: Context, rules: Rules) -> Order:
    """The reversing entries of the returns refunded before the booking (see returning)."""
    from orderflow.domain.decisions.return_books import book_returns as post

    return post(plan, order, ctx, rules)


def book_goodwill(plan: Plan, order: Order, rules: Rules) -> Order:
    """The entries of the goodwill refunds made before the booking (see money)."""
    from orderflow.domain.decisions.money import book_goodwill as post

    return post(plan, order, rules)
