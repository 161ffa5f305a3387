"""着荷基準: a sale is dated the day its parcel arrived, by the carrier's word when it gave it."""

from datetime import datetime, timedelta, timezone

from orderflow.domain.tracking import CarrierEvent, TrackingStatus
from orderflow.testing import FakeShop
from tests.builders import TRACKING, place, shop

JST = timezone(timedelta(hours=9))


def _shipped_then_polled(s: FakeShop) -> None:
    """Order 1001 shipped; the carrier delivered it at 23:00 on 30 Nov, polled at 03:00 on 1 Dec."""
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.clock.advance(datetime(2026, 12, 1, 3, 0, tzinfo=JST) - s.clock.now())
    delivered = datetime(2026, 11, 30, 23, 0, tzinfo=JST)
    event = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, delivered, "ev-1")
    assert s.desk.carrier_events([event]).applied == 1


def test_a_delivery_polled_after_midnight_is_booked_the_day_it_arrived() -> None:
    # it was booked on 1 Dec: in December's books, for a parcel that arrived in November
    s = shop()
    _shipped_then_polled(s)
    s.desk.book("1001")
    [(_, sale)] = s.accounting.entries
    assert sale.date.isoformat() == "2026-11-30"


def test_a_delivery_a_person_took_back_and_gave_again_is_dated_by_the_person() -> None:
    s = shop()
    _shipped_then_polled(s)
    s.desk.undo_delivery("1001", "1001-S1", reason="お客様から未着の連絡")
    s.clock.advance(timedelta(days=1))
    s.desk.deliver("1001", "1001-S1")  # 2 Dec, 03:00 in Japan
    s.desk.book("1001")
    [(_, sale)] = s.accounting.entries
    assert sale.date.isoformat() == "2026-12-02"
