"""発注: purchase orders to suppliers, gathered per supplier, received into stock.

Receiving against a purchase order puts the units in stock through the purchase order's own
effects and then fills the orders waiting for those SKUs (the receipt sweep of
:meth:`~orderflow.app.backorders.BackorderCommands.receive`). Cancelling a customer's order
cancels the purchase-order lines ordered for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from orderflow.app._inputs import check_number, check_text
from orderflow.app.backorders import BackorderCommands
from orderflow.domain import dropship, purchasing
from orderflow.domain.answers import MAX_ATTEMPTS
from orderflow.domain.bounds import check_moment, check_units
from orderflow.domain.decisions.backorders import Priority
from orderflow.domain.effects import ReceivePurchased
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order
from orderflow.domain.policy import Requester
from orderflow.domain.purchasing import PurchaseOrder, PurchaseOrderStatus
from orderflow.domain.status import OrderStatus
from orderflow.errors import (
    ConcurrencyError,
    DuplicateOrder,
    EffectsPending,
    InvalidValue,
    OrderflowError,
    OrderNotFound,
)

__all__ = ["PurchasingCommands", "check_po_number"]

_NUMBER_TRIES = 10
"""How often a new purchase order takes another free number after losing one to a race."""


def check_po_number(number: object, field: str = "number") -> str:
    """A purchase order's number: printable, no spaces, 1 to ``dropship.MAX_NUMBER`` characters.

    A drop-ship one is ``DS-``, its order's number and a sequence: longer than an order number.
    """
    if (
        not isinstance(number, str)
        or not 1 <= len(number) <= dropship.MAX_NUMBER
        or not number.isprintable()
        or " " in number
    ):
        raise InvalidValue(
            field,
            number,
            f"a purchase-order number: 1 to {dropship.MAX_NUMBER} printable characters, no spaces",
        )
    return number


def _units(value: object, field: str) -> int:
    return check_units(value, field)  # 1 to MAX_UNITS


def _receipts_pending(po: PurchaseOrder) -> list[str]:
    """The SKUs of ``po``'s receipts not yet put in stock (a crash, a time-out, a refusal)."""
    return [e.sku for e in po.outbox if isinstance(e, ReceivePurchased)]


