"""配送状況, 着荷取消, 持戻り: what carrier events do to an order, and undoing a wrong delivery.

The rules (``docs/carrier-events.md``):

- an event stamped more than the shop's ``carrier_clock_tolerance`` ahead of the desk's clock
  is a wrong date: it changes nothing, not even the shipment's list of event ids, and comes
  back (``Tally.ahead``) to be given again once its time has come;
- every event is recorded once per shipment (its id: a repeat changes nothing);
- the shipment's state is that of its newest event by the carrier's time
  (:func:`~orderflow.domain.tracking.event_key`): an older event that comes late is recorded
  but does not move the state back;
- a shipment whose newest event is 配達完了 is delivered through the ``deliver`` move, so the
  order is 着荷済 when every shipment is;
- a newer event that contradicts a delivery holds the order (``delivery_in_doubt``): a person
  undoes the delivery (:func:`undo_delivery`, before booking) or clears the hold; so does a
  配達完了 of a parcel not delivered that is not its newest event (it came late, or with a newer
  one in the same batch): a person delivers it by hand or clears the hold;
- 返送 holds the order (``returned_to_sender``; the return itself is not built yet), 紛失 holds it
  (``parcel_lost``), 持戻り longer than the shop's ``absent_hold_days`` holds it
  (``absent_uncollected``, see :func:`absent_overdue`);
- a 配達完了 newer than a 返送 of the same parcel is the parcel back at the shop: the shipment
  is not delivered and the order stays held (``returned_to_sender``) for a person;
- a 配達完了 of a lost parcel clears ``parcel_lost`` (once no parcel of the order is lost): the
  order goes on as any delivered order;
- the customer hears of 配達中, 持戻り (how to arrange a new delivery) and 返送, once per event,
  and only of the newest state a batch leaves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.decisions import shipping
from orderflow.domain.effects import Notify
from orderflow.domain.events import CarrierReported, Delivered, DeliveryUndone
from orderflow.domain.lifecycle import Context
from orderflow.domain.moves import check_order_move
from orderflow.domain.order import Order, OrderEvent, Shipment, ShipmentStatus
from orderflow.domain.outbox import Plan
from orderflow.domain.points import unschedule_grant
from orderflow.domain.rules import Rules
from orderflow.domain.status import Move, OrderStatus
from orderflow.domain.tracking import CarrierEvent, TrackingStatus, event_key
from orderflow.errors import MoveBlocked

__all__ = [
    "HOLD_ABSENT",
    "HOLD_DOUBT",
    "HOLD_LOST",
    "HOLD_RETURNED",
    "Tally",
    "absent_overdue",
    "apply_events",
    "deliver_tracked",
    "hold_absent",
    "newest_key",
    "undo_delivery",
]

HOLD_RETURNED = "returned_to_sender"
"""返送: the parcel goes back to the shop; a person starts the return."""
HOLD_LOST = "parcel_lost"
"""紛失: the carrier lost the parcel."""
HOLD_DOUBT = "delivery_in_doubt"
"""The carrier says something newer than the delivery: was it delivered?"""
HOLD_ABSENT = "absent_uncollected"
"""持戻り for longer than the shop's ``absent_hold_days``."""

_HOLDS = {
    HOLD_RETURNED: (
        "配送業者が差出人への返送を報告しました（返品処理は未実装のため手動で対応してください）",
        "The carrier is returning the parcel to the shop (handle the return by hand)",
    ),
    HOLD_LOST: ("配送業者が荷物の紛失を報告しました", "The carrier reports the parcel lost"),
    HOLD_DOUBT: (
        "着荷後に配送業者から別の状況が届きました。着荷を確認してください",
        "The carrier reported something after the delivery: check it",
    ),
    HOLD_ABSENT: (
        "持戻りのまま再配達の手配がありません",
        "The parcel has been back at the depot too long",
    ),
}


@attrs.frozen(slots=True)
class Tally:
    """What one order's batch did: events applied as newest, recorded late, repeated."""

    applied: int = 0
    """New events that became their shipment's newest state when applied."""
    late: int = 0
    """New events older than their shipment's newest: recorded, the state unchanged."""
    duplicates: int = 0
    """Events already recorded for their shipment (by event id): nothing changed."""
    ahead: tuple[CarrierEvent, ...] = ()
    """Events stamped more than the shop's ``carrier_clock_tolerance`` ahead of the desk's
    clock: refused, nothing changed (give them again once their time has come)."""


