"""The entries a booked order posted, made again from the order (what ``export-journal`` writes).

The store keeps orders, not entries: an export makes them again. It must give the very entries
accounting received: the sale dated as it was booked (not moved by a delivery time a carrier
reports afterwards), and the 売上戻り of returns and 売上値引 of goodwill refunds after it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from orderflow import Disposition, JournalEntry, Money, ReturnReason
from orderflow.cli import booked_entries
from orderflow.domain.journal import posted_entries
from orderflow.domain.tracking import CarrierEvent, TrackingStatus
from orderflow.errors import InvalidValue
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import FakeShop
from orderflow.testing.shop import desk_on
from tests.builders import STOCK, TRACKING, place, shop

JST = timezone(timedelta(hours=9))


def _booked_then_reported_earlier(s: FakeShop) -> None:
    """Delivered by hand on 30 Nov and booked; the carrier then says it arrived on 22 Nov."""
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.clock.advance(datetime(2026, 11, 30, 10, 0, tzinfo=JST) - s.clock.now())
    s.desk.deliver("1001", "1001-S1")
    s.desk.book("1001")
    reported = datetime(2026, 11, 22, 15, 0, tzinfo=JST)
    event = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, reported, "ev-1")
    s.desk.carrier_events([event])


def _made_again(s: FakeShop) -> list[JournalEntry]:
    settings = s.desk.settings
    order = s.desk.get("1001")
    zone = ZoneInfo(settings.zone)
    return posted_entries(order, settings.tax, settings.accounts, settings.recognition, zone)


def test_the_sale_is_made_again_with_the_date_it_was_booked_under() -> None:
    s = shop()
    _booked_then_reported_earlier(s)
    [(_, sale)] = s.accounting.entries
    assert sale.date.isoformat() == "2026-11-30"  # booked before the carrier's word came
    assert _made_again(s) == [sale]


def test_returns_and_goodwill_refunds_are_made_again_after_the_sale() -> None:
    s = shop()
    _booked_then_reported_earlier(s)
    s.clock.advance(timedelta(days=2))
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE)
    s.desk.receive_return("1001", "R1", [Disposition("L2", 1, "TOKYO")])
    s.clock.advance(timedelta(days=3))
    s.desk.refund("1001", Money.yen(500), reason="お詫び")
    posted = [e for _, e in s.accounting.entries]
    assert [e.reference for e in posted] == ["1001", "1001/R1", "1001/G1"]
    assert _made_again(s) == posted


def test_nothing_is_made_for_an_order_not_booked() -> None:
    s = shop()
    place(s)
    assert _made_again(s) == []


def test_the_export_of_a_sqlite_file_holds_every_entry_posted(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    store, inventory = SQLiteStore(path), SQLiteInventory(path)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    s = shop()
    on_file = attrs.evolve(s, desk=desk_on(s, store=store, inventory=inventory))
    _booked_then_reported_earlier(on_file)
    on_file.desk.refund("1001", Money.yen(300), reason="お詫び")
    exported = booked_entries(on_file.desk)
    assert exported == [e for _, e in on_file.accounting.entries]
    store.close()
    inventory.close()


def test_the_entries_of_a_range_alone_are_kept() -> None:
    # a month's export of a grown shop kept every entry the shop ever posted in memory (tens of
    # MB at 20,000 booked orders, growing for ever) and dropped all but the month's at the end
    s = shop()
    _booked_then_reported_earlier(s)
    s.clock.advance(timedelta(days=2))  # 2 Dec
    s.desk.refund("1001", Money.yen(500), reason="お詫び")
    sale, goodwill = [e for _, e in s.accounting.entries]
    november = booked_entries(s.desk, since=date(2026, 11, 1), until=date(2026, 11, 30))
    december = booked_entries(s.desk, since=date(2026, 12, 1), until=date(2026, 12, 31))
    assert (november, december) == ([sale], [goodwill])
    assert booked_entries(s.desk, since=date(2026, 12, 1)) == [goodwill]  # no end: all after
    assert booked_entries(s.desk) == [sale, goodwill]
    for field, day in (("since", datetime(2026, 11, 1, tzinfo=JST)), ("until", "2026-11-30")):
        with pytest.raises(InvalidValue, match=field):
            booked_entries(s.desk, **{field: day})  # type: ignore[arg-type]
