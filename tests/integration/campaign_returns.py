"""The campaign's returns (返品) and exchanges (交換): requests, receipts, refusals, laws."""

from __future__ import annotations

import random

from orderflow import (
    Disposition,
    JournalEntry,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentOp,
    PaymentOutcome,
    Requester,
    ReturnReason,
    ReturnStatus,
    Side,
    TaxRate,
)
from orderflow.domain.events import (
    GoodwillRefunded,
    GoodwillSettled,
    PointsOwedSettled,
    RefundRequested,
)
from orderflow.domain.goodwill import goodwill_refunds
from orderflow.domain.refunds import returned_units
from orderflow.domain.sets import line_components
from tests.integration.campaign_world import SETS, SKUS, WAREHOUSES, Flow


def request(flow: Flow, order: Order, rid: str) -> object:
    """A return of some units (now and then too many, or of an order not delivered)."""
    rng = flow.rng
    returnable = [
        o
        for o in flow.shop.store.orders.values()
        if o.status in (OrderStatus.DELIVERED, OrderStatus.BOOKED)
    ]
    if returnable and rng.random() < 0.8:
        order = rng.choice(sorted(returnable, key=lambda o: o.number))
    picks = rng.sample(order.lines, rng.randint(1, len(order.lines)))
    lines = {line.line_id: rng.randint(1, line.quantity + (rng.random() < 0.1)) for line in picks}
    reason = rng.choice(list(ReturnReason))
    desk = flow.shop.desk
    if rng.random() < 0.2:
        sku = rng.choice(sorted(SKUS))
        price, rate = SKUS[sku]
        new = OrderLine("N1", sku, sku, Money.yen(price), 1, rate or TaxRate.STANDARD)
        return desk.exchange(
            order.number,
            lines,
            [new],
            reason=reason,
            request_id=rid,
            token=f"tok_{order.customer.id}",
            payment_method=rng.choice(list(PaymentMethod)),
            shipping_fee=Money.yen(880),
        )
    if random.Random(f"exception:{rid}").random() < 0.15:  # 例外対応 (drawn apart)
        staff = Requester.operator("campaign")
        exception = "例外対応"
        return desk.request_return(
            order.number, lines, reason, request_id=rid, requester=staff, exception=exception
        )
    return desk.request_return(order.number, lines, reason, request_id=rid)


def receive(flow: Flow, order: Order) -> object:
    """The goods of a requested return come back: restocked, written off, or refused."""
    rng = flow.rng
    waiting = [
        (o.number, r.return_id)
        for o in flow.shop.store.orders.values()
        for r in o.returns
        if r.status is ReturnStatus.REQUESTED
    ]
    if not waiting:
        return None
    number, return_id = rng.choice(sorted(waiting))
    ret = next(r for r in flow.shop.store.orders[number].returns if r.return_id == return_id)
    desk = flow.shop.desk
    if rng.random() < 0.1:
        return desk.refuse_return(number, return_id, reason="used")
    dispositions = []
    for line in ret.lines:
        for _ in range(line.quantity):
            where = rng.choice([*WAREHOUSES, None])
            dispositions.append(Disposition(line.line_id, 1, where))
    return desk.receive_return(number, return_id, dispositions)


def restocked(orders: dict[str, Order]) -> dict[tuple[str, str], int]:
    """(warehouse, SKU) → units the orders' returns put back on hand."""
    out: dict[tuple[str, str], int] = {}
    for order in orders.values():
        for ret in order.returns:
            if ret.status is not ReturnStatus.REFUNDED:
                continue
            for d in ret.dispositions:
                if d.warehouse is None:
                    continue
                for sku, per in line_components(order.line(d.line_id), SETS):  # a set: its recipe
                    key = (d.warehouse, sku)
                    out[key] = out.get(key, 0) + d.quantity * per
    return out


def _goodwill_asked(order: Order) -> Money:
    """What ``desk.refund`` paid back on ``order``, from its history: each 返金 asked for, less
    the owed points settled from it (the events its command recorded right after), less the
    後払い refunds the provider refused."""
    total = Money.yen(0)
    history = order.history
    for i, event in enumerate(history):
        if not isinstance(event, RefundRequested):
            continue
        amount = Money.yen(int(event.amount.split()[0]))
        after = history[i + 1] if i + 1 < len(history) else None
        if isinstance(after, PointsOwedSettled):
            amount = Money.yen(max(0, int(amount.amount) - after.points))
        total = total + amount
    refused = {e.refund_id for e in history if isinstance(e, GoodwillSettled) and not e.paid}
    for event in history:  # 後払い: the provider would not bill the rest, nothing was paid
        if isinstance(event, GoodwillRefunded) and event.refund_id in refused:
            total = total - Money.yen(int(event.amount.split()[0]))
    return total


def _money_back(order: Order) -> Money:
    """What the payment ledger says went back to the customer after the sale: refunds the
    provider made, and refunds owed back by transfer (a bank transfer's, or a card refund the
    gateway refused). Owed points settled from a refund are the shop's: not paid back."""
    back = Money.yen(0)
    for e in order.payment.ledger:
        refunded = e.op is PaymentOp.REFUND and e.outcome is PaymentOutcome.SUCCEEDED
        owed = e.op is PaymentOp.REFUND_OWED and e.detail == "refund"
        if refunded or owed:
            back = back + e.amount
    return back


