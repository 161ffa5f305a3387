"""The Carrier port's contract suite, run against the adapter; and its registration.

Run with ``pytest`` in this folder. orderflow's own test suite runs this file too
(``tests/test_adapter_template.py`` in orderflow's repository).
"""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

from orderflow_example_carrier import ExampleCarrier

from orderflow.adapters import ENTRY_POINT_GROUP, describe
from orderflow.ports import Carrier
from orderflow.testing.contracts import CarrierContract

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


class TestExampleCarrier(CarrierContract):
    """Every test of the contract suite, on this adapter."""

    def make_carrier(self) -> Carrier:
        return ExampleCarrier()

    def valid_numbers(self) -> list[str]:
        return ["1234567891", "1234-567-891", "1234 567 891", "0000000070"]

    def invalid_numbers(self) -> list[str]:
        return ["1234567892", "123456789", "12345678910", "12345678a1", "-1234567891", ""]


def test_the_adapter_is_a_carrier() -> None:
    assert isinstance(ExampleCarrier(), Carrier)  # the port is a runtime-checkable Protocol
    assert ExampleCarrier().normalize("１２３４－５６７－８９１") == "1234567891"  # full-width


def test_the_entry_point_declares_it() -> None:
    """What pyproject.toml registers is what orderflow's registry accepts, installed or not."""
    declared = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    entries = declared["project"]["entry-points"][ENTRY_POINT_GROUP]
    [(name, value)] = entries.items()
    info = describe(EntryPoint(name, value, ENTRY_POINT_GROUP))
    assert (info.name, info.port, info.factory) == ("example", "carrier", ExampleCarrier)
