"""``python -m orderflow queues`` on a shop's own file (lists read as of now); ``--version``."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import orderflow
from orderflow import Order, OrderDesk
from orderflow.cli import ExitCode, main
from orderflow.errors import OutcomeUnknown
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import Fault, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import STOCK, address, customer, lines


def counts(out: str) -> dict[str, int]:
    """The lines ``queues`` printed, as name → count."""
    return {name: int(count) for name, count in (line.split() for line in out.splitlines())}


def test_queues_counts_the_stuck_and_late_orders_of_a_shop_running_on_the_wall_clock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A shop's orders carry the wall clock's times, not the fakes' fixed moment (2026-11-22).

    ``queues`` read the lists as of that fixed moment: an order pending since this morning was
    never stuck, nor one instructed two days ago late, however long ago that was.
    """
    db = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(db)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units, reason="入荷")
    shop = fake_shop()
    desk = desk_on(shop, store=SQLiteStore(db), inventory=inventory)
    shop.clock.advance(datetime.now(UTC) - timedelta(days=2) - shop.clock.now())
    place_on(desk, "2001")
    desk.accept("2001")
    desk.instruct_shipping("2001")  # two days ago, and not shipped since
    shop.clock.advance(timedelta(days=2) - timedelta(minutes=1))  # now, give or take a minute
    shop.gateway.fail_next("authorize", Fault.TIMEOUT_BEFORE)
    with pytest.raises(OutcomeUnknown):
        place_on(desk, "2002")  # its authorization pending since a minute ago
    capsys.readouterr()

    assert main(["queues", "--db", str(db), "--stuck-minutes", "0"]) == ExitCode.OK
    listed = counts(capsys.readouterr().out)
    assert (listed["stuck"], listed["not_shipped"]) == (1, 1)
    assert main(["queues", "--db", str(db)]) == ExitCode.OK  # stuck after 15 minutes: not yet
    listed = counts(capsys.readouterr().out)
    assert (listed["stuck"], listed["not_shipped"]) == (0, 1)


def place_on(desk: OrderDesk, number: str) -> Order:
    """A card order of the builders' lines, placed on ``desk``."""
    return desk.place(
        number=number, customer=customer(), ship_to=address(), lines=lines(), token="tok_ok"
    )


def test_version_prints_the_installed_orderflow_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"orderflow {orderflow.__version__}"
