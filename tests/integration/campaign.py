"""The fault campaign: random flows over every command and payment method, with faults and crashes.

Each flow builds a shop on the bundled fakes, places a few orders with random payment methods,
points and lines, then runs random commands on them — accept, holds, allocate, release, change
(quantities, lines, address, method, points), split, partial and full cancel, instruct, recall
(sometimes too late), ship several shipments, deliver, book, refund, konbini payments, deposits,
the sweeps — while faults are injected on every port (a decline, a time-out before or after the
work, a duplicate answer) and crashes (an exception before or after any port call, the order store
included). After an error the flow does what the docs say: ``desk.resume_pending()`` until nothing
is pending. At the end every law is checked against the fakes' own records:

- no provider did the work of one key twice;
- captured less refunded, at the gateway and at the 後払い provider, equals what the order's ledger
  says, and that equals what the customer owes (received less owed back for direct payments);
- no live authorization, claim, virtual account or konbini number is left on a final order;
- stock is never negative, reserved units are what the orders hold, committed units what shipped;
- every instructed shipment is known to its warehouse, and no other;
- one journal entry per booked order, none for the others;
- points are conserved: what left the customers' balances is what the orders hold;
- nothing is left pending.

Run ``python -m tests.integration.campaign --flows 20000`` (``make campaign``): it prints one JSON
line ``{"metric": "campaign_violations", ...}`` and exits non-zero if any law was broken.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import attrs

from orderflow import (
    CreditStatus,
    Deposit,
    Money,
    Order,
    OrderChange,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentOp,
    ShipmentStatus,
    ShopSettings,
    TaxRate,
)
from orderflow.domain.payments.ledger import CARDLIKE
from orderflow.errors import (
    EffectInterrupted,
    OrderflowError,
)
from orderflow.testing import FakeShop, Fault, fake_shop
from tests.builders import address, customer

SKUS = {"TEA-1": (1080, TaxRate.REDUCED), "MUG-1": (3300, TaxRate.STANDARD), "CAKE-1": (1620, None)}
WAREHOUSES = ("TOKYO", "OSAKA")
CARRIER_NUMBERS = ["123456789013", "445566778812", "200000000001"]
POINTS = 2000
FAULTS = (Fault.DECLINE, Fault.TIMEOUT_BEFORE, Fault.TIMEOUT_AFTER, Fault.DUPLICATE)
PORTS: dict[str, tuple[str, ...]] = {
    "gateway": ("authorize", "capture", "void", "refund"),
    "amazon_pay": ("authorize", "capture", "void", "refund"),
    "fraud": ("screen",),
    "postpay": ("register", "amend", "report_shipment", "cancel"),
    "bank": ("issue_account", "release_account"),
    "konbini": ("issue", "cancel"),
    "inventory": ("reserve", "release", "commit"),
    "TOKYO": ("instruct", "recall"),
    "OSAKA": ("instruct", "recall"),
    "accounting": ("post",),
    "notifier": ("send",),
    "points": ("redeem", "restore"),
}
CRASHABLE = {**PORTS, "store": ("save", "add")}


class Crash(Exception):
    """What the campaign throws to simulate a process dying around a port call."""


@attrs.define
class Flow:
    """One random flow: its shop, its orders and its random source."""

    seed: int
    rng: random.Random
    shop: FakeShop
    numbers: list[str] = attrs.field(factory=list)
    received: dict[tuple[str, str], int] = attrs.field(factory=dict)
    next_number: int = 1001
    crash_restore: list[Callable[[], None]] = attrs.field(factory=list)


def _fake(shop: FakeShop, name: str) -> Any:
    if name in WAREHOUSES:
        return shop.warehouses[name]
    return getattr(shop, name)


def new_flow(seed: int) -> Flow:
    """A shop with stock in two warehouses, every payment port, points and a fraud screen."""
    rng = random.Random(seed)
    stock = {(w, s): rng.randint(0, 4) for w in WAREHOUSES for s in SKUS}
    settings = ShopSettings(warehouses=WAREHOUSES, auto_advance=rng.random() < 0.6)
    shop = fake_shop(stock, settings=settings, points={"C1": POINTS, "C2": POINTS})
    return Flow(seed, rng, shop, received=dict(stock))


# -- faults and crashes ---------------------------------------------------------------------------


def inject(flow: Flow) -> None:
    """Maybe a fault on one port method, maybe a crash around one port call."""
    rng = flow.rng
    if rng.random() < 0.35:
        name = rng.choice(sorted(PORTS))
        fake = _fake(flow.shop, name)
        fake.fail_next(rng.choice(PORTS[name]), rng.choice(FAULTS))
    if rng.random() < 0.12:
        name = rng.choice(sorted(CRASHABLE))
        crash_once(flow, name, rng.choice(CRASHABLE[name]), after=rng.random() < 0.5)


def crash_once(flow: Flow, name: str, method: str, *, after: bool) -> None:
    """The next call of ``name.method`` dies before (or right after) doing its work."""
    target = flow.shop.store if name == "store" else _fake(flow.shop, name)
    original = getattr(target, method)

    def dying(*args: Any, **kwargs: Any) -> Any:
        restore()
        if not after:
            raise Crash(f"crash before {name}.{method}")
        original(*args, **kwargs)
        raise Crash(f"crash after {name}.{method}")

    def restore() -> None:
        if target.__dict__.get(method) is dying:
            del target.__dict__[method]

    setattr(target, method, dying)
    flow.crash_restore.append(restore)


def settle(flow: Flow) -> None:
    """What the docs say after a time-out or a crash: resume until nothing is pending."""
    for undo in flow.crash_restore:
        undo()
    flow.crash_restore.clear()
    desk = flow.shop.desk
    for _ in range(12):
        try:
            desk.resume_pending()
        except Crash:
            continue
        if not flow.shop.store.pending():
            return


def attempt(flow: Flow, action: Callable[[], object]) -> None:
    """Run one command with whatever fault is armed; errors are answers, then settle."""
    inject(flow)
    try:
        action()
    except (OrderflowError, Crash):
        pass
    except Exception as error:  # an exception of another kind escaped a public call
        if not isinstance(error.__cause__, Crash) and not isinstance(error, EffectInterrupted):
            raise
    settle(flow)


# -- commands -------------------------------------------------------------------------------


def _lines(rng: random.Random) -> list[OrderLine]:
    picks = rng.sample(sorted(SKUS), rng.randint(1, 3))
    lines = []
    for n, sku in enumerate(picks, start=1):
        price, rate = SKUS[sku]
        lines.append(
            OrderLine(
                f"L{n}", sku, sku, Money.yen(price), rng.randint(1, 2), rate or TaxRate.STANDARD
            )
        )
    return lines


def place(flow: Flow) -> None:
    rng = flow.rng
    number = str(flow.next_number)
    flow.next_number += 1
    method = rng.choice(list(PaymentMethod))
    who = rng.choice(["C1", "C2"])
    token = "tok_bad" if rng.random() < 0.05 else f"tok_{who}"
    flow.shop.gateway.decline_tokens = frozenset({"tok_bad"})
    flow.shop.amazon_pay.decline_tokens = frozenset({"tok_bad"})
    if rng.random() < 0.1:
        flow.shop.postpay.decisions[who] = rng.choice([CreditStatus.PENDING, CreditStatus.DECLINED])
    else:
        flow.shop.postpay.decisions.pop(who, None)
    lines = _lines(rng)
    points = rng.choice([0, 0, 0, 100, 500])

    def run() -> None:
        flow.shop.desk.place(
            number=number,
            customer=attrs.evolve(customer(), id=who),
            ship_to=address(),
            lines=lines,
            token=token,
            payment_method=method,
            shipping_fee=Money.yen(880),
            points_used=points,
        )

    attempt(flow, run)
    if number in flow.shop.store.orders:
        flow.numbers.append(number)


def _order(flow: Flow) -> Order | None:
    numbers = [n for n in flow.shop.store.orders]
    if not numbers:
        return None
    return flow.shop.store.orders[flow.rng.choice(sorted(numbers))]


def random_command(flow: Flow) -> None:
    """One random command on one random order (or a sweep)."""
    rng = flow.rng
    shop = flow.shop
    desk = shop.desk
    order = _order(flow)
    if order is None or rng.random() < 0.08:
        place(flow)
        return
    n = order.number
    rid = f"r{rng.randint(1, 10**9)}"
    choices: list[tuple[int, Callable[[], object]]] = [
        (6, lambda: desk.accept(n)),
        (4, lambda: desk.allocate(n)),
        (1, lambda: desk.release(n)),
        (2, lambda: desk.raise_hold(n, "check", "確認", request_id=rid)),
        (2, lambda: desk.clear_hold(n, rng.choice([h.code for h in order.open_holds] or ["x"]))),
        (5, lambda: desk.instruct_shipping(n)),
        (2, lambda: recall(flow, order)),
        (6, lambda: ship(flow, order)),
        (5, lambda: deliver(flow, order)),
        (4, lambda: desk.book(n)),
        (2, lambda: desk.cancel(n, reason="campaign", request_id=rid)),
        (2, lambda: cancel_a_unit(flow, order, rid)),
        (3, lambda: change(flow, order, rid)),
        (1, lambda: desk.split(n, [{line.line_id: line.quantity} for line in order.lines])),
        (2, lambda: refund(flow, order, rid)),
        (3, lambda: pay(flow, order)),
        (1, lambda: decide_credit(flow, order)),
        (1, lambda: receive_stock(flow)),
        (1, lambda: time_passes(flow)),
    ]
    choices.append((40, lambda: forward(flow, order)))
    weights = [w for w, _ in choices]
    action = rng.choices([c for _, c in choices], weights)[0]
    attempt(flow, action)


def forward(flow: Flow, order: Order) -> object:
    """The step a shop would take next with this order (most flows should reach the books)."""
    desk = flow.shop.desk
    status = order.status
    n = order.number
    if order.open_holds:
        if order.payment.method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI) and (
            not desk.payment_confirmed(order)
        ):
            return pay(flow, order)
        if order.payment.method is PaymentMethod.POSTPAY and flow.rng.random() < 0.5:
            return decide_credit(flow, order)
        return desk.clear_hold(n, order.open_holds[0].code)
    if status is OrderStatus.ORDERED:
        return desk.accept(n)
    if status in (OrderStatus.UNALLOCATED, OrderStatus.PARTIALLY_ALLOCATED):
        if status is OrderStatus.PARTIALLY_ALLOCATED and flow.rng.random() < 0.5:
            receive_stock(flow)
        return desk.allocate(n)
    if status is OrderStatus.ALLOCATED:
        return desk.instruct_shipping(n)
    if status is OrderStatus.SHIPPING_INSTRUCTED:
        return ship(flow, order)
    if status is OrderStatus.SHIPPED:
        return deliver(flow, order)
    if status is OrderStatus.DELIVERED:
        return desk.book(n)
    if status is OrderStatus.BOOKED and flow.rng.random() < 0.3:
        return refund(flow, order, f"f{flow.rng.randint(1, 10**9)}")
    return None


def recall(flow: Flow, order: Order) -> object:
    if order.shipments and flow.rng.random() < 0.3:
        shipment = flow.rng.choice(order.shipments)
        flow.shop.warehouses[shipment.warehouse].mark_shipped(shipment.shipment_id)
    return flow.shop.desk.recall(order.number)


def ship(flow: Flow, order: Order) -> object:
    waiting = [s for s in order.shipments if s.status is ShipmentStatus.INSTRUCTED]
    if not waiting:
        return flow.shop.desk.instruct_shipping(order.number)
    shipment = flow.rng.choice(waiting)
    return flow.shop.desk.ship(order.number, shipment.shipment_id, flow.rng.choice(CARRIER_NUMBERS))


def deliver(flow: Flow, order: Order) -> object:
    shipped = [s for s in order.shipments if s.status is ShipmentStatus.SHIPPED]
    if not shipped:
        return None
    return flow.shop.desk.deliver(order.number, flow.rng.choice(shipped).shipment_id)


def cancel_a_unit(flow: Flow, order: Order, rid: str) -> object:
    line = flow.rng.choice(order.lines)
    return flow.shop.desk.cancel(
        order.number, reason="one unit", lines={line.line_id: 1}, request_id=rid
    )


def change(flow: Flow, order: Order, rid: str) -> object:
    rng = flow.rng
    kind = rng.randint(0, 5)
    if kind == 0:
        line = rng.choice(order.lines)
        what = OrderChange(quantities={line.line_id: rng.randint(1, 3)})
    elif kind == 1:
        sku = rng.choice(sorted(SKUS))
        price, rate = SKUS[sku]
        new_id = f"L{rng.randint(10, 99)}"
        line = OrderLine(new_id, sku, sku, Money.yen(price), 1, rate or TaxRate.STANDARD)
        what = OrderChange(add_lines=(line,))
    elif kind == 2:
        what = OrderChange(
            ship_to=attrs.evolve(
                address(), postal_code=rng.choice(["1500001", "1000211", "9050605"])
            )
        )
    elif kind == 3:
        method = rng.choice(list(PaymentMethod))
        what = OrderChange(payment_method=method, token=rng.choice(["tok_C1", "tok_bad"]))
    else:
        what = OrderChange(points_used=rng.choice([0, 100, 300]))
    return flow.shop.desk.change(order.number, what, request_id=rid)


def refund(flow: Flow, order: Order, rid: str) -> object:
    left = flow.shop.desk.refundable(order)
    if left.amount <= 0:
        return None
    amount = Money.yen(flow.rng.randint(1, int(left.amount)))
    return flow.shop.desk.refund(order.number, amount, reason="campaign", request_id=rid)


def pay(flow: Flow, order: Order) -> object:
    rng = flow.rng
    shop = flow.shop
    total = shop.desk.totals(order).total
    amount = rng.choice([total, total, Money.yen(1000), total + Money.yen(500)])
    if order.payment.method is PaymentMethod.KONBINI:
        return shop.desk.record_konbini_payment(
            order.number, reference=f"K{rng.randint(1, 3)}-{order.number}", amount=amount
        )
    account = order.payment.instruction("account")
    if order.payment.method is PaymentMethod.BANK_TRANSFER and account:
        deposit = Deposit(
            account, amount, "ﾔﾏﾀﾞ ﾀﾛｳ", shop.clock.now().date(), f"D{rng.randint(1, 5)}"
        )
        return shop.desk.reconcile_deposits([deposit])
    return None


def decide_credit(flow: Flow, order: Order) -> object:
    reference = order.payment.instruction("reference")
    if order.payment.method is PaymentMethod.POSTPAY and reference:
        status = flow.rng.choice([CreditStatus.APPROVED, CreditStatus.DECLINED])
        claim = flow.shop.postpay.claims.get(reference)
        if claim is not None and claim["status"] is CreditStatus.PENDING:  # under review only
            flow.shop.postpay.decide(reference, status)
        return flow.shop.desk.refresh_postpay(order.number)
    return None


def receive_stock(flow: Flow) -> None:
    key = (flow.rng.choice(WAREHOUSES), flow.rng.choice(sorted(SKUS)))
    flow.shop.inventory.put(*key, 2)
    flow.received[key] = flow.received.get(key, 0) + 2


def time_passes(flow: Flow) -> object:
    flow.shop.clock.advance(timedelta(days=flow.rng.choice([1, 5, 8, 28])))
    flow.shop.desk.expire_unpaid()
    return flow.shop.desk.reauthorize_expiring()


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
    for key in set(flow.received) | set(shop.inventory.on_hand):
        on_hand = shop.inventory.on_hand.get(key, 0)
        reserved = shop.inventory.reserved.get(key, 0)
        law(0 <= reserved <= on_hand, f"stock {key}: {reserved} reserved of {on_hand}")
        law(
            reserved == held.get(key, 0),
            f"stock {key}: {reserved} reserved, orders hold {held.get(key, 0)}",
        )
        law(
            on_hand == flow.received.get(key, 0) - shipped.get(key, 0),
            f"stock {key}: on hand {on_hand}, received {flow.received.get(key, 0)} shipped "
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
        paid = owner is not None and owner.payment.received.amount > 0
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


# -- running --------------------------------------------------------------------------------


def run_flow(seed: int, steps: int = 40) -> list[str]:
    """One flow of ``steps`` random commands; the laws it breaks."""
    flow = new_flow(seed)
    for _ in range(flow.rng.randint(1, 3)):
        place(flow)
    for _ in range(steps):
        random_command(flow)
    settle(flow)
    return violations(flow)


def campaign(flows: int, first_seed: int = 0) -> dict[int, list[str]]:
    """Run ``flows`` flows from ``first_seed``; seed → violations (only flows with any)."""
    broken: dict[int, list[str]] = {}
    for seed in range(first_seed, first_seed + flows):
        try:
            found = run_flow(seed)
        except Exception:
            found = [f"crashed: {traceback.format_exc(limit=8)}"]
        if found:
            broken[seed] = found
    return broken


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.integration.campaign --flows N [--seed S]``: the violations as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=5, help="broken flows to print")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    broken = campaign(args.flows, args.seed)
    elapsed = time.perf_counter() - started
    for seed, found in list(broken.items())[: args.show]:
        print(f"# seed {seed}: {found[:3]}", file=sys.stderr)
    count = sum(len(v) for v in broken.values())
    print(json.dumps({"metric": "campaign_violations", "value": count, "unit": "violations"}))
    print(json.dumps({"metric": "campaign_flows", "value": args.flows, "unit": "flows"}))
    print(json.dumps({"metric": "campaign_s", "value": round(elapsed, 1), "unit": "s"}))
    return 1 if count else 0


if __name__ == "__main__":
    raise SystemExit(main())
