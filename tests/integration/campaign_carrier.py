"""The campaign's carrier: tracking numbers, parcels' journeys, and their events fed to the desk.

Each shipped parcel gets a journey (picked up, in transit, out for delivery, maybe 持戻り and out
again, then delivered — or now and then returned to sender or lost), with the carrier's times
after the shipment. A feed command sends part of a journey: in order, shuffled, with repeats,
with an old event sent late after newer ones (even after the delivery), or events for numbers
no shipment has (or several shipments share); those must come back unknown and change nothing.
Journeys run days ahead of the shop's clock (its clock moves only when days pass): what is
further ahead than the shop's ``carrier_clock_tolerance`` comes back ``ahead``, changes nothing
and is given again later; now and then an event with a wrong date (years ahead) is sent too.
Operators undo deliveries and the 持戻り sweep runs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta

import attrs

from orderflow import (
    CarrierEvent,
    CarrierEventReport,
    Order,
    OrderStatus,
    ShipmentStatus,
    TrackingStatus,
)
from tests.integration.campaign_world import CARRIER_NUMBERS, Flow

T = TrackingStatus


def tracking_number(rng: random.Random) -> str:
    """A valid 12-digit number (mod 7 check digit); now and then one the flow shares."""
    if rng.random() < 0.2:
        return rng.choice(CARRIER_NUMBERS)
    return fresh_tracking_number(rng)


def fresh_tracking_number(rng: random.Random) -> str:
    """A valid 12-digit number no other parcel has (a person scanning the right label)."""
    body = rng.randrange(10**10, 10**11)
    return f"{body}{body % 7}"


def _journey(rng: random.Random) -> list[TrackingStatus]:
    path = [T.INSTRUCTED, T.PICKED_UP, T.IN_TRANSIT, T.OUT_FOR_DELIVERY]
    for _ in range(rng.choice([0, 0, 1, 2])):
        path += [T.ABSENT, T.OUT_FOR_DELIVERY]
    end = rng.random()
    if end < 0.08:
        path.append(T.RETURNED_TO_SENDER)
    elif end < 0.12:
        path.append(T.LOST)
    elif end < 0.2:
        path.append(T.ABSENT)
    else:
        path.append(T.DELIVERED)
    return path


def events_of(flow: Flow, order: Order, shipment_id: str) -> list[CarrierEvent]:
    """The whole journey of one shipped parcel (made once per parcel and number)."""
    shipment = next(s for s in order.shipments if s.shipment_id == shipment_id)
    assert shipment.tracking_number and shipment.shipped_at
    key = (order.number, shipment_id, shipment.tracking_number)
    if key not in flow.journeys:
        rng = flow.rng
        start = shipment.shipped_at
        minutes = 0
        events = []
        for n, kind in enumerate(_journey(rng)):
            minutes += rng.choice([0, 1, 30, 240, 60 * 24])  # 0: two events at the same time
            events.append(
                CarrierEvent(
                    shipment.carrier,
                    rng.choice([shipment.tracking_number, _spaced(shipment.tracking_number)]),
                    kind,
                    start + timedelta(minutes=minutes),
                    f"{shipment.tracking_number}-{n}",
                    location=rng.choice(["", "渋谷営業所", "羽田CGB"]),
                )
            )
        flow.journeys[key] = events
    return flow.journeys[key]


def _spaced(number: str) -> str:
    return f"{number[:4]}-{number[4:8]}-{number[8:]}".translate(
        str.maketrans("0123456789-", "０１２３４５６７８９－")
    )


def feed(flow: Flow, order: Order) -> object:
    """Send part of a parcel's journey, in order, shuffled, repeated or late."""
    rng = flow.rng
    tracked = [s for s in order.shipments if s.tracking_number and s.shipped_at]
    if not tracked:
        return unknown_numbers(flow)
    shipment = rng.choice(tracked)
    journey = events_of(flow, order, shipment.shipment_id)
    sent = flow.sent.setdefault(shipment.tracking_number or "", 0)
    mode = rng.randint(0, 5)
    if mode == 0:  # the next few, in order
        upto = min(len(journey), sent + rng.randint(1, 3))
        batch = journey[sent:upto]
    elif mode == 1:  # the rest, shuffled
        upto = len(journey)
        batch = journey[sent:]
        rng.shuffle(batch)
    elif mode == 2:  # some already sent again, with one new
        upto = min(len(journey), sent + 1)
        batch = rng.sample(journey[:upto], min(upto, 3)) * 2
    elif mode == 3:  # the newest first, the older ones after it (late)
        upto = min(len(journey), sent + rng.randint(2, 4))
        batch = [journey[upto - 1]] if upto else []
        flow.shop.desk.carrier_events(batch)
        batch = journey[:upto]
    elif mode == 4:  # an old one, late (perhaps after the delivery)
        upto = sent
        batch = [rng.choice(journey[: max(sent, 1)])]
    else:  # a wrong date, years ahead, among the next one
        upto = min(len(journey), sent + 1)
        wrong = attrs.evolve(
            rng.choice(journey),
            at=flow.shop.clock.now() + timedelta(days=rng.randint(3651, 9000)),
            event_id=f"wrong-{rng.randint(1, 10**9)}",
        )
        batch = [*journey[sent:upto], wrong]
    flow.sent[shipment.tracking_number or ""] = max(sent, upto)
    before = _holders(flow, batch)
    report = flow.shop.desk.carrier_events(batch)
    for event in report.retry:
        flow.retry.append(event)
    _check_ahead(flow, batch, report, before)
    return report


