"""The campaign's laws, checked against the fakes' own records at the end of every flow."""

from __future__ import annotations

from datetime import datetime

from orderflow import (
    CreditStatus,
    Money,
    Order,
    OrderStatus,
    PartialPayment,
    PaymentMethod,
    PaymentOp,
    ShipmentStatus,
)
from orderflow.domain.events import (
    Cancelled,
    CarrierReported,
    DeliveryUndone,
    DepositReversed,
    HoldCleared,
    HoldRaised,
)
from orderflow.domain.order import DROP_SHIP
from orderflow.domain.payments.ledger import CARDLIKE
from orderflow.domain.payments.parcels import owed_for, shipped_units
from orderflow.domain.sets import line_components
from orderflow.domain.tracking import TrackingStatus, event_key
from orderflow.notices import format_amount
from tests.integration import campaign_dropship as dropship
from tests.integration import campaign_returns as returns
from tests.integration.campaign_deadlines import deadline_laws, waiting_laws
from tests.integration.campaign_journals import journal_laws, rebuilt_journal_laws
from tests.integration.campaign_notices import once_laws
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
    sets = shop.desk.settings.sets
    for order in orders.values():  # a set line holds and ships its components (セット商品)
        for a in order.allocations:
            for sku, per in line_components(order.line(a.line_id), sets):
                key = (a.warehouse, sku)
                held[key] = held.get(key, 0) + a.quantity * per
        law(not order.set_parts, f"{order.number} left component units not made into sets")
        for s in order.shipments:
            for line in s.lines:
                if s.status not in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
                    continue
                for sku, per in line_components(order.line(line.line_id), sets):
                    key = (s.warehouse, sku)
                    shipped[key] = shipped.get(key, 0) + line.quantity * per
                    held[key] = held.get(key, 0) - line.quantity * per  # committed, not held
    received = dict(flow.received)
    for key, units in po_stock_receipts(flow).items():  # 入荷 against purchase orders
        received[key] = received.get(key, 0) + units
    back = returns.restocked(orders)  # returned units restocked come back on hand
    for key in set(received) | set(shop.inventory.on_hand):
        on_hand = shop.inventory.on_hand.get(key, 0)
        reserved = shop.inventory.reserved.get(key, 0)
        law(0 <= reserved <= on_hand, f"stock {key}: {reserved} reserved of {on_hand}")
        law(
            reserved == held.get(key, 0),
            f"stock {key}: {reserved} reserved, orders hold {held.get(key, 0)}",
        )
        law(
            on_hand == received.get(key, 0) + back.get(key, 0) - shipped.get(key, 0),
            f"stock {key}: on hand {on_hand}, received {received.get(key, 0)} restocked "
            f"{back.get(key, 0)} shipped {shipped.get(key, 0)}",
        )
    # -- shipments known to their warehouses
    expected: dict[str, set[str]] = {w: set() for w in WAREHOUSES}
    for order in orders.values():
        for s in order.shipments:
            if s.warehouse.startswith(DROP_SHIP):  # メーカー直送: the supplier's, see below
                continue
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
    # -- 同梱: a parcel's orders agreed on it when it was packed; it leaves under one number,
    # with one carrier
    parcels: dict[str, set[str | None]] = {}
    packed: dict[str, set[tuple[str, ...]]] = {}
    carriers: dict[str, set[str]] = {}
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
            if s.parcel is not None and s.status is not ShipmentStatus.RECALLED:
                carriers.setdefault(s.parcel, set()).add(s.carrier)
    for parcel, bundles in packed.items():
        law(len(bundles) == 1, f"parcel {parcel} packed for orders that disagree: {bundles}")
    for parcel, numbers in parcels.items():
        law(len(numbers) == 1, f"parcel {parcel} left under {len(numbers)} tracking numbers")
    for parcel, codes in carriers.items():
        law(len(codes) == 1, f"parcel {parcel} goes with carriers {sorted(codes)}")
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
    found.extend(returns.laws(flow, orders))
    # -- points
    found.extend(_points_laws(flow, orders))
    # -- 発注
    found.extend(po_laws(flow))
    found.extend(dropship.laws(flow))
    # -- the books as the accounting products import them
    found.extend(journal_laws(flow))
    found.extend(rebuilt_journal_laws(flow, orders))
    # -- money
    found.extend(_money_laws(flow, orders))
    # -- carrier events
    for order in orders.values():
        found.extend(_tracking_laws(flow, order))
    found.extend(_parcel_notice_laws(flow, orders))
    found.extend(once_laws(flow, orders))
    found.extend(deadline_laws(flow, orders))
    found.extend(waiting_laws(flow, orders))
    return found


