"""The campaign's bank: transfers the bank takes back (取消), at once or in a later file."""

from __future__ import annotations

import attrs

from orderflow import Deposit, Money, Order, OrderStatus
from orderflow.domain.events import DepositReversed
from orderflow.domain.queues import DEPOSIT_INDEX, tracking_keys
from tests.integration.campaign_world import Flow

__all__ = ["taken_back"]


def taken_back(flow: Flow, order: Order, deposit: Deposit) -> object:
    """The bank takes a transfer to ``order`` back (取消): ``deposit`` with its 取消 in one file,
    or alone, or the 取消 of a transfer the order took before.

    Laws: a transfer and its 取消 together move nothing; a 取消 of a transfer an order took
    before is reported as reversed with that order, never counted as a repeat, and the order
    no longer counts the money (once; a booked order keeps it, for the books).
    """
    rng = flow.rng
    with_it = rng.random() < 0.4
    taken = sorted(_received(order))
    if taken and not with_it and rng.random() < 0.7:
        reference = rng.choice(taken)
        amount = deposit.amount if rng.random() < 0.1 else _amount(order, reference)
        deposit = attrs.evolve(deposit, reference=reference, amount=amount)
    desk = flow.shop.desk
    cancel = attrs.evolve(deposit, cancelled=True)
    holders = {
        o.number for o in flow.shop.store.orders.values() if deposit.reference in _received(o)
    }
    before = {n: flow.shop.store.orders[n] for n in holders}
    report = desk.reconcile_deposits([deposit, cancel] if with_it else [cancel])
    if holders:
        if report.reversed != (cancel,) or set(report.taken_by[deposit.reference]) != holders:
            flow.broken.append(f"取消 of {deposit.reference} taken by {holders}: not reversed")
    elif report.reversed or report.reconciliation.matched:
        flow.broken.append(f"取消 of {deposit.reference} with its transfer moved money")
    for number, old in before.items():
        now = flow.shop.store.orders[number].payment.received
        gone = old.payment.received - now
        same = _amount(old, deposit.reference) == deposit.amount
        if old.status is OrderStatus.BOOKED or _reversed(old, deposit.reference) or not same:
            expected = Money.yen(0)  # the books' money, taken back before, or another amount
        else:
            expected = deposit.amount
        if gone != expected:
            flow.broken.append(
                f"取消 of {deposit.reference} took {gone} of {number}'s money, not {expected}"
            )
    return report


def _amount(order: Order, reference: str) -> Money:
    """What ``order`` received under the deposit ``reference``."""
    entry = order.payment.entry(f"{order.number}:deposit:{reference}")
    return entry.amount if entry is not None else Money.yen(0)


def _reversed(order: Order, reference: str) -> bool:
    return any(isinstance(e, DepositReversed) and e.reference == reference for e in order.history)


def _received(order: Order) -> set[str]:
    return {ref for index, ref in tracking_keys(order) if index == DEPOSIT_INDEX}
