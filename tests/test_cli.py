"""``python -m orderflow resume | sweep | export-journal`` on a SQLite file the demo made."""

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from orderflow.__main__ import main, run_demo
from orderflow.domain.booking import JournalEntry
from orderflow.journals import read_freee, read_moneyforward, read_yayoi


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "shop.sqlite3"
    run_demo("ja", lambda _: None, db=str(db))
    return db


@pytest.fixture
def db(demo_file: Path, tmp_path: Path) -> str:
    copy = tmp_path / "shop.sqlite3"
    source, target = sqlite3.connect(demo_file), sqlite3.connect(copy)
    source.backup(target)  # with what is still in the write-ahead log
    source.close()
    target.close()
    return str(copy)


def test_resume_on_the_demo_file_has_nothing_left(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["resume", "--fakes", "--db", db]) == 0
    assert capsys.readouterr().out.split() == ["finished", "0", "pending", "0"]


def test_sweep_prints_a_line_per_sweep_and_resume_exits_1_while_effects_are_pending(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep", "--fakes", "--db", db, "--now", "2027-01-15T09:00+09:00"]) == 0
    counts = dict(line.split() for line in capsys.readouterr().out.splitlines())
    assert counts == {
        "reauthorize_expiring": "4",  # the four allocated card orders' authorizations lapse
        "expire_unpaid": "0",
        "refresh_postpay_reviews": "0",  # no demo claim is under review
        "grant_points_due": "0",
        "fill_backorders": "0",  # no demo order waits for stock
        "poll_carrier_events": "0",  # the fake carrier feed has no events
        "sweep_absent": "0",
    }
    # each process has its own fake gateway, which never saw the demo's authorizations: it
    # refuses to void the old ones, so those effects stay pending (held effect_refused)
    assert main(["resume", "--fakes", "--db", db]) == 1
    assert capsys.readouterr().out.split() == ["finished", "0", "pending", "4"]


@pytest.mark.parametrize(
    ("fmt", "read"),
    [("yayoi", read_yayoi), ("freee", read_freee), ("mf", read_moneyforward)],
)
def test_export_journal_writes_the_booked_orders_entries(
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
    read: Callable[[bytes], list[JournalEntry]],
) -> None:
    out = tmp_path / f"journal.{fmt}.csv"
    args = ["export-journal", "--db", db, "--from", "2026-11-01", "--to", "2026-12-31"]
    assert main([*args, "--format", fmt, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("10 sale entries (2026-11-01 .. 2026-12-31)")
    assert said.rstrip().endswith("; 1 売上戻り, 0 売上値引")
    entries = read(out.read_bytes())
    # the ten booked orders of the demo, one sale entry each, and the demo's refunded return
    assert [e.memo for e in entries if not e.memo.endswith("売上計上")] == ["返品 1014/R1 売上戻り"]
    assert len(entries) == 11
    for entry in entries:
        assert sum(ln.amount.amount for ln in entry.lines if ln.side.value == "debit") == sum(
            ln.amount.amount for ln in entry.lines if ln.side.value == "credit"
        )


def test_export_journal_keeps_to_the_dates(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "none.csv"
    args = ["export-journal", "--db", db, "--from", "2026-01-01", "--to", "2026-01-31"]
    assert main([*args, "--format", "yayoi", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("0 sale entries")
    assert read_yayoi(out.read_bytes()) == []


@pytest.mark.parametrize(
    "command",
    [
        ["resume", "--fakes"],
        ["sweep", "--fakes"],
        ["export-journal", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "freee"],
    ],
    ids=lambda c: c[0],
)
def test_a_missing_file_is_refused_with_exit_code_2(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.sqlite3"
    out = ["--out", str(tmp_path / "x.csv")] if command[0] == "export-journal" else []
    assert main([*command, *out, "--db", str(missing)]) == 2
    assert f"no SQLite file at {str(missing)!r}" in capsys.readouterr().err
    assert not missing.exists()  # not created by the refusal


def test_bad_usage_exits_2(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "x.csv")
    base = ["export-journal", "--db", db, "--format", "mf", "--out", out]
    with pytest.raises(SystemExit) as bad_date:
        main([*base, "--from", "2026-13-01", "--to", "2026-12-31"])
    assert bad_date.value.code == 2
    assert main([*base, "--from", "2026-12-31", "--to", "2026-12-01"]) == 2
    assert "is after --to" in capsys.readouterr().err
    with pytest.raises(SystemExit) as no_db:
        main(["resume"])
    assert no_db.value.code == 2
    with pytest.raises(SystemExit) as naive:
        main(["sweep", "--fakes", "--db", db, "--now", "2027-01-15T09:00"])
    assert naive.value.code == 2


def test_resume_older_than_does_not_count_the_orders_it_leaves_to_their_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An order touched a moment ago (its command may still be at its effects) is left alone by
    ``resume --older-than``: it made the run exit 1, mailing the operator in the cron line."""
    from datetime import UTC, datetime

    from orderflow import Address, Customer, Money, OrderLine
    from orderflow.errors import OutcomeUnknown
    from orderflow.stores import SQLiteInventory, SQLiteStore
    from orderflow.testing import Fault, fake_shop
    from orderflow.testing.shop import desk_on

    db = tmp_path / "shop.sqlite3"
    store, inventory = SQLiteStore(db), SQLiteInventory(db)
    inventory.receive("TOKYO", "TEA-1", 5, reason="入荷")
    shop = fake_shop()
    shop.clock.advance(datetime.now(UTC) - shop.clock.now())  # the command's clock: now
    desk = desk_on(shop, store=store, inventory=inventory)
    shop.gateway.fail_next("authorize", Fault.TIMEOUT_BEFORE)
    with pytest.raises(OutcomeUnknown):
        desk.place(
            number="1001",
            customer=Customer("C1", "山田 太郎", "taro@example.jp"),
            ship_to=Address("150-0001", "東京都", "渋谷区", "1-2-3", "山田 太郎", "03-1234-5678"),
            lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)],
            token="tok_visa",
        )
    assert main(["resume", "--fakes", "--db", str(db), "--older-than", "3600"]) == 0
    assert capsys.readouterr().out.split() == ["finished", "0", "pending", "0"]
    assert main(["resume", "--fakes", "--db", str(db)]) == 0  # without: finished now
    assert capsys.readouterr().out.split() == ["finished", "1", "pending", "0"]


@pytest.mark.parametrize("encoding", ["cp932", "ascii"])
def test_output_to_a_stream_that_lacks_a_character_never_stops_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    """Japanese Windows writes a redirected stdout in CP932, which has no « »: escaped, not lost."""
    import io
    import sys

    stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding, newline="\n")
    monkeypatch.setattr(sys, "stdout", stream)
    assert main(["demo"]) == 0
    assert "unexpected" not in capsys.readouterr().err
    stream.flush()
    text = stream.buffer.getvalue().decode(encoding)
    assert "\\xab" in text and "\\xbb" in text  # the demo's « » around a reason
    if encoding == "cp932":
        assert "注文 1001" in text
