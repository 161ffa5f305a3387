"""Every file in examples/ runs; the demo shows the whole flow in Japanese and English."""

import runpy
from pathlib import Path

import pytest

from orderflow import OrderStatus, PaymentMethod
from orderflow.__main__ import main, run_demo

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.py")) + sorted(EXAMPLES_DIR.glob("*/__main__.py"))
"""The example scripts, and each example package's ``__main__`` (``python examples/<package>``)."""


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(EXAMPLES_DIR)))
def test_example_runs(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out


def test_demo_in_japanese_shows_all_eight_statuses_yen_and_tokyo_times() -> None:
    lines: list[str] = []
    orders = run_demo("ja", lines.append)
    text = "\n".join(lines)
    for label in (
        "受注",
        "未引当",
        "中途引当",
        "引当済",
        "出荷指示済",
        "出荷済",
        "着荷済",
        "計上済",
    ):
        assert label in text, label
    assert "キャンセル" in text
    assert "￥7,960" in text  # Babel's yen, no decimals
    assert "2026年11月22日 9:00" in text  # 00:00 UTC shown in Asia/Tokyo
    statuses = [o.status for o in orders]
    booked, cancelled, allocated = OrderStatus.BOOKED, OrderStatus.CANCELLED, OrderStatus.ALLOCATED
    assert statuses == [booked] * 2 + [cancelled] + [booked] * 7 + [allocated] * 4 + [booked]
    assert orders[10].holds[0].cleared_by == "operator:kato"  # held for its remarks, released
    one_box = [o for o in orders if o.bundle == ("1012", "1013")]  # 同梱: two orders, one parcel
    assert [o.number for o in one_box] == ["1012", "1013"]
    assert {o.shipments[0].parcel for o in one_box} == {"P-1012-TOKYO"}
    assert {o.shipments[0].tracking_number for o in one_box} == {"445566778812"}
    assert "変更の試算 1010: ￥3,040 → ￥7,420 (差額 ￥4,380" in text
    assert "注文分割 1011 → 1011-1, 1011-2" in text
    partial = orders[1]
    assert any(e.to_status is OrderStatus.PARTIALLY_ALLOCATED for e in partial.history)
    assert {o.payment.method for o in orders} == set(PaymentMethod)
    for label in ("後払い", "銀行振込", "コンビニ前払い", "代引き", "Amazonペイメント"):
        assert label in text
    assert "消込できない入金(要確認): 1" in text
    assert "入荷予定" in text and "【入荷待ちのお知らせ】注文番号 1002" in text  # a backorder …
    assert "■ ピッキングリスト TOKYO (wave 1)" in text  # … filled by a receipt; a picking list
    assert "A-01-2   TEA-100" in text
    after = orders[-1]  # after shipping: a delivery corrected, a return, points, the journal
    assert any(e.name == "undo_delivery" for e in after.history)
    assert after.points_granted > 0 and after.returns[0].points_clawed > 0
    assert "着荷を取り消し (誤配達の報告): 出荷済" in text
    direct = after.shipments[1]  # メーカー直送: the teapot left from the maker, not our stock
    assert direct.warehouse == "supplier:ACME" and [x.line_id for x in direct.lines] == ["L3"]
    assert direct.status.value == "delivered" and "L3" not in after.unallocated()
    assert all(a.line_id != "L3" for a in after.allocations)
    assert "メーカー直送: DS-1014-7 → 1014-S2 出荷済" in text
    assert "売上戻り高" in text and "返品 1014/R1 売上戻り" in text  # the 弥生 file's rows


def test_demo_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--locale", "en"]) == 0
    out = capsys.readouterr().out
    assert "Partially allocated" in out and "Booked" in out and "¥7,960" in out
    assert "  22 November 2026, 09:00 (Japan Standard Time) Order placed" in out  # names the zone


def test_diagram_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram"]) == 0
    assert capsys.readouterr().out.startswith("stateDiagram-v2")


def test_demo_on_a_sqlite_file_keeps_its_orders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "shop.sqlite3")
    first = run_demo("en", lambda _: None, db=db)
    lines: list[str] = []
    second = run_demo("en", lines.append, db=db)  # a second run: the orders are in the file
    stored = {o.number: o for o in second}
    assert all(stored[o.number] == o for o in first)  # equal, pending effects and all
    assert set(stored) - {o.number for o in first} == {"1011"}  # the order split in two
    assert f"{db} already holds {len(second)} orders from an earlier run" in lines[0]
    assert main(["queues", "--db", db]) == 0
    counts = dict(line.rsplit(None, 1) for line in capsys.readouterr().out.splitlines())
    statuses = [o.status for o in second]
    assert int(counts["status:booked"]) == statuses.count(OrderStatus.BOOKED)
    assert int(counts["ready_to_instruct"]) == statuses.count(OrderStatus.ALLOCATED)


def test_queues_refuses_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queues", "--db", str(tmp_path / "none.sqlite3")]) == 2
    assert "no SQLite file" in capsys.readouterr().err
