"""Values built by hand (an Order, a QueueQuery) with a wrong field: InvalidValue naming it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import Order, Queue, QueueQuery
from orderflow.errors import InvalidValue, OrderflowError
from orderflow.testing.store_contracts import sample_orders

_SAMPLE = next(o for o in sample_orders() if o.number == "S-7")  # booked, refunded: full
_FIELDS = [f.name for f in attrs.fields(Order)]

_GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=3),
    st.tuples(st.text(max_size=2)),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just(object()),
)


def _fields(**changes: Any) -> dict[str, Any]:
    fields = {name: getattr(_SAMPLE, name) for name in _FIELDS}
    fields.update(changes)
    return fields


def test_the_sample_is_built_again_as_it_is() -> None:
    assert Order(**_fields()) == _SAMPLE


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lines", None),
        ("lines", 5),
        ("lines", "L1"),
        ("payment", None),
        ("customer", None),
        ("ship_to", "東京都"),
        ("placed_at", "2026-11-22"),
        ("status", "allocated"),
        ("holds", None),
        ("history", [None]),
        ("version", "1"),
        ("points_taken", True),
        ("outbox", (Decimal(1),)),
    ],
)
def test_a_wrong_type_is_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        Order(**_fields(**{field: value}))
    assert refused.value.field.split("[")[0] == field


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_FIELDS), _GARBAGE)
def test_garbage_in_any_field_raises_only_orderflows_errors(field: str, value: object) -> None:
    try:
        order = Order(**_fields(**{field: value}))
    except InvalidValue as refused:
        assert refused.field.split("[")[0].split(".")[0] in (field, "discount", "points_used")
    except OrderflowError:
        pass
    else:  # taken as it is: it is of the field's type
        assert getattr(order, field) == value or field == "lines"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"queue": None}, "queue"),
        ({"queue": "held"}, "queue"),
        ({"queue": Queue.STATUS}, "status"),
        ({"queue": Queue.STATUS, "status": "allocated"}, "status"),
        ({"queue": Queue.NOT_SHIPPED}, "before"),
        ({"queue": Queue.STUCK, "before": "x"}, "before"),
        ({"queue": Queue.POINTS_DUE, "before": datetime(2026, 1, 1)}, "before"),  # naive
        ({"queue": Queue.READY_TO_INSTRUCT, "before": datetime(2026, 1, 1)}, "before"),
        ({"queue": Queue.HELD, "hold_code": 5}, "hold_code"),
        ({"queue": Queue.AWAITING_PAYMENT, "method": "card"}, "method"),
    ],
)
def test_a_queue_query_built_by_hand_wrong_is_refused_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        QueueQuery(**changes)
    assert refused.value.field == field
