"""Benchmark of carrier events: 100,000 events a desk applies, a quarter late, repeated or shuffled.

Shipped orders (one parcel each, Yamato) are stored by cloning one real shipped order; each
parcel's journey (picked up … out for delivery, 持戻り once in a while, delivered) is spread over
the carrier's clock, and the events of every parcel are interleaved by time, as a feed gives them.
Then a quarter of them are disturbed: reported twice, sent late (after newer ones), or swapped
with a neighbour. The desk takes them in polls of 1,000 (``desk.carrier_events``).
"""

from __future__ import annotations

import gc
import random
import time
from datetime import timedelta

import attrs
from scenarios import parcel_number

from orderflow import (
    Address,
    CarrierEvent,
    Customer,
    Money,
    OrderLine,
    ShopSettings,
    TaxRate,
    TrackingStatus,
)
from orderflow.testing import FakeShop, fake_shop

EVENTS = 100_000
BATCH = 1_000
T = TrackingStatus
_PATH = (T.INSTRUCTED, T.PICKED_UP, T.IN_TRANSIT, T.OUT_FOR_DELIVERY)


def _shop(parcels: int) -> FakeShop:
    # the journeys run up to four days ahead of the shop's clock, which stands still: a week's
    # tolerance takes them all (the default day would refuse most of them as ahead)
    settings = ShopSettings(carrier_clock_tolerance=timedelta(days=7))
    shop = fake_shop({("TOKYO", "TEA-1"): 10}, settings=settings)
    desk = shop.desk
    desk.place(
        number="T",
        customer=Customer("C1", "山田 太郎", "taro@example.jp"),
        ship_to=Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678"),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1, TaxRate.REDUCED)],
        token="tok",
    )
    desk.accept("T")
    desk.instruct_shipping("T")
    template = desk.ship("T", "T-S1", parcel_number(0))
    shipment = template.shipments[0]
    for n in range(1, parcels + 1):
        number = f"B{n}"
        parcel = attrs.evolve(
            shipment, shipment_id=f"{number}-S1", tracking_number=parcel_number(n)
        )
        shop.store.add(attrs.evolve(template, number=number, shipments=(parcel,)))
    return shop


def _events(shop: FakeShop, rng: random.Random) -> list[CarrierEvent]:
    start = shop.clock.now()
    stream: list[CarrierEvent] = []
    n = 0
    while len(stream) < EVENTS:
        n += 1
        path = list(_PATH)
        if rng.random() < 0.15:
            path += [T.ABSENT, T.OUT_FOR_DELIVERY]
        path.append(T.DELIVERED)
        at = start + timedelta(minutes=rng.randrange(0, 600))
        for k, kind in enumerate(path):
            at += timedelta(minutes=rng.randrange(1, 600))
            stream.append(CarrierEvent("yamato", parcel_number(n), kind, at, f"{n}-{k}"))
    stream = sorted(stream[:EVENTS], key=lambda e: e.at)
    for i in rng.sample(range(EVENTS), EVENTS // 4):
        roll = rng.random()
        if roll < 1 / 3:
            stream[i] = stream[rng.randrange(max(i, 1))]  # reported again
        elif roll < 2 / 3 and i + 1 < EVENTS:
            stream[i], stream[i + 1] = stream[i + 1], stream[i]  # out of order
        else:
            late = stream[i]  # comes a few polls late
            stream.insert(min(EVENTS - 1, i + rng.randrange(BATCH, 5 * BATCH)), late)
            stream.pop(i)
    return stream


def carrier_events_per_s() -> tuple[float, str]:
    """Carrier events applied per second through ``desk.carrier_events`` (polls of 1,000)."""
    rng = random.Random(11)
    best = 0.0
    for _ in range(3):
        shop = _shop(EVENTS // 5)
        events = _events(shop, rng)
        gc.collect()
        started = time.perf_counter()
        for first in range(0, len(events), BATCH):
            report = shop.desk.carrier_events(events[first : first + BATCH])
            assert not report.retry and not report.unknown and not report.ahead, report
        best = max(best, len(events) / (time.perf_counter() - started))
    return round(best), "events/s"
