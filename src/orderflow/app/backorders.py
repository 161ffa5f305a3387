"""入荷 and 中途引当: receiving stock fills the waiting orders; the customer's choices."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from orderflow.app._inputs import check_number, check_text
from orderflow.app.changes import ChangeCommands
from orderflow.app.fulfilment import FulfilmentCommands
from orderflow.app.orders import OrderCommands
from orderflow.domain.allocation import plan_allocation
from orderflow.domain.bounds import check_date, check_units
from orderflow.domain.decisions import backorders, remainder, tracking
from orderflow.domain.decisions.backorders import Priority
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order
from orderflow.domain.outbox import Plan
from orderflow.domain.queues import ANY_SKU, WAITING_INDEX
from orderflow.domain.sets import check_stocked
from orderflow.domain.shipments import pending_units
from orderflow.domain.status import OrderStatus
from orderflow.errors import InvalidValue, KeyReused, OrderflowError

__all__ = ["BackorderCommands"]


class BackorderCommands(OrderCommands, FulfilmentCommands, ChangeCommands):
    """入荷, 入荷予定日, and what a customer waiting for stock chooses."""

    def receive(
        self,
        warehouse: str,
        sku: str,
        quantity: int,
        *,
        receipt_id: str,
        reason: str = "入荷",
        priority: Priority | None = None,
        actor: str = "warehouse",
    ) -> list[Order]:
        """入荷: put ``quantity`` units in stock and allocate the orders waiting for ``sku``.

        The orders waiting for the SKU (未引当 or 中途引当, no open hold) are allocated oldest first
        — or by ``priority``, a sort key of an order, lowest first — in one sweep, until the SKU
        runs out. The receipt is counted once per ``receipt_id``: a repeated call adds no stock
        and allocates only what is still missing. Returns the orders that got stock.
        """
        if warehouse not in self.settings.warehouses:
            raise InvalidValue("warehouse", warehouse, f"one of {list(self.settings.warehouses)}")
        check_text(sku, "sku", required=True, limit=200)
        check_units(quantity, "quantity")  # 1 to MAX_UNITS: fits every inventory's integers
        check_text(receipt_id, "receipt_id", required=True, limit=200)
        check_text(reason, "reason", limit=1000, breaks=True)
        check_text(actor, "actor", required=True, limit=200)
        if priority is not None:
            if not callable(priority):
                raise InvalidValue("priority", priority, "a function of an order, or None")
            self._waiting(self._waiting_orders(sku), sku, priority)  # one that fails: here
        self._check_stocked(sku)
        try:
            self.executor.receive_now(
                warehouse, sku, quantity, key=f"receipt:{receipt_id}", reason=reason
            )
        except KeyReused as reused:  # the id of another receipt: the caller's mistake
            raise InvalidValue(
                "receipt_id", receipt_id, f"the id of this receipt, not of another ({reused})"
            ) from None
        return self._fill_waiting(sku, priority, actor)

    def fill_backorders(
        self, *, priority: Priority | None = None, actor: str = "system"
    ) -> list[Order]:
        """The receipt sweep for stock that came in outside :meth:`receive` (入荷引当).

        When the warehouse system books a receipt on its own, or a cancellation frees units,
        the orders waiting for stock (未引当, 中途引当, 分納) are not told. This sweep (``python -m
        orderflow sweep`` runs it) allocates them, SKU by SKU, as :meth:`receive` would: oldest
        first unless ``priority`` says otherwise, orders on hold left for a person. Returns the
        orders that got stock; running it again with no new stock changes nothing.

        It also instructs the units an order shipped in part (分納) got but never had instructed:
        a receipt whose process died between allocating and instructing them.
        """
        check_text(actor, "actor", required=True, limit=200)
        if priority is not None and not callable(priority):
            raise InvalidValue("priority", priority, "a function of an order, or None")
        sets = self.settings.sets
        orders = list(self.executor.open_orders())  # gone through more than once
        skus = backorders.skus_waited_for(orders, sets)
        for sku in skus if priority is not None else ():  # one that fails: refused before any
            self._waiting(orders, sku, priority)
        served: list[Order] = []
        known = {o.number: o for o in orders if backorders.waits_for_stock(o)}
        for sku in skus:  # the orders read once: not again for each SKU (SKUs × open orders)
            served.extend(self._fill_waiting(sku, priority, actor, known))
        done = {o.number for o in served}
        for order in orders:  # a receipt cut short after allocating, before instructing
            if order.number not in done and order.status is OrderStatus.SHIPPING_INSTRUCTED:
                current = self.executor.find(order.number)
                if current is not None and not current.open_holds and pending_units(current):
                    shipped = self._ship_rest(current, actor)
                    if len(shipped.shipments) > len(current.shipments):
                        served.append(shipped)
        return served

    def clear_hold(
        self, number: str, code: str, *, actor: str = "operator", request_id: str | None = None
    ) -> Order:
        """Clear the open hold ``code``, recording who cleared it; the last one lets it go on.

        ``payment_pending`` and ``payment_shortfall`` lift themselves when the money is recorded:
        before shipping, while the payment is not confirmed, clearing them is refused
        (``InvalidValue`` naming ``code``).

        An order shipped in part (分納) reads the stock again, as one waiting in 中途引当 does: a
        receipt passed it by while it was held. The units it gets are instructed at once, as
        the receipt would have done.
        """
        order = super().clear_hold(number, code, actor=actor, request_id=request_id)
        if (
            not self.settings.auto_advance
            or not remainder.shipped_in_part(order)
            or order.open_holds
            or order.outbox
            or not self._could_allocate(order)
        ):
            return order
        try:
            order = self.allocate(number, actor=actor)
        except OrderflowError:  # pending effects, a provider down: the next receipt or sweep
            return self.executor.find(number) or order
        return self._ship_rest(order, actor)

    def _waiting(self, orders: Iterable[Order], sku: str, priority: Priority | None) -> list[Order]:
        """``orders`` waiting for ``sku``, in the order they are served (``priority`` checked)."""
        try:
            return backorders.waiting_for(orders, sku, priority, self.settings.sets)
        except OrderflowError:
            raise
        except Exception as failed:  # the caller's function failed, or its keys do not compare
            raise InvalidValue(
                "priority", priority, f"a function of an order giving comparable keys ({failed})"
            ) from failed

    def _fill_waiting(
        self,
        sku: str,
        priority: Priority | None,
        actor: str,
        known: dict[str, Order] | None = None,
    ) -> list[Order]:
        """The receipt sweep: allocate the orders waiting for ``sku`` while it lasts.

        The caller checked its own arguments (``actor``, ``priority``) before: what is caught
        here is an order's own trouble (pending effects, a hold raised meanwhile, a provider
        down), never theirs. ``known``: the waiting orders the caller read already, by number
        (kept up to date here with what this sweep saves); None reads the open orders.
        """
        served: list[Order] = []
        sets = self.settings.sets
        candidates = self._waiting_orders(sku) if known is None else list(known.values())
        for order in self._waiting(candidates, sku, priority):
            if not any(self.executor.available(w, sku) for w in self.settings.warehouses):
                break
            if not self._could_allocate(order):  # not a whole set yet: leave it unwritten
                continue
            try:
                after = self.allocate(order.number, actor=actor)
            except OrderflowError:  # pending effects, a hold raised meanwhile, a provider down
                continue
            if backorders.missing_units(after, sku, sets) < backorders.missing_units(
                order, sku, sets
            ):
                after = self._ship_rest(after, actor)
                served.append(after)
            if known is not None:
                known[order.number] = after
        return served

    def _check_stocked(self, sku: str) -> None:
        """Refuse a set SKU where units go in stock, unless an order waits for it as plain."""
        sets = self.settings.sets
        if sku in sets:
            waited = any(
                backorders.waits_for_stock(order) and backorders.missing_units(order, sku, sets)
                for order in self._waiting_orders(sku)
            )  # held orders too: they wait for a person, and for the units
            check_stocked(sku, sets, "sku", waited_for=waited)

    def _waiting_orders(self, sku: str) -> Iterator[Order]:
        """The open orders that may wait for ``sku``: filed under it, or under any SKU."""
        return self._orders_filed(WAITING_INDEX, (sku, ANY_SKU))

    def _could_allocate(self, order: Order) -> bool:
        """Whether the stock there is now would reserve anything for ``order`` (read, not kept)."""
        settings = self.settings
        planned = plan_allocation(
            order,
            settings.warehouses,
            self._available(order),
            settings.allocation,
            locations=settings.warehouse_locations,
            sets=settings.sets,
        )
        return bool(planned)

    def _ship_rest(self, order: Order, actor: str) -> Order:
        """分納: the units reserved for an order shipped in part are instructed at once."""
        if order.status is not OrderStatus.SHIPPING_INSTRUCTED or not pending_units(order):
            return order
        try:
            return self.instruct_shipping(order.number, actor=actor)
        except OrderflowError:  # a hold, a lapsed authorization: a person instructs them later
            return self.executor.find(order.number) or order

    def expect_arrival(
        self,
        number: str,
        line_id: str,
        on: date,
        *,
        notify: bool = True,
        actor: str = "operator",
    ) -> Order:
        """入荷予定日: the units ``line_id`` waits for are expected on ``on``.

        The customer is told (unless ``notify`` is False), with the reserved lines and the waiting
        ones shown apart, so that they can choose: :meth:`wait_for_stock` or
        :meth:`drop_missing`.
        """
        check_text(line_id, "line_id", required=True, limit=100)
        check_date(on, "on")
        if not isinstance(notify, bool):  # "false" from a form would mail the customer
            raise InvalidValue("notify", notify, "True or False")

        def decide(order: Order, ctx: Context) -> Order:
            plan = Plan(order)
            order = backorders.expect_arrival(
                plan, order, line_id, on, ctx, zone=self.settings.zone, notify=notify
            )
            return plan.apply(order)

        return self._command(number, decide, actor=actor)

    def wait_for_stock(self, number: str, *, actor: str = "customer") -> Order:
        """入荷待ち: the customer chose to wait for the missing units (recorded in the history)."""
        return self._command(number, backorders.accept_wait, actor=actor)

    def drop_missing(
        self,
        number: str,
        *,
        reason: str = "the items waiting for stock were cancelled",
        actor: str = "customer",
        request_id: str | None = None,
    ) -> Order:
        """Cancel the units the order waits for; what is reserved stays and the payment follows.

        An order with nothing reserved is cancelled whole. A partial cancel
        (:meth:`~orderflow.app.changes.ChangeCommands.cancel` with ``lines``) underneath. An
        order shipped in part (分納, 出荷指示済) drops the units no warehouse holds for it
        (:func:`~orderflow.domain.decisions.remainder.drop_remainder`) and moves on if nothing
        else waits.
        """
        check_number(number)
        check_text(reason, "reason", required=True, limit=1000, breaks=True)
        self._ctx(actor, reason)  # the caller's arguments, before anything is done
        if request_id is not None:
            check_text(request_id, "request_id", required=True, limit=200)
        order = self._current(number)
        if remainder.shipped_in_part(order):  # 分納: the narrow path of the domain
            return self._drop_remainder(number, reason, actor, request_id, reserved=False)
        missing = backorders.check_droppable(order)
        return self.cancel(number, reason=reason, actor=actor, lines=missing, request_id=request_id)

    def drop_unshipped(
        self,
        number: str,
        *,
        reason: str = "the items no parcel carries were cancelled",
        actor: str = "operator",
        request_id: str | None = None,
    ) -> Order:
        """Cancel every unit of an instructed order that no parcel carries; the payment follows.

        For an order one of whose parcels cannot ship, once :meth:`recall` with its
        ``shipment_id`` took it back: its units (reserved, or at the supplier) go, and so do
        units still waiting for stock; their stock is released. The parcels on their way stay;
        when they have all left the order is 出荷済 and takes its payment for what they carry
        (:func:`~orderflow.domain.decisions.remainder.drop_remainder`). Refused
        (``InvalidValue`` naming ``number``) unless the order is 出荷指示済 with such units.
        """
        check_number(number)
        check_text(reason, "reason", required=True, limit=1000, breaks=True)
        self._ctx(actor, reason)  # the caller's arguments, before anything is done
        if request_id is not None:
            check_text(request_id, "request_id", required=True, limit=200)
        return self._drop_remainder(number, reason, actor, request_id, reserved=True)

    def _drop_remainder(
        self, number: str, reason: str, actor: str, request_id: str | None, *, reserved: bool
    ) -> Order:
        def drop(current: Order, ctx: Context) -> Order:
            dropped = remainder.drop_remainder(current, ctx, self.rules, reserved=reserved)
            return tracking.deliver_tracked(dropped, ctx, self.rules)  # a carrier said so

        return self._command(
            number,
            drop,
            actor=actor,
            reason=reason,
            request_id=request_id,
        )
