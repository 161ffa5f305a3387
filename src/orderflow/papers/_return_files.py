"""A return note (適格返還請求書) as CSV rows and as a PDF page.

:func:`orderflow.papers.to_csv` and :func:`orderflow.papers.render_pdf` call these.
"""

from __future__ import annotations

from typing import Any

from orderflow.csvsafe import Cell
from orderflow.papers.delivery import REDUCED_MARK
from orderflow.papers.returns import ReturnNote

__all__ = ["RETURN_HEADER", "return_pdf", "return_rows"]

RETURN_HEADER = {
    "ja": (
        "受注番号",
        "返品番号",
        "発行日",
        "登録番号",
        "売上日",
        "返品日",
        "区分",
        "商品コード",
        "商品名",
        "軽減税率",
        "税率",
        "単価",
        "数量",
        "金額",
        "消費税",
    ),
    "en": (
        "order_number",
        "return_id",
        "issued_on",
        "registration_number",
        "sold_on",
        "returned_on",
        "kind",
        "sku",
        "name",
        "reduced_mark",
        "rate",
        "unit_price",
        "quantity",
        "amount",
        "tax",
    ),
}

_KINDS = {
    "ja": {"item": "返品明細", "rate": "税率別返還額", "fee": "返品手数料", "paid": "返金額"},
    "en": {"item": "item", "rate": "rate_refund", "fee": "fee", "paid": "paid_back"},
}


def return_rows(note: ReturnNote, language: str) -> list[list[Cell]]:
    """One row per item returned, per rate paid back (amount and tax), the fee and the total."""
    kinds = _KINDS[language]
    head: list[Cell] = [
        note.order_number,
        note.return_id,
        note.issued_on.isoformat(),
        note.issuer.registration_number,
        note.sold_on.isoformat(),
        note.returned_on.isoformat(),
    ]
    blank: list[Cell] = [None, None, None]
    rows: list[list[Cell]] = [
        [
            *head,
            kinds["item"],
            item.sku,
            item.name,
            item.mark,
            item.rate.percent,
            item.unit_price.amount,
            item.quantity,
            item.amount.amount,
            None,
        ]
        for item in note.items
    ]
    for line in note.refunds:
        amounts: list[Cell] = [line.amount.amount, line.tax.amount]
        rows.append([*head, kinds["rate"], *blank, line.rate.percent, None, None, *amounts])
    if note.fee:
        rows.append([*head, kinds["fee"], *blank, None, None, None, note.fee.amount, None])
    rows.append([*head, kinds["paid"], *blank, None, None, None, note.paid_back.amount, None])
    return rows


def return_pdf(note: ReturnNote, sheet: Any, width: float, margin: float, yen: Any) -> bytes:
    """The note on ``sheet`` (the papers' PDF sheet): title, parties, items, per-rate refunds."""
    right = width - margin
    sheet.text(width / 2, "返品明細書(適格返還請求書)", 18, "center")
    sheet.down(32)
    facts = [
        f"発行日 {note.issued_on:%Y年%m月%d日}",
        f"受注番号 {note.order_number}",
        f"返品番号 {note.return_id}",
        f"売上日 {note.sold_on:%Y年%m月%d日}",
        f"返品日 {note.returned_on:%Y年%m月%d日}",
    ]
    sheet.parties(note.recipient, facts)
    sheet.down(8)
    sheet.issuer(note.issuer)
    sheet.down(8)
    sheet.text(margin, "下記のとおり返品を承り、代金を返還いたします。", 10)
    sheet.down(20)
    sheet.items(note.items, "税込")
    sheet.down(6)
    label_x = right - 220
    lines = []
    for refund in note.refunds:
        lines.append((f"{refund.rate.percent}%対象 返還額(税込)", yen(refund.amount)))
        lines.append((f"　うち消費税({refund.rate.percent}%)", yen(refund.tax)))
    if note.fee:
        lines.append(("返品手数料", yen(-note.fee)))
    for label, value in lines:
        sheet.text(label_x, label, 10)
        sheet.text(right, value, 10, "right")
        sheet.down()
    sheet.text(label_x, "返金額", 12)
    sheet.text(right, yen(note.paid_back), 12, "right")
    sheet.down(24)
    if note.has_reduced:
        sheet.text(margin, f"{REDUCED_MARK}は軽減税率(8%)対象商品です。", 9)
        sheet.down()
    result: bytes = sheet.finish()
    return result
