"""The campaign's laws, checked against the fakes' own records at the end of every flow."""

from __future__ import annotations

from orderflow import (
    CreditStatus,
    Money,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentOp,
    ShipmentStatus,
)
from orderflow.domain.payments.ledger import CARDLIKE
from tests.integration.campaign_po import po_laws, po_stock_receipts
from tests.integration.campaign_world import POINTS, PORTS, WAREHOUSES, Flow, _fake

# -- the laws -------------------------------------------------------------------------------


def violations(flow: Flow) -> list[str]:
    """Every law the flow's end state breaks (empty when all hold)."""
    shop = flow.shop
    found: list[str] = []
    orders = dict(shop.store.orders)

    def law(ok: bool, text: str) -> None:
        if not ok:
            found.append(text)

    law(not shop.store.pending(), "effects left pending after resume")
    for name in PORTS:
        fake = _fake(shop, name)
        keys = [key for _, key in fake.work_done]
        law(len(keys) == len(set(keys)), f"{name} did the work of one key twice")
    # -- stock
    held: dict[tuple[str, str], int] = {}
    shipped: dict[tuple[str, str], int] = {}
    for order in orders.values():
        for a in order.allocations:
            key = (a.warehouse, order.line(a.line_id).sku)
            held[key] = held.get(key, 0) + a.quantity
        for s in order.shipments:
            for line in s.lines:
                key = (s.warehouse, order.line(line.line_id).sku)
                if s.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
                    shipped[key] = shipped.get(key, 0) + line.quantity
                    held[key] = held.get(key, 0) - line.quantity  # committed, no longer held
    received = dict(flow.received)
    for key, units in po_stock_receipts(flow).items():  # 入荷 against purchase orders
        received[key] = received.get(key, 0) + units
    for key in set(received) | set(shop.inventory.on_hand):
        on_hand = shop.inventory.on_hand.get(key, 0)
        reserved = shop.inventory.reserved.get(key, 0)
        law(0 <= reserved <= on_hand, f"stock {key}: {reserved} reserved of {on_hand}")
        law(
            reserved == held.get(key, 0),
            f"stock {key}: {reserved} reserved, orders hold {held.get(key, 0)}",
        )
        law(
            on_hand == received.get(key, 0) - shipped.get(key, 0),
            f"stock {key}: on hand {on_hand}, received {received.get(key, 0)} shipped "
            f"{shipped.get(key, 0)}",
        )
    # -- shipments known to their warehouses
    expected: dict[str, set[str]] = {w: set() for w in WAREHOUSES}
    for order in orders.values():
        for s in order.shipments:
            if s.status is ShipmentStatus.INSTRUCTED or s.status is ShipmentStatus.SHIPPED:
                expected[s.warehouse].add(s.shipment_id)
    for w in WAREHOUSES:
        known = set(shop.warehouses[w].instructed)
        live = {sid for sid in known if sid not in shop.warehouses[w].left}
        law(expected[w] <= known, f"{w} does not know {sorted(expected[w] - known)}")
        stale = {
            sid
            for sid in live
            if not any(sid == s.shipment_id for o in orders.values() for s in o.shipments)
        }
        law(not stale, f"{w} still has instructions {sorted(stale)} no order holds")
    # -- 同梱: a parcel's orders agreed on it when it was packed; it leaves under one number
    parcels: dict[str, set[str | None]] = {}
    packed: dict[str, set[tuple[str, ...]]] = {}
    for order in orders.values():
        law(
            not order.bundle or order.number in order.bundle,
            f"{order.number}'s parcel {order.bundle} leaves it out",
        )
        for s in order.shipments:
            if s.parcel is not None:
                packed.setdefault(s.parcel, set()).add(order.bundle)
            if s.parcel is not None and s.tracking_number is not None:
                parcels.setdefault(s.parcel, set()).add(s.tracking_number)
    for parcel, bundles in packed.items():
        law(len(bundles) == 1, f"parcel {parcel} packed for orders that disagree: {bundles}")
    for parcel, numbers in parcels.items():
        law(len(numbers) == 1, f"parcel {parcel} left under {len(numbers)} tracking numbers")
    # -- journal
    posted: dict[str, int] = {}
    for _, entry in shop.accounting.entries:
        posted[entry.reference] = posted.get(entry.reference, 0) + 1
    for order in orders.values():
        want = 1 if order.status is OrderStatus.BOOKED else 0
        law(
            posted.get(order.number, 0) == want,
            f"{order.number} ({order.status.name}) has {posted.get(order.number, 0)} journal "
            "entries",
        )
    # -- points
    taken = sum(o.points_taken for o in orders.values())
    spent = sum(POINTS - shop.points.balances.get(c, 0) for c in ("C1", "C2"))
    law(taken == spent, f"points: balances moved by {spent}, orders hold {taken}")
    for order in orders.values():
        law(order.points_taken >= 0, f"{order.number} holds negative points")
        if order.status is OrderStatus.CANCELLED:
            law(order.points_taken == 0, f"{order.number} cancelled with points taken")
    # -- 発注
    found.extend(po_laws(flow))
    # -- money
    found.extend(_money_laws(flow, orders))
    return found


