"""``resume_pending(older_than=…)``: a sweep beside web workers leaves the orders just saved.

A command saves its effects and performs them at once. A sweep that took the same order in that
moment asked the providers the same keys at the same time, and a real provider answers such a
twin request "in progress", which the command reports as ``OutcomeUnknown``. With a grace the
sweep takes only what a crash or a time-out left behind.
"""

from datetime import timedelta
from pathlib import Path

import pytest

from orderflow import Money, OrderDesk
from orderflow.__main__ import main
from orderflow.errors import InvalidValue, OutcomeUnknown
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import FakeShop, Fault
from orderflow.testing.shop import desk_on
from tests.builders import STOCK, TRACKING, address, customer, lines, shop, to_allocated

GRACE = timedelta(minutes=1)


def _capture_left_pending(s: FakeShop, desk: OrderDesk) -> None:
    """1001 shipped, its capture timed out after the gateway did the work (left pending)."""
    desk.instruct_shipping("1001")
    s.gateway.fail_next("capture", Fault.TIMEOUT_AFTER)
    with pytest.raises(OutcomeUnknown):
        desk.ship("1001", "1001-S1", TRACKING)
    assert desk.get("1001").outbox


def _sqlite_desk(s: FakeShop, tmp_path: Path) -> OrderDesk:
    file = tmp_path / "shop.sqlite3"
    stock = SQLiteInventory(file)
    for (warehouse, sku), units in STOCK.items():
        stock.receive(warehouse, sku, units, reason="入荷")
    return desk_on(s, store=SQLiteStore(file), inventory=stock)


@pytest.mark.parametrize("backend", ["fakes", "sqlite"])
def test_a_sweep_with_a_grace_leaves_a_young_order_and_takes_it_once_it_is_old(
    backend: str, tmp_path: Path
) -> None:
    s = shop()
    desk = s.desk if backend == "fakes" else _sqlite_desk(s, tmp_path)
    to_allocated_on(desk)
    _capture_left_pending(s, desk)
    tried: list[str] = []

    assert desk.resume_pending(older_than=GRACE, each=tried.append) == []
    assert desk.get("1001").outbox  # left for its command (it may still be at it)
    assert s.gateway.calls_to("capture") and len(s.gateway.calls_to("capture")) == 1

    s.clock.advance(timedelta(seconds=59))
    assert desk.resume_pending(older_than=GRACE) == []
    s.clock.advance(timedelta(seconds=1))
    [finished] = desk.resume_pending(older_than=GRACE)
    assert finished.number == "1001" and not finished.outbox
    assert [m for m, _ in s.gateway.work_done].count("capture") == 1
    assert tried == ["1001"]  # each still counts the order it looked at


def to_allocated_on(desk: OrderDesk) -> None:
    """1001 placed, accepted and allocated through ``desk``."""
    desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=lines(),
        token="tok_ok",
        shipping_fee=Money.yen(880),
    )
    desk.accept("1001")
    desk.allocate("1001")


def test_a_skipped_order_is_not_left_claimed_by_the_sweep(tmp_path: Path) -> None:
    s = shop()
    desk = _sqlite_desk(s, tmp_path)
    to_allocated_on(desk)
    _capture_left_pending(s, desk)
    assert desk.resume_pending(older_than=GRACE) == []
    other = desk_on(s, store=SQLiteStore(tmp_path / "shop.sqlite3"))  # another worker, no grace
    assert [o.number for o in other.resume_pending()] == ["1001"]


@pytest.mark.parametrize("span", [timedelta(seconds=-1), None, 60, timedelta(days=4000)])
def test_older_than_refuses_anything_but_a_span_of_0_or_more(span: object) -> None:
    s = shop()
    to_allocated(s)
    with pytest.raises(InvalidValue) as caught:
        s.desk.resume_pending(older_than=span)  # type: ignore[arg-type]
    assert caught.value.field == "older_than"


def test_the_cli_resume_takes_older_than_in_seconds(tmp_path: Path) -> None:
    db = str(tmp_path / "shop.sqlite3")
    SQLiteStore(db).close()
    assert main(["resume", "--fakes", "--db", db, "--older-than", "60"]) == 0
    with pytest.raises(SystemExit) as negative:
        main(["resume", "--fakes", "--db", db, "--older-than", "-1"])
    assert negative.value.code == 2