class PurchasingCommands(BackorderCommands):
    """発注: draft, send (at once or gathered until a cut-off), confirm, receive, cancel."""

    # -- reading ---------------------------------------------------------------------------

    def purchase_order(self, number: str) -> PurchaseOrder:
        """The stored purchase order ``number`` (pending effects included)."""
        return self.executor.load_purchase_order(check_po_number(number))

    def open_purchase_orders(self, supplier: str | None = None) -> list[PurchaseOrder]:
        """Purchase orders not received nor cancelled (of ``supplier`` when given), by number."""
        if supplier is not None:
            self.executor.supplier(supplier)
        return self.executor.open_purchase_orders(supplier)

    def purchase_orders_waiting(self) -> list[PurchaseOrder]:
        """発注 that need a person: an effect refused :data:`MAX_ATTEMPTS` times stays pending.

        A receipt the inventory keeps refusing (a SKU or warehouse it does not know) waits on
        its purchase order, whose history says ``receipt_refused`` with the refusal's code; the
        stock is not counted. Once the cause is fixed, ``resume_pending()`` performs it, with
        the same key (the units come in once).
        """
        return [
            po
            for po in self.executor.pending_purchase_orders()
            if po.outbox[0].attempt > MAX_ATTEMPTS
        ]

    # -- commands --------------------------------------------------------------------------

    def order_from_supplier(
        self,
        sku: str,
        quantity: int,
        supplier: str,
        *,
        warehouse: str | None = None,
        for_order: str | None = None,
        send: bool = False,
        number: str | None = None,
        actor: str = "operator",
    ) -> PurchaseOrder:
        """発注: order ``quantity`` units of ``sku`` from ``supplier``, delivered to ``warehouse``.

        The line joins the supplier's open draft for that warehouse (gathered until
        :meth:`send_purchase_orders`), or starts one (numbered ``number``, or ``PO-<n>``).
        ``send=True`` starts a purchase order of its own and sends it at once. ``for_order``
        names the customer's order the units are for: cancelling it cancels the line.
        """
        check_text(sku, "sku", required=True, limit=200)
        _units(quantity, "quantity")
        if not isinstance(send, bool):  # "false" from a form would send it at once
            raise InvalidValue("send", send, "True or False")
        self.executor.supplier(supplier)
        self._check_stocked(sku)
        where = self.settings.warehouses[0] if warehouse is None else warehouse
        if where not in self.settings.warehouses:
            raise InvalidValue("warehouse", where, f"one of {list(self.settings.warehouses)}")
        if for_order is not None:
            self.executor.load(check_number(for_order, "for_order"))
            if purchasing.order_closed(for_order, self.executor.find):
                raise InvalidValue("for_order", for_order, "an order not cancelled")
        if number is not None and check_number(number).startswith(dropship.PREFIX):
            raise InvalidValue("number", number, f"a number not starting {dropship.PREFIX}")
        ctx = self._ctx(actor)
        if number is None and not send:
            for draft in self.executor.open_purchase_orders(supplier):
                if draft.status is PurchaseOrderStatus.DRAFT and draft.warehouse == where:
                    try:
                        return self._po_command(
                            draft.number,
                            lambda po, c: purchasing.add_line(
                                po, sku, quantity, c, for_order=for_order
                            ),
                            actor=actor,
                        )
                    except (ConcurrencyError, OrderflowError):
                        continue  # sent or changed meanwhile: another draft, or a new one
        po = self._new_purchase_order(number, supplier, where, sku, quantity, ctx, for_order)
        return self._send(po, ctx) if send else po

    def send_purchase_orders(
        self,
        supplier: str | None = None,
        *,
        cutoff: datetime | None = None,
        actor: str = "system",
    ) -> list[PurchaseOrder]:
        """送信: send the drafts (of ``supplier``) started at or before ``cutoff`` (default now).

        Run it at the supplier's cut-off time (締め時刻): what was gathered until then goes in
        one purchase order per supplier and warehouse. Returns the purchase orders sent; one a
        supplier did not answer stays pending (resumed by :meth:`resume_pending`), one it refused
        goes back to draft.
        """
        if supplier is not None:
            self.executor.supplier(supplier)
        if cutoff is not None:
            check_moment(cutoff, "cutoff")
        ctx = self._ctx(actor)
        until = ctx.at if cutoff is None else cutoff
        sent: list[PurchaseOrder] = []
        for po in self.executor.open_purchase_orders(supplier):
            if po.status is PurchaseOrderStatus.DRAFT and po.created_at <= until:
                try:
                    sent.append(self._send(po, ctx))
                except OrderflowError:
                    continue
        return [po for po in sent if po.status is not PurchaseOrderStatus.DRAFT]

    def confirm_purchase_order(
        self, number: str, *, reference: str | None = None, actor: str = "supplier"
    ) -> PurchaseOrder:
        """受注確認: the supplier confirmed purchase order ``number`` (pushed or polled)."""
        if reference is not None:
            check_text(reference, "reference", required=True, limit=200)
        return self._po_command(
            number, lambda po, ctx: purchasing.confirm(po, ctx, reference=reference), actor=actor
        )

    def receive_purchase_order(
        self,
        number: str,
        received: Mapping[str, int],
        *,
        receipt_id: str,
        priority: Priority | None = None,
        actor: str = "warehouse",
    ) -> list[Order]:
        """入荷 against purchase order ``number``: ``received`` maps SKU → units that came in.

        The units go in stock (once per ``receipt_id``) and the orders waiting for those SKUs are
        allocated, as :meth:`receive` does; the purchase order becomes 一部入荷 or 入荷済.
        Returns the orders that got stock. A ``priority`` that fails on the waiting orders is
        refused before anything is received.
        """
        check_text(receipt_id, "receipt_id", required=True, limit=200)
        if not isinstance(received, Mapping) or not received:
            raise InvalidValue("received", received, "a mapping of SKU → units received")
        for sku, units in received.items():
            check_text(sku, "received", required=True, limit=200)
            _units(units, f"received[{sku}]")
        if priority is not None:
            if not callable(priority):
                raise InvalidValue("priority", priority, "a function of an order, or None")
            orders = list(self.executor.open_orders())  # once for each SKU
            for sku in received:  # one that fails on the waiting orders: refused here
                self._waiting(orders, sku, priority)
        skus = [*received, *_receipts_pending(self.purchase_order(number))]
        self._po_command(
            number,
            lambda po, ctx: purchasing.receive(po, dict(received), receipt_id, ctx),
            actor=actor,
        )
        return self._fill_skus(skus, priority, actor)

    def cancel_purchase_order(
        self, number: str, *, lines: Mapping[str, int] | None = None, actor: str = "operator"
    ) -> PurchaseOrder:
        """取消: cancel the open units of ``lines`` (line id → units), or of every line.

        A draft's units are cancelled at once; a sent order asks the supplier, who may say it is
        too late (the units stay on order: see the history's ``cancel_refused``).
        """
        return self._po_command(
            number, lambda po, ctx: purchasing.cancel(po, ctx, lines=lines), actor=actor
        )

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

        The waiting orders (未引当 or 中途引当, no open hold) are allocated oldest first, or by
        ``priority``; the receipt counts once per ``receipt_id``. Returns the orders that got
        stock.

        A ``receipt_id`` of the form ``<purchase-order number>:<n>`` (``PO-7:2``) is refused:
        the inventory keeps it as ``receipt:PO-7:2``, the key of that purchase order's own
        receipt, which would then count as done without its units (use
        :meth:`receive_purchase_order`).
        """
        self._check_receipt_id(receipt_id)
        return super().receive(
            warehouse,
            sku,
            quantity,
            receipt_id=receipt_id,
            reason=reason,
            priority=priority,
            actor=actor,
        )

    def _check_receipt_id(self, receipt_id: object) -> None:
        if not isinstance(receipt_id, str):
            return  # refused by the receipt's own checks
        number, colon, seq = receipt_id.rpartition(":")
        if not (colon and seq.isascii() and seq.isdigit() and number):
            return
        ours = number.startswith(("PO-", dropship.PREFIX))  # the desk's own numbers, now or later
        if ours or (self.executor.ports.purchase_orders and self._po_exists(number)):
            raise InvalidValue(
                "receipt_id",
                receipt_id,
                f"an id that is not a purchase order's receipt key ({number}:<n>): receive "
                "against a purchase order with receive_purchase_order",
            )

    def _po_exists(self, number: str) -> bool:
        try:
            self.executor.load_purchase_order(number)
        except OrderNotFound:
            return False
        return True

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
        """キャンセル: release the stock, give the payment and points back, tell the customer.

        ``reason`` is required. With a ``requester`` the shop's
        :class:`~orderflow.domain.policy.CancelPolicy` decides whether they may. ``lines`` (line
        id → units) cancels only those units (a partial cancel, safe to repeat with a
        ``request_id``); cancelling every unit, or a cancelled order again, returns it cancelled.
        See :meth:`~orderflow.app.changes.ChangeCommands.cancel` for what is given back.

        A whole cancel also cancels the purchase-order lines ordered for the order, and, when it
        closes the last open part of a split order (注文分割), those ordered for the split one.
        """
        order = super().cancel(
            number,
            reason=reason,
            actor=actor,
            requester=requester,
            lines=lines,
            request_id=request_id,
        )
        self._cancelled(order)
        return order

    def _cancelled(self, order: Order) -> None:
        """A cancelled order's purchase-order lines, and a split one's once its parts are gone.

        Run after :meth:`cancel` and after ``expire_unpaid`` cancels an unpaid order.
        """
        if order.status is not OrderStatus.CANCELLED or not self.executor.ports.purchase_orders:
            return
        self._cancel_lines_for(order.number)
        parent = order.split_from
        while parent is not None and purchasing.order_closed(parent, self.executor.find):
            self._cancel_lines_for(parent)
            found = self.executor.find(parent)
            parent = found.split_from if found is not None else None

    # -- finishing -------------------------------------------------------------------------

    def resume_pending(
        self,
        *,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 100,
        each: Callable[[str], object] | None = None,
        older_than: timedelta = timedelta(0),
    ) -> list[Order]:
        """Finish every order with pending effects, then the purchase orders (see below)."""
        done = super().resume_pending(lease=lease, batch=batch, each=each, older_than=older_than)
        if self.executor.ports.purchase_orders is not None:
            self.resume_purchase_orders()
        return done

    def resume_purchase_orders(self) -> list[PurchaseOrder]:
        """Finish the purchase orders with pending effects; returns those finished.

        Also cancels the open lines of cancelled orders (a cancel whose process died before it
        reached its purchase orders); a split order's lines only once every part is cancelled.
        """
        done: list[PurchaseOrder] = []
        received: list[str] = []
        for po in self.executor.pending_purchase_orders():
            try:
                finished = self.executor.drive_purchase_order(po)
            except OrderflowError:
                continue
            received.extend(_receipts_pending(po))
            if not finished.outbox:
                done.append(finished)
        self._fill_skus(received, None, "system")  # what an interrupted receipt left waiting
        cancelled: set[str] = set()

        def closed(number: str) -> bool:
            return purchasing.order_closed(number, self.executor.find)

        for po in self.executor.open_purchase_orders():
            for line in po.lines:
                number = line.for_order
                if line.open and number and number not in cancelled and closed(number):
                    cancelled.add(number)
        for number in sorted(cancelled):
            self._cancel_lines_for(number)
        return done

    # -- the beats -------------------------------------------------------------------------

    def _fill_skus(self, skus: Iterable[str], priority: Priority | None, actor: str) -> list[Order]:
        """The receipt sweep for each of ``skus`` (once each): the orders that got stock."""
        served: dict[str, Order] = {}
        for sku in dict.fromkeys(skus):
            for order in self._fill_waiting(sku, priority, actor):
                served[order.number] = order
        return list(served.values())

    def _cancel_lines_for(self, order_number: str) -> None:
        for po in self.executor.open_purchase_orders():
            if any(x.open and x.for_order == order_number for x in po.lines):
                try:
                    self._po_command(
                        po.number,
                        lambda p, ctx: purchasing.cancel(p, ctx, for_order=order_number),
                        actor="system",
                    )
                except OrderflowError:  # a supplier not answering: the next sweep finishes it
                    continue

    def _new_purchase_order(
        self,
        number: str | None,
        supplier: str,
        warehouse: str,
        sku: str,
        quantity: int,
        ctx: Context,
        for_order: str | None,
    ) -> PurchaseOrder:
        for _ in range(_NUMBER_TRIES):
            chosen = number or self._free_number()
            po = purchasing.draft(
                chosen, supplier, warehouse, sku, quantity, ctx, for_order=for_order
            )
            try:
                return self.executor.add_purchase_order(po)
            except DuplicateOrder:
                if number is not None:
                    raise
        raise InvalidValue("number", number, "a purchase-order number not taken")

    def _free_number(self) -> str:
        """A ``PO-<n>`` not taken: past the run of numbers taken from ``PO-1``, in a few reads.

        The numbers taken are found by doubling, then halving (log₂ of the purchase orders ever
        made, received and cancelled ones included), never by counting the open ones.
        """

        def taken(n: int) -> bool:
            return self._po_exists(f"PO-{n}")

        low, high = 0, 1  # PO-<low> is taken (or low is 0), PO-<high> is free
        while taken(high):
            low, high = high, high * 2
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if taken(middle) else (low, middle)
        return f"PO-{high}"

    def _send(self, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
        return self._po_command(po.number, lambda p, c: purchasing.send(p, c), actor=ctx.actor)

    def _po_command(
        self,
        number: str,
        decide: Callable[[PurchaseOrder, Context], PurchaseOrder],
        *,
        actor: str,
    ) -> PurchaseOrder:
        """Load (finishing what is pending), decide, save with the effects, perform them."""
        check_po_number(number)
        ctx = self._ctx(actor)
        po = self.executor.load_purchase_order(number)
        if po.outbox:
            po = self.executor.drive_purchase_order(po)
            if po.outbox:
                raise EffectsPending(number, po.outbox[0].kind)
        decided = decide(po, ctx)
        if decided is po:
            return po
        return self.executor.drive_purchase_order(self.executor.save_purchase_order(po, decided))