def newest_key(shipment: Shipment) -> tuple[datetime, int, str] | None:
    """The order key of the shipment's newest applied event, or None before any event."""
    if shipment.tracking is None or shipment.tracked_at is None:
        return None
    return event_key(shipment.tracked_at, shipment.tracking, shipment.tracked_event)


def apply_events(
    order: Order,
    found: Sequence[tuple[str, CarrierEvent]],
    ctx: Context,
    rules: Rules,
    *,
    urls: Mapping[str, str],
) -> tuple[Order, Tally]:
    """Apply carrier events (shipment id, event) to ``order``; the order and what was done.

    ``urls`` maps shipment ids to the carrier's tracking page (for the notices). The same order
    comes back when every event was a repeat or ahead of the desk's clock (``ctx.at``) by more
    than the shop's ``carrier_clock_tolerance``: such an event would be the shipment's newest
    state until its date, and every real event before that date late.
    """
    limit = ctx.at + rules.settings.carrier_clock_tolerance
    ahead = tuple(event for _, event in found if event.at > limit)
    found = [pair for pair in found if pair[1].at <= limit]
    events = sorted(found, key=lambda pair: event_key(pair[1].at, pair[1].kind, pair[1].event_id))
    shipments = {s.shipment_id: s for s in order.shipments}
    before = dict(shipments)
    recorded: list[OrderEvent] = []
    applied = late = duplicates = 0
    delivered: set[str] = set()  # shipments the batch says 配達完了 of
    for shipment_id, event in events:
        shipment = shipments[shipment_id]
        if event.event_id in shipment.event_ids:
            duplicates += 1
            continue
        key = event_key(event.at, event.kind, event.event_id)
        if event.kind is TrackingStatus.DELIVERED:
            delivered.add(shipment_id)
        current = newest_key(shipment)
        is_newest = current is None or key > current
        changes: dict[str, object] = {"event_ids": (*shipment.event_ids, event.event_id)}
        if is_newest:
            changes.update(tracking=event.kind, tracked_at=event.at, tracked_event=event.event_id)
            applied += 1
        else:
            late += 1
        shipments[shipment_id] = replace(shipment, **changes)
        fields = {
            "shipment": shipment_id,
            "kind": event.kind.value,
            "carrier_at": event.at,
            "event_id": event.event_id,
            "location": event.location,
            "detail_text": event.detail,
            "late": not is_newest,
        }
        recorded.append(lifecycle.make_event(order, ctx, CarrierReported, order.status, fields))
    tally = Tally(applied, late, duplicates, ahead)
    if not recorded:
        return order, tally
    order = replace(
        order,
        shipments=tuple(shipments[s.shipment_id] for s in order.shipments),
        history=(*order.history, *recorded),
    )
    plan = Plan(order)
    for shipment_id, old in before.items():
        new = shipments[shipment_id]
        if newest_key(new) != newest_key(old):
            order = _follow(order, old, new, ctx, rules, plan, urls.get(shipment_id, ""))
    for shipment in order.shipments:
        if shipment.shipment_id in delivered and _delivery_overtaken(shipment):
            order = _hold(order, HOLD_DOUBT, ctx)
    return plan.apply(order), tally


def _delivery_overtaken(shipment: Shipment) -> bool:
    """A 配達完了 came, but the carrier's newest event of the parcel says something else.

    (Late, or in one batch with a newer event: it was recorded and nothing else happened, so a
    delivery the carrier reported was silently dropped.)
    """
    return shipment.status is ShipmentStatus.SHIPPED and shipment.tracking not in (
        TrackingStatus.DELIVERED,
        TrackingStatus.RETURNED_TO_SENDER,  # held already: back to the shop
    )


