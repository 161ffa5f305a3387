"""Errors a newcomer meets first name the argument they passed and say what to pass instead."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from orderflow import Money, OrderDesk, ShopSettings
from orderflow.adapters import Yamato
from orderflow.errors import InvalidValue, MoveNotAllowed, OrderNotFound
from orderflow.testing import FakeAccounting, FakeInventory, FakeNotifier, FakeWarehouse, FixedClock
from tests.builders import place, shop


@pytest.mark.parametrize("batch", [0, -1, 10_001, 1.5, True, "100"])
def test_resume_pending_names_batch_not_the_stores_limit(batch: Any) -> None:
    s = shop()
    with pytest.raises(InvalidValue) as caught:
        s.desk.resume_pending(batch=batch)
    assert caught.value.field == "batch"
    assert str(caught.value).startswith("batch: expected a whole number from 1 to 10000")


def test_resume_pending_takes_a_batch_in_range() -> None:
    s = shop()
    place(s)
    assert s.desk.resume_pending(batch=1) == []  # nothing pending: nothing finished
    assert s.desk.resume_pending(batch=10_000) == []


def _desk(warehouses: dict[str, FakeWarehouse], settings: ShopSettings | None = None) -> OrderDesk:
    return OrderDesk(
        store=shop().store,
        inventory=FakeInventory(),
        warehouses=warehouses,
        carriers={"yamato": Yamato()},
        accounting=FakeAccounting(),
        notifier=FakeNotifier(),
        clock=FixedClock(),
        settings=settings,
    )


def test_warehouse_ports_not_matching_the_settings_say_which_and_where_they_are_named() -> None:
    with pytest.raises(InvalidValue) as caught:
        _desk({"OSAKA": FakeWarehouse("OSAKA")})
    text = str(caught.value)
    assert caught.value.field == "warehouses"
    assert "ShopSettings.warehouses ['TOKYO']" in text  # where TOKYO comes from (the default)
    assert "missing: TOKYO" in text
    assert "got 'OSAKA'" in text  # the codes given, not "<list of 1>"
    assert "settings=ShopSettings(warehouses=" in text  # how to name others
    desk = _desk({"OSAKA": FakeWarehouse("OSAKA")}, ShopSettings(warehouses=("OSAKA",)))
    assert desk.settings.warehouses == ("OSAKA",)


def test_no_warehouse_port_at_all_is_told_as_none() -> None:
    with pytest.raises(InvalidValue, match=r"got 'none'"):
        _desk({})


def test_money_built_from_an_int_points_to_money_yen() -> None:
    with pytest.raises(InvalidValue) as caught:
        Money(100, "JPY")  # type: ignore[arg-type]
    assert caught.value.field == "amount"
    assert "Money.yen(1980)" in str(caught.value)
    assert Money.yen(100) == Money(Decimal(100), "JPY")


def test_a_payment_method_given_as_text_lists_the_methods() -> None:
    s = shop()
    with pytest.raises(InvalidValue) as caught:
        place(s, payment_method="cod")
    assert caught.value.field == "payment_method"
    assert "PaymentMethod.CARD, COD, BANK_TRANSFER" in str(caught.value)
    with pytest.raises(OrderNotFound):  # nothing was stored
        s.desk.get("1001")


def test_a_move_refused_on_a_held_order_names_the_open_holds() -> None:
    s = shop(settings=ShopSettings())  # auto-advance: a held order stops in 未引当
    place(s)
    s.desk.raise_hold("1001", "remark", "ラッピング指定", actor="operator")
    s.desk.accept("1001")
    with pytest.raises(MoveNotAllowed) as caught:
        s.desk.instruct_shipping("1001")
    assert caught.value.holds == ("remark",)
    assert "open holds: remark" in str(caught.value) and "clear_hold" in str(caught.value)
    s.desk.clear_hold("1001", "remark")  # the hold was the reason: it goes on by itself
    assert s.desk.instruct_shipping("1001").status.name == "SHIPPING_INSTRUCTED"


def test_the_desk_tells_its_time() -> None:
    s = shop()
    assert s.desk.now() == s.clock.now() == s.desk.executor.now()
    s.clock.advance(timedelta(hours=1))
    assert s.desk.now() == s.clock.now()


def test_a_carrier_missing_for_the_settings_names_the_codes_given_and_where_it_is_named() -> None:
    with pytest.raises(InvalidValue) as caught:
        _desk({"TOKYO": FakeWarehouse("TOKYO")}, ShopSettings(carrier="sagawa"))
    text = str(caught.value)
    assert caught.value.field == "carriers"
    assert "got 'yamato'" in text  # the codes given, not "<list of 1>"
    assert "ShopSettings.carrier" in text and "carriers={" in text  # where each is named


def test_a_payment_method_without_its_port_names_the_desk_keyword_it_needs() -> None:
    desk = _desk({"TOKYO": FakeWarehouse("TOKYO")})  # no gateway=: cards cannot be taken
    s = shop()
    s.desk = desk
    with pytest.raises(InvalidValue) as caught:
        place(s)
    assert caught.value.field == "payment_method"
    assert "OrderDesk(gateway=...)" in str(caught.value)
    with pytest.raises(OrderNotFound):  # nothing was stored
        desk.get("1001")


@pytest.mark.parametrize("given", [["TOKYO"], "TOKYO", ()])
def test_warehouses_not_given_as_a_tuple_show_the_tuple_to_write(given: Any) -> None:
    """A list, or ``("TOKYO")`` without its comma (a text), is refused showing the form."""
    with pytest.raises(InvalidValue) as caught:
        ShopSettings(warehouses=given)
    assert caught.value.field == "warehouses"
    assert "warehouses=('TOKYO',)" in str(caught.value)
