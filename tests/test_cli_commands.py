"""``import-transfers``, ``labels``, ``--db`` as a PostgreSQL URL, the progress bar, exit codes."""

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from orderflow import Money, OrderLine, PaymentMethod, ShopSettings
from orderflow.carrier_files import B2_COLUMNS, EHIDEN_COLUMNS, read_b2_issued
from orderflow.cli import ExitCode, Progress, describe_db, main
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import FakeShop, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import STOCK, place
from tests.postgres import new_database
from tests.unit.test_zengin import data, end, header, trailer

SHIPPER = """\
postal_code = "100-0001"
prefecture = "東京都"
city = "千代田区"
line1 = "千代田1-1"
name = "お茶の店"
phone = "03-3000-0000"
b2_customer_code = "012345678901"
b2_freight_code = "01"
"""


@contextmanager
def shop_on(db: str) -> Iterator[FakeShop]:
    """Fakes with a desk on the SQLite file ``db`` (made, with stock); the tests drive it."""
    shop = fake_shop(settings=ShopSettings(auto_advance=False, warehouses=("TOKYO", "OSAKA")))
    inventory = SQLiteInventory(db)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units, reason="初期在庫")
    with SQLiteStore(db) as store:
        shop.desk = desk_on(shop, store=store, inventory=inventory)
        yield shop
    inventory.close()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "shop.sqlite3")


# -- import-transfers -----------------------------------------------------------------------


def bank_orders(db: str, count: int) -> list[int]:
    """``count`` bank-transfer orders 1001… waiting for their transfers; what each owes."""
    with shop_on(db) as shop:
        desk = shop.desk
        due = []
        for n in range(count):
            order = place(shop, str(1001 + n), payment_method=PaymentMethod.BANK_TRANSFER)
            desk.accept(order.number)
            account = desk.get(order.number).payment.instruction("account")
            assert account == f"101-{1000001 + n}"
            due.append(int(desk.totals(order).total.amount))
        return due


def transfer_file(path: Path, groups: list[tuple[str, list[int]]]) -> str:
    """A 振込入金通知 file: per (account number, amounts) a header, its records and a trailer."""
    records: list[bytes] = []
    inquiry = 0
    for account, amounts in groups:
        records.append(header(account))
        for amount in amounts:
            inquiry += 1
            records.append(data(inquiry, amount))
        records.append(trailer(amounts))
    records.append(end())
    path.write_bytes(b"\r\n".join(records) + b"\r\n")
    return str(path)


