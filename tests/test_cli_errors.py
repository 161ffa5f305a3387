"""``python -m orderflow`` when something is wrong: one masked line on stderr and the right code."""

import argparse
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

import orderflow.cli
from orderflow.cli import ExitCode, describe_db, main, run
from orderflow.errors import (
    InvalidValue,
    MoveNotAllowed,
    OrderflowError,
    ProviderError,
    StoreError,
)
from orderflow.stores import SQLiteInventory, SQLiteStore
from tests.test_cli_commands import SHIPPER, transfer_file

Raiser = Callable[[argparse.Namespace, Callable[[str], None]], ExitCode]


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An empty shop: the tables of the store and the stock in a SQLite file."""
    path = str(tmp_path / "shop.sqlite3")
    SQLiteStore(path).close()
    SQLiteInventory(path).close()
    return path


def one_line(err: str, command: str) -> str:
    """The one line ``err`` holds, checked to be ``orderflow <command>: …``."""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"orderflow {command}: "), err
    assert "Traceback" not in err
    return err


def _fakes(command: str) -> list[str]:
    """``--fakes`` for the commands that call providers (they name whose, or are refused)."""
    return ["--fakes"] if command in ("resume", "sweep") else []


# -- PostgreSQL URLs: the password never printed ---------------------------------------------


@pytest.mark.parametrize(
    ("command", "url", "password"),
    [
        ("queues", "postgresql://shop:secretpw@[bad/shop", "secretpw"),
        ("resume", "postgresql://shop:secret%pw@localhost/shop", "secret%pw"),
        ("sweep", "postgresql://shop:hunter2@localhost/shop?bogus=1", "hunter2"),
    ],
    ids=["ipv6", "percent", "parameter"],
)
def test_a_malformed_url_exits_2_and_never_shows_its_password(
    command: str, url: str, password: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # configuration: do not retry
    assert main([command, *_fakes(command), "--db", url]) == ExitCode.USAGE
    err = one_line(capsys.readouterr().err, command)
    assert err.startswith(f"orderflow {command}: --db: not a PostgreSQL URL libpq reads:")
    assert password not in err
    assert password[:6] not in err


def test_a_refused_connection_exits_3_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://shop:s3cr3t@127.0.0.1:1/shop?connect_timeout=2"
    assert main(["queues", "--db", url]) == ExitCode.UNAVAILABLE  # down: run again later
    err = one_line(capsys.readouterr().err, "queues")
    assert "the database failed:" in err
    assert "Connection refused" in err
    assert "s3cr3t" not in err


def test_the_password_is_scrubbed_in_every_form_a_message_holds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://shop:p%40ss%2Fw0rd@db.example/shop"

    def fails(args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
        raise StoreError(f"as given {url}\n\tdecoded p@ss/w0rd, encoded p%40ss%2Fw0rd")

    monkeypatch.setitem(orderflow.cli._RUNNERS, "queues", fails)
    assert run(argparse.Namespace(command="queues", db=url)) == ExitCode.UNAVAILABLE
    err = one_line(capsys.readouterr().err, "queues")
    assert "w0rd" not in err
    assert "postgresql://shop:***@db.example/shop" in err


def test_describe_db_masks_a_url_libpq_refuses_and_a_password_parameter() -> None:
    assert describe_db("postgresql://shop:secretpw@[bad/shop") == "postgresql://shop:***@[bad/shop"
    assert describe_db("postgres://shop@db/shop?password=pw&sslmode=require") == (
        "postgres://shop@db/shop?password=***&sslmode=require"
    )
    assert describe_db("postgresql://shop:p@ss@db/shop") == "postgresql://shop:***@db/shop"
    assert describe_db("postgresql://shop:@db/shop") == "postgresql://shop:@db/shop"  # none


# -- configuration exits 2, not 3 -------------------------------------------------------------


def test_a_file_that_is_not_sqlite_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    assert main(["queues", "--db", str(text)]) == ExitCode.USAGE
    assert "is not a SQLite file" in one_line(capsys.readouterr().err, "queues")
    assert text.read_text() == "not a database\n"


def test_a_damaged_sqlite_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    assert main(["resume", "--fakes", "--db", str(damaged)]) == ExitCode.USAGE
    assert one_line(capsys.readouterr().err, "resume").startswith("orderflow resume: --db: ")


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ("not json", "document: expected a JSON document in UTF-8"),
        ('{"x": 1}', "schema: expected the document's schema version"),
    ],
)
def test_a_stored_order_that_cannot_be_read_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: str, says: str
) -> None:
    db = str(tmp_path / "shop.sqlite3")
    assert main(["demo", "--db", db]) == ExitCode.OK
    capsys.readouterr()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE orders SET document = ? WHERE number = '1002'", (document,))
    conn.close()
    out = str(tmp_path / "yayoi.csv")
    command = ["export-journal", "--db", db, "--from", "2026-01-01", "--to", "2026-12-31"]
    assert main([*command, "--format", "yayoi", "--out", out]) == ExitCode.USAGE
    err = one_line(capsys.readouterr().err, "export-journal")
    assert says in err and "stored document of order '1002'" in err, err


def test_demo_in_a_missing_folder_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "shop.sqlite3"
    assert main(["demo", "--db", str(target)]) == ExitCode.USAGE
    assert "no folder" in one_line(capsys.readouterr().err, "demo")
    assert not target.parent.exists()


# -- output files and arguments: one line, exit 2 ---------------------------------------------


def test_export_journal_to_a_missing_folder_exits_2(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "missing" / "x.csv")
    args = ["export-journal", "--db", db, "--from", "2026-11-01", "--to", "2026-11-30"]
    assert main([*args, "--format", "yayoi", "--out", out]) == ExitCode.USAGE
    err = one_line(capsys.readouterr().err, "export-journal")
    assert f"--out {out}: No such file or directory" in err


def test_labels_to_a_missing_folder_exits_2(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipper = tmp_path / "shipper.toml"
    shipper.write_text(SHIPPER, encoding="utf-8")
    out = str(tmp_path / "missing" / "b2.csv")
    args = ["labels", "--carrier", "yamato", "--db", db, "--shipper", str(shipper)]
    assert main([*args, "--out", out]) == ExitCode.USAGE
    assert f"--out {out}: " in one_line(capsys.readouterr().err, "labels")


@pytest.mark.parametrize("command", ["export-journal", "labels"])
def test_out_naming_the_db_file_is_refused_and_the_database_kept(
    db: str, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A swapped or mistyped ``--out`` would write the CSV over the shop's database."""
    shipper = tmp_path / "shipper.toml"
    shipper.write_text(SHIPPER, encoding="utf-8")
    if command == "labels":
        args = ["labels", "--carrier", "yamato", "--db", db, "--shipper", str(shipper)]
    else:
        args = ["export-journal", "--db", db, "--from", "2026-11-01", "--to", "2026-11-30"]
        args += ["--format", "yayoi"]
    before = Path(db).read_bytes()
    other_spelling = str(Path(db).parent / "." / Path(db).name)
    for out in (db, other_spelling):
        assert main([*args, "--out", out]) == ExitCode.USAGE
        err = one_line(capsys.readouterr().err, command)
        assert f"--out {out}: " in err and "the --db file" in err, err
        assert Path(db).read_bytes() == before


