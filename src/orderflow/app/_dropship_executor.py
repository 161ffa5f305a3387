"""The executor's メーカー直送 half: a drop-shipped shipment is instructed to its supplier.

A shipment whose warehouse is ``supplier:<code>`` is not sent to a warehouse: its
:class:`~orderflow.domain.effects.Instruct` stores a drop-ship purchase order (numbered from the
effect's key, so a repeat after a crash finds the one it stored) and sends it to the supplier;
its :class:`~orderflow.domain.effects.Recall` asks the supplier to cancel that purchase order's
open lines (``Supplier.cancel``), and answers whether every one was taken back.
"""

from __future__ import annotations

import contextlib

from orderflow.app._purchasing_executor import PurchasingExecutor
from orderflow.domain import purchasing
from orderflow.domain.dropship import (
    cancel_refused,
    drop_ship_order,
    is_for,
    number_for,
    sent_before,
)
from orderflow.domain.effects import Instruct, Recall
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order, drop_ship_supplier
from orderflow.domain.purchasing import PurchaseOrder
from orderflow.errors import DuplicateOrder, OrderflowError, OrderNotFound, ProviderError

__all__ = ["DropShipExecutor"]


class DropShipExecutor(PurchasingExecutor):
    """Performs the instruction and the recall of drop-shipped shipments (mixed in)."""

    def drop_ship_po(
        self, order_number: str, shipment_id: str, *, before: str | None = None
    ) -> PurchaseOrder | None:
        """The open drop-ship purchase order of that order's shipment, if there is one.

        With ``before`` (an effect's key), only one an instruction sent before that effect.
        """
        if self.ports.purchase_orders is None:
            return None
        for po in self.open_purchase_orders():
            if is_for(po, order_number, shipment_id) and (
                before is None or sent_before(po, before)
            ):
                return po
        return None

    def _instruct_direct(self, order: Order, e: Instruct) -> object:
        assert e.shipment is not None
        supplier = drop_ship_supplier(e.shipment.warehouse) or ""
        if supplier not in self.ports.suppliers or self.ports.purchase_orders is None:
            raise ProviderError(f"no supplier port {supplier!r} or no purchase-order store")
        number = number_for(e.key)
        try:
            po = self.load_purchase_order(number)
        except OrderNotFound:
            found = self.drop_ship_po(order.number, e.shipment.shipment_id)
            if found is not None and any(x.open for x in found.lines):
                return found.number  # sent again after a refused recall: it is still on order
            ctx = Context(self.ports.clock.now(), "system")
            po = drop_ship_order(number, order, e.shipment, ctx)
            try:
                self.add_purchase_order(po)
            except DuplicateOrder:
                po = self.load_purchase_order(number)
        if po.outbox:  # a send not finished stays pending: resume_purchase_orders ends it
            with contextlib.suppress(OrderflowError):
                self.drive_purchase_order(po)
        return number

    def _recall_direct(self, order: Order, e: Recall) -> object:
        po = self.drop_ship_po(order.number, e.shipment_id, before=e.key)
        if po is None:
            return True  # cancelled already (a recall asked again after a crash)
        if po.outbox:
            po = self.drive_purchase_order(po)
            if po.outbox:
                raise ProviderError(f"purchase order {po.number} has effects pending")
        wanted = {x.line_id: x.open for x in po.lines if x.open}
        if wanted:
            ctx = Context(self.ports.clock.now(), "system")
            seen = len(po.history)
            decided = purchasing.cancel(po, ctx, lines=wanted)
            po = self.drive_purchase_order(self.save_purchase_order(po, decided))
            refused = cancel_refused(po, seen)
            if refused is not None:  # not "too late": the recall is refused, and asked again
                raise ProviderError(f"purchase order {po.number}: cancel refused ({refused})")
        return not any(x.open for x in po.lines)