def _holders(flow: Flow, batch: Sequence[CarrierEvent]) -> set[tuple[str, str, str]]:
    """(order, shipment, event id) of the batch's event ids already recorded."""
    ids = {e.event_id for e in batch}
    return {
        (o.number, s.shipment_id, i)
        for o in flow.shop.store.orders.values()
        for s in o.shipments
        for i in s.event_ids
        if i in ids
    }


def _check_ahead(
    flow: Flow,
    batch: list[CarrierEvent],
    report: CarrierEventReport,
    before: set[tuple[str, str, str]],
) -> None:
    """Ahead is what is too far ahead of the clock, and is not recorded; it is given again later."""
    limit = flow.shop.clock.now() + flow.shop.desk.settings.carrier_clock_tolerance
    too_far = {e for e in batch if e.at > limit}
    taken = too_far - set(report.retry) - set(report.unknown)
    if not set(report.ahead) <= too_far or not taken <= set(report.ahead):
        flow.broken.append(f"ahead {report.ahead}, but {too_far} are after {limit}")
    # two journeys of one reused tracking number may give two events one id: the copy that was
    # not ahead may be recorded
    in_time = {e.event_id for e in batch if e not in set(report.ahead)}
    ahead_ids = {e.event_id for e in report.ahead} - in_time
    recorded = {held for held in _holders(flow, report.ahead) - before if held[2] in ahead_ids}
    if recorded:
        flow.broken.append(f"events refused as ahead, yet recorded: {sorted(recorded)}")
    flow.retry.extend(e for e in report.ahead if not e.event_id.startswith("wrong-"))


def unknown_numbers(flow: Flow) -> object:
    """Events for numbers no shipment has, or several share: reported, and nothing changes.

    The orders of one 同梱 parcel share its number by design (its events are for each of them):
    such a number is not a mistake; nor is a number used again, when one parcel alone was on its
    way at the event's time (shipped before it, not delivered before it, give or take the
    shop's carrier_clock_tolerance).
    """
    rng = flow.rng
    shop = flow.shop
    body = rng.randrange(10**10, 10**11)
    numbers = [f"{body}{body % 7}"]
    orders = shop.store.orders
    at = shop.clock.now()
    margin = shop.desk.settings.carrier_clock_tolerance
    holders: dict[str, set[tuple[str, str, str | None, bool]]] = {}
    for o in orders.values():
        for s in o.shipments:  # the events are Yamato's: another carrier's number is its own
            if s.tracking_number and s.carrier == "yamato":
                on_its_way = (
                    s.shipped_at is not None
                    and s.shipped_at - margin <= at
                    and (s.delivered_at is None or at <= s.delivered_at + margin)
                )
                holders.setdefault(s.tracking_number, set()).add(
                    (o.number, s.shipment_id, s.parcel, on_its_way)
                )

    def one_parcel(who: set[tuple[str, str, str | None, bool]]) -> bool:
        parcels = {parcel for _, _, parcel, _ in who}
        one_box = len(parcels) == 1 and None not in parcels
        return len(who) == 1 or (one_box and len({x[0] for x in who}) == len(who))

    def shared(who: set[tuple[str, str, str | None, bool]]) -> bool:
        then = {x for x in who if x[3]}
        return not one_parcel(who) and not one_parcel(then)

    numbers += [n for n, who in holders.items() if shared(who)][:2]
    if numbers[0] in holders:
        return None  # drawn a number in use: not unknown
    batch = [
        CarrierEvent("yamato", n, rng.choice(list(T)), at, f"u{rng.randint(1, 10**9)}")
        for n in numbers
    ]
    before = {n: o.version for n, o in orders.items()}
    report = shop.desk.carrier_events(batch)
    after = {n: o.version for n, o in shop.store.orders.items()}
    if before != after or len(report.unknown) != len(batch):
        flow.broken.append(f"unknown numbers {numbers}: {report}, versions moved")
    return report


def resend(flow: Flow) -> object:
    """Give again the events a failed batch returned for retry, or that were too far ahead."""
    batch, flow.retry[:] = list(flow.retry), []
    if not batch:
        return None
    before = _holders(flow, batch)
    report = flow.shop.desk.carrier_events(batch)
    flow.retry.extend(report.retry)
    _check_ahead(flow, batch, report, before)
    return report


def undo(flow: Flow, order: Order) -> object:
    """An operator undoes a delivery (before booking)."""
    delivered = [s for s in order.shipments if s.status is ShipmentStatus.DELIVERED]
    if not delivered or order.status is OrderStatus.BOOKED:
        return None
    shipment = flow.rng.choice(delivered)
    return flow.shop.desk.undo_delivery(order.number, shipment.shipment_id, reason="誤配達")


def sweep(flow: Flow) -> object:
    """Days pass and the 持戻り sweep runs (again and again: the last holds nothing new)."""
    flow.shop.clock.advance(timedelta(days=flow.rng.choice([1, 2, 4])))
    flow.shop.desk.sweep_absent()
    flow.shop.desk.sweep_absent()  # what a fault stopped the first time
    again = flow.shop.desk.sweep_absent()
    if again:
        flow.broken.append(f"sweep_absent held {again} twice")
    return again
