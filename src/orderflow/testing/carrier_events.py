"""A fake carrier tracking feed (:class:`FakeCarrierEvents`) and the feed's contract suite.

The fake answers ``poll(since)`` with the events recorded at or after ``since``, in the order
they were recorded (not the carrier's time order); it may be told to answer some of them twice
(``repeat``) or to fail the next poll, as real feeds do.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from orderflow.domain.tracking import CarrierEvent
from orderflow.errors import InvalidValue, ProviderError, ProviderTimeout
from orderflow.ports import CarrierEvents
from orderflow.testing.fakes import Fault

__all__ = ["CarrierEventsContract", "FakeCarrierEvents"]


class FakeCarrierEvents:
    """One carrier's tracking feed in memory: ``record`` events, the desk polls them."""

    def __init__(self, events: list[CarrierEvent] | None = None) -> None:
        self._lock = threading.Lock()
        self.events: list[CarrierEvent] = list(events or [])
        self.repeat = False
        """Answer every event twice (a feed that pages with overlaps)."""
        self.polls: list[datetime] = []
        self._faults: list[Fault] = []

    def record(self, *events: CarrierEvent) -> None:
        """The carrier records ``events`` (they are polled from now on)."""
        for index, event in enumerate(events):
            if not isinstance(event, CarrierEvent):
                raise InvalidValue(f"events[{index}]", event, "a CarrierEvent")
        with self._lock:
            self.events.extend(events)

    def fail_next(self, fault: Fault) -> None:
        """The next poll times out (``TIMEOUT_BEFORE``/``TIMEOUT_AFTER``) or fails (``DECLINE``)."""
        with self._lock:
            self._faults.append(fault)

    def poll(self, since: datetime) -> list[CarrierEvent]:
        """The events the carrier recorded at or after ``since`` (by the carrier's time)."""
        if not isinstance(since, datetime) or since.utcoffset() is None:
            raise InvalidValue("since", since, "an aware datetime")
        with self._lock:
            self.polls.append(since)
            fault = self._faults.pop(0) if self._faults else None
            found = [e for e in self.events if e.at >= since]
        if fault in (Fault.TIMEOUT_BEFORE, Fault.TIMEOUT_AFTER):
            raise ProviderTimeout("carrier feed: no answer")
        if fault is not None:
            raise ProviderError("carrier feed: refused on purpose")
        return found * 2 if self.repeat else found


class CarrierEventsContract:
    """What every :class:`~orderflow.ports.CarrierEvents` feed must do.

    ``make_feed`` returns a feed holding at least two events at or after :attr:`since` (at
    different times); the suite only reads it.
    """

    since = datetime(2026, 11, 22, tzinfo=UTC)
    """The time the suite polls from."""

    def make_feed(self) -> CarrierEvents:
        """A feed with at least two events at or after ``since``."""
        raise NotImplementedError

    def test_it_is_a_feed_of_carrier_events(self) -> None:
        """The feed is a CarrierEvents port and answers CarrierEvent values."""
        feed = self.make_feed()
        assert isinstance(feed, CarrierEvents)
        events = feed.poll(self.since)
        assert len(events) >= 2
        assert all(isinstance(e, CarrierEvent) for e in events)

    def test_only_events_since_and_the_same_when_asked_again(self) -> None:
        """Nothing older than ``since``; asking again gives at least the same events."""
        feed = self.make_feed()
        first = feed.poll(self.since)
        assert all(e.at >= self.since for e in first)
        again = {e.event_id for e in feed.poll(self.since)}
        assert {e.event_id for e in first} <= again

    def test_a_later_since_gives_fewer(self) -> None:
        """A later ``since`` narrows the answer; far in the future, nothing."""
        feed = self.make_feed()
        events = feed.poll(self.since)
        newest = max(e.at for e in events)
        later = feed.poll(newest)
        assert {e.event_id for e in later} <= {e.event_id for e in events}
        assert all(e.at >= newest for e in later)
        # at or after: the events of that very time are answered again
        assert {e.event_id for e in events if e.at == newest} <= {e.event_id for e in later}
        assert feed.poll(newest + timedelta(days=3650)) == []
