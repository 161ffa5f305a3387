"""Each contract module imports on its own, as an adapter's test module imports it."""

import subprocess
import sys

import pytest

MODULES = [
    "orderflow.testing.contracts",
    "orderflow.testing.payment_contracts",
    "orderflow.testing.points_contracts",
    "orderflow.testing.inventory_contracts",
    "orderflow.testing.store_contracts",
    "orderflow.testing.purchasing_contracts",
]


@pytest.mark.parametrize("module", MODULES)
def test_a_contract_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """``from orderflow.testing.payment_contracts import …`` was a circular import on its own."""
    run = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
