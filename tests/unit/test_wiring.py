"""The desk refuses a port that lacks its protocol's members when it is built (errors.md).

A store passed as the inventory, or None for the notifier, failed at the first command with
Python's ``AttributeError``: not an orderflow error, and far from the mistake.
"""

from pathlib import Path
from typing import Any

import pytest

from orderflow import OrderDesk
from orderflow.adapters import Yamato
from orderflow.errors import InvalidValue
from orderflow.stores import SQLiteStore
from orderflow.testing import (
    FakeAccounting,
    FakeInventory,
    FakeNotifier,
    FakePaymentGateway,
    FakeWarehouse,
    FixedClock,
    InMemoryOrderStore,
)


def _wiring(**changes: Any) -> dict[str, Any]:
    ports: dict[str, Any] = {
        "store": InMemoryOrderStore(),
        "inventory": FakeInventory(),
        "warehouses": {"TOKYO": FakeWarehouse("TOKYO")},
        "carriers": {"yamato": Yamato()},
        "accounting": FakeAccounting(),
        "notifier": FakeNotifier(),
        "clock": FixedClock(),
        "gateway": FakePaymentGateway(),
    }
    ports.update(changes)
    return ports


def test_the_fakes_wire_without_complaint() -> None:
    assert OrderDesk(**_wiring()).ports.inventory is not None


def test_a_store_passed_as_the_inventory_is_refused_naming_what_it_lacks(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "shop.sqlite3")
    with pytest.raises(InvalidValue) as caught:
        OrderDesk(**_wiring(inventory=store))
    assert caught.value.field == "inventory"
    assert "Inventory" in str(caught.value) and "reserve" in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("notifier", None, "notifier"),
        ("clock", "2026-11-22", "clock"),
        ("gateway", FakeNotifier(), "gateway"),
        ("carriers", {"yamato": FakeWarehouse("TOKYO")}, "carriers['yamato']"),
        ("warehouses", {"TOKYO": Yamato()}, "warehouses['TOKYO']"),
        ("suppliers", ["ACME"], "suppliers"),
    ],
)
def test_a_port_without_its_members_is_refused(field: str, value: object, named: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        OrderDesk(**_wiring(**{field: value}))
    assert caught.value.field == named


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("store", SQLiteStore, "store"),
        ("inventory", FakeInventory, "inventory"),
        ("notifier", FakeNotifier, "notifier"),
        ("clock", FixedClock, "clock"),
        ("warehouses", {"TOKYO": FakeWarehouse}, "warehouses['TOKYO']"),
    ],
)
def test_a_ports_class_given_for_the_port_itself_is_refused(
    field: str, value: object, named: str
) -> None:
    """``store=SQLiteStore`` (not instantiated) has every member, as functions: it was taken
    and the first command failed with Python's TypeError (missing argument 'self')."""
    with pytest.raises(InvalidValue) as caught:
        OrderDesk(**_wiring(**{field: value}))
    assert caught.value.field == named
    assert "an instance" in str(caught.value) and "not the class" in str(caught.value)
