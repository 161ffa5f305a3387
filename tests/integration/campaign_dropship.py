"""メーカー直送 in the fault campaign: drop-shipped lines, shipped (or not yet) by the supplier.

Some orders get a line ``D1`` the supplier ``ACME`` ships itself. Commands: the supplier's
shipped notice (sometimes late: not yet; sometimes twice), the supplier dispatching before a
recall (the recall is then refused). Laws: a drop-shipped line never reserves, releases or
commits stock; every live drop-ship shipment has exactly one purchase-order line per line; a
cancelled order has no open drop-ship line; a shipped drop-ship shipment's purchase order is
closed; no stock is received through a drop-ship purchase order.
"""

from __future__ import annotations

from typing import Any

from orderflow import OrderStatus
from orderflow.domain.order import DROP_SHIP, Order, Shipment, ShipmentStatus
from orderflow.domain.purchasing import PurchaseOrderStatus
from tests.integration.campaign_po import purchase_orders
from tests.integration.campaign_world import Flow


def dispatch(flow: Flow, order: Order, shipment: Shipment) -> None:
    """The supplier dispatched the goods (a recall now comes too late)."""
    po = flow.shop.desk.executor.drop_ship_po(order.number, shipment.shipment_id)
    if po is not None and po.reference:
        flow.shop.supplier.mark_dispatched(po.reference)


def supplier_shipped(flow: Flow, order: Order, shipment: Shipment, tracking: str) -> object:
    """The supplier's shipped notice for ``shipment`` (sometimes not yet, sometimes twice)."""
    if flow.rng.random() < 0.25:
        return None  # late: the maker has not shipped yet
    desk = flow.shop.desk
    po = desk.executor.drop_ship_po(order.number, shipment.shipment_id)
    if po is None:
        return None
    carrier = flow.rng.choice([None, None, "sagawa", "japanpost"])  # the maker's own carrier
    shipped = desk.supplier_shipped(po.number, tracking, carrier=carrier)
    if flow.rng.random() < 0.2:  # the notice came twice
        shipped = desk.supplier_shipped(po.number, tracking, carrier=carrier)
    return shipped


def _stock_calls(flow: Flow) -> list[str]:
    inventory: Any = flow.shop.inventory
    if not hasattr(inventory, "calls_to"):
        return []
    bad = []
    for method in ("reserve", "release", "commit", "receive"):
        for call in inventory.calls_to(method):
            if call.request and str(call.request[0]).startswith(DROP_SHIP):
                bad.append(f"the inventory was asked to {method} {call.request}")
            if method == "receive" and call.key and call.key.startswith("receipt:DS-"):
                bad.append(f"stock received through a drop-ship purchase order: {call.key}")
    return bad


def laws(flow: Flow) -> list[str]:
    """The drop-shipping laws the flow's end state breaks."""
    found = _stock_calls(flow)
    orders = dict(flow.shop.store.orders)
    pos = [po for po in purchase_orders(flow).values() if po.drop_ship]
    for order in orders.values():
        direct = {x.line_id for x in order.lines if x.supplier is not None}
        for a in order.allocations:
            if a.line_id in direct:
                found.append(f"{order.number}: drop-shipped line {a.line_id} reserved {a}")
        for s in order.shipments:
            if not s.warehouse.startswith(DROP_SHIP) or s.status is ShipmentStatus.RECALLED:
                continue
            mine = [
                (po, x)
                for po in pos
                if po.shipment_id == s.shipment_id
                for x in po.lines
                if x.for_order == order.number and x.cancelled < x.quantity
            ]
            # one purchase-order line per shipment line: the same (SKU, units) pairs (a change
            # may add a second 直送 line of a SKU, which a purchase-order line cannot tell apart)
            wanted = sorted((order.line(x.line_id).sku, x.quantity) for x in s.lines)
            sent = sorted((x.sku, x.quantity) for _, x in mine)
            if wanted != sent:
                found.append(
                    f"{order.number} {s.shipment_id}: purchase-order lines {sent} for the "
                    f"shipment's {wanted}"
                )
            if s.status is not ShipmentStatus.INSTRUCTED:
                for po, _ in mine:
                    if po.status is not PurchaseOrderStatus.RECEIVED:
                        found.append(f"{po.number} is {po.status.name}: {s.shipment_id} shipped")
        if order.status is OrderStatus.CANCELLED:
            for po in pos:
                for x in po.lines:
                    if x.for_order == order.number and x.open:
                        found.append(f"{po.number} line {x.line_id} open for cancelled order")
    return found
