"""The three import layouts (column names, encodings) and the error that names a row and column."""

from __future__ import annotations

from orderflow.errors import InvalidValue

__all__ = [
    "FREEE_COLUMNS",
    "MONEYFORWARD_COLUMNS",
    "YAYOI_COLUMNS",
    "JournalFileError",
]

YAYOI_COLUMNS: tuple[str, ...] = (
    "識別フラグ",
    "伝票No.",
    "決算",
    "取引日付",
    "借方勘定科目",
    "借方補助科目",
    "借方部門",
    "借方税区分",
    "借方金額",
    "借方税金額",
    "貸方勘定科目",
    "貸方補助科目",
    "貸方部門",
    "貸方税区分",
    "貸方金額",
    "貸方税金額",
    "摘要",
    "番号",
    "期日",
    "タイプ",
    "生成元",
    "仕訳メモ",
    "付箋1",
    "付箋2",
    "調整",
)
"""弥生インポート形式 (仕訳データ), 25 columns; the file has no header row, these name them."""


def _side(prefix: str) -> tuple[str, ...]:
    names = (
        *("勘定科目", "科目コード", "補助科目", "取引先", "取引先コード", "部門", "品目"),
        *("メモタグ", "セグメント1", "セグメント2", "セグメント3", "金額", "税区分", "税額"),
    )
    return tuple(prefix + name for name in names)


FREEE_COLUMNS: tuple[str, ...] = (
    "[表題行]",
    "日付",
    "伝票番号",
    "決算整理仕訳",
    *_side("借方"),
    *_side("貸方"),
    "摘要",
)
"""freee会計's 仕訳 import (freee形式, 33 columns); each data row starts with ``[明細行]``."""

MONEYFORWARD_COLUMNS: tuple[str, ...] = (
    "取引No",
    "取引日",
    "借方勘定科目",
    "借方補助科目",
    "借方部門",
    "借方取引先",
    "借方税区分",
    "借方インボイス",
    "借方金額(円)",
    "借方税額",
    "貸方勘定科目",
    "貸方補助科目",
    "貸方部門",
    "貸方取引先",
    "貸方税区分",
    "貸方インボイス",
    "貸方金額(円)",
    "貸方税額",
    "摘要",
    "仕訳メモ",
    "タグ",
    "MF仕訳タイプ",
    "決算整理仕訳",
    "作成日時",
    "作成者",
    "最終更新日時",
    "最終更新者",
)
"""マネーフォワード クラウド会計's 仕訳帳 import, 27 columns (A to AA)."""


class JournalFileError(InvalidValue):
    """A journal file refused: names the row (from 1; a header is row 1) and the column (from 1)."""

    def __init__(self, row: int, column: int, field: str, value: object, expected: str) -> None:
        super().__init__(f"row {row}, column {column} {field}", value, expected)
        self.row = row
        self.column = column
