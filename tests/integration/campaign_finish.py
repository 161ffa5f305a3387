"""The campaign's liveness law: whatever a flow left, a person can finish every order.

After the random steps, a diligent person takes each open order to its end with the public
commands and the shop's daily re-authorization sweep, no fault armed: clears its holds, pays
what a direct payment still owes, has a pending credit check approved, receives the stock it
waits for, accepts, allocates, instructs, ships, delivers and books; an order still unshipped
after most of its steps is cancelled (a cancel must always be possible then), and one shipped in
part sometimes has its parcels still in the warehouses taken back and their units dropped. An
order still open after that is stuck: nobody could have moved it. The other laws are then
checked again on the finished orders.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from orderflow import Deposit, Order, OrderStatus, PaymentMethod
from orderflow.domain.order import DROP_SHIP, ShipmentStatus
from orderflow.domain.payments.payback import still_due
from orderflow.domain.shipments import pending_units
from orderflow.errors import OrderflowError
from orderflow.ports import CreditStatus
from tests.integration import campaign_dropship as dropship
from tests.integration.campaign_carrier import fresh_tracking_number
from tests.integration.campaign_world import SETS, WAREHOUSES, Flow, _fake

__all__ = ["finish"]

ROUNDS = 16
"""Steps each order gets; a lifecycle needs about eight, holds and payments a few more."""

GIVE_UP = 10
"""The step from which an order that has not shipped is cancelled instead."""

_FINAL = (OrderStatus.BOOKED, OrderStatus.CANCELLED)
_BEFORE_SHIPPING = (
    OrderStatus.ORDERED,
    OrderStatus.UNALLOCATED,
    OrderStatus.PARTIALLY_ALLOCATED,
    OrderStatus.ALLOCATED,
)


def finish(flow: Flow, settle: Callable[[Flow], None], fakes: list[object]) -> list[str]:
    """Take every open order to its end; the orders no one could finish.

    ``fakes`` are the ports whose armed faults are forgotten first (the providers work now).
    """
    for fake in fakes:
        clear = getattr(fake, "clear_faults", None)
        if clear is not None:
            clear()
    for round_ in range(ROUNDS):
        open_ = [o for o in flow.shop.store.orders.values() if o.status not in _FINAL]
        if not open_:
            return []
        with contextlib.suppress(OrderflowError):  # the shop's daily sweep (a lapsed card)
            flow.shop.desk.reauthorize_expiring()
        settle(flow)
        for order in sorted(open_, key=lambda o: o.number):
            with contextlib.suppress(OrderflowError):
                _step(flow, flow.shop.store.orders[order.number], giving_up=round_ >= GIVE_UP)
            settle(flow)
    return [
        f"{o.number} stuck at {o.status.name} (holds {[h.code for h in o.open_holds]}, "
        f"{len(o.outbox)} pending)"
        for o in flow.shop.store.orders.values()
        if o.status not in _FINAL
    ]


def _step(flow: Flow, order: Order, giving_up: bool) -> object:
    """The next thing a person does with ``order``."""
    desk = flow.shop.desk
    n = order.number
    if giving_up and order.status in _BEFORE_SHIPPING:
        return desk.cancel(n, reason="campaign: finishing")
    if giving_up and order.status is OrderStatus.SHIPPING_INSTRUCTED and flow.rng.random() < 0.5:
        return _give_up_parcels(flow, order)
    if order.open_holds or not desk.payment_confirmed(order):
        if _pay(flow, order):
            return None
        if order.open_holds:
            return desk.clear_hold(n, order.open_holds[0].code)
    status = order.status
    if status is OrderStatus.ORDERED:
        return desk.accept(n)
    if status in (OrderStatus.UNALLOCATED, OrderStatus.PARTIALLY_ALLOCATED):
        _restock(flow, order)
        return desk.allocate(n)
    if status is OrderStatus.ALLOCATED:
        return desk.instruct_shipping(n)
    if status is OrderStatus.SHIPPING_INSTRUCTED:
        return _ship_all(flow, order)
    if status is OrderStatus.SHIPPED:
        for s in order.shipments:
            if s.status is ShipmentStatus.SHIPPED:
                desk.deliver(n, s.shipment_id)
        return None
    if status is OrderStatus.DELIVERED:
        return desk.book(n)
    return None


def _give_up_parcels(flow: Flow, order: Order) -> object:
    """The parcels still in the warehouses will never ship: taken back (each, while another
    parcel stays on the order), and what no parcel carries dropped."""
    desk = flow.shop.desk
    for shipment in order.shipments:
        if shipment.status is ShipmentStatus.INSTRUCTED and len(order.shipments) > 1:
            with contextlib.suppress(OrderflowError):
                order = desk.recall(order.number, shipment_id=shipment.shipment_id)
    return desk.drop_unshipped(order.number)


def _restock(flow: Flow, order: Order) -> None:
    """入荷 of what the order waits for (a set's components), counted as the campaign counts."""
    desk = flow.shop.desk
    for line_id, units in sorted(order.unallocated().items()):
        line = order.line(line_id)
        parts = SETS.get(line.sku, ((line.sku, 1),))
        for sku, each in parts:
            receipt = f"F{order.number}-{line_id}-{sku}-{len(flow.counted)}"
            key = (WAREHOUSES[0], sku)
            try:
                desk.receive(*key, units * each, receipt_id=receipt)
            finally:
                done = ("receive", f"receipt:{receipt}") in _fake(flow.shop, "inventory").work_done
                if done and receipt not in flow.counted:
                    flow.counted.add(receipt)
                    flow.received[key] = flow.received.get(key, 0) + units * each


def _pay(flow: Flow, order: Order) -> bool:
    """What the payment still waits for, done; whether anything was."""
    desk = flow.shop.desk
    payment = order.payment
    owed = still_due(payment, desk.totals(order).total) - (payment.received - payment.refund_owed)
    if payment.method is PaymentMethod.BANK_TRANSFER and owed.amount > 0:
        account = payment.instruction("account") or "101-7777777"
        reference = f"F{order.number}-{len(payment.ledger)}"
        deposit = Deposit(account, owed, "ﾔﾏﾀﾞ ﾀﾛｳ", flow.shop.clock.now().date(), reference)
        desk.apply_deposit(order.number, deposit)
        return True
    if payment.method is PaymentMethod.KONBINI and owed.amount > 0:
        reference = f"F{order.number}-{len(payment.ledger)}"
        desk.record_konbini_payment(order.number, reference=reference, amount=owed)
        return True
    claim_of = payment.instruction("reference")
    if payment.method is PaymentMethod.POSTPAY and claim_of:
        claim = flow.shop.postpay.claims.get(claim_of)
        if claim is not None and claim["status"] is CreditStatus.PENDING:
            flow.shop.postpay.decide(claim_of, CreditStatus.APPROVED)
            desk.refresh_postpay(order.number)
            return True
    return False


def _ship_all(flow: Flow, order: Order) -> object:
    desk = flow.shop.desk
    waiting = [s for s in order.shipments if s.status is ShipmentStatus.INSTRUCTED]
    if not waiting:  # the rest: units reserved since (a change, 分納), or waiting for stock
        if pending_units(order) or not order.unallocated():
            return desk.instruct_shipping(order.number)
        return desk.drop_missing(order.number)
    for shipment in waiting:  # a diligent person scans each parcel's own label
        number = fresh_tracking_number(flow.rng)
        if shipment.warehouse.startswith(DROP_SHIP):
            dropship.supplier_shipped(flow, order, shipment, number)
        else:
            desk.ship(order.number, shipment.shipment_id, number)
    return None
