"""メーカー直送: lines the supplier ships to the customer itself, needing no stock of ours.

A line placed with ``supplier="ACME"`` is never reserved. Instructing the order gives it a
shipment from ``supplier:ACME``: the executor stores and sends a drop-ship purchase order (to the
order's ship-to, for the order) instead of telling a warehouse. :meth:`supplier_shipped` is the
supplier's shipped notice: it ships that shipment (nothing comes off our stock) and closes the
purchase order. A recall asks the supplier to cancel (``Supplier.cancel``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from orderflow.app._inputs import check_text
from orderflow.app.purchasing import PurchasingCommands, check_po_number
from orderflow.domain import dropship
from orderflow.domain.order import Order, ShipmentStatus
from orderflow.domain.purchasing import PurchaseOrder, PurchaseOrderStatus
from orderflow.errors import InvalidValue, OrderflowError

__all__ = ["DropShipCommands"]


class DropShipCommands(PurchasingCommands):
    """メーカー直送: the supplier's shipped notice, and the sweep that closes what it shipped."""

    def supplier_shipped(
        self,
        number: str,
        tracking_number: str | None,
        *,
        carrier: str | None = None,
        actor: str = "supplier",
    ) -> Order:
        """The supplier shipped drop-ship purchase order ``number`` to the customer (出荷).

        Ships the order's shipment with ``tracking_number`` (the normal ship path: the last
        shipment takes the payment; no stock of ours is committed), then closes the purchase
        order (入荷済, nothing put in stock). ``carrier`` is the code of the carrier the
        supplier sent it with (one of the desk's carriers; by default the one the order was
        instructed with): the tracking number is checked, and the shipping notice names and
        links, against it. A repeat returns the order unchanged.
        """
        check_po_number(number)
        if tracking_number is not None:
            check_text(tracking_number, "tracking_number", required=True, limit=64)
        po = self.executor.load_purchase_order(number)
        order_number = next((x.for_order for x in po.lines if x.for_order), None)
        if not po.drop_ship or po.shipment_id is None or order_number is None:
            raise InvalidValue("number", number, "a drop-ship purchase order of an order")
        if po.status is PurchaseOrderStatus.CANCELLED:
            raise InvalidValue("number", number, "a drop-ship purchase order not cancelled")
        order = self._ship(
            order_number, po.shipment_id, tracking_number, actor=actor, carrier=carrier
        )  # a drop-shipped shipment is in no 同梱 parcel: the plain ship path
        self._close_shipped(po.number, tracking_number, actor)
        return order

    def cancel_purchase_order(
        self, number: str, *, lines: Mapping[str, int] | None = None, actor: str = "operator"
    ) -> PurchaseOrder:
        """取消 of a purchase order for our stock (see :class:`PurchasingCommands`).

        A drop-ship purchase order is refused (``InvalidValue`` naming ``number``): it is taken
        back by recalling its order (出荷指示取消), which asks the supplier.
        """
        if self.executor.load_purchase_order(check_po_number(number)).drop_ship:
            raise InvalidValue("number", number, "a purchase order for our stock (not 直送)")
        return super().cancel_purchase_order(number, lines=lines, actor=actor)

    def resume_purchase_orders(self) -> list[PurchaseOrder]:
        """Finish the pending purchase orders; close the drop-ship ones whose shipment shipped.

        (A supplier's shipped notice whose process died between the order and the purchase
        order.)
        """
        done = super().resume_purchase_orders()
        for po in self.executor.open_purchase_orders():
            order_number = next((x.for_order for x in po.lines if x.for_order), None)
            if not po.drop_ship or order_number is None or po.outbox:
                continue
            order = self.executor.find(order_number)
            for shipment in () if order is None else order.shipments:
                if shipment.shipment_id == po.shipment_id and shipment.status in (
                    ShipmentStatus.SHIPPED,
                    ShipmentStatus.DELIVERED,
                ):
                    self._close_shipped(po.number, shipment.tracking_number, "system")
        return done

    def _close_shipped(self, number: str, tracking_number: str | None, actor: str) -> None:
        with contextlib.suppress(OrderflowError):  # a change meanwhile: the next resume ends it
            self._po_command(
                number, lambda po, ctx: dropship.shipped(po, tracking_number, ctx), actor=actor
            )
