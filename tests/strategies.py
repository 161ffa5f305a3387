"""Hypothesis strategies for whole orders, as the desk makes them (reused by codec and store tests).

:func:`orders` drives a shop on fakes the way the fault campaign does
(:mod:`tests.integration.campaign`): a few orders placed with random payment methods, points and
lines, then random commands — accept, holds, allocate, release, change, split, cancel, instruct,
recall, ship several shipments, deliver, book, refund, payments, sweeps — with faults injected
on every port and crashes around port calls, each followed by ``resume_pending``. Hypothesis
draws the flow's seed, its length and which order is returned; the commands, faults and crashes
come from the seeded generator, as in the campaign (whose choices are tuned for a plain
``random.Random``: Hypothesis' own random draws lean on the first choices and rarely got past
引当). A failing example shrinks to a shorter flow and a smaller seed. A flow
may end with a time-out armed on one port and one more command that is *not* resumed, which
leaves effects pending in the order's outbox. One order of the shop is returned: any status,
with holds, allocations, shipments, a payment ledger, points, split parts and proposals.

A draw takes a few milliseconds.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable

from hypothesis import strategies as st

from orderflow import Order, ShopSettings
from orderflow.errors import OrderflowError
from orderflow.testing import Fault, fake_shop
from tests.integration.campaign import change, forward, place, random_command, settle
from tests.integration.campaign_world import (
    POINTS,
    PORTS,
    SETS,
    SKUS,
    WAREHOUSES,
    Flow,
    _fake,
)

__all__ = ["orders", "shops_orders"]

_TIMEOUTS = (Fault.TIMEOUT_BEFORE, Fault.TIMEOUT_AFTER)


def _flow(rng: random.Random, steps: int) -> Flow:
    """A shop with stock in two warehouses and every payment port, after ``steps`` commands."""
    stock = {(w, s): rng.randint(0, 4) for w in WAREHOUSES for s in SKUS}
    settings = ShopSettings(warehouses=WAREHOUSES, auto_advance=rng.random() < 0.6, sets=SETS)
    shop = fake_shop(stock, settings=settings, points={"C1": POINTS, "C2": POINTS})
    flow = Flow(0, rng, shop, received=dict(stock))
    for _ in range(rng.randint(1, 3)):
        place(flow)
    for _ in range(steps):
        random_command(flow)
    settle(flow)
    if rng.random() < 0.4:
        _leave_pending(flow)
    return flow


def _leave_pending(flow: Flow) -> None:
    """Arm a time-out on every port and take one step without resuming: effects stay pending."""
    rng = flow.rng
    orders = flow.shop.store.orders
    if not orders:
        return
    fault = rng.choice(_TIMEOUTS)
    for name, methods in PORTS.items():
        for method in methods:
            _fake(flow.shop, name).fail_next(method, fault)
    order = orders[rng.choice(sorted(orders))]
    rid = f"p{rng.randint(1, 10**9)}"
    steps: list[Callable[[], object]] = [
        lambda: forward(flow, order),
        lambda: change(flow, order, rid),
        lambda: flow.shop.desk.split(order.number, [{line.line_id: 1} for line in order.lines]),
        lambda: flow.shop.desk.cancel(order.number, reason="pending", request_id=rid),
    ]
    with contextlib.suppress(OrderflowError):
        rng.choice(steps)()


@st.composite
def shops_orders(draw: st.DrawFn, max_steps: int = 60) -> list[Order]:
    """Every order of one random flow (the shop's store after it), oldest number first."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    steps = draw(st.integers(0, max_steps))
    flow = _flow(rng, steps)
    orders = flow.shop.store.orders
    return [orders[number] for number in sorted(orders)]


@st.composite
def orders(draw: st.DrawFn, max_steps: int = 60) -> Order:
    """One order of a random flow, at any status (see the module's docstring)."""
    found = draw(shops_orders(max_steps).filter(bool))
    return draw(st.sampled_from(found))
