"""orderflow benchmarks: one JSON object per line, {"metric", "value", "unit"}.

Run with ``make bench``. Each figure is the best of several rounds on one core, so that a busy
machine reports its quiet moments rather than its noise.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenarios import (
    SCENARIOS,
)


def emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit}), flush=True)


def best_of(rounds: int, fn: Callable[[], float]) -> float:
    results = []
    for _ in range(rounds):
        gc.collect()
        results.append(fn())
    return min(results)


def main(argv: list[str]) -> None:
    wanted = set(argv[1:])
    for name, scenario in SCENARIOS.items():
        if wanted and name not in wanted:
            continue
        value, unit = scenario()
        emit(name, value, unit)


if __name__ == "__main__":
    main(sys.argv)
