"""配送状況 (carrier events), 着荷取消 and the 持戻り sweep: the carrier's word on the parcels."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from itertools import islice

import attrs

from orderflow.app._inputs import check_text
from orderflow.app.base import DeskBase
from orderflow.app.fulfilment import normalize_tracking
from orderflow.domain.bounds import check_moment
from orderflow.domain.decisions import tracking
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order, Shipment
from orderflow.domain.tracking import CarrierEvent
from orderflow.errors import InvalidValue, OrderflowError

__all__ = ["CarrierEventReport", "TrackingCommands"]

_BATCH_LIMIT = 100_000
_REQUEST_LIMIT = 200
"""The longest request id a command takes."""


@attrs.frozen(slots=True)
class CarrierEventReport:
    """What ``desk.carrier_events`` did with a batch.

    ``unknown`` are the events no shipment has the number of (or more than one order has, unless
    they are one 同梱 parcel: its events are for each of its orders), kept for a person: look
    them up, and give them again once the number is on a shipment. ``retry`` are the events of
    orders whose command failed (another worker saved first, a provider did not answer): give
    them again, they count once. The counts are per shipment: an event of a parcel of two orders
    counts twice.
    """

    applied: int = 0
    """Events that became their shipment's newest state."""
    late: int = 0
    """Events recorded but older than their shipment's newest (the state did not move back)."""
    duplicates: int = 0
    """Events already recorded (the same event id for the same shipment)."""
    orders: tuple[str, ...] = ()
    """The orders that changed."""
    unknown: tuple[CarrierEvent, ...] = ()
    """Events whose tracking number no shipment has, or more than one order has (but for the
    orders of one 同梱 parcel): for a person to look up."""
    retry: tuple[CarrierEvent, ...] = ()
    """Events of orders whose command failed (a concurrent save, a provider's silence): give them
    again."""
    errors: tuple[tuple[str, str], ...] = ()
    """(order number, error) of each order in ``retry``."""
    ahead: tuple[CarrierEvent, ...] = ()
    """Events stamped more than ``ShopSettings.carrier_clock_tolerance`` ahead of the desk's
    clock (a wrong date): refused, nothing changed. Give them again once their time has come,
    or to a person."""


def _absence_key(overdue: Iterable[Shipment]) -> str:
    """The sweep's request id for these absences (shipment and event): one hold per absence.

    Event ids are up to 200 characters: a key that would be longer than a request id may be is
    its SHA-256, never cut (two absences sharing a long beginning are two holds).
    """
    key = "absent:" + ",".join(f"{s.shipment_id}@{s.tracked_event}" for s in overdue)
    if len(key) <= _REQUEST_LIMIT:
        return key
    return "absent#" + hashlib.sha256(key.encode()).hexdigest()


def _checked_batch(events: Iterable[object]) -> list[CarrierEvent]:
    """``events`` as a list, each a :class:`CarrierEvent` (at most the batch limit)."""
    given: list[object] | None = None
    if not isinstance(events, str | bytes | bytearray):
        try:  # one more than the limit is enough to refuse an endless iterable
            given = list(islice(events, _BATCH_LIMIT + 1))
        except TypeError:  # not iterable
            given = None
    if given is None or len(given) > _BATCH_LIMIT:
        raise InvalidValue("events", events, f"a list of CarrierEvent (at most {_BATCH_LIMIT})")
    batch: list[CarrierEvent] = []
    for index, event in enumerate(given):
        if not isinstance(event, CarrierEvent):
            raise InvalidValue(f"events[{index}]", event, "a CarrierEvent")
        batch.append(event)
    return batch


