"""The shop's parts: a desk on a SQLite file with the providers faked, and its scheduled work."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs

from orderflow import OrderDesk, ShopSettings
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing.shop import FakeShop, desk_on, fake_shop

WAREHOUSES = ("TOKYO", "OSAKA")
POLL = timedelta(hours=24)
"""How far back the sweeps poll the carriers' feeds (``sweep --poll-hours``' default)."""


@attrs.define
class Shop:
    """One running shop: the desk, the file it keeps orders and stock in, the faked world."""

    desk: OrderDesk
    store: SQLiteStore
    inventory: SQLiteInventory
    world: FakeShop
    """The providers (fakes): a test or a demo can look at them or make them fail."""
    wall_clock: bool = True
    """Follow the wall clock (each request moves the fakes' clock to now); False in tests."""
    _ticking: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def tick(self) -> None:
        """Move the providers' clock to the wall clock's time (never back)."""
        if not self.wall_clock:
            return
        with self._ticking:  # two requests at once move it once
            late = datetime.now(UTC) - self.world.clock.now()
            if late.total_seconds() > 0:
                self.world.clock.advance(late)

    def close(self) -> None:
        """Close the file's connections."""
        self.store.close()
        self.inventory.close()


def open_shop(db: str | Path, *, wall_clock: bool = True) -> Shop:
    """A shop on the SQLite file ``db`` (made when missing), every provider a bundled fake."""
    world = fake_shop(settings=ShopSettings(warehouses=WAREHOUSES))
    store, inventory = SQLiteStore(db), SQLiteInventory(db)
    desk = desk_on(world, store=store, inventory=inventory)
    world.desk = desk
    shop = Shop(desk, store, inventory, world, wall_clock)
    shop.tick()
    return shop


def run_sweeps(desk: OrderDesk, poll: timedelta = POLL) -> dict[str, int]:
    """The scheduled work of ``python -m orderflow sweep`` and ``resume``, with what each did.

    The same sweeps, in the same order, as ``python -m orderflow sweep`` (its list is not
    public, so it is mirrored here; ``tests/test_reference_shop.py`` checks the two agree):
    再オーソリ of card authorizations about to expire, cancelling konbini orders past their
    deadline, asking about the 後払い claims under review, granting the points due, allocating
    orders waiting for stock booked outside the desk, receiving the carriers' events of the last
    ``poll`` (repeats count once), holding parcels left 持戻り too long; then, as ``resume``,
    finishing every order's pending effects. ``pending`` is what is still pending after that.
    """
    since = (desk.now() - poll).astimezone(UTC)
    counts = {
        "reauthorize_expiring": len(desk.reauthorize_expiring()),
        "expire_unpaid": len(desk.expire_unpaid()),
        "refresh_postpay_reviews": len(desk.refresh_postpay_reviews()),
        "grant_points_due": len(desk.grant_points_due()),
        "fill_backorders": len(desk.fill_backorders()),
        "poll_carrier_events": desk.poll_carrier_events(since).applied,
        "sweep_absent": len(desk.sweep_absent()),
        "resume_pending": len(desk.resume_pending()),
    }
    counts["pending"] = len(desk.executor.pending())
    return counts