def laws(flow: Flow, orders: dict[str, Order]) -> list[str]:
    """Refunds within what was paid per rate; entries balance; sales less returns; links.

    Goodwill refunds (返金, ``desk.refund``) count with the returns: one 売上値引 entry each
    once the order is booked (none before), within what was paid per rate, and the books' 売掛金
    is what was paid less what returns and refunds paid back. The money law of the books: for
    every booked order (returned, refunded or not) the books' net 売掛金 — the sale less every
    return's and refund's — is the total less the money the payment ledger says went back
    (captured less refunded), so a return posts what was really paid back and a 後払い return
    the provider refused posts nothing.
    """
    shop = flow.shop
    found: list[str] = []
    rule = shop.desk.settings.tax
    entries: dict[str, list[JournalEntry]] = {}
    for _, entry in shop.accounting.entries:
        debit, credit = entry.totals()
        if debit != credit:
            found.append(f"journal {entry.reference} does not balance: {debit} / {credit}")
        entries.setdefault(entry.reference, []).append(entry)
    known: set[str] = set()
    for order in orders.values():
        n = order.number
        booked = order.status is OrderStatus.BOOKED
        paid = {line.rate: line.gross for line in order.totals(rule).tax.lines}
        back: dict[TaxRate, Money] = {}
        paid_back = Money.yen(0)
        refs = [n]
        for ret in order.returns:
            refunded = ret.status is ReturnStatus.REFUNDED
            if ret.payment_key:
                found.append(f"{n}/{ret.return_id} still waits on 後払い {ret.payment_key}")
            # a 後払い re-billing the provider refused paid nothing back: nothing is posted;
            # nor is an entry that would move nothing (all of the refund settled owed points)
            moves = any(m is not None and m.amount for m in (ret.paid_back, ret.fee)) or any(
                amount.amount for _, amount, _ in ret.refund
            )
            want = 1 if refunded and booked and not ret.refund_refused and moves else 0
            posted = len(entries.get(f"{n}/{ret.return_id}", []))
            if posted != want:
                found.append(f"{n}/{ret.return_id} ({ret.status.name}) has {posted} entries")
            refs.append(f"{n}/{ret.return_id}")
            for rate, amount, _ in ret.refund:
                back[rate] = back.get(rate, Money.yen(0)) + amount
            paid_back = paid_back + (ret.paid_back or Money.yen(0))
            if ret.exchange:
                new = orders.get(ret.exchange)
                if new is not None and new.exchange_for not in (None, n):
                    found.append(f"{ret.exchange} is linked to {new.exchange_for}, not {n}")
        goodwill = Money.yen(0)
        for refund in goodwill_refunds(order):
            ref = f"{n}/{refund.refund_id}"
            posted = len(entries.get(ref, []))
            if posted != (1 if booked else 0):
                found.append(f"{ref} ({order.status.name}) has {posted} entries")
            refs.append(ref)
            shares = Money.yen(0)
            for rate, amount, tax in refund.rates:
                back[rate] = back.get(rate, Money.yen(0)) + amount
                shares = shares + amount
                if tax > amount:
                    found.append(f"{ref}: tax {tax} in {amount} at {rate.name}")
            if str(shares) != refund.amount:
                found.append(f"{ref}: shares {shares} ≠ paid back {refund.amount}")
            goodwill = goodwill + shares
        paid_back = paid_back + goodwill
        known.update(refs)
        found.extend(_points_back_laws(order))
        asked = _goodwill_asked(order)
        if asked != goodwill:
            found.append(f"{n}: refunds paid back {asked}, for the books {goodwill}")
        kept = sum((r.fee or Money.yen(0) for r in order.returns), Money.yen(0))
        if kept:  # a return fee kept back, refunded after all: taken off the 10% rate
            paid[TaxRate.STANDARD] = paid.get(TaxRate.STANDARD, Money.yen(0)) + kept
        for rate, amount in back.items():
            if amount > paid.get(rate, Money.yen(0)):
                found.append(f"{n}: returns pay back {amount} at {rate.name} of {paid.get(rate)}")
        if booked:
            receivable = Money.yen(0)
            accounts = shop.desk.settings.accounts
            for ref in refs:
                for entry in entries.get(ref, []):
                    for line in entry.lines:
                        if line.account == accounts.receivable:
                            sign = 1 if line.side is Side.DEBIT else -1
                            receivable = receivable + Money.yen(sign * line.amount.amount)
            total = order.totals(rule).total
            if receivable != total - paid_back:
                found.append(
                    f"{n}: sales less returns and refunds {receivable}, "
                    f"paid less back {total - paid_back}"
                )
            money = total - _money_back(order)
            if receivable != money:
                found.append(
                    f"{n}: the books keep {receivable} of the sale, the money kept is {money}"
                )
    for ref in entries:
        if ref not in known:
            found.append(f"journal {ref}: no booked sale, return or refund of that reference")
    return found


def _points_back_laws(order: Order) -> list[str]:
    """Points used come back with the items, the fees' share with the shipping refunded.

    Never more than were used; all of them once every unit is back and the shipping with it
    (or the order had no fees); a customer's return that keeps the shipping keeps the points
    that paid it.
    """
    n = order.number
    refunded = [r for r in order.returns if r.status is ReturnStatus.REFUNDED]
    back = sum(r.points_back for r in refunded)
    if back > order.points_used:
        return [f"{n}: returns gave back {back} points of {order.points_used} used"]
    units = returned_units(order)
    every = all(units.get(line.line_id, 0) >= line.quantity for line in order.lines)
    if not every or not order.points_used:
        return []
    shipping_back = not (order.shipping_fee.amount or order.fees.amount) or any(
        r.shipping_refunded for r in refunded
    )
    if shipping_back and back != order.points_used:
        return [f"{n}: every unit and the shipping back, {back} of {order.points_used} points"]
    if not shipping_back and back == order.points_used:
        return [f"{n}: the shipping kept, yet every point used ({back}) came back"]
    return []