def _parcel_notice_laws(flow: Flow, orders: dict[str, Order]) -> list[str]:
    """Each shipping notice lists its parcel's items and asks for what the driver collects."""
    found: list[str] = []
    zero = Money.yen(0)
    for notice in flow.shop.notifier.sent:
        order = orders.get(notice.order_number)
        if notice.kind != "shipping" or order is None:
            continue
        told = dict(notice.facts)
        where = f"{order.number} shipping notice of {told.get('shipment_id')}"
        shipment = next(
            (s for s in order.shipments if s.shipment_id == told.get("shipment_id")), None
        )
        if shipment is None:
            found.append(f"{where}: no such shipment")
            continue
        listed = [line for line in notice.text.splitlines() if line.startswith("- ")]
        if len(listed) != len(shipment.lines):
            found.append(f"{where}: lists {len(listed)} items, the parcel holds {shipment.lines}")
        if order.payment.method is not PaymentMethod.COD:
            if "cod_amount" in told:
                found.append(f"{where}: a prepaid parcel told to collect {told['cod_amount']}")
            continue
        own = shipment.cod_amount or zero
        if told.get("cod_amount") != own:
            found.append(f"{where}: tells {told.get('cod_amount')}, the parcel collects {own}")
        box = own
        for number in order.bundle if shipment.parcel else ():
            mate = orders.get(number)
            for other in mate.shipments if mate is not None and number != order.number else ():
                if other.parcel == shipment.parcel:
                    box = box + (other.cod_amount or zero)
        if told.get("parcel_cod_amount", own) != box:
            found.append(f"{where}: tells the box collects {told.get('parcel_cod_amount')}, {box}")
        if box.amount > 0 and format_amount(box, notice.locale) not in notice.text:
            found.append(f"{where}: does not ask for {box}")
    return found


_TOLD = {
    "out_for_delivery": TrackingStatus.OUT_FOR_DELIVERY,
    "absent": TrackingStatus.ABSENT,
    "returned_to_sender": TrackingStatus.RETURNED_TO_SENDER,
}


def _key(event: CarrierReported) -> tuple[datetime, int, str]:
    assert event.carrier_at is not None
    return event_key(event.carrier_at, TrackingStatus(event.kind), event.event_id)