@pytest.mark.parametrize(
    ("command", "option", "value"),
    [
        ("queues", "--stuck-minutes", "-5"),
        ("queues", "--not-shipped-hours", "-1"),
        ("queues", "--stuck-minutes", "inf"),
        ("sweep", "--poll-hours", "-1"),
        ("sweep", "--poll-hours", "0"),
        ("sweep", "--poll-hours", "nan"),
        ("sweep", "--poll-hours", "1e12"),
        ("sweep", "--now", "0001-01-01T00:00+00:00"),
        # the year 9000 itself, and a time before it whose instant in UTC is not: refused as
        # --now, not by the sweeps as "by" (the bound is the instant's, 1970 to before 9000)
        ("sweep", "--now", "9000-06-01T00:00+00:00"),
        ("sweep", "--now", "8999-12-31T23:59:59-23:59"),
        # just past the desk's bound (MAX_SPAN, 3650 days): refused as the option, not as
        # queue_counts' not_shipped_after
        ("queues", "--not-shipped-hours", str(3651 * 24)),
        ("queues", "--stuck-minutes", str(3651 * 24 * 60)),
    ],
)
def test_a_length_of_time_out_of_range_is_a_usage_error(
    db: str, command: str, option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        main([command, "--db", db, option, value])
    assert usage.value.code == ExitCode.USAGE
    assert f"argument {option}: " in one_line(capsys.readouterr().err, command)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--from", "0001-01-01"), ("--from", "1900-01-01"), ("--to", "9999-12-31")],
)
def test_a_journal_day_off_the_calendar_is_the_option_s_usage_error(
    db: str, option: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was refused by the desk as ``since: expected an aware datetime …, got
    datetime.datetime(1, 1, 1, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Tokyo'))``."""
    days = {"--from": "2026-11-01", "--to": "2026-11-30", option: value}
    args = ["export-journal", "--db", db, "--format", "yayoi", "--out", str(tmp_path / "j.csv")]
    with pytest.raises(SystemExit) as usage:
        main([*args, "--from", days["--from"], "--to", days["--to"]])
    assert usage.value.code == ExitCode.USAGE
    assert f"argument {option}: " in one_line(capsys.readouterr().err, "export-journal")


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_label_day_off_the_calendar_is_the_option_s_usage_error(
    db: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """labels --shipped-on took any day (0001-01-01 written into the carrier's file)."""
    args = ["labels", "--db", db, "--carrier", "yamato", "--out", str(tmp_path / "b2.csv")]
    with pytest.raises(SystemExit) as usage:
        main([*args, "--shipped-on", value])
    assert usage.value.code == ExitCode.USAGE
    assert "argument --shipped-on: " in one_line(capsys.readouterr().err, "labels")


def test_zero_minutes_lists_every_order_with_effects_pending(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["queues", "--db", db, "--stuck-minutes", "0"]) == ExitCode.OK
    assert re.search(r"^stuck\s+0$", capsys.readouterr().out, re.MULTILINE)


# -- usage errors and --help -----------------------------------------------------------------


def test_usage_errors_read_orderflow_command(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, command in [
        (["labels"], "labels"),
        (["queues", "--db", "x", "--bogus"], "queues"),
        (["export-journal", "--db", "x", "--from", "2026-13-01"], "export-journal"),
    ]:
        with pytest.raises(SystemExit) as usage:
            main(argv)
        assert usage.value.code == ExitCode.USAGE
        err = one_line(capsys.readouterr().err, command)
        assert err.rstrip().endswith(f"(see: python -m orderflow {command} --help)")
    assert "unrecognized arguments: --bogus" not in capsys.readouterr().err  # told above


def test_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as shown:
        main(["--help"])
    assert shown.value.code == 0
    text = capsys.readouterr().out
    assert "``" not in text and ":class:" not in text
    assert "Exit codes: 0 done" in text
    assert "130 stopped by Ctrl-C" in text  # docs/cli.md's exit codes, all of them
    assert "141 standard output\nclosed by its reader" in text
    assert "pip install 'orderflow[" not in text  # PyPI's orderflow is another project


# -- the guard: no traceback, the code by what failed ------------------------------------------


def _sqlite_error(code: int) -> sqlite3.Error:
    error = sqlite3.OperationalError("as sqlite says it")
    error.sqlite_errorcode = code
    return error


def _store_error(cause: BaseException) -> StoreError:
    try:
        raise StoreError(f"PostgreSQL refused: {cause}") from cause
    except StoreError as failed:
        return failed


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidValue("stuck_after", -1, "0 or more"), ExitCode.USAGE),
        (FileNotFoundError(2, "No such file or directory", "/x"), ExitCode.USAGE),
        (PermissionError(13, "Permission denied", "/y"), ExitCode.USAGE),
        (_store_error(psycopg.ProgrammingError("bad URI")), ExitCode.USAGE),
        (_store_error(psycopg.OperationalError("refused")), ExitCode.UNAVAILABLE),
        (_store_error(_sqlite_error(26)), ExitCode.USAGE),  # SQLITE_NOTADB
        (_store_error(_sqlite_error(5)), ExitCode.UNAVAILABLE),  # SQLITE_BUSY
        (ProviderError("the gateway timed out"), ExitCode.UNAVAILABLE),
        (MoveNotAllowed("1001", "cancelled", "ship", ()), ExitCode.WORK_LEFT),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),  # Ctrl-C: one line, not 36
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_no_error_escapes_as_a_traceback(
    error: BaseException,
    code: ExitCode,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def fails(args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
        raise error

    monkeypatch.setitem(orderflow.cli._RUNNERS, "resume", fails)
    assert run(argparse.Namespace(command="resume", db="shop.sqlite3")) == code
    one_line(capsys.readouterr().err, "resume")


def test_an_e_mail_address_in_a_message_stays_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fails(args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
        raise StoreError("the row of taro.yamada@example.jp is locked")

    monkeypatch.setitem(orderflow.cli._RUNNERS, "resume", fails)
    url = "postgresql://shop:pw@db/shop"
    assert run(argparse.Namespace(command="resume", db=url)) == ExitCode.UNAVAILABLE
    err = one_line(capsys.readouterr().err, "resume")
    assert "taro.yamada@" not in err and "@example.jp" in err


# -- docs/cli.md -------------------------------------------------------------------------------


def test_the_cron_script_in_the_docs_runs_every_sweep_the_command_runs() -> None:
    page = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    script = page[page.index("def sweep(desk: OrderDesk)") :]
    script = script[: script.index("\ndef ")]
    for sweep in (
        "reauthorize_expiring",
        "expire_unpaid",
        "refresh_postpay_reviews",
        "grant_points_due",
        "fill_backorders",
        "sweep_absent",
    ):
        assert f"desk.{sweep}()" in script, sweep
    assert "desk.poll_carrier_events(" in script


@pytest.mark.parametrize(
    "db",
    [
        "host=localhost user=shop password=hunter2 dbname=shop",
        "POSTGRESQL://shop:hunter2@[bad/shop",
        " postgresql://shop:hunter2@[bad/shop",
        "mysql://shop:hunter2@localhost/shop",
    ],
)
def test_a_password_in_any_kind_of_db_never_shows(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["queues", "--db", db]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "hunter2" not in err and err.count("\n") == 1


def _foreign(path: Path, sql: str) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute(sql)
    conn.close()
    return str(path)


@pytest.mark.parametrize(
    ("command", "sql", "said"),
    [
        # another app's file, with tables of orderflow's names: refused before anything is made
        ("queues", "CREATE TABLE orders (id INTEGER)", "none of orderflow's"),
        ("resume", "CREATE TABLE stock (item TEXT)", "none of orderflow's"),
        ("queues", "PRAGMA user_version = 99", "newer than this orderflow"),
    ],
    ids=["orders", "stock", "newer"],
)
def test_a_file_whose_tables_are_not_orderflows_is_configuration_exit_2(
    tmp_path: Path, command: str, sql: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Running again cannot help (exit 3 would have cron retry for ever)."""
    db = _foreign(tmp_path / "other.db", sql)
    assert main([command, *_fakes(command), "--db", db]) == ExitCode.USAGE
    err = one_line(capsys.readouterr().err, command)
    assert said in err and err.startswith(f"orderflow {command}: --db: ")


def test_a_shipper_file_not_in_utf8_exits_2(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipper = tmp_path / "shipper.toml"
    shipper.write_bytes(SHIPPER.encode("cp932"))
    out = str(tmp_path / "b2.csv")
    args = ["labels", "--carrier", "yamato", "--db", db, "--shipper", str(shipper), "--out", out]
    assert main(args) == ExitCode.USAGE
    assert "not UTF-8 text" in one_line(capsys.readouterr().err, "labels")


def test_a_shipper_file_saved_with_a_bom_is_read(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Windows' メモ帳 saves UTF-8 with a BOM: the file is UTF-8 all the same."""
    shipper = tmp_path / "shipper.toml"
    shipper.write_bytes(SHIPPER.encode("utf-8-sig"))
    out = str(tmp_path / "b2.csv")
    args = ["labels", "--carrier", "yamato", "--db", db, "--shipper", str(shipper), "--out", out]
    assert main(args) == ExitCode.OK
    assert "0 labels" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["import-transfers", "apply-deposit"])
def test_a_transfer_file_in_utf8_or_a_folder_is_told_as_such(
    db: str, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bank's file is Shift_JIS: one re-saved as UTF-8 (an editor did it) is named so."""
    sjis = Path(transfer_file(tmp_path / "notice.txt", [("1000001", [5000])]))
    utf8 = tmp_path / "notice-utf8.txt"
    utf8.write_bytes(sjis.read_bytes().decode("cp932").encode("utf-8"))
    extra = ["2026", "1001"] if command == "apply-deposit" else []
    assert main([command, str(utf8), *extra, "--db", db, "--fakes"]) == ExitCode.USAGE
    err = one_line(capsys.readouterr().err, command)
    assert "line 1" in err and "UTF-8" in err and "Shift_JIS" in err, err
    folder = tmp_path / "bank"
    folder.mkdir()
    assert main([command, str(folder), *extra, "--db", db, "--fakes"]) == ExitCode.USAGE
    err = one_line(capsys.readouterr().err, command)
    assert "is a folder" in err and "no such file" not in err, err
    assert main([command, "", *extra, "--db", db, "--fakes"]) == ExitCode.USAGE
    err = one_line(capsys.readouterr().err, command)
    assert "FILE: expected the 振込入金通知 file's path" in err, err


@pytest.mark.parametrize("command", [["queues"], ["resume", "--fakes"]], ids=lambda c: c[0])
@pytest.mark.parametrize(
    "table",
    ["posts (id INTEGER, body TEXT)", "stock (id INTEGER, item TEXT, qty INTEGER)"],
    ids=["blog", "warehouse-system"],
)
def test_a_file_of_another_application_gets_no_tables_of_orderflows(
    tmp_path: Path, command: list[str], table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong ``--db`` naming another application's database: refused, nothing made in it."""
    db = _foreign(tmp_path / "other.db", f"CREATE TABLE {table}")
    before = Path(db).read_bytes()

    assert main([*command, "--db", db]) == ExitCode.USAGE

    err = one_line(capsys.readouterr().err, command[0])
    assert "another application's tables and none of orderflow's" in err
    assert Path(db).read_bytes() == before
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert tables == {table.split()[0]}


def test_an_empty_database_file_is_a_shops_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "new.db")
    sqlite3.connect(db).close()  # a file the shop's app made, no table yet
    assert main(["queues", "--db", db]) == ExitCode.OK


def test_a_shops_file_with_another_stock_table_is_configuration_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """orderflow's orders beside another application's ``stock``: the inventory cannot open."""
    from orderflow.stores import SQLiteStore

    path = tmp_path / "shop.db"
    SQLiteStore(path).close()
    db = _foreign(path, "CREATE TABLE stock (item TEXT)")
    assert main(["resume", "--fakes", "--db", db]) == ExitCode.USAGE
    err = one_line(capsys.readouterr().err, "resume")
    assert "stock are not orderflow's inventory" in err and err.startswith(
        "orderflow resume: --db: "
    )


@pytest.mark.parametrize(
    "error",
    [
        StoreError("duplicate key (phone)=(090-3141-5926)"),
        ProviderError("postpay: no answer on 090-3141-5926"),
        OrderflowError("could not reach the customer at 090-3141-5926"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_phone_number_in_a_message_is_masked(
    error: OrderflowError, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fails(args: argparse.Namespace, out: Callable[[str], None]) -> ExitCode:
        raise error

    monkeypatch.setitem(orderflow.cli._RUNNERS, "resume", fails)
    run(argparse.Namespace(command="resume", db="shop.sqlite3"))
    err = one_line(capsys.readouterr().err, "resume")
    assert "3141-5926" not in err and "090-****-5926" in err


def test_a_reader_that_stops_reading_is_not_a_provider_down(tmp_path: Path) -> None:
    """``python -m orderflow demo | head``: the pipe closed by its reader is no outage.

    A BrokenPipeError is a ConnectionError, which the command line tells as a provider down
    (exit 3, "a provider failed"): writing to a closed standard output stops the command
    quietly instead, with the shell's code for a process whose pipe closed (141).
    """
    import subprocess

    demo = subprocess.Popen(
        [sys.executable, "-m", "orderflow", "demo", "--db", str(tmp_path / "shop.sqlite3")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert demo.stdout is not None and demo.stderr is not None
    demo.stdout.close()  # the reader is gone before the first line
    err = demo.stderr.read().decode()
    assert demo.wait(timeout=120) == 141 and ExitCode.OUTPUT_CLOSED.value == 141
    assert err == ""
