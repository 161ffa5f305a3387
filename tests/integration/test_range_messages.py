"""A refused count says what would be taken, naturally, when only one value (or none) is left.

``request_return`` with more units than a line has left said ``lines[L2]: expected a whole
number of units, 1 to 1``, and ``1 to 0`` once everything was returned; a partial cancel of a
one-unit line said ``1 to 1 units`` and a clawback with nothing left ``from 1 to 0``. The
wording is built once (:func:`orderflow.domain.bounds.from_one_to`) for every such refusal.
"""

import pytest

from orderflow import GrantAt, PointsGrant, ShopSettings
from orderflow.domain.bounds import from_one_to
from orderflow.domain.returns import ReturnReason
from orderflow.errors import InvalidValue
from tests.builders import shop, to_allocated, to_booked


def test_the_range_reads_naturally_for_one_none_and_many() -> None:
    assert from_one_to(1, "unit") == "exactly 1 unit"
    assert from_one_to(0, "unit") == "no unit: none is left"
    assert from_one_to(-3, "point") == "no point: none is left"
    assert from_one_to(2, "unit") == "a whole number of units from 1 to 2"
    assert from_one_to(2, "unit", "of line L2") == "a whole number of units of line L2 from 1 to 2"
    assert from_one_to(1, "unit", "of line L2") == "exactly 1 unit of line L2"
    assert from_one_to(12_500, "point") == "a whole number of points from 1 to 12,500"


def test_a_return_of_too_many_units_says_how_many_are_left_and_why() -> None:
    s = shop()
    to_booked(s)
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as one_left:
        s.desk.request_return("1001", {"L2": 2}, ReturnReason.DEFECTIVE)
    assert one_left.value.field == "lines[L2]"
    message = str(one_left.value)
    assert "1 to 1" not in message
    assert "exactly 1 unit of line L2 (1 shipped, 0 already in a return)" in message
    assert s.desk.get("1001") == before
    with pytest.raises(InvalidValue, match=r"from 1 to 2 \(2 shipped, 0 already in a return\)"):
        s.desk.request_return("1001", {"L1": 3}, ReturnReason.DEFECTIVE)
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE)
    with pytest.raises(InvalidValue) as none_left:
        s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE)
    message = str(none_left.value)
    assert "1 to 0" not in message
    assert "no unit of line L2: none is left (1 shipped, 1 already in a return)" in message


def test_a_partial_cancel_of_a_one_unit_line_says_exactly_one() -> None:
    s = shop()
    to_allocated(s)
    with pytest.raises(InvalidValue) as refused:
        s.desk.cancel("1001", reason="客都合", lines={"L2": 2})
    assert refused.value.field == "lines['L2']"
    assert "expected exactly 1 unit of line L2" in str(refused.value)
    assert "1 to 1" not in str(refused.value)


def test_a_clawback_with_nothing_left_says_so() -> None:
    # Points granted at booking (a shop that grants none has none to take back at all).
    s = shop(settings=ShopSettings(auto_advance=False, points_grant=PointsGrant(GrantAt.BOOKING)))
    to_booked(s)
    assert s.desk.get("1001").points_granted > 0
    s.desk.claw_back_points("1001", reason="不正")  # all of them
    with pytest.raises(InvalidValue) as refused:
        s.desk.claw_back_points("1001", 1, reason="不正")
    assert refused.value.field == "points"
    assert "1 to 0" not in str(refused.value)
    assert "no point to take back: none is left" in str(refused.value)
