"""The papers as Japanese PDF (納品書, ピッキングリスト, 返品明細書, 返金明細書), with ReportLab.

Needs the ``pdf`` extra (ReportLab 4 or later: ``pip install -e '.[pdf]'`` in orderflow's clone).
The text is set in ReportLab's built-in Japanese CID font ``HeiseiKakuGo-W5`` (平成角ゴシック),
which a PDF reader supplies: no font file is needed or embedded. ReportLab is imported only
when a PDF is rendered. The output is byte-for-byte the same for the same paper (ReportLab's
invariant mode: no time stamp, no random document id).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from babel.dates import format_date

from orderflow.domain.money import Money
from orderflow.domain.tax import PriceMode
from orderflow.errors import InvalidValue
from orderflow.i18n import format_money
from orderflow.papers.delivery import REDUCED_MARK, DeliveryNote, NoteItem
from orderflow.papers.issuer import Issuer
from orderflow.papers.picking import PickingList
from orderflow.papers.refunds import RefundNote
from orderflow.papers.returns import ReturnNote

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

__all__ = ["FONT", "render_pdf"]

FONT = "HeiseiKakuGo-W5"
"""The Japanese CID font the papers are set in (built into ReportLab and every PDF reader)."""

_WIDTH, _HEIGHT = 595.27, 841.89  # A4 in points
_MARGIN = 40.0
_ROW = 16.0


def _yen(money: Money) -> str:
    return format_money(money, "ja")


def _day(note: DeliveryNote) -> str:
    return str(format_date(note.issued_on, "long", locale="ja_JP"))


class _Sheet:
    """A canvas with a cursor: rows flow down and onto new pages, repeating the table head."""

    def __init__(self, title: str) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen.canvas import Canvas

        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        self._metrics: Any = pdfmetrics
        self.buffer = io.BytesIO()
        self.canvas: Canvas = Canvas(self.buffer, pagesize=(_WIDTH, _HEIGHT), invariant=1)
        self.canvas.setTitle(title)
        self.y = _HEIGHT - _MARGIN
        self.columns: list[tuple[str, float, str]] = []

    def width(self, text: str, size: float) -> float:
        return float(self._metrics.stringWidth(text, FONT, size))

    def text(self, x: float, text: str, size: float = 10, align: str = "left") -> None:
        self.canvas.setFont(FONT, size)
        if align == "right":
            self.canvas.drawRightString(x, self.y, text)
        elif align == "center":
            self.canvas.drawCentredString(x, self.y, text)
        else:
            self.canvas.drawString(x, self.y, text)

    def down(self, step: float = _ROW) -> None:
        self.y -= step
        if self.y < _MARGIN + _ROW:
            self.canvas.showPage()
            self.y = _HEIGHT - _MARGIN
            if self.columns:
                self.head()

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """``text`` in lines no wider than ``width``, cut by character (no spaces in Japanese).

        A line break in the text (a product name as a catalogue holds it) starts a new line;
        other control characters are drawn as spaces, never as a glyph of their own.
        """
        lines: list[str] = []
        for part in text.splitlines() or [""]:
            part = "".join(" " if unicodedata.category(c) == "Cc" else c for c in part).strip()
            if not part:
                continue
            current = ""
            for char in part:
                if current and self.width(current + char, size) > width:
                    lines.append(current)
                    current = ""
                current += char
            lines.append(current)
        return lines or [""]

    def table(self, columns: list[tuple[str, float, str]]) -> None:
        """Start a table: (heading, width, alignment) per column."""
        self.columns = columns
        self.head()

    def head(self) -> None:
        x = _MARGIN
        for heading, width, align in self.columns:
            self.cell(x, width, heading, align, 9)
            x += width
        self.canvas.line(_MARGIN, self.y - 4, _WIDTH - _MARGIN, self.y - 4)
        self.down()

    def cell(self, x: float, width: float, text: str, align: str, size: float = 9) -> None:
        if align == "right":
            self.text(x + width - 4, text, size, "right")
        else:
            self.text(x + 2, text, size)

    def row(self, cells: list[str]) -> None:
        """One table row; a long cell wraps onto more lines (the others stay on the first)."""
        wrapped = [
            self.wrap(text, width - 6, 9)
            for text, (_, width, _) in zip(cells, self.columns, strict=True)
        ]
        for number in range(max(len(lines) for lines in wrapped)):
            x = _MARGIN
            for lines, (_, width, align) in zip(wrapped, self.columns, strict=True):
                if number < len(lines):
                    self.cell(x, width, lines[number], align)
                x += width
            self.down()

    def end_table(self) -> None:
        self.columns = []
        self.canvas.line(_MARGIN, self.y + _ROW - 4, _WIDTH - _MARGIN, self.y + _ROW - 4)

    def opening(
        self,
        title: tuple[str, float],
        recipient: str,
        facts: Sequence[str],
        issuer: Issuer,
        sentence: str,
    ) -> None:
        """A document's head: its title (text, size), the parties, the issuer, the first line."""
        text, size = title
        self.text(_WIDTH / 2, text, size, "center")
        self.down(32)
        self.parties(recipient, facts)
        self.down(8)
        self.issuer(issuer)
        self.down(8)
        self.text(_MARGIN, sentence, 10)
        self.down(20)

    def reduced_footnote(self) -> None:
        """The line saying what ``※`` marks (軽減税率対象)."""
        self.text(_MARGIN, f"{REDUCED_MARK}は軽減税率(8%)対象商品です。", 9)
        self.down()

    def parties(self, recipient: str, facts: Sequence[str]) -> None:
        """The recipient (宛名) on the left, wrapped beside ``facts`` (dates, numbers) on the right.

        A long name (a company and its department) never runs into them or off the page.
        """
        right = _WIDTH - _MARGIN
        widest = max(self.width(line, 10) for line in facts)
        name_width = max(right - widest - 16 - _MARGIN, (right - _MARGIN) / 2)
        names = self.wrap(f"{recipient} 様", name_width, 14)
        for row in range(max(len(facts), len(names))):
            if row < len(facts):
                self.text(right, facts[row], 10, "right")
            if row < len(names):
                self.text(_MARGIN, names[row], 14)
            self.down()

    def issuer(self, issuer: Issuer) -> None:
        """The issuing shop on the right: name, address, phone, 登録番号 (each wrapped)."""
        right = _WIDTH - _MARGIN
        for text in (
            issuer.name,
            issuer.address,
            *([f"TEL {issuer.phone}"] if issuer.phone else []),
            f"登録番号 {issuer.registration_number}",
        ):
            for line in self.wrap(text, right - _MARGIN, 10):
                self.text(right, line, 10, "right")
                self.down(14)

    def items(self, items: Sequence[NoteItem], mode: str) -> None:
        """The items table (``※`` on reduced-rate names), prices ``mode`` (税込 or 税抜)."""
        self.table(
            [
                ("商品コード", 90, "left"),
                ("商品名", 175, "left"),
                ("税率", 45, "right"),
                (f"単価({mode})", 85, "right"),
                ("数量", 40, "right"),
                (f"金額({mode})", 80.27, "right"),
            ]
        )
        for item in items:
            name = f"{item.name} {REDUCED_MARK}" if item.reduced else item.name
            cells = [item.sku, name, f"{item.rate.percent}%", _yen(item.unit_price)]
            self.row([*cells, str(item.quantity), _yen(item.amount)])
        self.end_table()

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _note_pdf(note: DeliveryNote) -> bytes:
    sheet = _Sheet(f"納品書 {note.order_number} {note.shipment_id}")
    dates = [
        f"発行日 {_day(note)}",
        f"受注番号 {note.order_number}",
        f"出荷番号 {note.shipment_id}",
    ]
    sheet.opening(
        ("納品書", 20), note.recipient, dates, note.issuer, "下記のとおり納品いたします。"
    )
    mode = "税込" if note.price_mode is PriceMode.INCLUSIVE else "税抜"
    sheet.items(note.items, mode)
    _note_summary(sheet, note, mode)
    return sheet.finish()


