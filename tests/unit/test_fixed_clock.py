"""FixedClock.set and fake_shop(clock=...): a test on the wall clock sets the shop's time.

Before, FixedClock could only ``advance``, and ``fake_shop`` made its own clock: a suite running
on today's date wrote ``clock.advance(now - clock.now())`` by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from orderflow import PaymentMethod
from orderflow.errors import InvalidValue
from orderflow.testing import FixedClock, fake_shop
from tests.builders import STOCK, place

JST = timezone(timedelta(hours=9))
START = datetime(2026, 11, 22, tzinfo=UTC)


def test_set_moves_the_clock_to_a_moment_kept_in_utc() -> None:
    clock = FixedClock(START)
    assert clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=JST)) == datetime(2026, 12, 1, tzinfo=UTC)
    assert clock.now() == datetime(2026, 12, 1, tzinfo=UTC)
    assert clock.now().utcoffset() == timedelta(0) and clock.now().tzinfo is UTC
    assert clock.set(clock.now()) == datetime(2026, 12, 1, tzinfo=UTC)  # the same moment: fine


@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 12, 1),  # naive: which zone?
        START - timedelta(seconds=1),  # back in time
        "2026-12-01T00:00:00+00:00",
        START.date(),
        None,
    ],
)
def test_set_refuses_what_is_not_a_later_aware_moment(when: object) -> None:
    clock = FixedClock(START)
    with pytest.raises(InvalidValue) as raised:
        clock.set(when)  # type: ignore[arg-type]
    assert raised.value.field == "when"
    assert clock.now() == START


@pytest.mark.parametrize("delta", [timedelta(seconds=-1), 60, None])
def test_advance_refuses_going_back_or_what_is_not_a_timedelta(delta: object) -> None:
    clock = FixedClock(START)
    with pytest.raises(InvalidValue) as raised:
        clock.advance(delta)  # type: ignore[arg-type]
    assert raised.value.field == "delta" and clock.now() == START


def test_fake_shop_runs_on_the_clock_given() -> None:
    wall = datetime.now(UTC).replace(microsecond=0)
    clock = FixedClock(wall)
    shop = fake_shop(dict(STOCK), clock=clock)
    assert shop.clock is clock
    order = place(shop)
    assert order.placed_at == wall
    clock.set(wall + timedelta(days=1))
    konbini = place(shop, "1002", payment_method=PaymentMethod.KONBINI)
    assert konbini.placed_at == wall + timedelta(days=1)
    assert shop.gateway.now() == clock.now()  # the gateway dates authorizations by it too


def test_fake_shop_refuses_a_clock_that_is_not_a_fixed_clock() -> None:
    with pytest.raises(InvalidValue) as raised:
        fake_shop(clock=datetime.now(UTC))  # type: ignore[arg-type]
    assert raised.value.field == "clock"


def test_the_clock_starts_at_a_moment_in_any_zone_kept_in_utc() -> None:
    """A shop in Japan starts its test clock at 09:00 JST; it was refused for not being UTC."""
    clock = FixedClock(datetime(2026, 11, 22, 9, 0, tzinfo=JST))
    assert clock.now() == datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


@pytest.mark.parametrize(
    "start", [datetime(2026, 12, 1), "2026-12-01T00:00:00+00:00", START.date(), 0]
)
def test_the_clock_refuses_to_start_at_what_is_not_an_aware_moment(start: object) -> None:
    with pytest.raises(InvalidValue) as raised:  # a text or a date raised AttributeError
        FixedClock(start)  # type: ignore[arg-type]
    assert raised.value.field == "start"
