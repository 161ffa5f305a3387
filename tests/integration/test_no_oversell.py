"""No oversell across processes: 8 processes x 500 buyers race for the last 100 units of one SKU.

Each buyer is one ``reserve`` of one unit under its own key; each process opens its own
inventory. Exactly 100 buyers get a unit, 3,900 get 0, and the stock ends with 100 reserved, on
SQLite (one file) and on PostgreSQL (the throw-away server of tests/postgres.py). Each run
prints one line of figures (seconds, reserves per second, latency), also kept as the test's
``record_property`` values.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

PROCESSES = 8
BUYERS = 500
UNITS = 100


def _open(kind: str, target: str) -> Any:
    if kind == "sqlite":
        from orderflow.stores import SQLiteInventory

        return SQLiteInventory(target, busy_timeout=60)
    from orderflow.stores import PostgresInventory

    return PostgresInventory(target)


def _buyers(kind: str, target: str, process: int, start: Barrier, results: Any) -> None:
    """One process: open its own inventory, wait for the others, then serve its buyers."""
    try:
        with _open(kind, target) as inventory:
            inventory.available("W1", "SKU-HOT")  # connected before the race starts
            start.wait()
            began = time.monotonic()
            answers: list[int] = []
            latencies: list[float] = []
            for buyer in range(BUYERS):
                asked = time.perf_counter()
                answers.append(
                    inventory.reserve(
                        key=f"{process:02d}{buyer:04d}:1",
                        warehouse="W1",
                        sku="SKU-HOT",
                        quantity=1,
                    )
                )
                latencies.append(time.perf_counter() - asked)
            results.put((process, began, time.monotonic(), answers, latencies, None))
    except BaseException as error:  # reported to the test
        results.put((process, 0.0, 0.0, [], [], repr(error)))


def _race(kind: str, target: str) -> dict[str, float]:
    if "fork" in multiprocessing.get_all_start_methods():
        context: Any = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=_buyers, args=(kind, target, n, start, results))
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    errors = [report[5] for report in reports if report[5]]
    assert not errors, errors
    answers = [answer for report in reports for answer in report[3]]
    latencies = sorted(latency for report in reports for latency in report[4])
    assert len(answers) == PROCESSES * BUYERS
    assert answers.count(1) == UNITS
    assert answers.count(0) == PROCESSES * BUYERS - UNITS
    seconds = max(report[2] for report in reports) - min(report[1] for report in reports)
    return {
        "seconds": seconds,
        "reserves_per_second": len(answers) / seconds,
        "median_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def _report(
    kind: str,
    figures: dict[str, float],
    record_property: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in figures.items():
        record_property(name, round(value, 3))
    with capsys.disabled():
        print(
            f"\nno oversell, {kind}: {PROCESSES} processes x {BUYERS} buyers for {UNITS} units: "
            f"{figures['seconds']:.2f} s, {figures['reserves_per_second']:.0f} reserves/s, "
            f"latency median {figures['median_ms']:.2f} ms, p99 {figures['p99_ms']:.1f} ms"
        )


def test_no_oversell_across_processes_on_sqlite(
    tmp_path: Path, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "inventory.db")
    with _open("sqlite", path) as inventory:
        inventory.receive("W1", "SKU-HOT", UNITS, reason="the last units")
    figures = _race("sqlite", path)
    with _open("sqlite", path) as inventory:
        assert inventory.stock("W1", "SKU-HOT").reserved == UNITS
        assert inventory.available("W1", "SKU-HOT") == 0
        movements = inventory.movements(sku="SKU-HOT")
    assert len(movements) == 1 + PROCESSES * BUYERS
    assert sum(m.done for m in movements[1:]) == UNITS
    _report("SQLite", figures, record_property, capsys)


def test_no_oversell_across_processes_on_postgres(
    fresh_postgres_db: str, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    with _open("postgres", fresh_postgres_db) as inventory:
        inventory.receive("W1", "SKU-HOT", UNITS, reason="the last units")
    figures = _race("postgres", fresh_postgres_db)
    with _open("postgres", fresh_postgres_db) as inventory:
        assert inventory.stock("W1", "SKU-HOT").reserved == UNITS
        assert inventory.available("W1", "SKU-HOT") == 0
        movements = inventory.movements(sku="SKU-HOT")
    assert len(movements) == 1 + PROCESSES * BUYERS
    assert sum(m.done for m in movements[1:]) == UNITS
    _report("PostgreSQL", figures, record_property, capsys)
