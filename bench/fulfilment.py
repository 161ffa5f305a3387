"""Benchmarks of stock and fulfilment: planning allocation at scale, the receipt sweep."""

from __future__ import annotations

import gc
import random
import time
from datetime import UTC, datetime

from orderflow import (
    Address,
    AllocationStrategy,
    Context,
    Customer,
    Money,
    Order,
    OrderLine,
    PaymentMethod,
    ShopSettings,
    plan_allocation,
)
from orderflow.domain.lifecycle import new_order
from orderflow.testing import fake_shop

WAREHOUSES = tuple(f"W{n}" for n in range(10))
SKUS = [f"SKU-{n:05d}" for n in range(10_000)]
ADDRESS = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")
ROUNDS = 3


def _orders(count: int, lines: int, seed: int = 11) -> list[Order]:
    rng = random.Random(seed)
    ctx = Context(datetime(2026, 11, 22, tzinfo=UTC))
    out = []
    for n in range(count):
        order, _ = new_order(
            number=f"A{n}",
            customer=Customer(f"C{n}", "山田 太郎", "taro@example.jp"),
            ship_to=ADDRESS,
            lines=[
                OrderLine(f"L{i}", rng.choice(SKUS), "品", Money.yen(100), rng.randint(1, 3))
                for i in range(lines)
            ],
            payment_method=PaymentMethod.CARD,
            ctx=ctx,
        )
        out.append(order)
    return out


def allocate_100k_lines_s() -> tuple[float, str]:
    """Plan the allocation of 100,000 lines (10,000 orders × 10) over 10 warehouses, 10,000 SKUs.

    The pure planner, fewest shipments, each order planned against what the orders before it
    left (as a batch allocation run does); the reservations themselves are the inventory's.
    """
    orders = _orders(10_000, 10)
    rng = random.Random(5)
    stock = {(w, s): rng.randint(0, 20) for w in WAREHOUSES for s in SKUS}

    def one_round() -> float:
        left = dict(stock)
        gc.collect()
        start = time.perf_counter()
        for order in orders:
            for a in plan_allocation(order, WAREHOUSES, left, AllocationStrategy.FEWEST_SHIPMENTS):
                key = (a.warehouse, order.line(a.line_id).sku)
                left[key] -= a.quantity
        return time.perf_counter() - start

    return round(min(one_round() for _ in range(ROUNDS)), 3), "s"


def receive_sweep_s() -> tuple[float, str]:
    """One receipt of 10,000 units filling 10,000 orders waiting for that SKU (fakes)."""
    count = 10_000

    def one_round() -> float:
        shop = fake_shop({("TOKYO", "TEA"): 0}, settings=ShopSettings(auto_advance=True))
        desk = shop.desk
        line = [OrderLine("L1", "TEA", "緑茶", Money.yen(1080), 1)]
        for n in range(count):
            desk.place(
                number=f"W{n}",
                customer=Customer(f"C{n}", "山田 太郎", "taro@example.jp"),
                ship_to=ADDRESS,
                lines=line,
                token="tok",
            )
            desk.accept(f"W{n}")  # nothing in stock: 未引当
        gc.collect()
        start = time.perf_counter()
        served = desk.receive("TOKYO", "TEA", count, receipt_id="R-1")
        elapsed = time.perf_counter() - start
        assert len(served) == count
        return elapsed

    return round(min(one_round() for _ in range(ROUNDS)), 3), "s"
