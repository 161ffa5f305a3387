"""The desk (受注デスク): the application service a shop calls for every decision about an order.

Each command loads the order from the host's :class:`~orderflow.ports.OrderStore`, asks the
domain whether and how it may change (refusing bad input before anything happens), records the
idempotency key of every outside call it is about to make, makes the calls through the ports, and
saves the new order with the events that say what happened.

If a call times out, the command raises :class:`~orderflow.errors.OutcomeUnknown` and the order
keeps the recorded key; running the same command again reuses that key, so the provider does
the work at most once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar
from zoneinfo import ZoneInfo

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.address import Address, Customer
from orderflow.domain.allocation import plan_allocation
from orderflow.domain.booking import recognition_date, sale_entry
from orderflow.domain.lifecycle import Context
from orderflow.domain.machine import allowed_moves
from orderflow.domain.money import Money
from orderflow.domain.order import (
    Allocation,
    Order,
    OrderLine,
    OrderTotals,
    PaymentEntry,
    PaymentMethod,
    PaymentOp,
    PaymentOutcome,
)
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import (
    DuplicateOrder,
    InvalidValue,
    MoveBlocked,
    MoveNotAllowed,
    OrderNotFound,
    OutcomeUnknown,
    PaymentDeclined,
    ProviderError,
    ProviderTimeout,
    UnknownSku,
)
from orderflow.notices import Notice
from orderflow.ports import (
    Accounting,
    Carrier,
    Clock,
    Inventory,
    Notifier,
    OrderStore,
    PaymentGateway,
    Warehouse,
)
from orderflow.settings import ShopSettings

__all__ = ["OrderDesk"]

T = TypeVar("T")

_TOTALS_KEPT = 4096
"""How many orders' totals the desk keeps at most (the cache is emptied when full)."""


