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

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

from orderflow._runner import Runner
from orderflow.cashier import Cashier
from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.address import Address, Customer
from orderflow.domain.allocation import plan_allocation
from orderflow.domain.booking import recognition_date, sale_entry
from orderflow.domain.changes import ChangePreview, OrderChange, apply_change, points_to_grant
from orderflow.domain.deposits import Deposit, OpenAccount, Reconciliation, reconcile
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
from orderflow.domain.payments import payment_confirmed
from orderflow.domain.policy import Requester
from orderflow.domain.review import (
    ReviewContext,
    ReviewRule,
    apply_findings,
    default_rules,
    review,
)
from orderflow.domain.split import SPLITTABLE, split_order
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
    UnknownSku,
)
from orderflow.ports import (
    Accounting,
    BankTransferProvider,
    Carrier,
    Clock,
    CreditStatus,
    FraudScreen,
    Inventory,
    KonbiniProvider,
    Notifier,
    OrderStore,
    PaymentGateway,
    PointsProvider,
    PostpayProvider,
    Warehouse,
)
from orderflow.settings import PostpayDeclined, ShopSettings
from orderflow.zengin import read_transfer_notice

__all__ = ["DepositReport", "OrderDesk"]

_TOTALS_KEPT = 4096
"""How many orders' totals the desk keeps at most (the cache is emptied when full)."""

Steps = dict[str, dict[str, str]]


def _remaining(order: Order, cancelled: Mapping[str, int]) -> dict[str, int]:
    """Line id → units left after cancelling ``cancelled`` units (validated)."""
    left: dict[str, int] = {}
    for line_id, units in cancelled.items():
        line = order.line(line_id)
        if type(units) is not int or not 1 <= units <= line.quantity:
            raise InvalidValue(f"lines[{line_id!r}]", units, f"1 to {line.quantity} units")
        left[line_id] = line.quantity - units
    for line in order.lines:
        left.setdefault(line.line_id, line.quantity)
    return left


class DepositReport:
    """What a reconciliation did: the pure matching and the orders it changed."""

    def __init__(self, reconciliation: Reconciliation, orders: list[Order]) -> None:
        self.reconciliation = reconciliation
        """Every deposit: matched (exact, short, over), unmatched, repeated, cancelled."""
        self.orders = orders
        """The orders saved with their new deposits, in the order first touched."""

    @property
    def unmatched(self) -> tuple[Deposit, ...]:
        """Deposits no open order holds the account of: for a person to look at (入金不明)."""
        return self.reconciliation.unmatched


