"""出荷指示, 出荷指示取消, 出荷, 着荷, 計上: from reserved stock to the books."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from orderflow.adapters.carriers import normalize_tracking_number
from orderflow.app._inputs import check_number, check_text
from orderflow.app.base import DeskBase
from orderflow.domain import dropship, lifecycle
from orderflow.domain.booking import recognition_date
from orderflow.domain.decisions import shipping, tracking
from orderflow.domain.events import RecallRefused, RecallRequested
from orderflow.domain.lifecycle import Context, find_shipment
from orderflow.domain.order import Order, Shipment, ShipmentStatus
from orderflow.domain.shipments import carrier_so_far, pending_units
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import InvalidValue

__all__ = ["FulfilmentCommands"]


class FulfilmentCommands(DeskBase):
    """出荷指示 to 計上."""

    def instruct_shipping(
        self, number: str, *, carrier: str | None = None, actor: str = "system"
    ) -> Order:
        """出荷指示: one shipment per warehouse, sent to each warehouse; → 出荷指示済.

        Refused while a hold is open or the payment is not confirmed (a lapsed authorization does
        not count). For 代引き the first shipment carries the amount the carrier collects.
        Instructing an instructed (or shipped, delivered, booked) order again returns it; an
        order shipped in part (分納, see :meth:`ship_available`) gets a shipment more for the
        units reserved since.
        """
        return self._instruct(number, carrier, actor, partial=False)

    def ship_available(
        self, number: str, *, carrier: str | None = None, actor: str = "operator"
    ) -> Order:
        """分納: ship the reserved units of a 中途引当 order now and the rest when it comes.

        The customer's choice: the reserved units are instructed as shipments and the order is
        出荷指示済 while its other units wait; each receipt that reserves some of them instructs
        them as further shipments. It is 出荷済 when every unit has shipped, 着荷済 when every
        parcel is delivered; the payment is taken once, when the last unit ships (代引き: the
        first parcel collects the whole total). Refused for an order in a parcel (同梱). An
        order with nothing missing is instructed as usual; a repeat returns the order.
        """
        order = self._current(check_number(number))
        if order.bundle:
            raise InvalidValue("number", number, "an order not packed with others (同梱)")
        return self._instruct(number, carrier, actor, partial=True)

    def _instruct(self, number: str, carrier: str | None, actor: str, *, partial: bool) -> Order:
        given = carrier or self.settings.carrier
        if not isinstance(given, str) or given not in self.carriers:
            raise InvalidValue("carrier", given, f"one of {sorted(self.carriers)}")

        def decide(order: Order, ctx: Context) -> Order:
            if order.status.reached(OrderStatus.SHIPPING_INSTRUCTED) and not pending_units(order):
                return order  # instructed (or shipped, delivered, booked): a repeat returns it
            so_far = None if carrier else carrier_so_far(order)  # 分納: the rest goes as it went
            code = so_far if so_far is not None and so_far in self.carriers else given
            return shipping.instruct_shipping(order, code, ctx, self.rules, partial=partial)

        return self._command(number, decide, actor=actor)

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
        Run again after its move was saved, it is refused (``MoveNotAllowed``: the order is no
        longer instructed) unless it gives the first call's ``request_id``: then it returns the
        order (the same refusal if the parcel had left).

        ``shipment_id``: take back that parcel only, the order staying 出荷指示済 (one parcel
        left, this one never will): its units wait on the order, to be instructed again
        (:meth:`instruct_shipping`, under a new id) or dropped
        (:meth:`~orderflow.app.backorders.BackorderCommands.drop_unshipped`). The order's
        only parcel recalls the whole order.
        """
        if shipment_id is not None:
            check_text(shipment_id, "shipment_id", required=True, limit=100)
        order = self._command(
            number,
            lambda order, ctx: shipping.recall(order, ctx, shipment_id),
            actor=actor,
            request_id=request_id,
        )
        if RecallRefused in self._after(order, RecallRequested):
            event = next(e for e in reversed(order.history) if isinstance(e, RecallRefused))
            raise lifecycle.blocked(
                order, Move.RECALL, f"already left the warehouse: {event.detail('left')}"
            )
        return order

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
        (売上確定) or reports the shipment to the 後払い provider; sends the shipping notice
        with the carrier's tracking page. The tracking number is normalised (NFKC: full-width
        digits work; spaces and hyphens dropped) and checked against the carrier's format; a
        number another order's parcel is in transit under (not one of its 同梱 box) is refused:
        a label scanned twice.
        """
        return self._ship(number, shipment_id, tracking_number, actor=actor)

    def _ship(
        self,
        number: str,
        shipment_id: str,
        tracking_number: str | None,
        *,
        actor: str,
        carrier: str | None = None,
    ) -> Order:
        """出荷 (see :meth:`ship`); ``carrier``: the supplier's, for a drop-shipped shipment."""
        check_text(shipment_id, "shipment_id", required=True, limit=100)
        given = None if tracking_number is None else normalize_tracking(tracking_number)
        if carrier is not None and (not isinstance(carrier, str) or carrier not in self.carriers):
            raise InvalidValue("carrier", carrier, f"one of {sorted(self.carriers)}")

        def decide(order: Order, ctx: Context) -> Order:
            if carrier is not None:  # メーカー直送: the supplier chose the carrier
                order = dropship.carried_by(order, shipment_id, carrier)
            shipment = find_shipment(order, shipment_id, Move.SHIP)
            number, url, has_tracking = self.executor.tracking(shipment.carrier, given)
            if given is not None and number is None:
                raise InvalidValue(
                    "tracking_number", tracking_number, f"a {shipment.carrier} tracking number"
                )
            if number is not None and shipment.status is ShipmentStatus.INSTRUCTED:
                shipping.check_number_free(order, shipment_id, number, str(tracking_number))
                self._check_number_unshared(order, shipment, number, str(tracking_number))
            shipped = shipping.ship(order, shipment_id, number, has_tracking, url, ctx, self.rules)
            return tracking.deliver_tracked(
                shipped, ctx, self.rules
            )  # a carrier said delivered already

        return self._command(number, decide, actor=actor)

    def _check_number_unshared(
        self, order: Order, shipment: Shipment, number: str, given: str
    ) -> None:
        """A label scanned twice: another order's parcel in transit under ``number`` refuses it.

        (A parcel of the same 同梱 box does not.) The carrier's events for it would match
        both parcels and be left unknown: neither order would be delivered by them. A parcel
        delivered frees its number (carriers use numbers again). Checked when the store can
        look orders up by tracking number.
        """
        if not self.executor.can_look_up_tracking():
            return
        for other_number in self.executor.orders_by_tracking(shipment.carrier, number):
            other = None if other_number == order.number else self.executor.find(other_number)
            for s in other.shipments if other is not None else ():
                same_box = shipment.parcel is not None and s.parcel == shipment.parcel
                if (
                    s.carrier == shipment.carrier
                    and s.tracking_number == number
                    and s.status is ShipmentStatus.SHIPPED
                    and not same_box
                ):
                    raise InvalidValue(
                        "tracking_number",
                        given,
                        "a number no parcel of another order in transit has (order "
                        f"{other_number}'s shipment {s.shipment_id} left under it)",
                    )

    def deliver(self, number: str, shipment_id: str, *, actor: str = "carrier") -> Order:
        """着荷: the carrier reports a shipment delivered; a repeated report changes nothing.

        For 代引き the amount the carrier collected is recorded as received.
        """
        check_text(shipment_id, "shipment_id", required=True, limit=100)
        return self._command(
            number,
            lambda order, ctx: shipping.deliver(order, shipment_id, ctx, self.rules),
            actor=actor,
        )

    def book(self, number: str, *, actor: str = "system") -> Order:
        """計上: post the sale's journal entry to accounting, dated by the shop's basis; once.

        Booking a booked order again returns it.
        """

        def decide(order: Order, ctx: Context) -> Order:
            if order.status is OrderStatus.BOOKED:
                return order
            self._require(order, Move.BOOK)
            zone = ZoneInfo(self.settings.zone)
            on = recognition_date(order, self.settings.recognition, zone)
            return shipping.book(order, on, ctx, self.rules)

        return self._command(number, decide, actor=actor)


def normalize_tracking(number: object) -> str:
    """A tracking number as carriers print it: NFKC, without spaces and hyphens."""
    if not isinstance(number, str) or len(number) > 64:
        raise InvalidValue("tracking_number", number, "a tracking number (text)")
    text = normalize_tracking_number(number)  # the carriers' own rule
    if not text or not text.isascii() or not text.isalnum():
        raise InvalidValue("tracking_number", number, "letters and digits (a tracking number)")
    return text