def _note_summary(sheet: _Sheet, note: DeliveryNote, mode: str) -> None:
    right = _WIDTH - _MARGIN
    label_x = right - 200
    sheet.down(6)
    lines: list[tuple[str, str]] = [("小計", _yen(note.items_total))]
    if note.shipping_fee:
        lines.append(("送料", _yen(note.shipping_fee)))
    if note.fees:
        lines.append(("手数料", _yen(note.fees)))
    if note.discount:
        lines.append(("値引き", _yen(-note.discount)))
    if note.points_used:
        lines.append(("ポイント利用", _yen(-note.points_used)))
    for line in note.tax.lines:
        lines.append((f"{line.rate.percent}%対象({mode})", _yen(line.base)))
        tax_label = "内消費税" if note.price_mode is PriceMode.INCLUSIVE else "消費税"
        lines.append((f"　{line.rate.percent}% {tax_label}", _yen(line.tax)))
    for label, value in lines:
        sheet.text(label_x, label, 10)
        sheet.text(right, value, 10, "right")
        sheet.down()
    sheet.canvas.line(label_x, sheet.y + _ROW - 4, right, sheet.y + _ROW - 4)
    sheet.text(label_x, "合計(税込)", 12)
    sheet.text(right, _yen(note.total), 12, "right")
    sheet.down(24)
    if note.has_reduced:
        sheet.reduced_footnote()