def _money_laws(flow: Flow, orders: dict[str, Order]) -> list[str]:
    shop = flow.shop
    found: list[str] = []
    final = {n for n, o in orders.items() if o.status.is_final}
    for gateway in (shop.gateway, shop.amazon_pay):
        for ref in gateway.live_authorizations():
            owner = gateway.authorizations[ref]["order"]
            if owner in final:
                found.append(f"{owner} is final with live authorization {ref}")
    for ref, claim in shop.postpay.claims.items():
        owner = orders.get(claim["order"])
        if owner is None or claim["cancelled"] or claim["status"] is CreditStatus.DECLINED:
            continue
        if owner.status is OrderStatus.CANCELLED:
            found.append(f"{owner.number} is cancelled with live claim {ref}")
        elif owner.payment.instruction("reference") != ref:
            found.append(f"{owner.number} keeps a claim {ref} it no longer uses")
    for account, holder in shop.bank.held.items():
        if holder in final:
            found.append(f"{holder} is final and still holds account {account}")
    for number, slip in shop.konbini.slips.items():
        owner = orders.get(slip["order"])
        paid = owner is not None and owner.payment.received >= slip["amount"]  # used up
        if owner is not None and owner.status.is_final and not slip["cancelled"] and not paid:
            found.append(f"{owner.number} is final with a live konbini number {number}")
    for order in orders.values():
        found.extend(_order_money(flow, order))
    return found


def _order_money(flow: Flow, order: Order) -> list[str]:
    """The order's money at the providers, in its ledger, and what the customer owes."""
    shop = flow.shop
    payment = order.payment
    found: list[str] = []
    total = order.totals(shop.desk.settings.tax).total
    zero = Money.yen(0)
    after_shipping = order.status in (
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.BOOKED,
    )
    problem = {"capture_failed", "refund_failed"} & {h.code for h in order.open_holds}
    card_net = zero  # captured less refunded at the card gateways
    for gateway in (shop.gateway, shop.amazon_pay):
        for cap in gateway.captures.values():
            if cap.get("order") == order.number:
                card_net = card_net + cap["amount"] - cap["refunded"]
    card_ledger = zero
    postpay_refunded = zero
    for e in payment.ledger:
        if e.outcome.value != "succeeded":
            continue
        if e.method in CARDLIKE and e.op is PaymentOp.CAPTURE:
            card_ledger = card_ledger + e.amount
        elif e.method in CARDLIKE and e.op is PaymentOp.REFUND:
            card_ledger = card_ledger - e.amount
        elif e.method is PaymentMethod.POSTPAY and e.op is PaymentOp.REFUND:
            postpay_refunded = postpay_refunded + e.amount
    billed = zero
    for claim in shop.postpay.claims.values():
        if claim["order"] == order.number and claim["reported"] and not claim["cancelled"]:
            billed = billed + claim["amount"]
    returned = sum(
        (
            e.amount
            for e in payment.ledger
            if e.op is PaymentOp.REFUND_OWED and e.detail == "refund"
        ),
        zero,
    )
    direct = payment.received - payment.refund_owed
    if card_net != card_ledger:
        found.append(f"{order.number}: the gateway nets {card_net}, the ledger {card_ledger}")
    if order.status is OrderStatus.CANCELLED or not after_shipping:
        if card_net.amount or billed.amount:
            found.append(f"{order.number} ({order.status.name}) keeps {card_net} + {billed}")
        if order.status is OrderStatus.CANCELLED and direct.amount:
            found.append(f"{order.number} cancelled keeps {direct} received")
        return found
    if problem:
        return found  # a person was called: the hold says what is missing
    method = payment.method
    if method in CARDLIKE and card_net != total - payment.refunded:
        found.append(f"{order.number}: card nets {card_net}, owes {total - payment.refunded}")
    if method is PaymentMethod.POSTPAY and billed != total - postpay_refunded:
        found.append(f"{order.number}: 後払い bills {billed}, owes {total - postpay_refunded}")
    if (
        method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI)
        and direct != total - returned
    ):
        found.append(f"{order.number}: kept {direct} of transfers, owes {total - returned}")
    cod_settled = method is PaymentMethod.COD and order.status is not OrderStatus.SHIPPED
    if cod_settled and direct != total - returned:
        found.append(f"{order.number}: COD kept {direct}, owes {total - returned}")
    return found
