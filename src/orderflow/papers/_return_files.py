"""The notes of money paid back (適格返還請求書) as CSV rows: :func:`orderflow.papers.to_csv`.

A return note (返品明細書) and a goodwill refund's note (返金明細書) share their columns; only the
second and sixth name their own reference and date (返品番号 / 返品日, 返金番号 / 返金日).
"""

from __future__ import annotations

from orderflow.csvsafe import Cell
from orderflow.papers.delivery import NoteItem
from orderflow.papers.refunds import RefundNote
from orderflow.papers.returns import ReturnNote

__all__ = ["REFUND_HEADER", "RETURN_HEADER", "item_row", "return_rows"]

_TAIL = {
    "ja": ("区分", "商品コード", "商品名", "軽減税率", "税率", "単価", "数量", "金額", "消費税"),
    "en": (
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


def _header(language: str, reference: str, day: str) -> tuple[str, ...]:
    first = {
        "ja": ("受注番号", reference, "発行日", "登録番号", "売上日", day),
        "en": ("order_number", reference, "issued_on", "registration_number", "sold_on", day),
    }
    return (*first[language], *_TAIL[language])


RETURN_HEADER = {
    "ja": _header("ja", "返品番号", "返品日"),
    "en": _header("en", "return_id", "returned_on"),
}
"""The columns of a return note's CSV, per language."""
REFUND_HEADER = {
    "ja": _header("ja", "返金番号", "返金日"),
    "en": _header("en", "refund_id", "refunded_on"),
}
"""The columns of a goodwill refund's note's CSV, per language."""

_KINDS = {
    "ja": {
        "item": "返品明細",
        "sold": "対象商品",
        "reason": "返金理由",
        "rate": "税率別返還額",
        "fee": "返品手数料",
        "paid": "返金額",
    },
    "en": {
        "item": "item",
        "sold": "item_sold",
        "reason": "reason",
        "rate": "rate_refund",
        "fee": "fee",
        "paid": "paid_back",
    },
}


def item_row(head: list[Cell], kind: str, item: NoteItem) -> list[Cell]:
    """An item's row, in every paper's item columns: SKU, name, ※, rate, price, units, amount."""
    return [
        *head,
        kind,
        item.sku,
        item.name,
        item.mark,
        item.rate.percent,
        item.unit_price.amount,
        item.quantity,
        item.amount.amount,
        None,
    ]


def return_rows(note: ReturnNote | RefundNote, language: str) -> list[list[Cell]]:
    """The note's rows under :data:`RETURN_HEADER` or :data:`REFUND_HEADER`.

    A return note: one row per item returned (返品明細). A refund note: the reason (返金理由, in
    the name column), then one row per item of the sale it reduces (対象商品). Then per rate the
    amount paid back and its tax (税率別返還額), the fee kept back if any, and 返金額.
    """
    kinds = _KINDS[language]
    blank: list[Cell] = [None, None, None]
    if isinstance(note, ReturnNote):
        reference, day, item_kind = note.return_id, note.returned_on, kinds["item"]
    else:
        reference, day, item_kind = note.refund_id, note.refunded_on, kinds["sold"]
    head: list[Cell] = [
        note.order_number,
        reference,
        note.issued_on.isoformat(),
        note.issuer.registration_number,
        note.sold_on.isoformat(),
        day.isoformat(),
    ]
    rows: list[list[Cell]] = []
    if isinstance(note, RefundNote):
        rows.append([*head, kinds["reason"], None, note.reason, *[None] * 6])
    rows.extend(item_row(head, item_kind, item) for item in note.items)
    for line in note.refunds:
        amounts: list[Cell] = [line.amount.amount, line.tax.amount]
        rows.append([*head, kinds["rate"], *blank, line.rate.percent, None, None, *amounts])
    if isinstance(note, ReturnNote) and note.fee:
        rows.append([*head, kinds["fee"], *blank, None, None, None, note.fee.amount, None])
    rows.append([*head, kinds["paid"], *blank, None, None, None, note.paid_back.amount, None])
    return rows
