"""The largest values orderflow takes, and the checks that refuse the rest.

Every number of units, days, every moment and every span a shop gives orderflow is checked
against these bounds before anything changes, and refused with
:class:`~orderflow.errors.InvalidValue` naming the argument: stock counts then always fit a
64-bit database integer (SQLite ``INTEGER``, PostgreSQL ``bigint``), and a date worked out from
a moment (a deadline, a lease, a cut-off) never falls off Python's calendar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from orderflow.errors import InvalidValue

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_DAYS",
    "MAX_SPAN",
    "MAX_UNITS",
    "check_date",
    "check_days",
    "check_moment",
    "check_span",
    "check_units",
    "from_one_to",
]

MAX_UNITS = 1_000_000_000
"""The most units one quantity may be: an order line (a set line's units of each component
too), a receipt (入荷), a stock adjustment, a reservation, a purchase order's line. 10^9 units a
movement keep every stock count far inside a 64-bit integer."""

MAX_DAYS = 3650
"""The most days a setting counts (ten years): konbini deadlines, re-authorization, points."""

MAX_SPAN = timedelta(days=MAX_DAYS)
"""The longest span a sweep or a work list takes (a lease, "not shipped after")."""

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""The earliest moment a command or sweep takes (``now``, ``since``, ``paid_at``, a cut-off)."""

LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""The moment every moment given must come before: ten years of days on top still fit."""


def from_one_to(limit: int, unit: str, of: str = "") -> str:
    """What a refusal expects of a whole number from 1 to ``limit`` of ``unit`` (its singular).

    ``exactly 1 unit`` when one value is left, ``no unit: none is left`` when none is, else
    ``a whole number of units from 1 to 5`` (never "1 to 1" nor "1 to 0"); ``of`` follows the
    unit (``of line L2``). Every refusal of a count whose limit depends on the order (units
    left to return or cancel, points left to take back) words it here; the caller adds why.
    """
    what = f"{unit} {of}" if of else unit
    if limit < 1:
        return f"no {what}: none is left"
    if limit == 1:
        return f"exactly 1 {what}"
    plural = f"{unit}s {of}" if of else f"{unit}s"
    return f"a whole number of {plural} from 1 to {limit:,}"


def check_units(value: object, field: str, *, minimum: int = 1) -> int:
    """A whole number of units from ``minimum`` to :data:`MAX_UNITS` (a bool is no number)."""
    if type(value) is not int or not minimum <= value <= MAX_UNITS:
        raise InvalidValue(field, value, f"a whole number of units from {minimum} to {MAX_UNITS:,}")
    return value


def check_days(value: object, field: str, *, minimum: int = 1) -> int:
    """A whole number of days from ``minimum`` to :data:`MAX_DAYS`."""
    if type(value) is not int or not minimum <= value <= MAX_DAYS:
        raise InvalidValue(field, value, f"a whole number of days from {minimum} to {MAX_DAYS}")
    return value


def check_moment(value: object, field: str) -> datetime:
    """An aware datetime from :data:`EARLIEST` to before :data:`LATEST`."""
    if not isinstance(value, datetime):
        raise InvalidValue(field, value, _MOMENT)
    try:
        aware = value.utcoffset() is not None
    except (ValueError, TypeError, OverflowError):  # a tzinfo that answers nonsense
        aware = False
    if not aware or not EARLIEST <= value < LATEST:
        raise InvalidValue(field, value, _MOMENT)
    return value


_MOMENT = f"an aware datetime from {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d} (UTC)"
"""What :func:`check_moment` expects (written once: it checks the clock on hot paths)."""


def check_date(value: object, field: str) -> date:
    """A date (not a datetime) from :data:`EARLIEST`'s day to before :data:`LATEST`'s."""
    if type(value) is not date or not EARLIEST.date() <= value < LATEST.date():
        raise InvalidValue(
            field,
            value,
            f"a date (datetime.date) from {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d}",
        )
    return value


def check_span(value: object, field: str, *, positive: bool = False) -> timedelta:
    """A timedelta of 0 (above 0 when ``positive``) up to :data:`MAX_SPAN`."""
    low = "above 0" if positive else "of 0 or more"
    if (
        not isinstance(value, timedelta)
        or value < timedelta(0)
        or (positive and not value)
        or value > MAX_SPAN
    ):
        raise InvalidValue(field, value, f"a timedelta {low}, at most {MAX_DAYS} days")
    return value
