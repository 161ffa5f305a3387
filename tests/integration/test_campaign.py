"""The fault campaign as a test: 1,000 random flows with faults and crashes, zero broken laws.

And 300 more with the orders and the stock in a SQLite file (``SQLiteStore`` and
``SQLiteInventory``). ``make campaign`` runs 20,000 and 2,000 (see
:mod:`tests.integration.campaign`). The seeds are fixed, so a
failure names the seed that reproduces it: ``python -m tests.integration.campaign --seed S
--flows 1``.
"""

from pathlib import Path
from typing import Any

import pytest

from tests.integration.campaign import campaign, run_flow
from tests.integration.campaign_world import Flow, new_flow

CHUNK = 250


@pytest.mark.parametrize("first", range(0, 1000, CHUNK))
def test_random_flows_with_faults_and_crashes_break_no_law(first: int) -> None:
    broken = campaign(CHUNK, first)
    shown = {seed: found[:3] for seed, found in list(broken.items())[:3]}
    assert not broken, f"{len(broken)} flows broke a law, e.g. {shown}"


def test_the_campaign_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """The laws are checked against the fakes: a leak planted behind the desk's back is found."""

    def leaky(seed: int) -> Flow:
        flow = new_flow(seed)
        flow.shop.inventory.put("TOKYO", "TEA-1", 1)
        flow.shop.inventory.reserved[("TOKYO", "TEA-1")] = 1  # stock reserved for no order
        return flow

    monkeypatch.setattr("tests.integration.campaign.new_flow", leaky)
    assert any("reserved" in text for text in run_flow(3))


@pytest.mark.parametrize("first", range(0, 300, 100))
def test_random_flows_on_a_sqlite_file_break_no_law(first: int) -> None:
    broken = campaign(100, 50_000 + first, backend="sqlite")
    shown = {seed: found[:3] for seed, found in list(broken.items())[:3]}
    assert not broken, f"{len(broken)} flows broke a law, e.g. {shown}"


def test_the_campaign_on_sqlite_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit reserved in the file behind the desk's back is found by the laws."""

    def leaky(seed: int, folder: Path | None = None) -> Flow:
        flow = new_flow(seed, folder)
        inventory: Any = flow.shop.inventory  # the FaultyInventory over the file
        inventory.put("TOKYO", "TEA-1", 1)
        inventory.inner.reserve(key="leak:1", warehouse="TOKYO", sku="TEA-1", quantity=1)
        return flow

    monkeypatch.setattr("tests.integration.campaign.new_flow", leaky)
    assert any("reserved" in text for text in run_flow(3, backend="sqlite"))