class TrackingCommands(DeskBase):
    """配送状況 from the carriers, 着荷取消 and the 持戻り sweep."""

    def carrier_events(
        self, events: Iterable[CarrierEvent], *, actor: str = "carrier"
    ) -> CarrierEventReport:
        """Apply a batch of carrier events (polled or from a webhook); one command per order.

        Each event finds its shipment by carrier and normalised tracking number. Repeats, late
        and out-of-order events are normal input (see ``docs/carrier-events.md``); an event for
        a number no shipment has comes back in the report's ``unknown``, one stamped further
        ahead of the desk's clock than ``settings.carrier_clock_tolerance`` in ``ahead``. Bad
        input (not a :class:`CarrierEvent`) raises before anything changes.
        """
        batch = _checked_batch(events)
        self._ctx(actor)  # the actor is checked before anything
        per_order, unknown = self._by_order(batch)
        applied = late = duplicates = 0
        changed: list[str] = []
        retry: list[CarrierEvent] = []
        errors: list[tuple[str, str]] = []
        ahead: dict[CarrierEvent, None] = {}  # each once, in the batch's order
        for number in sorted(per_order):
            pairs = per_order[number]
            tally: list[tuple[tracking.Tally, bool]] = []
            try:
                order = self._command(
                    number, self._applying(pairs, tally), actor=actor, reason="配送状況"
                )
                self._after_events(order)
            except OrderflowError as error:
                retry.extend(event for _, event in pairs)
                errors.append((number, f"{type(error).__name__}: {error}"))
                continue
            if tally:
                counted, moved = tally[-1]
                applied += counted.applied
                late += counted.late
                duplicates += counted.duplicates
                ahead.update(dict.fromkeys(counted.ahead))
                if moved:
                    changed.append(number)
        return CarrierEventReport(
            applied,
            late,
            duplicates,
            tuple(changed),
            tuple(unknown),
            tuple(retry),
            tuple(errors),
            tuple(ahead),
        )

    def _after_events(self, order: Order) -> None:
        """What follows an order's events once they are applied (同梱: the rest of its box)."""

    def _by_order(
        self, batch: list[CarrierEvent]
    ) -> tuple[dict[str, list[tuple[str, CarrierEvent]]], list[CarrierEvent]]:
        """The events by order number (with their shipment ids), and those no shipment has."""
        unknown: list[CarrierEvent] = []
        per_order: dict[str, list[tuple[str, CarrierEvent]]] = {}
        cache: dict[tuple[str, str], list[tuple[str, Shipment]]] = {}
        margin = self.settings.carrier_clock_tolerance
        for event in batch:
            key = (event.carrier, event.tracking_number)
            if key not in cache:
                cache[key] = self._shipments_numbered(event)
            found = _owners(cache[key], event.at, margin)
            if not found:
                unknown.append(event)
            for number, shipment_id in found:
                per_order.setdefault(number, []).append((shipment_id, event))
        return per_order, unknown

    def poll_carrier_events(self, since: datetime, *, actor: str = "carrier") -> CarrierEventReport:
        """Poll every wired carrier feed (``carrier_feeds``) since ``since`` and apply the events.

        Poll again from a little before the last poll: what comes twice counts once.
        """
        check_moment(since, "since")
        return self.carrier_events(self.executor.poll_carrier_events(since), actor=actor)

    def undo_delivery(
        self, number: str, shipment_id: str, *, reason: str, actor: str = "operator"
    ) -> Order:
        """着荷取消: a shipment was not delivered after all; the order goes back to 出荷済.

        (It stays 出荷済 or 出荷指示済 when another of its parcels is not delivered yet.)

        Only before booking (計上済 is final). ``reason`` is required and kept in the history;
        a ``delivery_in_doubt`` hold is cleared. Undoing the same delivery again returns the
        order. A later 配達完了 from the carrier (a new event) delivers it again.
        """
        check_text(shipment_id, "shipment_id", required=True, limit=100)
        check_text(reason, "reason", required=True, limit=1000, breaks=True)
        return self._command(
            number,
            lambda order, ctx: tracking.undo_delivery(order, shipment_id, ctx, self.rules),
            actor=actor,
            reason=reason,
        )

    def sweep_absent(self, *, actor: str = "system") -> list[str]:
        """Hold every order with a parcel 持戻り for ``settings.absent_hold_days`` or more.

        Once per absence (the carrier's event): a person who cleared the hold is not asked
        again until the parcel is absent again. Returns the orders held now. Safe to repeat.
        A bad ``actor`` is refused before anything.
        """
        self._ctx(actor)
        now = self.executor.now()
        days = self.settings.absent_hold_days
        held: list[str] = []
        for order in self._orders_due(now):
            overdue = tracking.absent_overdue(order, now, days)
            if not overdue or any(h.code == tracking.HOLD_ABSENT for h in order.open_holds):
                continue  # nothing overdue, or held for it already (a person has not cleared it)
            request = _absence_key(overdue)
            if request in order.requests:
                continue
            acted: list[bool] = []

            def decide(
                o: Order, ctx: Context, request: str = request, acted: list[bool] = acted
            ) -> Order:
                # the order as stored now: a parcel delivered since the list was read is not held
                if _absence_key(tracking.absent_overdue(o, now, days)) != request:
                    return o
                after = tracking.hold_absent(o, ctx, days)
                acted.append(after is not o)
                return after

            try:
                self._command(order.number, decide, actor=actor, request_id=request)
            except OrderflowError:
                continue  # raced, or effects pending: the next sweep
            if any(acted):
                held.append(order.number)
        return held

    # -- helpers ---------------------------------------------------------------------------

    def _shipments_numbered(self, event: CarrierEvent) -> list[tuple[str, Shipment]]:
        """(order number, shipment) of every shipment with the event's carrier and number."""
        if event.carrier not in self.carriers:
            return []
        try:
            given = normalize_tracking(event.tracking_number)
        except InvalidValue:
            return []
        number, _, _ = self.executor.tracking(event.carrier, given)
        if number is None:
            return []
        hits: list[tuple[str, Shipment]] = []
        for order_number in self.executor.orders_by_tracking(event.carrier, number):
            order = self.executor.find(order_number)
            for s in order.shipments if order is not None else ():
                if s.carrier == event.carrier and s.tracking_number == number:
                    hits.append((order_number, s))
        return hits

    def _applying(
        self, pairs: list[tuple[str, CarrierEvent]], tally: list[tuple[tracking.Tally, bool]]
    ) -> Callable[[Order, Context], Order]:
        def decide(order: Order, ctx: Context) -> Order:
            here = {s.shipment_id for s in order.shipments}
            mine = [(sid, e) for sid, e in pairs if sid in here]
            urls = {
                s.shipment_id: self.executor.tracking(s.carrier, s.tracking_number)[1]
                for s in order.shipments
                if s.tracking_number
            }
            new, counted = tracking.apply_events(order, mine, ctx, self.rules, urls=urls)
            tally.append((counted, new is not order))
            return new

        return decide


