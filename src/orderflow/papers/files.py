"""The papers as CSV text (納品書 / ピッキングリスト のCSV), through :mod:`orderflow.csvsafe`.

:func:`to_csv` writes a :class:`~orderflow.papers.DeliveryNote` or a
:class:`~orderflow.papers.PickingList` as one flat table: every row carries its document's
references, so the file can be loaded as it is. Every text cell is neutralised against formula
injection (see :mod:`orderflow.csvsafe`); amounts are written as plain positive numbers.
"""

from __future__ import annotations

from orderflow.csvsafe import Cell, write_csv
from orderflow.errors import InvalidValue
from orderflow.i18n import LOCALES
from orderflow.papers._return_files import REFUND_HEADER, RETURN_HEADER, item_row, return_rows
from orderflow.papers.delivery import DeliveryNote
from orderflow.papers.picking import PickingList
from orderflow.papers.refunds import RefundNote
from orderflow.papers.returns import ReturnNote

__all__ = ["to_csv"]

_NOTE_HEADER = {
    "ja": (
        "受注番号",
        "出荷番号",
        "発行日",
        "登録番号",
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
        "shipment_id",
        "issued_on",
        "registration_number",
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
    "ja": {
        "item": "明細",
        "shipping_fee": "送料",
        "fees": "手数料",
        "discount": "値引き",
        "points": "ポイント利用",
        "rate_total": "税率別合計",
        "total": "合計",
    },
    "en": {
        "item": "item",
        "shipping_fee": "shipping_fee",
        "fees": "fee",
        "discount": "discount",
        "points": "points",
        "rate_total": "rate_total",
        "total": "total",
    },
}

_PICKING_HEADER = {
    "ja": (
        "倉庫",
        "ウェーブ",
        "ロケーション",
        "商品コード",
        "商品名",
        "数量",
        "受注番号",
        "出荷番号",
        "同梱",
    ),
    "en": (
        "warehouse",
        "wave",
        "location",
        "sku",
        "name",
        "quantity",
        "order_number",
        "shipment_id",
        "parcel",
    ),
}


def _note_rows(note: DeliveryNote, language: str) -> list[list[Cell]]:
    kinds = _KINDS[language]
    head: list[Cell] = [
        note.order_number,
        note.shipment_id,
        note.issued_on.isoformat(),
        note.issuer.registration_number,
    ]
    rows = [item_row(head, kinds["item"], item) for item in note.items]
    for kind, money in (
        ("shipping_fee", note.shipping_fee),
        ("fees", note.fees),
        ("discount", note.discount),
        ("points", note.points_used),
    ):
        if money:
            rows.append(
                [*head, kinds[kind], None, None, None, None, None, None, money.amount, None]
            )
    for line in note.tax.lines:
        rows.append(
            [
                *head,
                kinds["rate_total"],
                None,
                None,
                None,
                line.rate.percent,
                None,
                None,
                line.base.amount,
                line.tax.amount,
            ]
        )
    rows.append(
        [
            *head,
            kinds["total"],
            None,
            None,
            None,
            None,
            None,
            None,
            note.total.amount,
            note.tax_total.amount,
        ]
    )
    return rows


def _picking_rows(picking: PickingList) -> list[list[Cell]]:
    return [
        [
            picking.warehouse,
            picking.wave,
            row.location,
            row.sku,
            row.name,
            row.quantity,
            row.order_number,
            row.shipment_id,
            row.parcel,
        ]
        for row in picking.rows
    ]


def to_csv(
    paper: DeliveryNote | PickingList | ReturnNote | RefundNote, *, locale: str = "ja"
) -> str:
    """``paper`` as CSV text (CRLF line ends), with column names in ``locale`` (ja or en).

    A delivery note gives one row per item (区分 明細), one per fee or reduction it carries
    (送料, 手数料, 値引き, ポイント利用; amounts positive), one per tax rate (税率別合計: the rate's
    base in 金額 and its tax in 消費税) and the total (合計). A picking list gives one row per
    picking row. A return note gives one row per item returned (返品明細), one per rate paid
    back (税率別返還額: the amount in 金額, its tax in 消費税), the fee kept back and the amount
    paid back (返金額). A goodwill refund's note (返金番号 and 返金日 in place of 返品番号 and
    返品日) gives the reason (返金理由, in 商品名), one row per item of the sale it reduces
    (対象商品), one per rate paid back and the amount paid back. Encode the text as
    ``"utf-8-sig"`` or ``"cp932"`` for Excel.
    """
    language = locale.replace("-", "_").split("_")[0].lower() if isinstance(locale, str) else ""
    if language not in LOCALES:
        raise InvalidValue("locale", locale, f"one of {LOCALES}")
    if isinstance(paper, DeliveryNote):
        return write_csv(_NOTE_HEADER[language], _note_rows(paper, language))
    if isinstance(paper, PickingList):
        return write_csv(_PICKING_HEADER[language], _picking_rows(paper))
    if isinstance(paper, ReturnNote):
        return write_csv(RETURN_HEADER[language], return_rows(paper, language))
    if isinstance(paper, RefundNote):
        return write_csv(REFUND_HEADER[language], return_rows(paper, language))
    expected = "a DeliveryNote, a PickingList, a ReturnNote or a RefundNote"
    raise InvalidValue("paper", paper, expected)
