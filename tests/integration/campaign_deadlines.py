"""The timed sweeps' list (期限管理) in the campaign: no order a sweep would act on is off it.

The sweeps read ``QueueQuery.deadlines`` instead of every open order, so an order whose clock
the list gets wrong would never be re-authorized, expired or held. At the end of every flow, each
open order is judged by the sweeps' own rules at moments from now to two months on: whenever a
rule would act, the order's clock (its queue facts) must be at or before what the sweep reads.
Likewise a receipt reads the orders the store filed under its SKU (``WAITING_INDEX``): every
order waiting for units of a SKU must be filed under it, in the store's index too.
"""

from __future__ import annotations

from datetime import timedelta

from orderflow import Order
from orderflow.domain.decisions.backorders import missing_units, waits_for_stock
from orderflow.domain.decisions.money import needs_reauthorization
from orderflow.domain.decisions.tracking import absent_overdue
from orderflow.domain.payments.direct import konbini_lapsed
from orderflow.domain.queues import (
    ANY_SKU,
    WAITING_INDEX,
    QueueQuery,
    matches,
    queue_facts,
    tracking_keys,
)
from orderflow.domain.sets import line_components
from tests.integration.campaign_world import Flow

AHEAD = tuple(
    timedelta(hours=h) for h in (0, 1, 12, 24, 49, 73, 97, 24 * 8, 24 * 15, 24 * 31, 24 * 61)
)


def deadline_laws(flow: Flow, orders: dict[str, Order]) -> list[str]:
    """Orders a timed sweep would act on, at some moment, but that are not on its list."""
    desk = flow.shop.desk
    rules = desk.rules
    settings = rules.settings
    within = timedelta(days=settings.reauthorize_within_days)
    now = flow.shop.clock.now()
    found = []
    for order in orders.values():
        if order.status.is_final:
            continue
        facts = queue_facts(order)
        for ahead in AHEAD:
            moment = now + ahead
            due = [
                ("reauthorize_expiring", moment + within, needs_reauthorization),
                ("expire_unpaid", moment, konbini_lapsed),
            ]
            for sweep, by, rule in due:
                if rule(order, moment, rules) and not matches(facts, QueueQuery.deadlines(by)):
                    found.append(f"{order.number}: {sweep} at +{ahead} misses it")
            if absent_overdue(order, moment, settings.absent_hold_days) and not matches(
                facts, QueueQuery.deadlines(moment)
            ):
                found.append(f"{order.number}: sweep_absent at +{ahead} misses it")
    return found


def waiting_laws(flow: Flow, orders: dict[str, Order]) -> list[str]:
    """Orders waiting for a SKU that a receipt of it would not find in the store's index."""
    sets = flow.shop.desk.settings.sets
    found = []
    for order in orders.values():
        if not waits_for_stock(order):
            continue
        keys = set(tracking_keys(order))
        filed = {sku for index, sku in keys if index == WAITING_INDEX}
        for line in order.lines:
            for sku, _ in line_components(line, sets):
                if missing_units(order, sku, sets) and not filed & {sku, ANY_SKU}:
                    found.append(f"{order.number} waits for {sku}, not filed under it")
        for sku in filed:
            if order.number not in flow.shop.store.orders_by_tracking(WAITING_INDEX, sku):
                found.append(f"{order.number} waits for {sku}; the store's index lost it")
    return found