def _one_parcel(hits: list[tuple[str, Shipment]]) -> bool:
    """One shipment, or one 同梱 parcel's shipments (each order once)."""
    parcels = {s.parcel for _, s in hits}
    one_box = len(parcels) == 1 and None not in parcels
    return len(hits) == 1 or (one_box and len({n for n, _ in hits}) == len(hits))


def _on_its_way(shipment: Shipment, at: datetime, margin: timedelta) -> bool:
    """Whether ``shipment`` was with the carrier at ``at``: shipped, not yet delivered."""
    if shipment.shipped_at is None or at < shipment.shipped_at - margin:
        return False
    return shipment.delivered_at is None or at <= shipment.delivered_at + margin


def _owners(
    hits: list[tuple[str, Shipment]], at: datetime, margin: timedelta
) -> list[tuple[str, str]]:
    """(order number, shipment id) of the shipments an event stamped ``at`` is for, or none.

    Several orders' shipments share a number when they are one 同梱 parcel (the same
    ``parcel``, each order once): the event is for each of them. A number the carrier used again
    for a later parcel is told apart by the event's time: only the shipments on their way then
    (shipped before it, not delivered before it, give or take ``margin``: the shop's
    ``carrier_clock_tolerance``) are kept. Any other sharing is a mistake for a person to look
    up: none.
    """
    if not _one_parcel(hits):  # a number used again: the parcels on their way then
        hits = [(n, s) for n, s in hits if _on_its_way(s, at, margin)]
    return [(n, s.shipment_id) for n, s in hits] if _one_parcel(hits) else []