def _tracking_laws(flow: Flow, order: Order) -> list[str]:
    """着荷済 only when every parcel is; each parcel's state is its newest event; ids once."""
    found: list[str] = []
    n = order.number
    delivered = [s.status is ShipmentStatus.DELIVERED for s in order.shipments]
    if order.status in (OrderStatus.DELIVERED, OrderStatus.BOOKED) and not all(delivered):
        found.append(f"{n} is {order.status.name} with a parcel not delivered")
    if order.status is OrderStatus.SHIPPED and all(delivered):
        found.append(f"{n} is SHIPPED with every parcel delivered")
    reported = [e for e in order.history if isinstance(e, CarrierReported)]
    for s in order.shipments:
        mine = [e for e in reported if e.shipment == s.shipment_id]
        ids = [e.event_id for e in mine]
        if len(ids) != len(set(ids)) or tuple(ids) != s.event_ids:
            found.append(f"{n} {s.shipment_id}: events recorded {ids}, kept {s.event_ids}")
        if not mine:
            if s.tracking is not None:
                found.append(f"{n} {s.shipment_id}: a state {s.tracking} with no event")
            continue
        newest = max(mine, key=_key)
        if (s.tracking, s.tracked_at, s.tracked_event) != (
            TrackingStatus(newest.kind),
            newest.carrier_at,
            newest.event_id,
        ):
            found.append(f"{n} {s.shipment_id}: state {s.tracking}, newest event {newest.kind}")
        undone = any(
            isinstance(e, DeliveryUndone) and e.shipment == s.shipment_id
            for e in order.history[order.history.index(newest) :]
        )
        if (
            s.tracking is TrackingStatus.DELIVERED
            and order.status is OrderStatus.SHIPPED
            and s.status is ShipmentStatus.SHIPPED
            and not undone
        ):
            found.append(f"{n} {s.shipment_id}: the carrier says delivered, the order does not")
    for notice, kind in _TOLD.items():
        told = sum(1 for m in flow.shop.notifier.sent if m.order_number == n and m.kind == notice)
        news = sum(1 for e in reported if e.kind == kind.value and not e.late)
        if told > news:
            found.append(f"{n}: {told} {notice} notices for {news} such events")
    return found


def _points_laws(flow: Flow, orders: dict[str, Order]) -> list[str]:
    """Points used, granted and taken back, against the points system's balances."""
    points = flow.shop.points
    found: list[str] = []
    for who in ("C1", "C2"):
        mine = [o for o in orders.values() if o.customer.id == who]
        taken = sum(o.points_taken for o in mine)
        net_granted = sum(o.points_granted - o.points_revoked for o in mine)
        total = points.total(who)
        elsewhere = points.balances.get(f"{who}:elsewhere", 0)  # spent outside the orders
        if POINTS - taken + net_granted - elsewhere != total:
            found.append(
                f"points {who}: {POINTS} − taken {taken} + granted net {net_granted} − spent "
                f"elsewhere {elsewhere} ≠ {total}"
            )
        if points.balances.get(who, 0) < 0 or total < 0:
            found.append(f"points {who}: negative balance {total}")
        kept = sum(p for (c, _), p in points.provisional.items() if c == who)
        provisional = sum(o.points_granted - o.points_revoked for o in mine if o.points_provisional)
        if kept != provisional:
            found.append(f"points {who}: {kept} provisional kept, orders say {provisional}")
    done = {key for method, key in points.work_done if method == "grant"}
    for order in orders.values():
        n = order.number
        if order.points_taken < 0:
            found.append(f"{n} holds negative points")
        if order.status is OrderStatus.CANCELLED and order.points_taken:
            found.append(f"{n} cancelled with points taken")
        granted_keys = {k for k in done if k.startswith(f"{n}:")}
        if len(granted_keys) > 1:
            found.append(f"{n} was granted {len(granted_keys)} times")
        events = sum(1 for e in order.history if e.name == "points_granted")
        if events > 1 or (events == 1) != bool(granted_keys):
            found.append(f"{n}: {events} grant events, {len(granted_keys)} grants done")
        clawed = sum(int(e.detail("points") or 0) for e in order.events_named("points_revoked"))
        owed = sum(int(e.detail("points") or 0) for e in order.events_named("points_owed"))
        settled = sum(
            int(e.detail("points") or 0) for e in order.events_named("points_owed_settled")
        )
        if clawed != order.points_revoked or owed - settled != order.points_owed:
            found.append(f"{n}: clawback record {clawed}/{owed}/{settled} disagrees with order")
        if order.points_owed < 0 or order.points_revoked > order.points_granted:
            found.append(f"{n}: revoked {order.points_revoked} of {order.points_granted}")
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
    owing = {n for n, o in orders.items() if o.payment.refund_to_transfer.amount}
    listed = {o.number for o in shop.desk.refunds_to_transfer()}
    if owing != listed:
        found.append(f"refunds to transfer: orders owe {sorted(owing)}, listed {sorted(listed)}")
    for n, o in orders.items():
        if o.payment.refund_paid > o.payment.refund_owed:
            found.append(f"{n}: transferred {o.payment.refund_paid} of {o.payment.refund_owed}")
    deposits: dict[str, str] = {}  # a bank deposit counts on one order only
    for order in orders.values():
        for e in order.payment.ledger:
            if e.op is PaymentOp.RECEIVE and e.key.startswith(f"{order.number}:deposit:"):
                other = deposits.setdefault(e.reference, order.number)
                if other != order.number:
                    found.append(f"deposit {e.reference} counted on {other} and {order.number}")
    for order in orders.values():
        found.extend(_order_money(flow, order))
    return found