def test_import_transfers_reports_every_kind_and_exits_1_for_an_operator(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = bank_orders(db, 2)
    path = transfer_file(
        tmp_path / "notice.txt",
        [("1000001", [first]), ("1000002", [second - 1000]), ("1000099", [5000])],
    )
    assert main(["import-transfers", "--fakes", path, "--db", db]) == ExitCode.WORK_LEFT
    out = capsys.readouterr().out
    lines = dict(line.split()[:2] for line in out.splitlines() if not line.startswith(" "))
    assert lines == {
        "deposits": "3",
        "exact": "1",
        "short": "1",
        "over": "0",
        "unmatched": "1",
        "repeated": "0",
        "cancelled": "0",
        "reversed": "0",
        "conflicting": "0",
    }
    assert f"short     order 1002: received {second - 1000:,} of {second:,}" in out
    assert "unmatched 2026-11-22 account 101-1000099 5,000 ヤ***" in out
    assert "ヤマダ" not in out  # the payer's name is masked
    with SQLiteStore(db) as store:
        assert store.get("1001").payment.received.amount == first
        assert store.get("1002").payment.received.amount == second - 1000
    # the same file again: the deposits applied count once; the one no order holds is 入金不明
    # again (nothing records it), for a person
    again = transfer_file(tmp_path / "rest.txt", [("1000002", [1000])])
    assert main(["import-transfers", "--fakes", path, "--db", db]) == ExitCode.WORK_LEFT
    out = capsys.readouterr().out
    assert "repeated       2" in out and "unmatched      1" in out and "exact          0" in out
    assert main(["import-transfers", "--fakes", again, "--db", db]) == ExitCode.OK
    assert "exact          1" in capsys.readouterr().out


def test_import_transfers_sets_apart_a_transfer_reported_twice_with_two_amounts(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One 照会番号 with two amounts: the second was counted a repeat and never looked at."""
    [due] = bank_orders(db, 1)
    path = tmp_path / "twice.txt"
    records = [header("1000001"), data(1, due), data(1, due + 5000), trailer([due, due + 5000])]
    path.write_bytes(b"\r\n".join([*records, end()]) + b"\r\n")
    assert main(["import-transfers", "--fakes", str(path), "--db", db]) == ExitCode.WORK_LEFT
    out = capsys.readouterr().out
    assert "exact          1" in out and "repeated       0" in out
    assert "conflicting    1" in out
    assert f"  conflicting 2026-11-22 account 101-1000001 {due + 5000:,} ヤ***" in out


def test_import_transfers_takes_back_a_deposit_applied_before(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 取消: the bank takes back a transfer it had notified; the order took it from the first file
    [first] = bank_orders(db, 1)
    paid = transfer_file(tmp_path / "paid.txt", [("1000001", [first])])
    assert main(["import-transfers", "--fakes", paid, "--db", db]) == ExitCode.OK
    capsys.readouterr()
    taken_back = tmp_path / "taken-back.txt"
    records = [header("1000001"), data(1, first, cancelled=True), trailer([], [first]), end()]
    taken_back.write_bytes(b"\r\n".join(records) + b"\r\n")
    argv = ["import-transfers", "--fakes", str(taken_back), "--db", db]
    assert main(argv) == ExitCode.WORK_LEFT  # a person must look: never counted as a repeat
    out = capsys.readouterr().out
    assert "reversed       1" in out and "repeated       0" in out
    reference = "0009-101-1000001-081122-000001"
    assert f"reversed  2026-11-22 account 101-1000001 {first:,} ヤ*** ({reference}): " in out
    assert out.rstrip().endswith("taken by 1001 (received 0, held: 入金不足)")
    with SQLiteStore(db) as store:
        order = store.get("1001")
    assert order.payment.received.amount == 0 and order.open_holds[0].code == "payment_shortfall"
    assert main(argv) == ExitCode.WORK_LEFT  # read again: taken back once
    with SQLiteStore(db) as store:
        assert store.get("1001").version == order.version


def test_a_transfer_and_its_cancel_in_one_file_move_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [first] = bank_orders(db, 1)
    both = tmp_path / "both.txt"
    records = [
        header("1000001"),
        data(1, first),
        data(1, first, cancelled=True),
        trailer([first], [first]),
        end(),
    ]
    both.write_bytes(b"\r\n".join(records) + b"\r\n")
    assert main(["import-transfers", "--fakes", str(both), "--db", db]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "cancelled      2" in out and "exact          0" in out
    with SQLiteStore(db) as store:
        assert store.get("1001").payment.received.amount == 0


def test_apply_deposit_applies_an_unmatched_deposit_of_the_file_to_the_order(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = bank_orders(db, 2)
    path = transfer_file(tmp_path / "notice.txt", [("1000099", [first, 1000])])
    assert main(["import-transfers", "--fakes", path, "--db", db]) == ExitCode.WORK_LEFT
    assert "unmatched      2" in capsys.readouterr().out
    reference = "0009-101-1000099-081122-000001"
    assert main(["apply-deposit", "--fakes", path, reference, "1001", "--db", db]) == ExitCode.OK
    out = capsys.readouterr().out
    assert (
        out
        == f"deposit {reference} {first:,} ヤ***: order 1001 has received {first:,} of {first:,}\n"
    )
    assert (
        main(["apply-deposit", "--fakes", path, reference, "1001", "--db", db]) == ExitCode.OK
    )  # once
    capsys.readouterr()
    short = "0009-101-1000099-081122-000002"
    assert main(["apply-deposit", "--fakes", path, short, "1002", "--db", db]) == ExitCode.WORK_LEFT
    assert f"has received 1,000 of {second:,}" in capsys.readouterr().out
    with SQLiteStore(db) as store:
        assert store.get("1001").payment.received.amount == first
        assert not store.get("1001").open_holds
        assert store.get("1002").payment.received.amount == 1000
    # the same deposit for another order, a reference the file lacks: refused, exit 2
    assert main(["apply-deposit", "--fakes", path, reference, "1002", "--db", db]) == ExitCode.USAGE
    assert "deposit.reference" in capsys.readouterr().err
    assert main(["apply-deposit", "--fakes", path, "nope", "1002", "--db", db]) == ExitCode.USAGE
    assert "no deposit with reference 'nope'" in capsys.readouterr().err
    # an order that does not exist is a bad argument (exit 2), not work for a person
    other = transfer_file(tmp_path / "other.txt", [("1000098", [700])])
    fresh = "0009-101-1000098-081122-000001"
    assert main(["apply-deposit", "--fakes", other, fresh, "9999", "--db", db]) == ExitCode.USAGE
    assert "order '9999' not found" in capsys.readouterr().err
    with SQLiteStore(db) as store:
        assert store.get("1002").payment.received.amount == 1000


def test_import_transfers_in_chunks_adds_up_as_one_call(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import orderflow.cli._transfers as transfers

    [due] = bank_orders(db, 1)
    monkeypatch.setattr(transfers, "CHUNK", 1)  # each deposit its own call
    path = transfer_file(tmp_path / "n.txt", [("1000001", [due - 500, 200, 300, 100])])
    assert main(["import-transfers", "--fakes", path, "--db", db]) == ExitCode.WORK_LEFT
    out = capsys.readouterr().out
    assert "short          2" in out and "exact          1" in out and "over           1" in out
    with SQLiteStore(db) as store:
        order = store.get("1001")
    assert order.payment.received.amount == due + 100
    assert order.payment.refund_owed.amount == 100  # the excess is owed back


def test_import_transfers_applies_the_others_when_one_order_is_stuck(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from orderflow.desk import OrderDesk
    from orderflow.errors import EffectsPending

    first, second = bank_orders(db, 2)
    current = OrderDesk._current

    def stuck(self: OrderDesk, number: str) -> object:  # 1001's provider keeps refusing
        if number == "1001":
            raise EffectsPending(number, "restore_points")
        return current(self, number)

    monkeypatch.setattr(OrderDesk, "_current", stuck)
    path = transfer_file(tmp_path / "n.txt", [("1000001", [first]), ("1000002", [second])])
    assert main(["import-transfers", "--fakes", path, "--db", db]) == ExitCode.WORK_LEFT
    out = capsys.readouterr().out
    assert "not all applied, run again (what was applied counts once): order 1001:" in out
    assert "exact          2" in out  # matched; 1001's waits for the file to be read again
    with SQLiteStore(db) as store:
        assert store.get("1002").payment.received.amount == second
        assert store.get("1001").payment.received.amount == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"garbage", "line 1: record: expected a file of 200-byte records"),
        (b"\r\n".join([header(), data(1, 100), trailer([999]), end()]), "line 3: 振込合計金額"),
    ],
    ids=["missing", "not-zengin", "bad-trailer"],
)
def test_a_bad_transfer_file_exits_2_naming_the_file_and_line(
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    message: str,
) -> None:
    bank_orders(db, 1)
    path = tmp_path / "notice.txt"
    if content is not None:
        path.write_bytes(content)
    assert main(["import-transfers", "--fakes", str(path), "--db", db]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"orderflow import-transfers: {path}: ")
    assert message in err
    with SQLiteStore(db) as store:
        assert store.get("1001").payment.received.amount == 0  # nothing imported


# -- labels ---------------------------------------------------------------------------------


def instructed(db: str, numbers: list[str]) -> None:
    """代引き orders instructed to ship with Yamato (the default carrier); the first shipped."""
    with shop_on(db) as shop:
        desk = shop.desk
        for number in numbers:
            place(shop, number, payment_method=PaymentMethod.COD)
            desk.accept(number)
            for hold in desk.get(number).open_holds:  # the review suspects a repeat order
                desk.clear_hold(number, hold.code)
            desk.allocate(number)
            desk.instruct_shipping(number)
        desk.ship(numbers[0], f"{numbers[0]}-S1", "1234-5678-9013")  # one already left


def labels_args(db: str, tmp_path: Path, numbers: list[str]) -> list[str]:
    """``labels`` arguments for Yamato after :func:`instructed` (the shipper file written)."""
    instructed(db, numbers)
    shipper = tmp_path / "shipper.toml"
    shipper.write_text(SHIPPER, encoding="utf-8")
    return ["labels", "--carrier", "yamato", "--db", db, "--shipper", str(shipper)]


def test_labels_writes_b2_for_the_shipments_instructed(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = labels_args(db, tmp_path, ["1001", "1002", "1003"])
    out = tmp_path / "b2.csv"
    assert main([*args, "--out", str(out), "--shipped-on", "2026-11-23"]) == ExitCode.OK
    assert "2 labels (yamato, B2クラウド) → " in capsys.readouterr().err
    rows = out.read_bytes().decode("cp932").split("\r\n")
    assert rows[0] == ",".join(B2_COLUMNS)
    assert [row.split(",")[0] for row in rows[1:] if row] == ["1002-S1", "1003-S1"]
    assert rows[1].startswith("1002-S1,2,0,,2026/11/23,")  # コレクト: the parcel collects COD
    sagawa = [*args[:2], "sagawa", *args[3:]]
    assert main([*sagawa, "--out", str(tmp_path / "e.csv")]) == ExitCode.OK  # none: a header
    assert f"0 labels (sagawa, e飛伝III) → {tmp_path / 'e.csv'}" in capsys.readouterr().err
    assert (tmp_path / "e.csv").read_bytes().decode("cp932") == ",".join(EHIDEN_COLUMNS) + "\r\n"


def test_labels_on_stdout_are_cp932_bytes(db: str, tmp_path: Path) -> None:
    import subprocess

    args = labels_args(db, tmp_path, ["1001", "1002"])
    done = subprocess.run(
        [sys.executable, "-m", "orderflow", *args, "--shipped-on", "2026-11-23"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    text = done.stdout.decode("cp932")
    assert text.startswith("お客様管理番号,") and "\r\n1002-S1," in text
    assert [label.shipment_id for label in read_b2_issued(_issued(text))] == ["1002-S1"]


def _issued(text: str) -> bytes:
    """The file as B2 gives it back: 伝票番号 filled in."""
    head, row = text.split("\r\n")[:2]
    cells = row.split(",")
    cells[3] = "1234-5678-9013"
    return f"{head}\r\n{','.join(cells)}\r\n".encode("cp932")


def test_a_cod_box_of_two_orders_is_one_label_collecting_their_sum(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """同梱: the box leaves under one label, whose driver collects both orders' amounts (the sum
    each order's shipping notice tells the customer); it was left out for a person to label."""
    with shop_on(db) as shop:
        desk = shop.desk
        for number in ("1001", "1002"):
            place(shop, number, payment_method=PaymentMethod.COD)
            desk.accept(number)
            for hold in desk.get(number).open_holds:
                desk.clear_hold(number, hold.code)
            desk.allocate(number)
        desk.bundle(["1001", "1002"])
        desk.instruct_shipping("1001")
        amounts = [desk.get(n).shipments[0].cod_amount for n in ("1001", "1002")]
        box = sum(int(a.amount) for a in amounts if a is not None)
        assert len(amounts) == 2 and None not in amounts
    shipper = tmp_path / "shipper.toml"
    shipper.write_text(SHIPPER, encoding="utf-8")
    out = tmp_path / "b2.csv"
    args = ["labels", "--carrier", "yamato", "--db", db, "--shipper", str(shipper)]
    assert main([*args, "--out", str(out)]) == ExitCode.OK
    assert "1 label (yamato, B2クラウド)" in capsys.readouterr().err
    head, row = out.read_bytes().decode("cp932").split("\r\n")[:2]
    cells = dict(zip(head.split(","), row.split(","), strict=True))
    assert cells["お客様管理番号"] == "1001-S1"
    assert cells["ｺﾚｸﾄ代金引換額（税込)"] == str(box)


@pytest.mark.parametrize(
    ("shipper", "message"),
    [
        (None, "--shipper"),
        ("postal_code = ", "not TOML"),
        (SHIPPER.replace('phone = "03-3000-0000"\n', ""), "missing keys ['phone']"),
        (SHIPPER + 'fax = "03"\n', "unknown keys ['fax']"),
        (SHIPPER.replace('"100-0001"', '"1000"'), "postal_code"),
        (SHIPPER.replace('b2_freight_code = "01"\n', ""), "shipper.b2_freight_code"),
    ],
    ids=["missing", "not-toml", "no-phone", "unknown", "bad-postal-code", "no-freight-code"],
)
def test_a_bad_shipper_file_exits_2(
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    shipper: str | None,
    message: str,
) -> None:
    instructed(db, ["1001", "1002"])
    path = tmp_path / "shipper.toml"
    if shipper is not None:
        path.write_text(shipper, encoding="utf-8")
    args = ["labels", "--carrier", "yamato", "--db", db, "--shipper", str(path)]
    assert main([*args, "--out", str(tmp_path / "x.csv")]) == ExitCode.USAGE
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_an_order_a_label_cannot_hold_exits_1_and_writes_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = labels_args(db, tmp_path, ["1001", "1002"])
    out = tmp_path / "b2.csv"
    assert main([*args, "--out", str(out), "--item-name", "茶" * 30]) == ExitCode.WORK_LEFT
    err = capsys.readouterr().err
    assert "order 1002, shipment 1002-S1: row 2, column" in err and "no file written" in err
    assert not out.exists()


def test_an_item_name_a_label_cannot_hold_names_the_option(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The 品名 that does not fit came from ``--item-name``, not from the order: say so."""
    args = labels_args(db, tmp_path, ["1001", "1002"])
    out = tmp_path / "b2.csv"
    assert main([*args, "--out", str(out), "--item-name", "お茶😀"]) == ExitCode.WORK_LEFT
    err = capsys.readouterr().err
    assert "品名１ (item)" in err and "(from --item-name)" in err, err
    assert not out.exists()
    capsys.readouterr()
    # a 品名 taken from the order's own line is the order's: no option named
    with shop_on(db) as shop:
        place(shop, "1003", [OrderLine("L1", "TEA-1", "お茶😀", Money.yen(1080), 1)])
        shop.desk.accept("1003")
        for hold in shop.desk.get("1003").open_holds:
            shop.desk.clear_hold("1003", hold.code)
        shop.desk.allocate("1003")
        shop.desk.instruct_shipping("1003")
    assert main([*args, "--out", str(out)]) == ExitCode.WORK_LEFT
    err = capsys.readouterr().err
    assert "order 1003" in err and "品名１ (item)" in err and "--item-name" not in err, err


# -- --db, exit codes, progress --------------------------------------------------------------


def test_a_database_that_cannot_be_reached_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://shop:secret@127.0.0.1:1/shop?connect_timeout=2"
    assert main(["queues", "--db", url]) == ExitCode.UNAVAILABLE
    err = capsys.readouterr().err
    assert err.startswith("orderflow queues: the database failed:")
    assert "secret" not in err


def test_a_postgresql_url_without_psycopg_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    assert main(["resume", "--fakes", "--db", "postgres://shop@localhost/shop"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    # what the postgres extra installs, not `pip install orderflow[...]`: PyPI's orderflow is
    # another project (README, "Installing")
    assert "pip install 'psycopg[binary]>=3.2'" in err
    assert "pip install 'orderflow[" not in err


def test_a_url_is_printed_without_its_password() -> None:
    assert describe_db("postgresql://shop:s3cret@db.example:5432/shop") == (
        "postgresql://shop:***@db.example:5432/shop"
    )
    assert describe_db("postgresql://shop@db/shop") == "postgresql://shop@db/shop"
    assert describe_db("shop.sqlite3") == "shop.sqlite3"


@pytest.mark.parametrize(
    ("made", "says"),
    [
        ("CREATE TABLE orders (id serial PRIMARY KEY, total int)", "not orderflow's"),
        ("CREATE TABLE stock (id serial PRIMARY KEY)", "not orderflow's inventory"),
        (
            "CREATE TABLE orderflow_schema (part text PRIMARY KEY, version bigint NOT NULL);"
            "INSERT INTO orderflow_schema VALUES ('orders', 99)",
            "upgrade orderflow",
        ),
    ],
)
def test_a_postgresql_database_orderflow_refuses_is_configuration(
    postgres_uri: str, capsys: pytest.CaptureFixture[str], made: str, says: str
) -> None:
    """Exit 2 as for a SQLite file of the same tables: running again will not cure it (it was 3,
    "the database failed", and a scheduler retried it for ever)."""
    conninfo = new_database(postgres_uri)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(made)
    dbname = conninfo_to_dict(conninfo)["dbname"]
    url = urlunsplit(urlsplit(postgres_uri)._replace(path=f"/{dbname}"))
    assert main(["resume", "--fakes", "--db", url]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("orderflow resume: --db: ") and says in err


def test_the_commands_run_on_postgresql(
    postgres_uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dbname = conninfo_to_dict(new_database(postgres_uri))["dbname"]
    url = urlunsplit(urlsplit(postgres_uri)._replace(path=f"/{dbname}"))  # postgresql://…
    assert url.startswith("postgresql://")
    assert main(["demo", "--locale", "en", "--db", url]) == ExitCode.OK
    capsys.readouterr()
    assert main(["queues", "--db", url]) == ExitCode.OK
    counts = dict(line.rsplit(None, 1) for line in capsys.readouterr().out.splitlines())
    assert counts["status:booked"] == "10"  # as on SQLite (tests/test_cli.py)
    assert main(["resume", "--fakes", "--db", url]) == ExitCode.OK
    out = tmp_path / "journal.csv"
    args = ["export-journal", "--db", url, "--from", "2026-11-01", "--to", "2026-12-31"]
    assert main([*args, "--format", "yayoi", "--out", str(out)]) == ExitCode.OK
    assert capsys.readouterr().out.splitlines()[-1].startswith("10 sale entries")
    assert main(["demo", "--locale", "en", "--db", url]) == ExitCode.OK  # reads them back
    first = capsys.readouterr().out.splitlines()[0]
    assert first.endswith("orders from an earlier run (read from the file)")
    assert url.split("?")[0] in first


def test_the_progress_bar_draws_only_when_asked_or_on_a_terminal() -> None:
    stream = io.StringIO()
    with Progress("resume", 3, enabled=True, stream=stream) as bar:
        for _ in range(3):
            bar.advance()
    assert stream.getvalue().endswith(f"resume [{'#' * 30}] 3/3\n")
    assert "\r" in stream.getvalue()
    quiet = io.StringIO()  # not a terminal: nothing at all
    with Progress("resume", 3, stream=quiet) as bar:
        bar.advance(3)
    assert quiet.getvalue() == ""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    with Progress("sweep", None, stream=terminal) as bar:
        bar.advance()
    assert terminal.getvalue().endswith("sweep 1\n")


@pytest.mark.parametrize(
    ("flag", "drawn"), [([], False), (["--progress"], True), (["--no-progress"], False)]
)
def test_progress_on_the_command_line(
    db: str,
    capsys: pytest.CaptureFixture[str],
    flag: list[str],
    drawn: bool,
) -> None:
    bank_orders(db, 1)
    assert main(["resume", "--fakes", "--db", db, *flag]) == ExitCode.OK
    assert capsys.readouterr().out.split() == ["finished", "0", "pending", "0"]
    assert main(["sweep", "--fakes", "--db", db, *flag]) == ExitCode.OK
    err = capsys.readouterr().err
    assert ("[" + "#" * 30 + "] 7/7" in err) is drawn  # seven sweeps
    assert (err == "") is not drawn


def test_every_command_says_what_it_needs(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("import-transfers", "labels"):
        with pytest.raises(SystemExit) as usage:
            main([command])
        assert usage.value.code == ExitCode.USAGE
        assert "--db" in capsys.readouterr().err


def test_resume_counts_the_pending_orders_on_its_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from orderflow.demo import run_demo

    db = str(tmp_path / "demo.sqlite3")
    run_demo("en", lambda _: None, db=db)
    # a sweep far ahead re-authorizes four cards; the new process's fake gateway cannot void
    # the old authorizations, so four orders keep pending effects (as in tests/test_cli.py)
    assert main(["sweep", "--fakes", "--db", db, "--now", "2027-01-15T09:00+09:00"]) == ExitCode.OK
    capsys.readouterr()
    assert main(["resume", "--fakes", "--db", db, "--progress"]) == ExitCode.WORK_LEFT
    out, err = capsys.readouterr()
    assert out.split() == ["finished", "0", "pending", "4"]
    assert err.endswith(f"resume [{'#' * 30}] 4/4\n")


@pytest.mark.parametrize("now", ["2026-11-21T09:00+09:00", "1970-01-01T00:00+00:00"])
def test_sweep_takes_a_now_before_the_fakes_usual_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], now: str
) -> None:
    """--now is any time from 1970 (the fakes' clock starts there); it was refused under the
    name ``delta`` for a time before the fake shop's 2026-11-22."""
    db = str(tmp_path / "shop.sqlite3")
    assert main(["demo", "--locale", "en", "--db", db]) == ExitCode.OK
    capsys.readouterr()
    assert main(["sweep", "--fakes", "--db", db, "--now", now]) == ExitCode.OK
    out, err = capsys.readouterr()
    assert "expire_unpaid" in out and err == ""


def test_both_bank_commands_count_an_over_payment_alike(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the order received (every deposit) of its total, and the excess owed back."""
    first, second = bank_orders(db, 2)
    path = transfer_file(
        tmp_path / "notice.txt", [("1000001", [first + 500]), ("1000099", [second + 700])]
    )
    assert main(["import-transfers", "--fakes", path, "--db", db]) == ExitCode.WORK_LEFT
    out = capsys.readouterr().out
    assert f"over      order 1001: received {first + 500:,} of {first:,}, 500 owed back" in out
    reference = "0009-101-1000099-081122-000002"
    assert (
        main(["apply-deposit", "--fakes", path, reference, "1002", "--db", db])
        == ExitCode.WORK_LEFT
    )
    out = capsys.readouterr().out
    assert f"order 1002 has received {second + 700:,} of {second:,}" in out
    assert "owed back by transfer: 700" in out


def test_labels_for_a_warehouse_nobody_ships_from_is_refused_naming_the_known_ones(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = labels_args(db, tmp_path, ["1001", "1002"])
    out = tmp_path / "b2.csv"
    # a typo: not one of the shop's warehouses, and no shipment waits there
    assert main([*args, "--out", str(out), "--warehouse", "TOKIO"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "--warehouse" in err and "TOKIO" in err and "TOKYO" in err
    assert not out.exists()  # nothing written
    # a warehouse of the shop's with nothing waiting is no mistake: an empty file
    assert main([*args, "--out", str(out), "--warehouse", "OSAKA"]) == ExitCode.OK
    assert "0 labels" in capsys.readouterr().err
    assert main([*args, "--out", str(out), "--warehouse", "TOKYO"]) == ExitCode.OK
    assert "1 label (yamato" in capsys.readouterr().err