def _paid_back_pdf(note: ReturnNote | RefundNote) -> bytes:
    """A 返品明細書 or a 返金明細書 (適格返還請求書).

    The parties, what it concerns, per rate the amount paid back and its tax, what the customer
    gets.
    """
    if isinstance(note, ReturnNote):
        kind, reference, day = "返品", note.return_id, note.returned_on
        sentence = "下記のとおり返品を承り、代金を返還いたします。"
    else:
        kind, reference, day = "返金", note.refund_id, note.refunded_on
        sentence = "下記のお取引の代金の一部を返還いたします。"
    sheet = _Sheet(f"{kind}明細書 {note.order_number} {reference}")
    facts = [
        f"発行日 {note.issued_on:%Y年%m月%d日}",
        f"受注番号 {note.order_number}",
        f"{kind}番号 {reference}",
        f"売上日 {note.sold_on:%Y年%m月%d日}",
        f"{kind}日 {day:%Y年%m月%d日}",
    ]
    title = (f"{kind}明細書(適格返還請求書)", 18)
    sheet.opening(title, note.recipient, facts, note.issuer, sentence)
    if isinstance(note, RefundNote):
        for line in sheet.wrap(f"返金理由 {note.reason}", _WIDTH - 2 * _MARGIN, 10):
            sheet.text(_MARGIN, line, 10)
            sheet.down()
        sheet.down(4)
    sheet.items(note.items, "税込")
    sheet.down(6)
    right = _WIDTH - _MARGIN
    label_x = right - 220
    lines = []
    for refund in note.refunds:
        lines.append((f"{refund.rate.percent}%対象 返還額(税込)", _yen(refund.amount)))
        lines.append((f"　うち消費税({refund.rate.percent}%)", _yen(refund.tax)))
    if isinstance(note, ReturnNote) and note.fee:
        lines.append(("返品手数料", _yen(-note.fee)))
    for label, value in lines:
        sheet.text(label_x, label, 10)
        sheet.text(right, value, 10, "right")
        sheet.down()
    sheet.text(label_x, "返金額", 12)
    sheet.text(right, _yen(note.paid_back), 12, "right")
    sheet.down(24)
    if note.has_reduced:
        sheet.reduced_footnote()
    return sheet.finish()


def _picking_pdf(picking: PickingList) -> bytes:
    sheet = _Sheet(f"ピッキングリスト {picking.warehouse}")
    sheet.text(_WIDTH / 2, "ピッキングリスト", 18, "center")
    sheet.down(30)
    sheet.text(_MARGIN, f"倉庫 {picking.warehouse}", 11)
    if picking.wave is not None:
        sheet.text(_MARGIN + 200, f"ウェーブ {picking.wave}", 11)
    sheet.text(
        _WIDTH - _MARGIN,
        f"出荷 {len(picking.shipment_ids)}件 / {picking.quantity}点",
        11,
        "right",
    )
    sheet.down(24)
    sheet.table(
        [
            ("ロケーション", 80, "left"),
            ("商品コード", 85, "left"),
            ("商品名", 120, "left"),
            ("数量", 40, "right"),
            ("受注番号", 60, "left"),
            ("出荷番号 (同梱)", 130.27, "left"),
        ]
    )
    for row in picking.rows:
        sheet.row(
            [
                row.location or "-",
                row.sku,
                row.name,
                str(row.quantity),
                row.order_number,
                row.shipment_id if row.parcel is None else f"{row.shipment_id} ({row.parcel})",
            ]
        )
    sheet.end_table()
    sheet.down(10)
    sheet.text(_MARGIN, "商品別合計", 12)
    sheet.down(20)
    sheet.table(
        [
            ("ロケーション", 80, "left"),
            ("商品コード", 85, "left"),
            ("商品名", 280, "left"),
            ("数量", 70.27, "right"),
        ]
    )
    for total in picking.totals:
        sheet.row([total.location or "-", total.sku, total.name, str(total.quantity)])
    sheet.end_table()
    return sheet.finish()


def render_pdf(paper: DeliveryNote | PickingList | ReturnNote | RefundNote) -> bytes:
    """``paper`` as the bytes of an A4 PDF in Japanese (needs the ``pdf`` extra: ReportLab).

    A delivery note prints as a 納品書 with the issuer's 登録番号, the items (``※`` on the
    reduced-rate ones and a line saying what ``※`` means), per rate the total and its tax, and
    the total; a picking list prints its rows and the units per SKU; a return note prints as a
    返品明細書 (適格返還請求書) with the dates of the sale and of the return, the items and per
    rate the amount paid back and its tax; a goodwill refund's note prints as a 返金明細書
    (適格返還請求書) with the dates of the sale and of the refund, its reason, the goods of the
    sale it reduces and per rate the amount paid back and its tax.
    """
    if not isinstance(paper, (DeliveryNote, PickingList, ReturnNote, RefundNote)):
        expected = "a DeliveryNote, a PickingList, a ReturnNote or a RefundNote"
        raise InvalidValue("paper", paper, expected)
    try:
        import reportlab  # noqa: F401
    except ImportError:
        raise ModuleNotFoundError(
            "render_pdf needs ReportLab: pip install 'reportlab>=4' (orderflow's pdf extra, "
            "pip install '/path/to/orderflow[pdf]' from its clone)",
            name="reportlab",
        ) from None
    if isinstance(paper, DeliveryNote):
        return _note_pdf(paper)
    if isinstance(paper, (ReturnNote, RefundNote)):
        return _paid_back_pdf(paper)
    return _picking_pdf(paper)
