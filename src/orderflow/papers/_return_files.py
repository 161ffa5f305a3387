"""A return note (適格返還請求書) as CSV rows: :func:`orderflow.papers.to_csv` calls these."""

from __future__ import annotations

from orderflow.csvsafe import Cell
from orderflow.papers.returns import ReturnNote

__all__ = ["RETURN_HEADER", "return_rows"]

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