def _follow(
    order: Order, old: Shipment, new: Shipment, ctx: Context, rules: Rules, plan: Plan, url: str
) -> Order:
    """What the shipment's new state leads to: a delivery, a hold, a notice."""
    kind = new.tracking
    if kind is TrackingStatus.DELIVERED:
        if _returned_before(order, new):  # back at the shop, not the customer's
            if old.tracking is TrackingStatus.RETURNED_TO_SENDER:
                return order  # held when the 返送 came (a person may have cleared it since)
            return _hold(order, HOLD_RETURNED, ctx)
        order = _found(order, ctx)
        return deliver_tracked(order, ctx, rules, only=new.shipment_id)
    if new.status is ShipmentStatus.DELIVERED:
        if _contradicts(old, new):
            return _hold(order, HOLD_DOUBT, ctx)
        return order
    if kind is TrackingStatus.RETURNED_TO_SENDER:
        order = _hold(order, HOLD_RETURNED, ctx)
        _notify(plan, "returned_to_sender", new, url)
    elif kind is TrackingStatus.LOST:
        order = _hold(order, HOLD_LOST, ctx)
    elif kind is TrackingStatus.OUT_FOR_DELIVERY:
        _notify(plan, "out_for_delivery", new, url)
    elif kind is TrackingStatus.ABSENT:
        _notify(plan, "absent", new, url, absent_at=new.tracked_at, location=_location(order, new))
    return order


def _returned_before(order: Order, shipment: Shipment) -> bool:
    """The carrier reported the parcel 返送 before its newest event (by the carrier's time)."""
    newest = newest_key(shipment)
    return newest is not None and any(
        isinstance(event, CarrierReported)
        and event.shipment == shipment.shipment_id
        and event.kind == TrackingStatus.RETURNED_TO_SENDER.value
        and event.carrier_at is not None
        and event_key(event.carrier_at, TrackingStatus.RETURNED_TO_SENDER, event.event_id) < newest
        for event in order.history
    )


def _found(order: Order, ctx: Context) -> Order:
    """A parcel lost or 持戻り was delivered: its hold is cleared once no parcel still is."""
    if not any(s.tracking is TrackingStatus.LOST for s in order.shipments):
        why = attrs.evolve(ctx, reason="配達完了: 紛失と報告された荷物が配達されました")
        order = lifecycle.clear_holds(order, [HOLD_LOST], why)
    if not any(s.tracking is TrackingStatus.ABSENT for s in order.shipments):
        why = attrs.evolve(ctx, reason="配達完了: 持戻りの荷物が再配達されました")
        order = lifecycle.clear_holds(order, [HOLD_ABSENT], why)
    return order


def _contradicts(old: Shipment, new: Shipment) -> bool:
    """A newer event than the delivery says the parcel is elsewhere."""
    if old.tracking is TrackingStatus.DELIVERED:
        return True
    return new.delivered_at is None or (
        new.tracked_at is not None and new.tracked_at > new.delivered_at
    )


def _location(order: Order, shipment: Shipment) -> str:
    for event in reversed(order.history):
        if isinstance(event, CarrierReported) and event.event_id == shipment.tracked_event:
            return event.location or "-"
    return "-"


def _notify(plan: Plan, notice: str, shipment: Shipment, url: str, **more: object) -> None:
    facts: tuple[tuple[str, object], ...] = (
        ("carrier", shipment.carrier),
        ("tracking_number", shipment.tracking_number or ""),
        ("tracking_url", url),
        *more.items(),
    )
    plan.add(Notify, notice=notice, facts=facts)


def _hold(order: Order, code: str, ctx: Context) -> Order:
    message, message_en = _HOLDS[code]
    held, _ = lifecycle.raise_hold(order, code, message, ctx, message_en=message_en)
    return held


def deliver_tracked(order: Order, ctx: Context, rules: Rules, *, only: str | None = None) -> Order:
    """Deliver the shipped shipments whose newest carrier event is 配達完了 (or just ``only``).

    While the order is 出荷指示済 (a parcel still in a warehouse) nothing is delivered: the
    carrier's word is kept on the shipment and acted on when the last parcel ships.
    """
    if order.status is not OrderStatus.SHIPPED:
        return order
    for shipment in order.shipments:
        if only is not None and shipment.shipment_id != only:
            continue
        if shipment.status is ShipmentStatus.SHIPPED and shipment.tracking is (
            TrackingStatus.DELIVERED
        ):
            if _undone_since(order, shipment):
                continue
            order = shipping.deliver(order, shipment.shipment_id, ctx, rules)
    return order


def _undone_since(order: Order, shipment: Shipment) -> bool:
    """A person undid this shipment's delivery after its newest carrier event was recorded."""
    for event in reversed(order.history):
        if isinstance(event, DeliveryUndone) and event.shipment == shipment.shipment_id:
            return True
        if isinstance(event, CarrierReported) and event.event_id == shipment.tracked_event:
            return False
    return False


