"""Commands that call providers name whose: the shop's desk (``--desk``) or the fakes."""

import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderflow import PaymentMethod
from orderflow.cli import ExitCode, main
from orderflow.stores import SQLiteStore
from tests.test_cli_commands import bank_orders, db  # noqa: F401 (the fixture)

PROVIDER_COMMANDS = [["resume"], ["sweep"]]

FACTORY = """
from orderflow.testing import fake_shop
from orderflow.testing.shop import desk_on

made = []


def desk(*, store, inventory):
    shop = fake_shop()
    made.append(shop)
    return desk_on(shop, store=store, inventory=inventory)


def not_a_desk(*, store, inventory):
    return "a desk"


def broken(*, store, inventory):
    raise KeyError("api_key")
"""


@pytest.fixture
def shop_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A shop's module ``myshop_desk`` in the working directory, as cron would run it."""
    (tmp_path / "myshop_desk.py").write_text(textwrap.dedent(FACTORY), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERFLOW_DESK", raising=False)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", os.getcwd())])
    yield "myshop_desk"
    sys.modules.pop("myshop_desk", None)


@pytest.mark.parametrize("command", PROVIDER_COMMANDS, ids=lambda c: c[0])
def test_a_command_that_calls_providers_without_naming_them_is_refused(
    db: str,  # noqa: F811
    command: list[str],
    shop_module: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bank_orders(db, 1)
    before = SQLiteStore(db).get("1001")

    assert main([*command, "--db", db]) == ExitCode.USAGE

    err = capsys.readouterr().err
    assert "--desk MODULE:FUNCTION" in err and "--fakes" in err
    assert SQLiteStore(db).get("1001") == before


def test_resume_runs_on_the_shops_own_desk(
    db: str,  # noqa: F811
    shop_module: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bank_orders(db, 2)
    assert main(["resume", "--db", db, "--desk", f"{shop_module}:desk"]) == ExitCode.OK
    assert capsys.readouterr().out.split() == ["finished", "0", "pending", "0"]
    made = sys.modules[shop_module].made
    assert len(made) == 1  # the shop's factory made the desk the command ran on


def test_the_environment_names_the_desk_for_cron(
    db: str,  # noqa: F811
    shop_module: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bank_orders(db, 1)
    monkeypatch.setenv("ORDERFLOW_DESK", f"{shop_module}:desk")
    assert main(["sweep", "--db", db]) == ExitCode.OK
    assert len(sys.modules[shop_module].made) == 1


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("myshop_desk", "expected MODULE:FUNCTION"),
        ("no_such_module:desk", "cannot load it (ModuleNotFoundError"),
        ("myshop_desk:nothing", "cannot load it (AttributeError"),
        ("myshop_desk:not_a_desk", "expected an OrderDesk, it returned 'a desk'"),
        ("myshop_desk:broken", "it failed (KeyError: 'api_key')"),
        ("myshop_desk:made", "expected a function"),
    ],
)
def test_a_desk_that_cannot_be_made_is_configuration(
    db: str,  # noqa: F811
    shop_module: str,
    spec: str,
    said: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bank_orders(db, 1)
    assert main(["resume", "--db", db, "--desk", spec]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"orderflow resume: --desk {spec}") and said in err


def test_now_is_for_the_fakes_clock_only(
    db: str,  # noqa: F811
    shop_module: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["sweep", "--db", db, "--desk", f"{shop_module}:desk", "--now", "2027-01-15T09:00+09:00"]
    assert main(argv) == ExitCode.USAGE
    assert "--now moves the fakes' clock" in capsys.readouterr().err


def test_desk_and_fakes_together_are_a_usage_error(
    db: str,  # noqa: F811
    shop_module: str,
) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["resume", "--db", db, "--fakes", "--desk", f"{shop_module}:desk"])
    assert usage.value.code == ExitCode.USAGE


def test_transfer_commands_name_their_providers_too(
    db: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from tests.test_cli_commands import transfer_file

    (due,) = bank_orders(db, 1)
    path = transfer_file(tmp_path / "t.txt", [("1000001", [due])])
    before = SQLiteStore(db).get("1001")
    assert main(["import-transfers", path, "--db", db]) == ExitCode.USAGE
    assert "--fakes" in capsys.readouterr().err
    assert SQLiteStore(db).get("1001") == before
    assert main(["import-transfers", path, "--db", db, "--fakes"]) == ExitCode.OK
    paid = SQLiteStore(db).get("1001")
    assert paid.payment.method is PaymentMethod.BANK_TRANSFER
    assert paid.payment.received.amount == due
