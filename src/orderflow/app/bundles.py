"""同梱: several orders of one customer in one parcel, each keeping its own money and history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from orderflow.app._inputs import check_number, check_text
from orderflow.app.changes import ChangeCommands
from orderflow.app.fulfilment import FulfilmentCommands, normalize_tracking
from orderflow.app.tracking import TrackingCommands
from orderflow.domain import bundling, lifecycle
from orderflow.domain.decisions import shipping, tracking
from orderflow.domain.order import Order, Shipment, ShipmentStatus
from orderflow.domain.policy import Requester
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import InvalidValue, OrderflowError

__all__ = ["BundleCommands"]


class BundleCommands(FulfilmentCommands, TrackingCommands, ChangeCommands):
    """同梱 and 同梱解除; instructing, shipping and delivering a parcel moves all its orders."""

    def bundle_candidates(self) -> list[tuple[str, ...]]:
        """Groups of open orders that may share a parcel (same recipient, payment, date)."""
        return bundling.bundle_candidates(self.executor.open_orders())

    def bundle(self, numbers: Sequence[str], *, actor: str = "operator") -> list[Order]:
        """同梱: the orders ``numbers`` go in one parcel per warehouse; returns them.

        Refused (:class:`~orderflow.errors.InvalidValue` on ``numbers``, saying why) unless
        every order may share it: see :func:`orderflow.domain.bundling.why_not_together`. An
        order already in another parcel must leave it first (:meth:`unbundle`). Each order is
        saved in turn: if the call fails half-way, call it again (it is safe to repeat).
        """
        if isinstance(numbers, str) or not isinstance(numbers, Sequence):
            raise InvalidValue("numbers", numbers, "a list of two or more order numbers")
        checked = [check_number(n, f"numbers[{i}]") for i, n in enumerate(numbers)]
        orders = [self._current(n) for n in checked]
        reason = bundling.why_not_together(orders)
        members = tuple(sorted({o.number for o in orders}))
        elsewhere = [o.number for o in orders if o.bundle and o.bundle != members]
        if elsewhere and reason is None:
            reason = (
                f"{', '.join(elsewhere)} already share a parcel with other orders "
                f"(desk.unbundle({elsewhere[0]!r}) takes it out first)"
            )
        if reason is not None:
            raise InvalidValue(
                "numbers", list(numbers), f"orders that may share a parcel: {reason}"
            )
        box = bundling.box_for(orders)
        for number in members:
            self._command(
                number,
                lambda order, ctx: bundling.bundle(order, members, ctx, box=box),
                actor=actor,
            )
        return [self.get(number) for number in members]

    def unbundle(self, number: str, *, actor: str = "operator") -> list[Order]:
        """同梱解除: order ``number`` leaves its parcel (until the parcel is instructed).

        The orders that stay keep sharing it; a parcel left with one order is no parcel.
        Returns the orders of the old parcel. The others are saved first and the order itself
        last: if the call fails half-way, call it again.
        """
        order = self._current(check_number(number))
        if not order.bundle:
            return [order]
        if order.status not in (*bundling.BUNDLEABLE, OrderStatus.CANCELLED):
            parcels = {s.parcel for s in order.shipments if s.parcel is not None}
            left = any(x.status in _GONE for p in parcels for _, x in self._box(order, p))
            raise bundling.too_late_to_unbundle(order, box_left=left)
        members = order.bundle
        for member in sorted(members, key=lambda m: m == number):  # the order itself last
            self._command(
                member,
                lambda o, ctx: bundling.unbundle(o, ctx, leaving=number),
                actor=actor,
            )
        return [self.get(member) for member in members]

    def _check_parcel(self, changed: Order) -> None:
        """Refuse a change that takes an order out of its parcel (unbundle it first).

        Another recipient, a move to or from 代引き, another delivery date or slot:
        :class:`~orderflow.errors.InvalidValue` on ``change``.
        """
        if not changed.bundle:
            return
        mates = [self.executor.find(n) for n in changed.bundle if n != changed.number]
        reason = bundling.why_not_kept(changed, [m for m in mates if m is not None])
        if reason is not None:
            raise InvalidValue(
                "change",
                changed.number,
                f"a change its parcel (同梱) can keep ({reason}): unbundle the order first",
            )

    # -- the flow of a bundled order moves its parcel ------------------------------------------

    def instruct_shipping(
        self, number: str, *, carrier: str | None = None, actor: str = "system"
    ) -> Order:
        """出荷指示; for an order in a parcel, every order of the parcel at once.

        Refused (:class:`~orderflow.errors.MoveBlocked`) while an order of the parcel is not
        引当済 (a cancelled one has left it) or would refuse its instruction (an open hold, its
        payment not confirmed): then none is instructed. Safe to repeat after a failure
        half-way; if a box of the parcel left meanwhile (the warehouse shipped what it was
        told), the orders not instructed yet leave the parcel and are instructed on their own.
        """
        order = self._current(check_number(number))
        if not order.bundle or order.status is OrderStatus.CANCELLED:  # refused: no parcel moves
            return super().instruct_shipping(number, carrier=carrier, actor=actor)
        members = [self._current(n) for n in order.bundle]
        if any(m.bundle != order.bundle for m in members if m.status in bundling.BUNDLEABLE):
            return self._half_made(order, members, carrier, actor)
        live = [m for m in members if m.status is not OrderStatus.CANCELLED]
        if _box_left(live):  # sent half-way and shipped: the rest can no longer go in the box
            for member in live:
                if member.status is OrderStatus.ALLOCATED:
                    self._command(member.number, bundling.leave, actor=actor)
                    super().instruct_shipping(member.number, carrier=carrier, actor=actor)
            return self.get(number)
        waiting = [
            m.number
            for m in live
            if m.status is not OrderStatus.ALLOCATED
            and not (m.status is OrderStatus.SHIPPING_INSTRUCTED and m.shipments)
        ]
        if waiting:
            raise lifecycle.blocked(
                order, Move.INSTRUCT_SHIPPING, f"the parcel waits for {', '.join(waiting)}"
            )
        carrier = bundling.box_carrier(live, carrier)  # one box, one carrier
        self._check_instructable(live, carrier, actor)
        for member in live:
            super().instruct_shipping(member.number, carrier=carrier, actor=actor)
        return self.get(number)

    def _check_instructable(self, live: list[Order], carrier: str | None, actor: str) -> None:
        """Raise what instructing any order of the parcel would raise, before any is instructed.

        An order of the parcel that is 引当済 but on hold (or its payment not confirmed) would
        refuse its instruction after the others were sent to the warehouse: half a box.
        """
        code = carrier or self.settings.carrier
        if not isinstance(code, str) or code not in self.carriers:
            raise InvalidValue("carrier", code, f"one of {sorted(self.carriers)}")
        ctx = self._ctx(actor)
        instructed = []
        for member in live:
            if member.status is OrderStatus.ALLOCATED:
                sent = shipping.instruct_shipping(member, code, ctx, self.rules)  # pure
                instructed.append((member, sent))
        bundling.check_box_cod(instructed, code)  # 代引き: one label collects the box's sum

    def _half_made(
        self, order: Order, members: list[Order], carrier: str | None, actor: str
    ) -> Order:
        """A parcel its orders do not agree on: the order leaves it and goes on its own.

        (A ``bundle`` that failed half-way and was not called again leaves such a parcel.)
        """
        for member in members:
            if member.bundle == order.bundle and member.status in bundling.BUNDLEABLE:
                self._command(member.number, bundling.leave, actor=actor)
        return super().instruct_shipping(order.number, carrier=carrier, actor=actor)

    def ship(
        self,
        number: str,
        shipment_id: str,
        tracking_number: str | None = None,
        *,
        actor: str = "warehouse",
    ) -> Order:
        """出荷: a shipment left with its tracking number; the last one takes the payment.

        Takes the units off stock; once every shipment has left, captures the card or Amazon Pay
        (売上確定) or reports the shipment to the 後払い provider; sends the shipping notice. The
        tracking number is normalised (NFKC, spaces and hyphens dropped) and checked against the
        carrier's format, check digit included (``InvalidValue`` naming ``tracking_number``).
        A 同梱 parcel's shipments leave together.

        A parcel leaves under one tracking number: once one of its shipments left, another
        number for the others is refused (:class:`~orderflow.errors.InvalidValue`).
        """
        order = self._current(check_number(number))
        known = self._parcel_tracking(order, shipment_id) if order.bundle else set()
        if known and tracking_number is not None:
            given = normalize_tracking(tracking_number)
            if known and given not in known:
                raise InvalidValue(
                    "tracking_number", tracking_number, f"the parcel's number {min(known)}"
                )
        if order.bundle and tracking_number is not None:
            self._check_box_number(order, shipment_id, tracking_number)
        shipped = super().ship(number, shipment_id, tracking_number, actor=actor)
        for other, other_id in self._parcel_mates(shipped, shipment_id, ShipmentStatus.INSTRUCTED):
            super().ship(other, other_id, tracking_number, actor=actor)  # other orders only
        return shipped

    def deliver(self, number: str, shipment_id: str, *, actor: str = "carrier") -> Order:
        """着荷: the carrier reports a shipment delivered; a repeated report changes nothing.

        For 代引き the amount the carrier collected is recorded as received. A 同梱 parcel's
        shipments arrive together.
        """
        delivered = super().deliver(number, shipment_id, actor=actor)
        for other, other_id in self._parcel_mates(delivered, shipment_id, ShipmentStatus.SHIPPED):
            super().deliver(other, other_id, actor=actor)  # other orders only
        if delivered.bundle:  # a shipment of the box never recorded as shipped arrived with it
            self._follow_box(delivered)
        return delivered

    def undo_delivery(
        self, number: str, shipment_id: str, *, reason: str, actor: str = "operator"
    ) -> Order:
        """着荷取消: a shipment was not delivered after all; the order goes back to 出荷済.

        Only before booking; ``reason`` is required and kept in the history. Undoing the same
        delivery again returns the order. A 同梱 box was not delivered for any of its orders:
        the delivery of the box's other orders' shipments is taken back too: the box arrives,
        or does not, as one (a delivery of any of them delivers the box again). Refused
        (:class:`~orderflow.errors.MoveBlocked`) before anything changes when the delivery of
        another order of the box cannot be taken back (booked, 代引き). If the call fails
        half-way, call it again.
        """
        check_text(shipment_id, "shipment_id", required=True, limit=100)
        check_text(reason, "reason", required=True, limit=1000, breaks=True)
        ctx = self._ctx(actor, reason)
        order = self._current(check_number(number))
        parcel = next(
            (s.parcel for s in order.shipments if s.shipment_id == shipment_id and s.parcel), None
        )
        if not order.bundle or parcel is None:
            return super().undo_delivery(number, shipment_id, reason=reason, actor=actor)
        tracking.undo_delivery(order, shipment_id, ctx, self.rules)  # pure: only raises
        mates = [
            (n, x.shipment_id)
            for n, x in self._box(order, parcel)
            if n != order.number and x.status is ShipmentStatus.DELIVERED
        ]
        for mate, mate_shipment in mates:
            try:
                tracking.undo_delivery(self._current(mate), mate_shipment, ctx, self.rules)
            except OrderflowError as refused:
                raise lifecycle.blocked(
                    order,
                    Move.UNDO_DELIVERY,
                    f"its box (同梱) was delivered with order {mate}: {refused}",
                ) from refused
        done = super().undo_delivery(number, shipment_id, reason=reason, actor=actor)
        for mate, mate_shipment in mates:
            super().undo_delivery(mate, mate_shipment, reason=reason, actor=actor)
        return done

    def cancel(
        self,
        number: str,
        *,
        reason: str,
        actor: str = "operator",
        requester: Requester | None = None,
        lines: Mapping[str, int] | None = None,
        request_id: str | None = None,
    ) -> Order:
        """キャンセル (see the change commands); a cancelled order leaves its parcel."""
        check_text(reason, "reason", required=True, limit=1000, breaks=True)
        self._follow_box(self._current(check_number(number)))  # what left in a box has left
        done = super().cancel(
            number,
            reason=reason,
            actor=actor,
            requester=requester,
            lines=lines,
            request_id=request_id,
        )
        if done.bundle and done.status is OrderStatus.CANCELLED:
            self.unbundle(number, actor=actor)
            return self.get(number)
        return done

    def split(
        self,
        number: str,
        parts: Sequence[Mapping[str, int]],
        *,
        requester: Requester | None = None,
        reason: str = "",
    ) -> list[Order]:
        """注文分割: move lines or part quantities into new orders ``<number>-1``, ``-2`` ….

        Money is conserved to the yen; each part gets its own payment and the parent is closed
        as split. Splitting again the same way returns the parts. The split order leaves its
        parcel (同梱).

        Its parts are packed on their own (同梱 them again if wanted); the parcel's other orders
        keep sharing it, and a parcel left with one order is no parcel.
        """
        done = super().split(number, parts, requester=requester, reason=reason)
        if self.get(number).bundle:
            self.unbundle(number)
        return done

    def recall(
        self,
        number: str,
        *,
        shipment_id: str | None = None,
        actor: str = "operator",
        request_id: str | None = None,
    ) -> Order:
        """出荷指示取消: take the instruction back from every warehouse; → 引当済.

        Refused (:class:`~orderflow.errors.MoveBlocked`) if a warehouse says the parcel left;
        the shipments it did take back are sent to their warehouses again, under new keys.
        Run again after its move was saved, it is refused (``MoveNotAllowed``) unless it gives
        the first call's ``request_id``: then it returns the order.

        ``shipment_id``: take back that parcel only, the order staying 出荷指示済: its units wait
        on the order, to be instructed again (``instruct_shipping``, under a new id) or dropped
        (``drop_unshipped``). The order's only parcel recalls the whole order.

        A shipment whose 同梱 box left is not recalled: the box left with another order's
        shipment (its ``ship`` stopped before the rest of the box was recorded), so this order's
        part of it is recorded as shipped first, and only what is still in the warehouse is
        recalled.
        """
        self._ctx(actor)  # the caller's arguments, before anything is done
        if request_id is not None:
            check_text(request_id, "request_id", required=True, limit=200)
        self._follow_box(self._current(check_number(number)))
        return super().recall(number, shipment_id=shipment_id, actor=actor, request_id=request_id)

    def resume(self, number: str) -> Order:
        """Perform order ``number``'s pending effects (after a time-out or a crash), same keys.

        Returns the order; an effect a provider still refuses stays pending (its hold says so).
        The rest of a 同梱 box that left or arrived moves with it.

        A ``ship`` or ``deliver`` of a parcel that stopped after the first order was saved (a
        time-out, a crash) left the other orders' shipments behind: they follow the box here.
        A cancel that stopped after it was saved (a time-out, a crash) leaves the parcel here, as
        a finished cancel does.
        """
        order = super().resume(number)
        if not order.bundle or order.outbox:
            return order
        if order.status is OrderStatus.CANCELLED:
            self.unbundle(order.number, actor="system")
            return self.get(order.number)
        return self._follow_box(order)

    def _after_events(self, order: Order) -> None:
        """After the carrier's events for a box, what lagged behind it follows it.

        The shipments a ``ship`` of the box that stopped half-way left behind catch up, as a
        ``deliver`` of the box makes them.
        """
        if order.bundle and not order.outbox:
            self._follow_box(order)

    def _follow_box(self, order: Order) -> Order:
        """Every shipment of ``order``'s parcels that lags behind its box catches up with it.

        A box that left (a shipment of it shipped) takes the parcel's instructed shipments, under
        its tracking number; a box that arrived delivers the parcel's shipped ones. Returns the
        order as stored after.
        """
        moved = False
        for parcel in {s.parcel for s in order.shipments if s.parcel is not None}:  # () unbundled
            box = self._box(order, parcel)
            left = next((x for _, x in box if x.status in _GONE), None)
            lagging = [(n, x) for n, x in box if x.status is ShipmentStatus.INSTRUCTED]
            if left is not None and lagging:
                for number, x in lagging:
                    FulfilmentCommands.ship(self, number, x.shipment_id, left.tracking_number)
                moved = True
            if any(x.status is ShipmentStatus.DELIVERED for _, x in box):
                for number, x in self._box(order, parcel):
                    if x.status is ShipmentStatus.SHIPPED:
                        FulfilmentCommands.deliver(self, number, x.shipment_id)
                        moved = True
        return self.get(order.number) if moved else order

    def _box(self, order: Order, parcel: str) -> list[tuple[str, Shipment]]:
        """(order number, shipment) of every shipment in ``parcel``, over the parcel's orders."""
        box = []
        for member in order.bundle:
            other = order if member == order.number else self.executor.find(member)
            for s in other.shipments if other is not None else ():
                if s.parcel == parcel:
                    box.append((member, s))
        return box

    def _check_box_number(self, order: Order, shipment_id: str, tracking_number: str) -> None:
        """Refuse, before anything moves, a number another parcel of a box mate left under.

        The box's shipments all leave under the number: one that an order of the box already
        has on another of its parcels (the other warehouse's box) would stop that order's
        shipment from following the box (an order's parcels have numbers of their own).
        """
        parcel = next((s.parcel for s in order.shipments if s.shipment_id == shipment_id), None)
        if parcel is None:
            return
        given = normalize_tracking(tracking_number)
        for member, mate in self._box(order, parcel):
            if mate.status is not ShipmentStatus.INSTRUCTED:
                continue
            number, _, _ = self.executor.tracking(mate.carrier, given)
            owner = order if member == order.number else self.executor.find(member)
            if number is not None and owner is not None:
                shipping.check_number_free(owner, mate.shipment_id, number, tracking_number)

    def _parcel_tracking(self, order: Order, shipment_id: str) -> set[str]:
        """The tracking numbers the parcel of ``shipment_id`` already left under (if any)."""
        numbers = set()
        parcel = next((s.parcel for s in order.shipments if s.shipment_id == shipment_id), None)
        for member in order.bundle if parcel else ():
            other = self.executor.find(member)
            for s in other.shipments if other is not None else ():
                if s.parcel == parcel and s.tracking_number is not None:
                    numbers.add(s.tracking_number)
        return numbers

    def _parcel_mates(
        self, order: Order, shipment_id: str, waiting: ShipmentStatus
    ) -> list[tuple[str, str]]:
        """The other orders' shipments in the same parcel as ``shipment_id``, still ``waiting``.

        An order of the parcel whose own move was saved but whose effects were not performed (the
        process died in between) has them performed here: a repeated command finishes the box.
        """
        parcel = next(
            (s.parcel for s in order.shipments if s.shipment_id == shipment_id and s.parcel), None
        )
        if parcel is None:
            return []
        mates = []
        for member in order.bundle:
            if member == order.number:
                continue
            other = self.executor.find(member)
            if other is None:
                continue
            if other.outbox:
                other = self.executor.drive(other)
            for s in other.shipments:
                if s.parcel == parcel and s.status is waiting:
                    mates.append((member, s.shipment_id))
        return mates


_GONE = (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)
"""A box with a shipment in one of these has left the warehouse."""


def _box_left(members: list[Order]) -> bool:
    """A box of the parcel has left the warehouse.

    Its instruction was sent half-way, and the warehouse shipped what it was told: orders not
    instructed yet go on their own.
    """
    return any(s.parcel is not None and s.status in _GONE for m in members for s in m.shipments)
