"""Commands that call providers name whose: the shop's desk (``--desk``) or the fakes."""

import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderflow import PaymentMethod
from orderflow.cli import ExitCode, main
from orderflow.errors import OutcomeUnknown
from orderflow.stores import SQLiteStore
from orderflow.testing import Fault
from orderflow.zengin import read_transfer_notice
from tests.builders import place
from tests.test_cli_commands import (  # noqa: F401 (the fixture)
    bank_orders,
    db,
    shop_on,
    transfer_file,
)

PROVIDER_COMMANDS = [["resume"], ["sweep"]]

FACTORY = """
from orderflow.testing import fake_shop
from orderflow.testing.shop import desk_on

made = []


def desk(*, store, inventory):
    shop = fake_shop()
    made.append(shop)
    return desk_on(shop, store=store, inventory=inventory)


def dollars(*, store, inventory):
    from orderflow import Money, ShippingFeeTable, ShopSettings

    fees = ShippingFeeTable(Money.of("8.80", "USD"))
    settings = ShopSettings(currency="USD", shipping_fees=fees)
    return desk_on(fake_shop(settings=settings), store=store, inventory=inventory)


def not_a_desk(*, store, inventory):
    return "a desk"


def broken(*, store, inventory):
    raise KeyError("api_key")


def leaky(*, store, inventory):
    raise RuntimeError("no seed customer: 山田 taro@example.jp 090-1234-5678")
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


def test_a_desk_that_fails_with_personal_data_in_its_message_shows_it_masked(
    db: str,  # noqa: F811
    shop_module: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The factory's text may hold anything: its e-mails and phone numbers are masked."""
    bank_orders(db, 1)
    assert main(["resume", "--db", db, "--desk", f"{shop_module}:leaky"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"orderflow resume: --desk {shop_module}:leaky: it failed")
    assert "taro@" not in err and "1234-5678" not in err, err


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


def test_a_module_in_the_working_directory_never_shadows_an_installed_one(
    db: str,  # noqa: F811
    shop_module: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    installed = tmp_path / "site" / "myshop"
    installed.mkdir(parents=True)
    (installed / "__init__.py").write_text("", encoding="utf-8")
    (installed / "desks.py").write_text(textwrap.dedent(FACTORY), encoding="utf-8")
    planted = tmp_path / "myshop"  # the working directory
    planted.mkdir()
    (planted / "__init__.py").write_text("", encoding="utf-8")
    (planted / "desks.py").write_text("raise SystemExit('planted')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    bank_orders(db, 1)
    try:
        assert main(["resume", "--db", db, "--desk", "myshop.desks:desk"]) == ExitCode.OK
        assert len(sys.modules["myshop.desks"].made) == 1
    finally:
        sys.modules.pop("myshop.desks", None)
        sys.modules.pop("myshop", None)


FEEDS = """
from orderflow.testing import fake_shop
from orderflow.testing.shop import desk_on


class Feed:
    def __init__(self, error):
        self.error = error

    def poll(self, since):
        raise self.error


def down(*, store, inventory):
    desk = desk_on(fake_shop(), store=store, inventory=inventory)
    desk.executor.ports.carrier_feeds = {"yamato": Feed(ConnectionError("feed down"))}
    return desk


def broken(*, store, inventory):
    desk = desk_on(fake_shop(), store=store, inventory=inventory)
    desk.executor.ports.carrier_feeds = {"yamato": Feed(ValueError("bad json 090-1234-5678"))}
    return desk
"""


@pytest.mark.parametrize(
    ("factory", "code", "said"),
    [
        ("down", ExitCode.UNAVAILABLE, "carrier feed 'yamato' failed (ConnectionError)"),
        ("broken", ExitCode.UNAVAILABLE, "carrier feed 'yamato' failed (ValueError)"),
    ],
)
def test_a_shops_feed_that_fails_is_a_provider_down_told_on_one_line(
    db: str,  # noqa: F811
    shop_module: str,
    tmp_path: Path,
    factory: str,
    code: ExitCode,
    said: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "feeds_desk.py").write_text(textwrap.dedent(FEEDS), encoding="utf-8")
    bank_orders(db, 1)
    try:
        assert main(["sweep", "--db", db, "--desk", f"feeds_desk:{factory}"]) == code
    finally:
        sys.modules.pop("feeds_desk", None)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err
    assert "Traceback" not in err and "090-1234-5678" not in err


def test_an_unexpected_error_is_one_line_without_its_text(
    db: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import orderflow.cli

    def fails(*_: object) -> ExitCode:
        raise ValueError("taro@example.jp 090-1234-5678")

    monkeypatch.setitem(orderflow.cli._RUNNERS, "resume", fails)
    monkeypatch.delenv("ORDERFLOW_TRACEBACK", raising=False)
    assert main(["resume", "--db", db, "--fakes"]) == ExitCode.WORK_LEFT
    err = capsys.readouterr().err
    assert err.startswith("orderflow resume: unexpected ValueError") and err.count("\n") == 1
    assert "090-1234-5678" not in err and "taro" not in err


def test_what_a_sweep_leaves_pending_is_told_on_stderr(
    db: str,  # noqa: F811
    shop_module: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    crashing = (
        FACTORY
        + """

def crashing_gateway(*, store, inventory):
    shop = fake_shop()

    def capture(**kwargs):
        raise KeyError("api_key")

    shop.gateway.capture = capture
    return desk_on(shop, store=store, inventory=inventory)
"""
    )
    (tmp_path / "crash_desk.py").write_text(textwrap.dedent(crashing), encoding="utf-8")
    with shop_on(db) as shop:  # an order whose capture is pending
        place(shop, "1001")
        shop.desk.accept("1001")
        shop.desk.allocate("1001")
        shop.desk.instruct_shipping("1001")
        shop.gateway.fail_next("capture", Fault.TIMEOUT_BEFORE)
        with pytest.raises(OutcomeUnknown):
            shop.desk.ship("1001", "1001-S1", "123456789013")
    try:
        code = main(["resume", "--db", db, "--desk", "crash_desk:crashing_gateway"])
    finally:
        sys.modules.pop("crash_desk", None)
    assert code == ExitCode.WORK_LEFT
    err = capsys.readouterr().err
    assert "orderflow resume: warning: order 1001 left pending: EffectInterrupted" in err
    assert "(KeyError)" in err and "api_key" not in err


def test_an_adapter_info_names_a_port_and_the_table_is_read_only() -> None:
    from orderflow.adapters import DESK_ARGUMENTS, AdapterInfo
    from orderflow.errors import InvalidValue

    with pytest.raises(InvalidValue) as bad:
        AdapterInfo("x", "nope", print, "", "", "")
    assert bad.value.field == "port"
    with pytest.raises(TypeError):
        DESK_ARGUMENTS["payment"] = ("amazon_pay", False)  # type: ignore[index]


@pytest.mark.parametrize("command", [["import-transfers"], ["apply-deposit"]], ids=str)
def test_a_dollar_shops_desk_refuses_a_zengin_file(
    db: str,  # noqa: F811
    command: list[str],
    shop_module: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A 全銀 file is in yen: on the desk of a shop in dollars its transfers were all reported
    unmatched (exit 1, an operator sent to find orders that cannot exist). Refused, exit 2."""
    SQLiteStore(db)  # the shop's database, with no order yet
    path = transfer_file(tmp_path / "notice.txt", [("1000001", [1000])])
    deposit = read_transfer_notice(Path(path).read_bytes()).deposits()[0]
    extra = [deposit.reference, "1001"] if command == ["apply-deposit"] else []
    args = [*command, path, *extra, "--db", db, "--desk", f"{shop_module}:dollars"]
    assert main(args) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "USD" in err and "yen" in err