class OrderDesk:
    """Takes an order from 受注 to 計上済 through the ports, one command at a time.

    ``warehouses`` maps each warehouse code of ``settings.warehouses`` to its port; ``carriers``
    maps carrier codes to carrier adapters.
    """

    def __init__(
        self,
        *,
        store: OrderStore,
        gateway: PaymentGateway,
        inventory: Inventory,
        warehouses: Mapping[str, Warehouse],
        carriers: Mapping[str, Carrier],
        accounting: Accounting,
        notifier: Notifier,
        clock: Clock,
        settings: ShopSettings | None = None,
    ) -> None:
        self.settings = settings or ShopSettings()
        missing = [w for w in self.settings.warehouses if w not in warehouses]
        if missing:
            raise InvalidValue("warehouses", sorted(warehouses), f"a port for each of {missing}")
        if self.settings.carrier not in carriers:
            raise InvalidValue("carriers", sorted(carriers), f"a {self.settings.carrier!r} carrier")
        self.store = store
        self.gateway = gateway
        self.inventory = inventory
        self.warehouses = dict(warehouses)
        self.carriers = dict(carriers)
        self.accounting = accounting
        self.notifier = notifier
        self.clock = clock
        self._totals: dict[int, tuple[tuple[object, ...], OrderTotals]] = {}

    # -- helpers ---------------------------------------------------------------------------

    def _ctx(self, actor: str, reason: str = "") -> Context:
        return Context(self.clock.now(), actor, reason)

    def _begin(
        self, order: Order, steps: Mapping[str, Mapping[str, str]] | Iterable[str]
    ) -> tuple[Order, dict[str, str]]:
        """Record the keys of the calls about to be made, and save them before any call."""
        recorded, keys = lifecycle.record_intents(order, steps)
        if recorded is not order:
            self.store.save(recorded, expected_version=order.version)
        return recorded, keys

    def _finish(self, base: Order, result: Order, steps: Iterable[str] = ()) -> Order:
        """Save ``result`` (computed from the order ``base`` was recorded from) after ``base``."""
        done = set(steps)
        if not done and result.intents is base.intents and result.version > base.version:
            self.store.save(result, expected_version=base.version)
            return result
        final = replace(
            result,
            intents=tuple(i for i in base.intents if i.step not in done) if done else base.intents,
            version=max(result.version, base.version + 1),
        )
        self.store.save(final, expected_version=base.version)
        return final

    @staticmethod
    def _call(order: Order, step: str, key: str, fn: Callable[..., T], **kwargs: object) -> T:
        try:
            return fn(key=key, **kwargs)
        except ProviderTimeout as timeout:
            raise OutcomeUnknown(order.number, step, key) from timeout

    def _notify(self, order: Order, kind: str, ctx: Context, step: str, **facts: object) -> Order:
        """Send a notice; a failure is recorded on the order, never stops the flow."""
        notice = Notice(
            kind,
            order.number,
            order.customer.email,
            self.settings.locale,
            (("name", order.customer.name), *facts.items()),
            self.settings.zone,
        )
        try:
            self.notifier.send(key=f"{order.number}:notice:{step}", notice=notice)
        except ProviderError as failure:
            failed, _ = lifecycle.record_fact(
                order, ctx, "notice_failed", details={"kind": kind, "error": str(failure)}
            )
            return failed
        return order

    def _require(self, order: Order, move: Move) -> None:
        allowed = allowed_moves(order.status)
        if move not in allowed:
            raise MoveNotAllowed(
                order.number, order.status.name, move.value, [m.value for m in allowed]
            )

    def totals(self, order: Order) -> OrderTotals:
        """The order's totals under the shop's tax rule.

        Kept for orders whose priced parts are the very same objects (a status change keeps
        them), so the tax is worked out once per content, not once per command.
        """
        inputs = (order.lines, order.shipping_fee, order.discount, order.fees, order.points_used)
        cached = self._totals.get(id(order.lines))
        if cached is not None and all(a is b for a, b in zip(cached[0], inputs, strict=True)):
            return cached[1]
        totals = order.totals(self.settings.tax)
        if len(self._totals) >= _TOTALS_KEPT:
            self._totals.clear()
        self._totals[id(order.lines)] = (inputs, totals)
        return totals

    def payment_confirmed(self, order: Order) -> bool:
        """Whether the payment allows shipping: for a card, the authorization covers the total."""
        if order.payment.method is PaymentMethod.CARD:
            return order.payment.open_authorization >= self.totals(order).total
        return False

    def next_moves(self, number: str) -> tuple[Move, ...]:
        """The moves order ``number`` may make now."""
        return lifecycle.next_moves(self.store.get(number))

    def get(self, number: str) -> Order:
        """The stored order ``number``."""
        return self.store.get(number)

    # -- 受注 --------------------------------------------------------------------------------

    def place(
        self,
        *,
        number: str,
        customer: Customer,
        ship_to: Address,
        lines: Sequence[OrderLine],
        token: str | None = None,
        payment_method: PaymentMethod = PaymentMethod.CARD,
        shipping_fee: Money | None = None,
        discount: Money | None = None,
        points_used: int = 0,
        channel: str = "web",
        remarks: str = "",
        actor: str = "customer",
    ) -> Order:
        """受注: check the order, authorize the card, send the order confirmation.

        Bad input raises before anything is stored or charged. A declined card leaves the order
        cancelled (and raises :class:`~orderflow.errors.PaymentDeclined`). After a time-out, call
        ``place`` again with the same arguments: the same authorization key is used.
        """
        ctx = self._ctx(actor)
        order, _ = lifecycle.new_order(
            number=number,
            customer=customer,
            ship_to=ship_to,
            lines=lines,
            payment_method=payment_method,
            ctx=ctx,
            currency=self.settings.currency,
            shipping_fee=shipping_fee,
            discount=discount,
            points_used=points_used,
            channel=channel,
            remarks=remarks,
            token=token,
        )
        for index, line in enumerate(order.lines):
            if not self.inventory.knows(line.sku):
                raise UnknownSku(f"lines[{index}].sku", line.sku)
        if payment_method is not PaymentMethod.CARD:
            raise InvalidValue("payment_method", payment_method, "PaymentMethod.CARD")
        totals = self.totals(order)
        total = totals.total
        step = "authorize"
        try:
            stored: Order | None = self.store.get(number)
        except OrderNotFound:
            stored = None
        if stored is None:
            base, keys = lifecycle.record_intents(order, [step])
            self.store.add(base)
        elif stored.lines == order.lines and stored.intent(step) is not None:
            base, keys = stored, {step: stored.intent(step).key}  # type: ignore[union-attr]
        else:
            raise DuplicateOrder(number)
        key = keys[step]
        try:
            auth = self._call(
                base,
                step,
                key,
                self.gateway.authorize,
                order_number=number,
                amount=total,
                token=token,
            )
        except PaymentDeclined as declined:
            failed = PaymentEntry(
                PaymentOp.AUTHORIZE,
                total,
                key,
                PaymentOutcome.FAILED,
                ctx.at,
                detail=declined.reason,
            )
            result, _ = lifecycle.record_payment(base, failed, ctx)
            result, _ = lifecycle.cancel(result, self._ctx("system", f"card declined: {declined}"))
            self._finish(base, result, [step])
            raise
        entry = PaymentEntry(
            PaymentOp.AUTHORIZE,
            auth.amount,
            key,
            PaymentOutcome.SUCCEEDED,
            ctx.at,
            auth.reference,
            expires_at=auth.expires_at,
        )
        result, _ = lifecycle.record_payment(base, entry, ctx)
        result = self._notify(
            result,
            "order_confirmation",
            ctx,
            "order_confirmation",
            placed_at=order.placed_at,
            total=total,
            tax=totals.tax_total,
        )
        return self._finish(base, result, [step])

    def accept(self, number: str, *, actor: str = "system") -> Order:
        """受注 → 未引当: accept the order for processing."""
        order = self.store.get(number)
        result, _ = lifecycle.accept(order, self._ctx(actor))
        return self._finish(order, result)

    # -- 保留 --------------------------------------------------------------------------------

    def raise_hold(self, number: str, code: str, message: str, *, actor: str = "system") -> Order:
        """Put a hold (保留) on the order: it will not be instructed to ship until cleared."""
        order = self.store.get(number)
        result, events = lifecycle.raise_hold(order, code, message, self._ctx(actor))
        return self._finish(order, result) if events else order

    def clear_hold(self, number: str, code: str, *, actor: str = "operator") -> Order:
        """Clear the open hold ``code``, recording who cleared it."""
        order = self.store.get(number)
        result, _ = lifecycle.clear_hold(order, code, self._ctx(actor))
        return self._finish(order, result)

    # -- 引当 --------------------------------------------------------------------------------

    def allocate(self, number: str, *, actor: str = "system") -> Order:
        """引当: reserve the missing units atomically; 引当済 if all, 中途引当 if short.

        Call again when stock arrives to allocate the rest.
        """
        order = self.store.get(number)
        self._require(order, Move.ALLOCATE)
        pending = [i for i in order.intents if i.step.startswith("reserve:")]
        if pending:
            steps = {i.step: dict(i.params) for i in pending}
        else:
            round_ = sum(1 for _ in order.events_named(Move.ALLOCATE.value)) + 1
            plan = plan_allocation(
                order, self.settings.warehouses, self.inventory.available, self.settings.allocation
            )
            steps = {
                f"reserve:{round_}:{a.line_id}:{a.warehouse}": {
                    "line_id": a.line_id,
                    "warehouse": a.warehouse,
                    "sku": order.line(a.line_id).sku,
                    "quantity": str(a.quantity),
                }
                for a in plan
            }
        base, keys = self._begin(order, steps)
        reserved = []
        for step, request in steps.items():
            got = self._call(
                base,
                step,
                keys[step],
                self.inventory.reserve,
                warehouse=request["warehouse"],
                sku=request["sku"],
                quantity=int(request["quantity"]),
            )
            if got:
                reserved.append(Allocation(request["line_id"], request["warehouse"], got))
        result, _ = lifecycle.allocate(order, reserved, self._ctx(actor))
        return self._finish(base, result, steps)

    def release(self, number: str, *, actor: str = "operator", reason: str = "") -> Order:
        """引当解除: give every reserved unit back (before a change or a split); → 未引当."""
        order = self.store.get(number)
        ctx = self._ctx(actor, reason)
        result, _ = lifecycle.release(order, ctx)
        round_ = sum(1 for _ in order.events_named(Move.RELEASE.value)) + 1
        steps = self._release_steps(order, f"release:{round_}")
        base, keys = self._begin(order, steps)
        self._release(base, steps, keys)
        return self._finish(base, result, steps)

    def _release_steps(self, order: Order, prefix: str) -> dict[str, dict[str, str]]:
        return {
            f"{prefix}:{a.line_id}:{a.warehouse}": {
                "warehouse": a.warehouse,
                "sku": order.line(a.line_id).sku,
                "quantity": str(a.quantity),
            }
            for a in order.allocations
        }

    def _release(
        self, base: Order, steps: Mapping[str, Mapping[str, str]], keys: Mapping[str, str]
    ) -> None:
        for step, request in steps.items():
            if "warehouse" not in request:
                continue
            self._call(
                base,
                step,
                keys[step],
                self.inventory.release,
                warehouse=request["warehouse"],
                sku=request["sku"],
                quantity=int(request["quantity"]),
            )

    # -- 出荷指示 ------------------------------------------------------------------------------

    def instruct_shipping(
        self, number: str, *, carrier: str | None = None, actor: str = "system"
    ) -> Order:
        """出荷指示: one shipment per warehouse, sent to each warehouse; → 出荷指示済.

        Refused while a hold is open or the payment is not confirmed.
        """
        order = self.store.get(number)
        code = carrier or self.settings.carrier
        if code not in self.carriers:
            raise InvalidValue("carrier", code, f"one of {sorted(self.carriers)}")
        shipments = lifecycle.plan_shipments(order, code)
        result, _ = lifecycle.instruct_shipping(
            order, shipments, self._ctx(actor), payment_confirmed=self.payment_confirmed(order)
        )
        steps = [f"instruct:{s.shipment_id}" for s in shipments]
        base, keys = self._begin(order, steps)
        for step, shipment in zip(steps, shipments, strict=True):
            self._call(
                base,
                step,
                keys[step],
                self.warehouses[shipment.warehouse].instruct,
                order_number=number,
                shipment=shipment,
                ship_to=order.ship_to,
            )
        return self._finish(base, result, steps)

    def recall(self, number: str, *, actor: str = "operator") -> Order:
        """出荷指示取消: take the instruction back from every warehouse; → 引当済.

        Refused (:class:`~orderflow.errors.MoveBlocked`) if a warehouse says the parcel left.
        """
        order = self.store.get(number)
        result, _ = lifecycle.recall(order, self._ctx(actor))
        round_ = sum(1 for _ in order.events_named(Move.RECALL.value)) + 1
        steps = [f"recall:{round_}:{s.shipment_id}" for s in order.shipments]
        base, keys = self._begin(order, steps)
        too_late = []
        for step, shipment in zip(steps, order.shipments, strict=True):
            recalled = self._call(
                base,
                step,
                keys[step],
                self.warehouses[shipment.warehouse].recall,
                shipment_id=shipment.shipment_id,
            )
            if not recalled:
                too_late.append(shipment.shipment_id)
        if too_late:
            # Nothing moved for the order; the recorded calls are done, so forget their keys.
            self.store.save(
                replace(lifecycle.settle_intents(base, steps), version=base.version + 1),
                expected_version=base.version,
            )
            raise MoveBlocked(
                number,
                order.status.name,
                Move.RECALL.value,
                [m.value for m in allowed_moves(order.status)],
                f"already left the warehouse: {', '.join(too_late)}",
            )
        return self._finish(base, result, steps)

    # -- 出荷 / 着荷 ---------------------------------------------------------------------------

    def ship(
        self,
        number: str,
        shipment_id: str,
        tracking_number: str | None,
        *,
        actor: str = "warehouse",
    ) -> Order:
        """出荷: a shipment left with its tracking number; the last one captures the payment.

        Takes the units off stock, captures the card (売上確定) once every shipment has left, and
        sends the shipping notice with the carrier's tracking page.
        """
        order = self.store.get(number)
        shipment = lifecycle.find_shipment(order, shipment_id, Move.SHIP)
        carrier = self.carriers[shipment.carrier]
        if tracking_number is not None and not carrier.validate_tracking_number(tracking_number):
            raise InvalidValue(
                "tracking_number", tracking_number, f"a {carrier.code} tracking number"
            )
        ctx = self._ctx(actor)
        result, events = lifecycle.ship(
            order, shipment_id, tracking_number, ctx, tracking_required=carrier.has_tracking
        )
        if not events:
            return order
        steps: dict[str, dict[str, str]] = {
            f"commit:{shipment_id}:{line.line_id}": {
                "sku": order.line(line.line_id).sku,
                "quantity": str(line.quantity),
            }
            for line in shipment.lines
        }
        capture = result.status is OrderStatus.SHIPPED
        if capture:
            steps["capture"] = {}
        base, keys = self._begin(order, steps)
        for step, request in steps.items():
            if step == "capture":
                continue
            self._call(
                base,
                step,
                keys[step],
                self.inventory.commit,
                warehouse=shipment.warehouse,
                sku=request["sku"],
                quantity=int(request["quantity"]),
            )
        if capture:
            result = self._capture(base, result, keys["capture"], ctx)
        if tracking_number:
            result = self._notify(
                result,
                "shipping",
                ctx,
                f"shipping:{shipment_id}",
                carrier=carrier.code,
                shipped_at=ctx.at,
                tracking_number=tracking_number,
                tracking_url=carrier.tracking_url(tracking_number),
            )
        return self._finish(base, result, steps)

    def _capture(self, base: Order, result: Order, key: str, ctx: Context) -> Order:
        authorization = next(
            e
            for e in base.payment.ledger
            if e.op is PaymentOp.AUTHORIZE and e.outcome is PaymentOutcome.SUCCEEDED
        )
        amount = self.totals(base).total
        reference = self._call(
            base,
            "capture",
            key,
            self.gateway.capture,
            authorization=authorization.reference,
            amount=amount,
        )
        entry = PaymentEntry(
            PaymentOp.CAPTURE, amount, key, PaymentOutcome.SUCCEEDED, ctx.at, reference
        )
        captured, _ = lifecycle.record_payment(result, entry, ctx)
        return captured

    def deliver(self, number: str, shipment_id: str, *, actor: str = "carrier") -> Order:
        """着荷: the carrier reports a shipment delivered; a repeated report changes nothing."""
        order = self.store.get(number)
        result, events = lifecycle.deliver(order, shipment_id, self._ctx(actor))
        return self._finish(order, result) if events else order

    # -- 計上 --------------------------------------------------------------------------------

    def book(self, number: str, *, actor: str = "system") -> Order:
        """計上: post the sale's journal entry to accounting, dated by the shop's basis; once."""
        order = self.store.get(number)
        self._require(order, Move.BOOK)
        on = recognition_date(order, self.settings.recognition, ZoneInfo(self.settings.zone))
        entry = sale_entry(order, self.settings.tax, self.settings.accounts, on, self.totals(order))
        step = "book"
        base, keys = self._begin(order, [step])
        reference = self._call(base, step, keys[step], self.accounting.post, entry=entry)
        result, _ = lifecycle.book(order, reference, self._ctx(actor))
        return self._finish(base, result, [step])

    # -- キャンセル ------------------------------------------------------------------------------

    def cancel(self, number: str, *, reason: str, actor: str = "operator") -> Order:
        """キャンセル: void the authorization, release the stock, tell the customer."""
        order = self.store.get(number)
        if not reason:
            raise InvalidValue("reason", reason, "why the order is cancelled")
        ctx = self._ctx(actor, reason)
        result, _ = lifecycle.cancel(order, ctx)
        steps = self._release_steps(order, "cancel:release")
        live = order.payment.open_authorization
        if live:
            steps["void"] = {}
        base, keys = self._begin(order, steps)
        self._release(base, steps, keys)
        if live:
            result = self._void(base, result, keys["void"], live, ctx)
        result = self._notify(
            result, "cancellation", ctx, "cancellation", cancelled_at=ctx.at, reason=reason
        )
        return self._finish(base, result, steps)

    def _void(self, base: Order, result: Order, key: str, amount: Money, ctx: Context) -> Order:
        authorization = next(
            e
            for e in base.payment.ledger
            if e.op is PaymentOp.AUTHORIZE and e.outcome is PaymentOutcome.SUCCEEDED
        )
        reference = self._call(
            base,
            "void",
            key,
            self.gateway.void,
            authorization=authorization.reference,
            amount=amount,
        )
        entry = PaymentEntry(
            PaymentOp.VOID, amount, key, PaymentOutcome.SUCCEEDED, ctx.at, reference
        )
        voided, _ = lifecycle.record_payment(result, entry, ctx)
        return voided
