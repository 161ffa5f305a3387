"""The PDFs are read back as text (pypdf extracts ReportLab's CID-font Japanese) and checked."""

import io
import re
import sys
from datetime import date

import attrs
import pytest
from pypdf import PdfReader

from orderflow import (
    Money,
    Order,
    OrderLine,
    PriceMode,
    Shipment,
    ShipmentLine,
    TaxRate,
    TaxRule,
)
from orderflow.errors import InvalidValue
from orderflow.i18n import format_money
from orderflow.papers import Issuer, delivery_note, picking_list, render_pdf
from tests.builders import place, shop

ISSUER = Issuer("お茶の山田", "T7000012050002", "東京都渋谷区神宮前1-2-3", "03-1234-5678")
RULE = TaxRule()
DAY = date(2026, 11, 22)


def instructed(discount: int = 0) -> Order:
    s = shop()
    place(s, discount=Money.yen(discount))
    s.desk.accept("1001")
    s.desk.allocate("1001")
    return s.desk.instruct_shipping("1001")


def pages(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_mixed_rate_note_renders_in_japanese_with_the_orders_figures() -> None:
    order = instructed()
    note = delivery_note(order, "1001-S1", ISSUER, RULE, DAY)
    [text] = pages(render_pdf(note))
    lines = text.splitlines()
    assert "納品書" in lines
    assert "登録番号 T7000012050002" in text
    assert "お茶の山田" in text
    assert "発行日 2026年11月22日" in text
    assert "山田 太郎 様" in text
    assert "緑茶 ※" in lines and "羊羹 ※" in lines and "湯呑" in lines
    assert "※は軽減税率(8%)対象商品です。" in lines
    totals = order.totals(RULE)
    # per rate: the base and the tax, each the order's (¥3,080 / ¥280 at 10%, ¥3,780 / ¥280 at 8%)
    for line in totals.tax.lines:
        label = f"{line.rate.percent}%対象(税込)"
        assert lines[lines.index(label) + 1] == format_money(line.base)
        tax_label = f"　{line.rate.percent}% 内消費税"
        assert lines[lines.index(tax_label) + 1] == format_money(line.tax)
    assert lines[lines.index("10%対象(税込)") + 1] == "￥3,080"
    assert lines[lines.index("　8% 内消費税") + 1] == "￥280"
    assert lines[lines.index("合計(税込)") + 1] == format_money(totals.total) == "￥6,860"
    assert lines[lines.index("送料") + 1] == "￥880"


def test_a_note_under_exclusive_prices_with_reductions() -> None:
    rule = TaxRule(mode=PriceMode.EXCLUSIVE)
    order = attrs.evolve(instructed(discount=300), points_used=200)
    note = delivery_note(order, "1001-S1", ISSUER, rule, DAY)
    [text] = pages(render_pdf(note))
    lines = text.splitlines()
    assert lines[lines.index("値引き") + 1] == "-￥300"
    assert lines[lines.index("ポイント利用") + 1] == "-￥200"
    for line in order.totals(rule).tax.lines:
        assert lines[lines.index(f"{line.rate.percent}%対象(税抜)") + 1] == format_money(line.base)
        assert lines[lines.index(f"　{line.rate.percent}% 消費税") + 1] == format_money(line.tax)
    assert lines[lines.index("合計(税込)") + 1] == format_money(order.totals(rule).total)


def test_a_long_note_flows_onto_more_pages_and_long_names_wrap() -> None:
    order = instructed()
    lines = [
        OrderLine(
            f"L{i}",
            f"SKU-{i:03}",
            f"とても長い商品名の緑茶ティーバッグ詰め合わせ{i}号" * 2,
            Money.yen(100 + i),
            1,
            TaxRate.REDUCED,
        )
        for i in range(80)
    ]
    shipment = Shipment(
        "1001-S1", "TOKYO", "yamato", tuple(ShipmentLine(x.line_id, 1) for x in lines)
    )
    order = attrs.evolve(order, lines=lines, shipments=(shipment,))
    texts = pages(render_pdf(delivery_note(order, "1001-S1", ISSUER, RULE, DAY)))
    assert len(texts) >= 3
    assert all("商品コード" in text for text in texts)  # the table head repeats
    joined = "\n".join(texts)
    assert all(f"SKU-{i:03}" in joined for i in range(80))
    total = order.totals(RULE).total
    assert format_money(total) in texts[-1]


def test_the_picking_list_renders() -> None:
    order = instructed()
    picking = picking_list([order], "TOKYO", wave="午前", locations={"TEA-1": "A-01"})
    [text] = pages(render_pdf(picking))
    assert "ピッキングリスト" in text
    assert "倉庫 TOKYO" in text and "ウェーブ 午前" in text
    assert "出荷 1件 / 4点" in text
    assert re.search(r"A-01\nTEA-1\n緑茶\n2\n1001\n1001-S1", text)
    assert "商品別合計" in text


def test_the_same_paper_gives_the_same_bytes() -> None:
    note = delivery_note(instructed(), "1001-S1", ISSUER, RULE, DAY)
    assert render_pdf(note) == render_pdf(note)


def test_render_pdf_refuses_other_things_and_says_when_reportlab_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(InvalidValue, match="paper"):
        render_pdf("納品書")  # type: ignore[arg-type]
    note = delivery_note(instructed(), "1001-S1", ISSUER, RULE, DAY)
    monkeypatch.setitem(sys.modules, "reportlab", None)
    with pytest.raises(ModuleNotFoundError, match=r"orderflow\[pdf\]") as missing:
        render_pdf(note)
    assert "pip install 'reportlab>=4'" in str(missing.value)
    assert "pip install 'orderflow[" not in str(missing.value)  # PyPI's orderflow: not ours


def placed_runs(pdf: bytes) -> list[tuple[int, float, float, float, str]]:
    """Every text run drawn: (page, x, y, right edge, text), the width measured in the font."""
    from reportlab.pdfbase import pdfmetrics

    from orderflow.papers import FONT

    runs: list[tuple[int, float, float, float, str]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):

        def visit(
            text: str, cm: list[float], tm: list[float], _: object, size: float, at: int = number
        ) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                width = pdfmetrics.stringWidth(text.strip(), FONT, size)
                runs.append((at, x, y, x + width, text.strip()))

        page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize(
    "recipient",
    ["株式会社サンプル商事 東日本営業本部 第一営業部 購買課 御中", "見本" * 100],
)
def test_a_long_recipient_wraps_inside_the_page_beside_the_dates(recipient: str) -> None:
    """A name was one line at 14pt: 31 characters ran into 発行日, 200 off the page (unprinted)."""
    from orderflow import Customer

    s = shop()
    place(s, customer=Customer("C1", recipient, "taro@example.jp"))
    s.desk.accept("1001")
    s.desk.allocate("1001")
    order = s.desk.instruct_shipping("1001")
    long_issuer = Issuer("お茶の山田" * 12, "T7000012050002", "東京都渋谷区神宮前1-2-3" * 5)
    pdf = render_pdf(delivery_note(order, "1001-S1", long_issuer, RULE, DAY))
    runs = placed_runs(pdf)
    for _, x, _, end, text in runs:
        assert x >= 0 and end <= 595.27, text
    for first in runs:
        for second in runs:
            if first is not second and first[:1] == second[:1] and abs(first[2] - second[2]) < 10:
                assert first[3] <= second[1] or second[3] <= first[1], (first[4], second[4])
    drawn = "".join(text.replace(" ", "") for _, _, _, _, text in runs)
    left = "".join(text.replace(" ", "") for _, x, _, _, text in runs if abs(x - 40) < 0.5)
    assert (recipient + "様").replace(" ", "") in left  # every character printed, in order
    assert ("お茶の山田" * 12) in drawn and ("東京都渋谷区神宮前1-2-3" * 5) in drawn


def test_a_line_break_in_a_name_starts_a_new_line_of_the_cell() -> None:
    from orderflow.papers.pdf import _Sheet

    sheet = _Sheet("t")
    # a product name as a shop's catalogue may hold it: a line break is a break, never a glyph
    assert sheet.wrap("緑茶\r\n100g 袋入り\n\n", 500, 9) == ["緑茶", "100g 袋入り"]
    assert sheet.wrap("抹茶\tラテ\x0b", 500, 9) == ["抹茶 ラテ"]
    assert sheet.wrap("", 500, 9) == [""]
    assert sheet.wrap("\n湯呑", 500, 9) == ["湯呑"]