def undo_delivery(order: Order, shipment_id: str, ctx: Context, rules: Rules) -> Order:
    """着荷取消: one shipment was not delivered after all; 着荷済 → 出荷済, before booking.

    A parcel delivered while the rest of the order is still in a warehouse (出荷指示済: 分納,
    several warehouses) is taken back there; the order stays 出荷指示済. Points the shop grants
    after delivery and has not granted yet wait for the next delivery.

    A delivery the carrier's newer word put in doubt (返送, 紛失) takes that word's hold once
    undone (``returned_to_sender``, ``parcel_lost``), as if the parcel had never been delivered.

    Undoing an undone delivery again returns the order. A 代引き parcel's delivery is refused:
    the money is recorded as collected (settle it with the carrier, then refund); so is the
    delivery of an order with a return requested or received (the goods did arrive). Points the
    delivery made due (granted after delivery) are due again only when it is delivered again.
    """
    shipment = lifecycle.find_shipment(order, shipment_id, Move.UNDO_DELIVERY)
    waiting = order.status is OrderStatus.SHIPPING_INSTRUCTED  # the rest still in a warehouse
    to = OrderStatus.SHIPPING_INSTRUCTED if waiting else OrderStatus.SHIPPED
    check_order_move(order, Move.UNDO_DELIVERY, to)
    if shipment.status is ShipmentStatus.SHIPPED and _last_about(order, shipment_id) is (
        DeliveryUndone
    ):
        return order
    if shipment.status is not ShipmentStatus.DELIVERED:
        raise _blocked(order, f"shipment {shipment_id} is not delivered")
    if not lifecycle.undoable_delivery(shipment):
        raise _blocked(order, f"shipment {shipment_id} is 代引き: its money is recorded")
    taken = lifecycle.returns_taken(order)
    if taken:  # a return was accepted on the delivery: the goods did reach the customer
        raise _blocked(
            order,
            f"the customer received the goods: the order has returns ({', '.join(taken)}) "
            "taken on this delivery",
        )
    updated = replace(shipment, status=ShipmentStatus.SHIPPED, delivered_at=None)
    shipments = tuple(updated if s.shipment_id == shipment_id else s for s in order.shipments)
    was = order.status
    order, _ = lifecycle.record_fact(
        order,
        ctx,
        DeliveryUndone,
        to,
        {"shipment": shipment_id},
        shipments=shipments,
    )
    if was is OrderStatus.DELIVERED:  # a grant counted from the delivery waits for the next one
        order = unschedule_grant(order, "DELIVERY", rules)
    order = lifecycle.clear_holds(order, [HOLD_DOUBT], ctx)
    # the carrier's word that put the delivery in doubt stands now: its hold, as if no delivery
    follows = _HOLD_OF.get(updated.tracking) if updated.tracking else None
    return order if follows is None else _hold(order, follows, ctx)


_HOLD_OF = {TrackingStatus.RETURNED_TO_SENDER: HOLD_RETURNED, TrackingStatus.LOST: HOLD_LOST}
"""The hold a shipped parcel's carrier status raises (返送, 紛失)."""


def _last_about(order: Order, shipment_id: str) -> type[OrderEvent] | None:
    for event in reversed(order.history):
        if isinstance(event, (Delivered, DeliveryUndone)) and event.shipment == shipment_id:
            return type(event)
    return None


def _blocked(order: Order, reason: str) -> MoveBlocked:
    return lifecycle.blocked(order, Move.UNDO_DELIVERY, reason)


def absent_overdue(order: Order, now: datetime, days: int) -> tuple[Shipment, ...]:
    """Shipments 持戻り (newest event) for ``days`` or more, by the carrier's time, at ``now``."""
    limit = now - timedelta(days=days)
    return tuple(
        s
        for s in order.shipments
        if s.status is ShipmentStatus.SHIPPED
        and s.tracking is TrackingStatus.ABSENT
        and s.tracked_at is not None
        and s.tracked_at <= limit
    )


def hold_absent(order: Order, ctx: Context, days: int) -> Order:
    """Hold ``order`` for a person if a parcel is still 持戻り ``days`` or more; else as is.

    Also as is when it is held for it already (a person has not cleared the hold).
    """
    if not absent_overdue(order, ctx.at, days):
        return order  # delivered, or out again, since the sweep read its list
    if any(h.code == HOLD_ABSENT for h in order.open_holds):
        return order
    return _hold(order, HOLD_ABSENT, ctx)
