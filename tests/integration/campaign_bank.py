"""The campaign's bank: transfers the bank takes back (取消), at once or in a later file."""

from __future__ import annotations

import attrs

from orderflow import Deposit, Order
from orderflow.domain.queues import DEPOSIT_INDEX, tracking_keys
from tests.integration.campaign_world import Flow

__all__ = ["taken_back"]


def taken_back(flow: Flow, order: Order, deposit: Deposit) -> object:
    """The bank takes a transfer to ``order`` back (取消): ``deposit`` with its 取消 in one file,
    or alone, or the 取消 of a transfer the order took before.

    Laws: a transfer and its 取消 together move nothing; a 取消 of a transfer an order took
    before is reported as reversed with that order, never counted as a repeat.
    """
    rng = flow.rng
    with_it = rng.random() < 0.4
    taken = sorted(_received(order))
    if taken and not with_it and rng.random() < 0.7:
        deposit = attrs.evolve(deposit, reference=rng.choice(taken))
    desk = flow.shop.desk
    cancel = attrs.evolve(deposit, cancelled=True)
    holders = {
        o.number for o in flow.shop.store.orders.values() if deposit.reference in _received(o)
    }
    before = {n: flow.shop.store.orders[n].payment.received for n in holders}
    report = desk.reconcile_deposits([deposit, cancel] if with_it else [cancel])
    if holders:
        if report.reversed != (cancel,) or set(report.taken_by[deposit.reference]) != holders:
            flow.broken.append(f"取消 of {deposit.reference} taken by {holders}: not reversed")
    elif report.reversed or report.reconciliation.matched:
        flow.broken.append(f"取消 of {deposit.reference} with its transfer moved money")
    for number, received in before.items():
        if flow.shop.store.orders[number].payment.received != received:
            flow.broken.append(f"取消 of {deposit.reference} changed {number}'s money")
    return report


def _received(order: Order) -> set[str]:
    return {ref for index, ref in tracking_keys(order) if index == DEPOSIT_INDEX}