def _surfaced_debt(order: Order, debt: Money) -> bool:
    """A cancelled order the customer owes ``debt``: the shop paid back money the bank then
    took back (取消), no more than it paid back, and a person was told once both had happened
    (a ``deposit_reversed`` hold open at the cancel or the 取消, or raised after; it may have
    been cleared since, by the person who collected it)."""
    if debt > order.payment.refund_paid:
        return False
    return _surfaced(order, "deposit_reversed", (DepositReversed, Cancelled))


def _surfaced(order: Order, code: str, news: tuple[type, ...]) -> bool:
    """Whether a 取消 happened and a person was told of what it left: a ``code`` hold open at
    the last event of a kind in ``news``, or raised after it (cleared since or not)."""
    held = surfaced = reversed_ = False
    for event in order.history:
        if isinstance(event, HoldRaised) and event.code == code:
            held = surfaced = True
        elif isinstance(event, HoldCleared) and event.code == code:
            held = False
        elif isinstance(event, news):
            reversed_ = reversed_ or isinstance(event, DepositReversed)
            surfaced = held
    return reversed_ and surfaced


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
    settings = shop.desk.settings
    if order.status is OrderStatus.CANCELLED or not after_shipping:
        per_parcel = (
            settings.partial_payment is PartialPayment.PER_SHIPMENT
            and order.status is OrderStatus.SHIPPING_INSTRUCTED
        )
        gone = [
            s
            for s in order.shipments
            if s.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)
        ]
        may_keep = zero  # 分納 per parcel: no more than the parcels gone owe
        if per_parcel and gone:
            may_keep = owed_for(order, shipped_units(gone), settings.tax, fees=True)
        if card_net > may_keep or card_net.is_negative or billed.amount:
            found.append(f"{order.number} ({order.status.name}) keeps {card_net} + {billed}")
        collect = direct.is_negative and _surfaced_debt(order, -direct)
        if order.status is OrderStatus.CANCELLED and direct.amount and not collect:
            found.append(f"{order.number} cancelled keeps {direct} received")
        return found
    if problem:
        return found  # a person was called: the hold says what is missing
    method = payment.method
    if method in CARDLIKE and card_net != total - payment.refunded:
        found.append(f"{order.number}: card nets {card_net}, owes {total - payment.refunded}")
    if method is PaymentMethod.POSTPAY and billed != total - postpay_refunded:
        found.append(f"{order.number}: 後払い bills {billed}, owes {total - postpay_refunded}")
    # a transfer the bank took back after shipping: held for a person, who may accept it
    short = direct < total - returned and _surfaced(order, "payment_shortfall", (DepositReversed,))
    if (
        method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI)
        and direct != total - returned
        and not short  # a transfer the bank took back after shipping: held, a person collects
    ):
        found.append(f"{order.number}: kept {direct} of transfers, owes {total - returned}")
    asked = sum((s.cod_amount for s in order.shipments if s.cod_amount is not None), zero)
    owed_back = payment.refund_owed - returned  # what the parcels collect above the total
    if method is PaymentMethod.COD and asked - owed_back != total:
        found.append(f"{order.number}: its COD parcels collect {asked} - {owed_back} of {total}")
    cod_settled = method is PaymentMethod.COD and order.status is not OrderStatus.SHIPPED
    if cod_settled and direct != total - returned:
        found.append(f"{order.number}: COD kept {direct}, owes {total - returned}")
    return found
