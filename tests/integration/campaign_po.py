"""発注 in the fault campaign: purchase orders drafted, sent, confirmed, received and cancelled.

Commands: a draft for stock or for a random order (sometimes sent at once), the cut-off send,
the supplier's confirmation, a receipt of part or all of what is open (sometimes reported twice),
a cancel of a line or of the whole purchase order, the supplier dispatching (a cancel now fails).
Laws: the stock received through purchase orders is what their lines say was received; no line
is received or cancelled beyond what was ordered; a cancelled order has no open line; nothing is
left pending.
"""

from __future__ import annotations

from typing import Any

from orderflow.domain.purchasing import PurchaseOrder, PurchaseOrderStatus, order_closed
from tests.integration.campaign_world import SKUS, WAREHOUSES, Flow

PO_RECEIPT = "receipt:PO-"


def purchase_orders(flow: Flow) -> dict[str, PurchaseOrder]:
    """Every purchase order of the flow's shop (open or not)."""
    store: Any = flow.shop.purchase_orders
    if hasattr(store, "purchase_orders"):
        return dict(store.purchase_orders)
    return {r[0]: store.get(r[0]) for r in store._all("SELECT number FROM purchase_orders", ())}


def po_command(flow: Flow) -> object:
    """One random purchasing command."""
    rng = flow.rng
    desk = flow.shop.desk
    pos = sorted(purchase_orders(flow).values(), key=lambda p: p.number)
    kinds = ["draft", "draft", "send", "send", "confirm", "receive", "receive", "receive"]
    kind = rng.choice([*kinds, "cancel", "late"])
    if kind == "draft" or not pos:
        numbers = sorted(flow.shop.store.orders)
        for_order = rng.choice(numbers) if numbers and rng.random() < 0.5 else None
        return desk.order_from_supplier(
            rng.choice(sorted(SKUS)),
            rng.randint(1, 3),
            "ACME",
            warehouse=rng.choice(WAREHOUSES),
            for_order=for_order,
            send=rng.random() < 0.3,
        )
    if kind == "send":
        return desk.send_purchase_orders(rng.choice([None, "ACME"]))
    at_supplier = [p for p in pos if p.status.value in ("sent", "confirmed", "partly_received")]
    po = rng.choice(at_supplier if at_supplier and kind != "cancel" else pos)
    if kind == "confirm":
        return desk.confirm_purchase_order(po.number, reference=po.reference)
    if kind == "late":
        if po.reference:
            flow.shop.supplier.mark_dispatched(po.reference)
        return None
    if kind == "cancel":
        open_lines = [x for x in po.lines if x.open]
        if open_lines and rng.random() < 0.5:
            line = rng.choice(open_lines)
            return desk.cancel_purchase_order(po.number, lines={line.line_id: 1})
        return desk.cancel_purchase_order(po.number)
    reported = sorted(r for n, r in flow.po_receipts if n == po.number)
    if reported and rng.random() < 0.2:
        receipt = rng.choice(reported)  # reported twice: counted once
        again = flow.po_receipts[(po.number, receipt)]
        return desk.receive_purchase_order(po.number, again, receipt_id=receipt)
    receipt = f"G{rng.randint(1, 10**9)}"
    open_units = po.open_units()
    if not open_units:
        return desk.receive_purchase_order(po.number, {"TEA-1": 1}, receipt_id=receipt)
    sku = rng.choice(sorted(open_units))
    units = {sku: rng.randint(1, open_units[sku])}
    flow.po_receipts[(po.number, receipt)] = units  # before: a receipt that fails half-way
    return desk.receive_purchase_order(po.number, units, receipt_id=receipt)


def po_stock_receipts(flow: Flow) -> dict[tuple[str, str], int]:
    """Units the inventory really received under purchase-order keys, per (warehouse, SKU)."""
    inventory: Any = flow.shop.inventory
    out: dict[tuple[str, str], int] = {}
    if hasattr(inventory, "inner"):  # SQLite: the ledger's rows
        for m in inventory.inner.movements():
            if m.key and m.key.startswith(PO_RECEIPT) and m.done:
                out[(m.warehouse, m.sku)] = out.get((m.warehouse, m.sku), 0) + m.done
        return out
    done = {key for method, key in inventory.work_done if method == "receive"}
    counted: set[str] = set()
    for call in inventory.calls_to("receive"):
        if call.key in done and call.key.startswith(PO_RECEIPT) and call.key not in counted:
            counted.add(call.key)
            warehouse, sku, units = call.request
            out[(warehouse, sku)] = out.get((warehouse, sku), 0) + units
    return out


def po_laws(flow: Flow) -> list[str]:
    """The purchasing laws the flow's end state breaks."""
    found: list[str] = []
    pos = purchase_orders(flow)
    orders = flow.shop.store.orders
    lines_received: dict[tuple[str, str], int] = {}
    for po in pos.values():
        if po.outbox:
            found.append(f"{po.number} left with pending effects {[e.kind for e in po.outbox]}")
        for line in po.lines:
            key = (po.warehouse, line.sku)
            if not po.drop_ship:  # メーカー直送: received by the customer, not our stock
                lines_received[key] = lines_received.get(key, 0) + line.received
            if line.received + line.cancelled > line.quantity or min(line.received, line.open) < 0:
                found.append(f"{po.number} line {line.line_id}: {line} beyond what was ordered")
            owner = orders.get(line.for_order) if line.for_order else None
            if line.open and owner is not None and order_closed(owner.number, orders.get):
                found.append(f"{po.number} line {line.line_id} open for cancelled {owner.number}")
        closed = not any(x.open for x in po.lines)
        if closed != po.status.is_final and po.status is not PurchaseOrderStatus.DRAFT:
            found.append(f"{po.number} is {po.status.name} with open units {po.open_units()}")
    stocked = po_stock_receipts(flow)
    for key in set(stocked) | set(lines_received):
        if stocked.get(key, 0) != lines_received.get(key, 0):
            found.append(
                f"stock {key}: {stocked.get(key, 0)} received through purchase orders, "
                f"their lines say {lines_received.get(key, 0)}"
            )
    return found
