"""orderflow benchmarks: one JSON object per line, {"metric", "value", "unit"}.

Run with ``make bench`` (all) or ``python bench/run.py NAME …`` (some). Each figure is the best
of several rounds on one core, so that a busy machine reports its quiet moments, not its noise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenarios import SCENARIOS


def main(argv: list[str]) -> None:
    wanted = set(argv[1:])
    unknown = wanted - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {sorted(unknown)}; known: {sorted(SCENARIOS)}")
    for name, scenario in SCENARIOS.items():
        if wanted and name not in wanted:
            continue
        value, unit = scenario()
        print(json.dumps({"metric": name, "value": value, "unit": unit}), flush=True)


if __name__ == "__main__":
    main(sys.argv)
