"""``python -m orderflow`` (or ``orderflow``): every command lives in :mod:`orderflow.cli`."""

from __future__ import annotations

import sys

from orderflow.cli import main, print_queues
from orderflow.demo import run_demo

__all__ = ["main", "print_queues", "run_demo"]

if __name__ == "__main__":
    sys.exit(main())
