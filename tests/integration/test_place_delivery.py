"""お届け日時指定 at checkout: place takes the delivery date and time slot the customer chose.

A cart offers the date and slot at checkout; place had no way to take them, so every such order
needed a change right after it was placed (a second save, a second notice).
"""

from datetime import date, datetime, timedelta

import pytest

from orderflow import OrderChange
from orderflow.errors import DuplicateOrder, InvalidValue
from tests.builders import T0, place, shop

TODAY = T0.date()  # 2026-11-22, 09:00 in Tokyo


def test_the_date_and_slot_are_on_the_order_and_its_confirmation() -> None:
    s = shop()
    order = place(s, delivery_date=date(2026, 11, 25), delivery_slot="19-21")
    assert (order.delivery_date, order.delivery_slot) == (date(2026, 11, 25), "19-21")
    [confirmation] = [n for n in s.notifier.sent if n.kind == "order_confirmation"]
    assert "お届け希望日時: 2026年11月25日 19〜21時" in confirmation.text


def test_the_same_order_placed_again_is_found_and_another_date_is_another_order() -> None:
    s = shop()
    first = place(s, delivery_date=date(2026, 11, 25), delivery_slot="午前中")
    assert place(s, delivery_date=date(2026, 11, 25), delivery_slot="午前中") == first
    with pytest.raises(DuplicateOrder):
        place(s, delivery_date=date(2026, 11, 26), delivery_slot="午前中")
    with pytest.raises(DuplicateOrder):
        place(s)  # without the date the customer asked for: not the order placed


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"delivery_date": TODAY - timedelta(days=1)}, "delivery_date"),
        ({"delivery_date": TODAY + timedelta(days=3651)}, "delivery_date"),
        ({"delivery_date": datetime(2026, 11, 25, 9, 0)}, "delivery_date"),
        ({"delivery_date": "2026-11-25"}, "delivery_date"),
        ({"delivery_slot": "夜"}, "delivery_slot"),
        ({"delivery_slot": ["19-21"]}, "delivery_slot"),
    ],
)
def test_a_bad_delivery_is_refused_naming_it_and_nothing_is_stored(
    kwargs: dict[str, object], field: str
) -> None:
    s = shop()
    with pytest.raises(InvalidValue) as caught:
        place(s, "1001", None, **kwargs)
    assert caught.value.field == field
    assert s.store.orders == {} and s.gateway.calls == []


def test_a_change_takes_the_same_bounds() -> None:
    s = shop()
    place(s, delivery_date=TODAY)  # today is fine
    with pytest.raises(InvalidValue) as caught:
        s.desk.change("1001", OrderChange(delivery_date=TODAY + timedelta(days=3651)))
    assert caught.value.field == "delivery_date"