class OrderDesk:
    """Takes an order from 受注 to 計上済 through the ports, one command at a time.

    ``warehouses`` maps each warehouse code of ``settings.warehouses`` to its port; ``carriers``
    maps carrier codes to carrier adapters. The payment ports are optional: a shop gives the ones
    for the methods it takes (``gateway`` for cards, ``amazon_pay``, ``postpay``, ``bank`` for
    transfers to virtual accounts, ``konbini``; ``fraud`` screens card orders). ``points`` is the
    shop's loyalty-point system (used points are taken at order and given back on cancel);
    ``review`` the rules of the order review (:func:`~orderflow.domain.review.default_rules`
    when not given).
    """

    def __init__(
        self,
        *,
        store: OrderStore,
        inventory: Inventory,
        warehouses: Mapping[str, Warehouse],
        carriers: Mapping[str, Carrier],
        accounting: Accounting,
        notifier: Notifier,
        clock: Clock,
        gateway: PaymentGateway | None = None,
        amazon_pay: PaymentGateway | None = None,
        fraud: FraudScreen | None = None,
        postpay: PostpayProvider | None = None,
        bank: BankTransferProvider | None = None,
        konbini: KonbiniProvider | None = None,
        points: PointsProvider | None = None,
        review: Sequence[ReviewRule] | None = None,
        settings: ShopSettings | None = None,
    ) -> None:
        self.settings = settings or ShopSettings()
        missing = [w for w in self.settings.warehouses if w not in warehouses]
        if missing:
            raise InvalidValue("warehouses", sorted(warehouses), f"a port for each of {missing}")
        if self.settings.carrier not in carriers:
            raise InvalidValue("carriers", sorted(carriers), f"a {self.settings.carrier!r} carrier")
        self.store = store
        self.inventory = inventory
        self.warehouses = dict(warehouses)
        self.carriers = dict(carriers)
        self.accounting = accounting
        self.notifier = notifier
        self.clock = clock
        self.runner = Runner(store, clock, notifier, self.settings)
        self.cashier = Cashier(
            self.runner,
            gateway=gateway,
            amazon_pay=amazon_pay,
            fraud=fraud,
            postpay=postpay,
            bank=bank,
            konbini=konbini,
        )
        self._totals: dict[int, tuple[tuple[object, ...], OrderTotals]] = {}
        self.points = points
        self.review_rules: tuple[ReviewRule, ...] = tuple(
            review if review is not None else default_rules(fees=self.settings.shipping_fees)
        )

    # -- helpers ---------------------------------------------------------------------------

    def _require(self, order: Order, move: Move | str) -> None:
        allowed = allowed_moves(order.status)
        if not isinstance(move, Move) or move not in allowed:
            name = move.value if isinstance(move, Move) else move
            raise MoveNotAllowed(order.number, order.status.name, name, [m.value for m in allowed])

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
        """Whether the payment allows shipping (see :mod:`orderflow.domain.payments`)."""
        return payment_confirmed(order.payment, self.totals(order).total)

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
        address_from_amazon: bool = False,
        actor: str = "customer",
    ) -> Order:
        """受注: check the order, start its payment, send the order confirmation.

        By method: a card is screened (if a fraud port is given) and authorized; Amazon Pay is
        authorized (``address_from_amazon`` marks the ship-to as guaranteed); 後払い is
        credit-checked; a bank transfer gets a virtual account and a konbini payment a number and
        deadline (both held until paid); COD adds the fee of the shop's table.

        Bad input raises before anything is stored or charged. A refused payment leaves the order
        cancelled and raises :class:`~orderflow.errors.PaymentDeclined`. After a time-out, call
        ``place`` again with the same arguments: the same keys are used.
        """
        ctx = self.runner.ctx(actor)
        if not isinstance(payment_method, PaymentMethod):
            raise InvalidValue("payment_method", payment_method, "a PaymentMethod")
        if not self.cashier.accepts(payment_method):
            raise InvalidValue(
                "payment_method", payment_method.value, "a method this desk has a port for"
            )
        if payment_method in (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY) and not token:
            raise InvalidValue("token", token, "the gateway's stored card token")
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
        if payment_method is PaymentMethod.COD:
            fee = self.settings.cod_fees.fee_for(self.totals(order).total)
            order = replace(order, fees=fee)
        if payment_method is PaymentMethod.AMAZON_PAY and address_from_amazon:
            order = replace(order, address_guaranteed=True)
        totals = self.totals(order)
        total = totals.total
        steps, requests = self.cashier.order_plan(order, total)
        if order.points_used and self.points is not None:
            steps = {"points:redeem": {}, **steps}
        try:
            stored: Order | None = self.store.get(number)
        except OrderNotFound:
            stored = None
        if stored is None:
            base, keys = self.runner.record(order, steps, requests)
            self.store.add(base)
        elif (
            stored.lines == order.lines
            and stored.status is OrderStatus.ORDERED
            and all(stored.intent(step) is not None for step in steps)
            and steps
        ):
            base, keys = self.runner.record(stored, steps, requests)
            order = stored
        else:
            raise DuplicateOrder(number)
        if "points:redeem" in keys:
            self._redeem_at_order(base, order, keys, ctx, steps)
        try:
            result = self.cashier.at_order(base, order, keys, ctx, total)
        except PaymentDeclined:
            self._give_points_back(number)
            raise
        result = self.runner.notify(
            result,
            "order_confirmation",
            ctx,
            "order_confirmation",
            placed_at=order.placed_at,
            total=total,
            tax=totals.tax_total,
        )
        return self.runner.finish(base, result, steps)

    def _redeem_at_order(
        self,
        base: Order,
        order: Order,
        keys: Mapping[str, str],
        ctx: Context,
        steps: Mapping[str, Mapping[str, str]],
    ) -> None:
        """Take the points the customer used; too few points refuse the order (cancelled)."""
        assert self.points is not None
        try:
            self.runner.call(
                base,
                "points:redeem",
                keys["points:redeem"],
                self.points.redeem,
                customer_id=order.customer.id,
                points=order.points_used,
                order_number=order.number,
            )
        except OutcomeUnknown:
            raise
        except ProviderError as refused:
            cancelled, _ = lifecycle.cancel(
                order, replace(ctx, actor="system", reason=f"points refused: {refused}")
            )
            self.runner.finish(base, cancelled, steps)
            raise InvalidValue(
                "points_used", order.points_used, f"no more than the customer's points ({refused})"
            ) from refused

    def _give_points_back(self, number: str) -> None:
        """Return the points a cancelled order used (once: the key is fixed)."""
        order = self.store.get(number)
        if not order.points_used or self.points is None:
            return
        if any(e.name == "points_restored" for e in order.history):
            return
        base, keys = self.runner.begin(order, ["points:restore"])
        restored = self._restore_points(base, order, keys, self.runner.ctx("system"))
        self.runner.finish(base, restored, ["points:restore"])

    def _restore_points(
        self, base: Order, result: Order, keys: Mapping[str, str], ctx: Context
    ) -> Order:
        """Give the order's used points back to the customer (the ``points:restore`` step)."""
        assert self.points is not None
        self.runner.call(
            base,
            "points:restore",
            keys["points:restore"],
            self.points.restore,
            customer_id=base.customer.id,
            points=base.points_used,
            order_number=base.number,
        )
        restored, _ = lifecycle.record_fact(
            result, ctx, "points_restored", details={"points": str(base.points_used)}
        )
        return restored

    def accept(self, number: str, *, actor: str = "system") -> Order:
        """受注 → 未引当: accept the order, review it (注文確認), and let it go on if clear.

        The review's rules may hold the order (remarks to read, a remote island, a blacklisted
        customer…) or correct its shipping fee; with no open hold and ``auto_advance`` the order
        is allocated at once.
        """
        order = self.store.get(number)
        if self._allocation_interrupted(order):
            return self._advance(order)  # a retry: the order was accepted, its allocation not done
        ctx = self.runner.ctx(actor)
        result, _ = lifecycle.accept(order, ctx)
        accepted = self.runner.finish(order, result)
        return self._advance(self._review(accepted, ctx))

    @staticmethod
    def _allocation_interrupted(order: Order) -> bool:
        return order.status is OrderStatus.UNALLOCATED and any(
            i.step.startswith("reserve:") for i in order.intents
        )

    def review(self, number: str, *, actor: str = "system") -> Order:
        """Run the order review again (after a change of the rules, say)."""
        order = self.store.get(number)
        return self._review(order, self.runner.ctx(actor))

    def _review(self, order: Order, ctx: Context) -> Order:
        since = order.placed_at - timedelta(days=31)
        recent = tuple(self.store.orders_of_customer(order.customer.id, since))
        findings = review(order, self.review_rules, ReviewContext(ctx.at, recent))
        result, events = apply_findings(order, findings, ctx)
        if not events:
            return order
        saved = self.runner.finish(order, result)
        if saved.shipping_fee != order.shipping_fee:
            saved = self._follow_payment(saved, ctx)
        return saved

    def _advance(self, order: Order) -> Order:
        """An order with no open hold goes on by itself (未引当 → 引当)."""
        if (
            self.settings.auto_advance
            and order.status is OrderStatus.UNALLOCATED
            and not order.open_holds
        ):
            return self.allocate(order.number, actor="system")
        return order

    def _resume_payment(self, order: Order, ctx: Context) -> Order:
        """Finish a payment adjustment an earlier command began (its keys are on the order).

        Every command that touches the payment calls this first, so that a re-authorization or
        an amendment interrupted by a time-out is completed, with the amounts first asked for,
        before anything else happens to the order's money.
        """
        pending = self.cashier.pending_adjustment(order)
        if not pending:
            return order
        base, keys = self.runner.begin(order, pending)
        result = self.cashier.adjust(base, order, keys, ctx, self.totals(order).total)
        return self.runner.finish(base, result, pending)

    def _follow_payment(self, order: Order, ctx: Context) -> Order:
        """The payment follows the order's new total (same method)."""
        order = self._resume_payment(order, ctx)
        total = self.totals(order).total
        steps, requests = self.cashier.adjust_plan(order, total)
        base, keys = self.runner.begin(order, steps, requests)
        result = self.cashier.adjust(base, order, keys, ctx, total)
        if result is order and base is order:
            return order
        return self.runner.finish(base, result, steps)

    # -- 保留 --------------------------------------------------------------------------------

    def raise_hold(
        self, number: str, code: str, message: str, *, message_en: str = "", actor: str = "system"
    ) -> Order:
        """Put a hold (保留) on the order: it will not be instructed to ship until cleared."""
        order = self.store.get(number)
        result, events = lifecycle.raise_hold(
            order, code, message, self.runner.ctx(actor), message_en=message_en
        )
        return self.runner.finish(order, result) if events else order

    def clear_hold(self, number: str, code: str, *, actor: str = "operator") -> Order:
        """Clear the open hold ``code``, recording who cleared it; the last one lets it go on."""
        order = self.store.get(number)
        if self._allocation_interrupted(order) and not any(
            h.code == code and h.is_open for h in order.holds
        ):
            return self._advance(order)  # a retry: the hold was cleared, its allocation not done
        result, _ = lifecycle.clear_hold(order, code, self.runner.ctx(actor))
        return self._advance(self.runner.finish(order, result))

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
        base, keys = self.runner.begin(order, steps)
        reserved = []
        for step, request in steps.items():
            got = self.runner.call(
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
        result, _ = lifecycle.allocate(order, reserved, self.runner.ctx(actor))
        return self.runner.finish(base, result, steps)

    def release(self, number: str, *, actor: str = "operator", reason: str = "") -> Order:
        """引当解除: give every reserved unit back (before a change or a split); → 未引当."""
        order = self.store.get(number)
        ctx = self.runner.ctx(actor, reason)
        result, _ = lifecycle.release(order, ctx)
        round_ = sum(1 for _ in order.events_named(Move.RELEASE.value)) + 1
        steps = self._release_steps(order, f"release:{round_}")
        base, keys = self.runner.begin(order, steps)
        self._release(base, steps, keys)
        return self.runner.finish(base, result, steps)

    def _release_steps(self, order: Order, prefix: str) -> Steps:
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
            self.runner.call(
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

        Refused while a hold is open or the payment is not confirmed. For 代引き the first
        shipment carries the amount the carrier collects.
        """
        order = self.store.get(number)
        code = carrier or self.settings.carrier
        if code not in self.carriers:
            raise InvalidValue("carrier", code, f"one of {sorted(self.carriers)}")
        total = self.totals(order).total
        shipments = self.cashier.with_cod(order, lifecycle.plan_shipments(order, code), total)
        result, _ = lifecycle.instruct_shipping(
            order,
            shipments,
            self.runner.ctx(actor),
            payment_confirmed=payment_confirmed(order.payment, total),
        )
        steps = [f"instruct:{s.shipment_id}" for s in shipments]
        base, keys = self.runner.begin(order, steps)
        for step, shipment in zip(steps, shipments, strict=True):
            self.runner.call(
                base,
                step,
                keys[step],
                self.warehouses[shipment.warehouse].instruct,
                order_number=number,
                shipment=shipment,
                ship_to=order.ship_to,
            )
        return self.runner.finish(base, result, steps)

    def recall(self, number: str, *, actor: str = "operator") -> Order:
        """出荷指示取消: take the instruction back from every warehouse; → 引当済.

        Refused (:class:`~orderflow.errors.MoveBlocked`) if a warehouse says the parcel left.
        """
        order = self.store.get(number)
        result, _ = lifecycle.recall(order, self.runner.ctx(actor))
        round_ = sum(1 for _ in order.events_named(Move.RECALL.value)) + 1
        steps = [f"recall:{round_}:{s.shipment_id}" for s in order.shipments]
        base, keys = self.runner.begin(order, steps)
        too_late = []
        for step, shipment in zip(steps, order.shipments, strict=True):
            recalled = self.runner.call(
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
        return self.runner.finish(base, result, steps)

    # -- 出荷 / 着荷 ---------------------------------------------------------------------------

    def ship(
        self,
        number: str,
        shipment_id: str,
        tracking_number: str | None,
        *,
        actor: str = "warehouse",
    ) -> Order:
        """出荷: a shipment left with its tracking number; the last one takes the payment.

        Takes the units off stock; once every shipment has left, captures the card or Amazon Pay
        (売上確定) or reports the shipment to the 後払い provider; sends the shipping notice
        with the carrier's tracking page.
        """
        order = self.store.get(number)
        shipment = lifecycle.find_shipment(order, shipment_id, Move.SHIP)
        carrier = self.carriers[shipment.carrier]
        if tracking_number is not None and not carrier.validate_tracking_number(tracking_number):
            raise InvalidValue(
                "tracking_number", tracking_number, f"a {carrier.code} tracking number"
            )
        ctx = self.runner.ctx(actor)
        result, events = lifecycle.ship(
            order, shipment_id, tracking_number, ctx, tracking_required=carrier.has_tracking
        )
        if not events:
            return order
        steps: Steps = {
            f"commit:{shipment_id}:{line.line_id}": {
                "sku": order.line(line.line_id).sku,
                "quantity": str(line.quantity),
            }
            for line in shipment.lines
        }
        requests: list[tuple[str, PaymentOp, Money]] = []
        if result.status is OrderStatus.SHIPPED:
            pay_steps, requests = self.cashier.shipping_plan(order, self.totals(order).total)
            steps.update(pay_steps)
        base, keys = self.runner.begin(order, steps, requests)
        for step, request in steps.items():
            if not step.startswith("commit:"):
                continue
            self.runner.call(
                base,
                step,
                keys[step],
                self.inventory.commit,
                warehouse=shipment.warehouse,
                sku=request["sku"],
                quantity=int(request["quantity"]),
            )
        result = self.cashier.at_shipping(base, result, keys, ctx, shipment, tracking_number)
        if tracking_number:
            result = self.runner.notify(
                result,
                "shipping",
                ctx,
                f"shipping:{shipment_id}",
                carrier=carrier.code,
                shipped_at=ctx.at,
                tracking_number=tracking_number,
                tracking_url=carrier.tracking_url(tracking_number),
            )
        return self.runner.finish(base, result, steps)

    def deliver(self, number: str, shipment_id: str, *, actor: str = "carrier") -> Order:
        """着荷: the carrier reports a shipment delivered; a repeated report changes nothing.

        For 代引き the amount the carrier collected is recorded as received.
        """
        order = self.store.get(number)
        ctx = self.runner.ctx(actor)
        result, events = lifecycle.deliver(order, shipment_id, ctx)
        if not events:
            return order
        shipment = lifecycle.find_shipment(order, shipment_id, Move.DELIVER)
        result = self.cashier.at_delivery(result, shipment, ctx)
        return self.runner.finish(order, result)

    # -- 計上 --------------------------------------------------------------------------------

    def book(self, number: str, *, actor: str = "system") -> Order:
        """計上: post the sale's journal entry to accounting, dated by the shop's basis; once."""
        order = self.store.get(number)
        self._require(order, Move.BOOK)
        on = recognition_date(order, self.settings.recognition, ZoneInfo(self.settings.zone))
        entry = sale_entry(order, self.settings.tax, self.settings.accounts, on, self.totals(order))
        steps: Steps = {"book": {}, **self.cashier.release_plan(order)}
        base, keys = self.runner.begin(order, steps)
        reference = self.runner.call(base, "book", keys["book"], self.accounting.post, entry=entry)
        self.cashier.release_account(base, keys)
        result, _ = lifecycle.book(order, reference, self.runner.ctx(actor))
        return self.runner.finish(base, result, steps)

    # -- キャンセル ------------------------------------------------------------------------------

    def cancel(
        self,
        number: str,
        *,
        reason: str,
        actor: str = "operator",
        requester: Requester | None = None,
        lines: Mapping[str, int] | None = None,
    ) -> Order:
        """キャンセル: release the stock, give the payment and points back, tell the customer.

        A card or Amazon Pay authorization is voided, a 後払い claim cancelled, a konbini
        number withdrawn, a virtual account handed back; money already received is recorded as
        owed back to the customer; used points are returned. With a ``requester`` the shop's
        :class:`~orderflow.domain.policy.CancelPolicy` decides whether they may (else the call is
        the shop's own). ``lines`` (line id → units) cancels only those units: the order is
        changed, its totals and payment follow; cancelling every unit cancels the order.
        """
        order = self.store.get(number)
        if not reason:
            raise InvalidValue("reason", reason, "why the order is cancelled")
        if requester is not None:
            self.settings.cancel_policy.check(order, requester)
            actor = requester.actor
        if lines:
            _remaining(order, lines)  # bad input is refused before anything happens
        else:
            lifecycle.cancel(order, self.runner.ctx(actor, reason))  # so is a wrong status
        order = self._resume_payment(order, self.runner.ctx(actor, reason))
        if lines:
            quantities = _remaining(order, lines)
            if any(quantities.values()):
                who = requester or Requester.operator()
                return self._change(order, OrderChange(quantities=quantities), who, reason).order
        ctx = self.runner.ctx(actor, reason)
        result, _ = lifecycle.cancel(order, ctx)
        steps = self._release_steps(order, "cancel:release")
        pay_steps, requests = self.cashier.cancel_plan(order)
        steps.update(pay_steps)
        if order.points_used and self.points is not None:
            steps["points:restore"] = {}
        base, keys = self.runner.begin(order, steps, requests)
        self._release(base, steps, keys)
        result = self.cashier.at_cancel(base, result, keys, ctx)
        if "points:restore" in keys:
            result = self._restore_points(base, result, keys, ctx)
        result = self.runner.notify(
            result, "cancellation", ctx, "cancellation", cancelled_at=ctx.at, reason=reason
        )
        return self.runner.finish(base, result, steps)

    # -- 注文変更 / 注文分割 --------------------------------------------------------------

    def change(
        self,
        number: str,
        change: OrderChange,
        *,
        requester: Requester | None = None,
        reason: str = "",
        dry_run: bool = False,
    ) -> ChangePreview:
        """注文変更: quantities, lines, address, delivery date and slot, payment method, points.

        The shop's :class:`~orderflow.domain.policy.ChangePolicy` decides first (a refusal is a
        :class:`~orderflow.errors.ChangeRefused` telling to cancel and re-order). Totals are
        worked out again; a dry run returns them with the payment delta and changes nothing.
        Otherwise reserved stock is released and allocated again for the new lines, the payment
        follows (a new authorization, an amended claim, a new konbini number, a new method), the
        points follow, the review runs again and the customer is told.
        """
        order = self.store.get(number)
        who = requester or Requester.operator()
        self.settings.change_policy.check(order, who)
        return self._change(order, change, who, reason, dry_run)

    def _change(
        self,
        order: Order,
        change: OrderChange,
        requester: Requester,
        reason: str,
        dry_run: bool = False,
    ) -> ChangePreview:
        ctx = self.runner.ctx(requester.actor, reason)
        changed = self._validate_change(order, change, ctx)  # bad input is refused first
        if not dry_run and self.cashier.pending_adjustment(order):
            order = self._resume_payment(order, ctx)
            changed, _ = self._apply(order, change, ctx)
        before, after = self.totals(order), self.totals(changed)
        switching = changed.payment.method is not order.payment.method
        rate = self.settings.points_rate
        preview = ChangePreview(
            before, after, points_to_grant(before, rate), points_to_grant(after, rate), changed
        )
        if dry_run:
            return preview
        number = order.number
        reallocate = bool(change.touches_lines and order.allocations)
        if reallocate:
            order = self.release(number, actor=requester.actor, reason="order change")
            changed, _ = self._apply(order, change, ctx)
        if switching:
            saved = self._switch(order, changed, ctx)
        else:
            saved = self._follow_payment(self.runner.finish(order, changed), ctx)
        saved = self._follow_points(order, saved, ctx)
        if saved.status is not OrderStatus.ORDERED:
            saved = self._review(saved, ctx)
        delta = self.totals(saved).total - before.total
        notified = self.runner.notify(
            saved,
            "order_changed",
            ctx,
            f"order_changed:v{saved.version}",
            total=self.totals(saved).total,
            delta=delta,
        )
        if notified is not saved:
            saved = self.runner.finish(saved, notified)
        if reallocate or self.settings.auto_advance:
            saved = self._advance(saved)
        return attrs.evolve(preview, order=saved)

    def _validate_change(self, order: Order, change: OrderChange, ctx: Context) -> Order:
        """The changed order, or the error that refuses the change (nothing happens before)."""
        changed, _ = self._apply(order, change, ctx)
        if changed.payment.method is not order.payment.method:
            if not self.cashier.accepts(changed.payment.method):
                raise InvalidValue(
                    "payment_method",
                    changed.payment.method.value,
                    "a method this desk has a port for",
                )
        else:
            # refuses what the payment cannot follow (a paid konbini order growing)
            self.cashier.adjust_plan(changed, self.totals(changed).total)
        return changed

    def _apply(self, order: Order, change: OrderChange, ctx: Context) -> lifecycle.Outcome:
        return apply_change(
            order,
            change,
            ctx,
            rule=self.settings.tax,
            shipping_fees=self.settings.shipping_fees,
            cod_fees=self.settings.cod_fees,
        )

    def _switch(self, order: Order, changed: Order, ctx: Context) -> Order:
        """A new payment method: open the new payment, close the old; a refusal changes nothing."""
        n = 1 + sum(
            1
            for e in order.history
            if e.name == "payment_switch_refused"
            or (e.name == "changed" and e.detail("payment_method"))
        )
        total = self.totals(changed).total
        steps, requests = self.cashier.switch_plan(order, changed, total, n)
        base, keys = self.runner.begin(order, steps, requests)
        view = replace(
            changed,
            intents=base.intents,
            version=base.version,
            payment=replace(changed.payment, ledger=base.payment.ledger),
        )
        try:
            result = self.cashier.switch(order, view, changed, keys, ctx, total, n)
        except PaymentDeclined:
            self._refuse_switch(base, order, steps, ctx)
            raise
        return self.runner.finish(base, result, steps)

    def _refuse_switch(
        self, base: Order, order: Order, steps: Mapping[str, Mapping[str, str]], ctx: Context
    ) -> None:
        """The new method refused: the order stays as it was; the requests are closed as failed."""
        failed, _ = lifecycle.record_fact(order, ctx, "payment_switch_refused")
        for entry in base.payment.ledger:
            if entry.outcome in (PaymentOutcome.REQUESTED, PaymentOutcome.UNKNOWN):
                closed = replace(entry, outcome=PaymentOutcome.FAILED, at=ctx.at)
                failed, _ = lifecycle.record_payment(failed, closed, ctx)
        self.runner.finish(base, failed, steps)

    def _follow_points(self, before: Order, after: Order, ctx: Context) -> Order:
        """Points used went up or down: take or give back the difference."""
        difference = after.points_used - before.points_used
        if not difference or self.points is None:
            return after
        n = sum(1 for e in after.history if e.name == "points_changed") + 1
        step = f"points:change:{n}"
        base, keys = self.runner.begin(after, [step])
        call = self.points.redeem if difference > 0 else self.points.restore
        self.runner.call(
            base,
            step,
            keys[step],
            call,
            customer_id=after.customer.id,
            points=abs(difference),
            order_number=after.number,
        )
        result, _ = lifecycle.record_fact(
            after, ctx, "points_changed", details={"points": f"{difference:+d}"}
        )
        return self.runner.finish(base, result, [step])

    def split(
        self,
        number: str,
        parts: Sequence[Mapping[str, int]],
        *,
        requester: Requester | None = None,
        reason: str = "",
    ) -> list[Order]:
        """注文分割: move lines or part quantities into new orders ``<number>-1``, ``-2`` ….

        Money is conserved to the yen by the rule of :mod:`orderflow.domain.split`. Each part
        gets its own payment (a card: a new authorization with the stored token; 後払い: a claim
        each; a transfer or konbini: its own account or number) and the parent's is closed;
        allocations move with their lines; the parent is closed as split. Refused for a transfer
        or konbini order whose money has already arrived.
        """
        order = self.store.get(number)
        who = requester or Requester.operator()
        self.settings.change_policy.check(order, who)
        if order.status not in SPLITTABLE:
            self._require(order, "split")
        if order.payment.received:
            raise InvalidValue(
                "parts",
                number,
                "an order whose payment has not arrived yet (refund or cancel it instead)",
            )
        ctx = self.runner.ctx(who.actor, reason or "order split")
        closed, children = split_order(order, parts, self.settings.tax, ctx)
        for child in children:
            try:
                taken = self.store.get(child.number)
            except OrderNotFound:
                continue
            if taken.split_from != number:
                raise DuplicateOrder(child.number)
        order = self._resume_payment(order, ctx)
        if order.payment.ledger != closed.payment.ledger:
            closed, children = split_order(order, parts, self.settings.tax, ctx)
        steps: Steps = {}
        for child in children:
            opened, _ = self.cashier.order_plan(
                child, self.totals(child).total, f"split:{child.number}:"
            )
            steps.update(opened)
        close_steps, close_requests = self.cashier.cancel_plan(order, "split:close:")
        steps.update(close_steps)
        base, keys = self.runner.begin(order, steps, close_requests)
        paid = []
        for child in children:
            prefix = f"split:{child.number}:"
            paid.append(
                self.cashier.at_order(child, child, keys, ctx, self.totals(child).total, prefix)
            )
        closed = self.cashier.at_cancel(base, closed, keys, ctx, "split:close:")
        for child in paid:
            with contextlib.suppress(DuplicateOrder):  # a retry: this split stored it already
                self.store.add(child)
        self.runner.finish(base, closed, steps)
        return [self.store.get(child.number) for child in paid]

    # -- 返金 / 決済の後処理 ----------------------------------------------------------------

    def refund(self, number: str, amount: Money, *, reason: str, actor: str = "operator") -> Order:
        """返金: pay back (part of) what was paid, after shipping (a return, a goodwill refund).

        Card and Amazon Pay refund through the gateway; 後払い cancels the claim and registers
        the rest again (as the providers require once the shipment is reported); bank transfer,
        konbini and COD record the amount as owed back by bank transfer.
        """
        order = self.store.get(number)
        if not reason:
            raise InvalidValue("reason", reason, "why the money is paid back")
        self.cashier.refund_plan(order, amount)  # bad input is refused before anything happens
        order = self._resume_payment(order, self.runner.ctx(actor, reason))
        steps, requests = self.cashier.refund_plan(order, amount)
        ctx = self.runner.ctx(actor, reason)
        base, keys = self.runner.begin(order, steps, requests)
        result = self.cashier.refund(base, order, keys, ctx, amount)
        return self.runner.finish(base, result, steps)

    def reauthorize_expiring(self, now: datetime | None = None) -> list[Order]:
        """再オーソリ sweep: authorize again every card whose authorization lapses soon.

        ``settings.reauthorize_within_days`` says how soon. A card that is declined puts the
        order on hold (``authorization_failed``) and tells the customer. Returns the orders
        touched.
        """
        moment = now or self.clock.now()
        touched = []
        for candidate in list(self.store.open_orders()):
            if not self.cashier.needs_reauthorization(candidate, moment):
                continue
            order = self.store.get(candidate.number)
            total = self.totals(order).total
            steps, requests = self.cashier.reauthorize_plan(order, total)
            base, keys = self.runner.begin(order, steps, requests)
            ctx = self.runner.ctx("system", "authorization expiring")
            result = self.cashier.reauthorize(base, order, keys, ctx, total)
            touched.append(self.runner.finish(base, result, steps))
        return touched

    def refresh_postpay(self, number: str, *, actor: str = "system") -> Order:
        """Ask the 後払い provider again about a claim under review; act on its decision."""
        order = self.store.get(number)
        if order.payment.method is not PaymentMethod.POSTPAY:
            raise InvalidValue("number", number, "an order paid by 後払い")
        pending = next(
            (
                e
                for e in order.payment.ledger
                if e.op is PaymentOp.AUTHORIZE and e.outcome is PaymentOutcome.REQUESTED
            ),
            None,
        )
        reference = order.payment.instruction("reference")
        if order.status.is_final or pending is None or reference is None:
            return order
        if self.cashier.postpay is None:
            return order
        decision = self.cashier.postpay.decision(reference)
        if decision.status is CreditStatus.PENDING:
            return order
        ctx = self.runner.ctx(actor)
        if (
            decision.status is CreditStatus.DECLINED
            and self.settings.postpay_declined is PostpayDeclined.CANCEL
        ):
            failed = PaymentEntry(
                PaymentOp.AUTHORIZE,
                pending.amount,
                pending.key,
                PaymentOutcome.FAILED,
                ctx.at,
                reference,
                detail=decision.reason,
            )
            result, _ = lifecycle.record_payment(order, failed, ctx)
            result = self.runner.notify(
                result, "payment_failed", ctx, "payment_failed", reason=decision.reason
            )
            self.runner.finish(order, result)
            return self.cancel(number, reason="後払い credit declined", actor="system")
        result = self.cashier._apply_credit(
            order, order, {}, ctx, decision, pending.key, pending.amount
        )
        return self.runner.finish(order, result)

    def record_konbini_payment(
        self, number: str, *, reference: str, amount: Money, paid_at: datetime | None = None
    ) -> Order:
        """コンビニ入金: the provider says the customer paid at the store.

        The same payment reference recorded twice counts once. Paid in full, the order's
        payment is confirmed and the customer told.
        """
        order = self.store.get(number)
        if order.payment.method is not PaymentMethod.KONBINI:
            raise InvalidValue("number", number, "an order paid at a convenience store")
        ctx = self.runner.ctx("konbini")
        entry = PaymentEntry(
            PaymentOp.RECEIVE,
            amount,
            f"{number}:konbini:{reference}",
            PaymentOutcome.SUCCEEDED,
            paid_at or ctx.at,
            reference,
        )
        result, events = lifecycle.record_payment(order, entry, ctx)
        if not events:
            return order
        result = self.cashier.settle_received(
            result, ctx, f"konbini:{reference}", self.totals(result).total
        )
        return self.runner.finish(order, result)

    def expire_unpaid(self, now: datetime | None = None) -> list[Order]:
        """Konbini sweep: cancel every unpaid order past its payment deadline, with a notice."""
        moment = now or self.clock.now()
        cancelled = []
        for order in list(self.store.open_orders()):
            deadline = order.payment.instruction("deadline")
            if (
                order.payment.method is not PaymentMethod.KONBINI
                or deadline is None
                or datetime.fromisoformat(deadline) >= moment
                or self.payment_confirmed(order)
                or Move.CANCEL not in allowed_moves(order.status)
            ):
                continue
            cancelled.append(
                self.cancel(order.number, reason="konbini payment deadline passed", actor="system")
            )
        return cancelled

    def reconcile_deposits(self, deposits: Iterable[Deposit]) -> DepositReport:
        """入金消込: match bank deposits to the open orders holding their virtual accounts.

        Exact: the payment is confirmed. Short: the order stays held with the shortfall and the
        customer is told; later deposits add up. Over: confirmed, and the excess is recorded as
        owed back (the cashier's one rule for money received, as for konbini payments).
        Deposits no open order holds are returned as unmatched. A deposit whose reference was
        applied before counts once.
        """
        holders: dict[str, Order] = {}
        seen: set[str] = set()
        accounts: dict[str, OpenAccount] = {}
        for order in self.store.open_orders():
            account = order.payment.instruction("account")
            if order.payment.method is not PaymentMethod.BANK_TRANSFER or account is None:
                continue
            holders[order.number] = order
            accounts[account] = OpenAccount(
                account, order.number, self.totals(order).total, order.payment.received
            )
            seen.update(e.reference for e in order.payment.ledger if e.op is PaymentOp.RECEIVE)
        result = reconcile(deposits, accounts, seen)
        ctx = self.runner.ctx("bank")
        changed: dict[str, Order] = {}
        for match in result.matched:
            current = changed.get(match.order_number, holders[match.order_number])
            deposit = match.deposit
            entry = PaymentEntry(
                PaymentOp.RECEIVE,
                deposit.amount,
                f"{current.number}:deposit:{deposit.reference}",
                PaymentOutcome.SUCCEEDED,
                ctx.at,
                deposit.reference,
                detail=deposit.payer_display,
            )
            current, _ = lifecycle.record_payment(current, entry, ctx)
            changed[match.order_number] = current
        saved = []
        for number, current in changed.items():
            current = self.cashier.settle_received(
                current, ctx, "deposit", self.totals(current).total
            )
            saved.append(self.runner.finish(holders[number], current))
        return DepositReport(result, saved)

    def import_transfer_notice(self, data: bytes, *, calendar: str = "reiwa") -> DepositReport:
        """Read a 全銀 振込入金通知 file and reconcile its deposits; all or nothing.

        A malformed file raises :class:`~orderflow.zengin.ZenginError` before any order changes.
        """
        notice = read_transfer_notice(data, currency=self.settings.currency, calendar=calendar)
        return self.reconcile_deposits(notice.deposits())

    def change_ship_to(self, number: str, ship_to: Address, *, actor: str = "operator") -> Order:
        """Change the delivery address before shipping is instructed.

        An Amazon Pay order loses Amazon's address guarantee, and the history says so.
        """
        order = self.store.get(number)
        result, _ = lifecycle.change_ship_to(order, ship_to, self.runner.ctx(actor))
        return self.runner.finish(order, result)
