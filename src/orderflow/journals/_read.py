"""Reading the three journal files back into entries: for tests and for shops checking a file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime

from orderflow.csvsafe import FORMULA_STARTS
from orderflow.domain.booking import JournalEntry, JournalLine, Side
from orderflow.domain.money import Money
from orderflow.errors import InvalidValue
from orderflow.journals._layouts import (
    FREEE_COLUMNS,
    MONEYFORWARD_COLUMNS,
    YAYOI_COLUMNS,
    JournalFileError,
)

__all__ = ["read_freee", "read_moneyforward", "read_yayoi"]

_Row = tuple[int, list[str]]


def _text(data: bytes, encoding: str) -> str:
    if not isinstance(data, bytes | bytearray):
        raise InvalidValue("data", type(data).__name__, "the file's bytes")
    data = bytes(data)
    if encoding == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as bad:
        row = data.count(b"\n", 0, bad.start) + 1
        raise JournalFileError(row, 1, "(text)", data[bad.start : bad.end], encoding) from None


def _rows(data: bytes, encoding: str, columns: Sequence[str], header: bool) -> list[_Row]:
    text = _text(data, encoding)
    try:
        # newline="": a line break inside a quoted cell stays in the cell, and only CR, LF and
        # CR LF end a row (str.splitlines also splits at U+2028, U+0085, form feeds …).
        parsed = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as bad:
        raise JournalFileError(1, 1, "(csv)", str(bad), "CSV text") from None
    rows = [(n, cells) for n, cells in enumerate(parsed, start=1) if cells]
    if header:
        if not rows or tuple(rows[0][1]) != tuple(columns):
            got = rows[0][1][:3] if rows else []
            raise JournalFileError(1, 1, "(header)", got, f"the header {', '.join(columns[:3])} …")
        rows = rows[1:]
    for n, cells in rows:
        if len(cells) != len(columns):
            raise JournalFileError(n, len(cells), "(cells)", len(cells), f"{len(columns)} cells")
    return [(n, [_plain(c) for c in cells]) for n, cells in rows]


def _plain(cell: str) -> str:
    """The cell as it was written, the ``'`` the export put in front taken off.

    :func:`~orderflow.csvsafe.neutralize` puts it before a formula's first character, the
    exports before a text that is apostrophes then such a character (``'=1`` is ``''=1``).
    """
    if cell.startswith("'") and cell[1:].lstrip("'")[:1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def _date(row: int, column: int, text: str) -> date:
    try:
        return datetime.strptime(text, "%Y/%m/%d").date()
    except ValueError:
        raise JournalFileError(row, column, "(date)", text, "a date as YYYY/MM/DD") from None


def _money(row: int, column: int, text: str) -> Money | None:
    if text == "":
        return None
    if not (text.isascii() and text.isdigit()):
        raise JournalFileError(row, column, "(amount)", text, "a whole number of yen")
    return Money.yen(int(text))


class _Sides:
    """Where one side's account, sub-account, category, amount and tax amount are (from 0)."""

    def __init__(self, columns: Sequence[str], prefix: str, amount: str, tax: str) -> None:
        self.at = [
            columns.index(prefix + name) for name in ("勘定科目", "補助科目", "税区分", amount, tax)
        ]

    def line(self, side: Side, row: int, cells: list[str]) -> JournalLine | None:
        account, sub, category, amount, tax = (cells[i] for i in self.at)
        money = _money(row, self.at[3] + 1, amount)
        if account == "":
            if money is not None and money.amount:
                raise JournalFileError(row, self.at[3] + 1, "(amount)", amount, "no account")
            return None
        if money is None:
            raise JournalFileError(row, self.at[3] + 1, "(amount)", "", "an amount")
        return JournalLine(side, account, money, sub, category, _money(row, self.at[4] + 1, tax))


def _entry(
    rows: list[_Row],
    debit: _Sides,
    credit: _Sides,
    head: Callable[[int, list[str]], tuple[date, str, str]],
) -> JournalEntry:
    first_row, first = rows[0]
    day, reference, memo = head(first_row, first)
    debits: list[JournalLine] = []
    credits: list[JournalLine] = []
    for n, cells in rows:
        d, c = debit.line(Side.DEBIT, n, cells), credit.line(Side.CREDIT, n, cells)
        debits += [d] if d else []
        credits += [c] if c else []
    try:
        return JournalEntry(day, reference, memo, (*debits, *credits))
    except InvalidValue as bad:
        raise JournalFileError(first_row, 1, "(entry)", bad.value, bad.expected) from None


def _grouped(rows: list[_Row], key: Callable[[list[str]], object]) -> list[list[_Row]]:
    groups: list[list[_Row]] = []
    for row in rows:
        if groups and key(groups[-1][-1][1]) == key(row[1]):
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def read_yayoi(data: bytes) -> list[JournalEntry]:
    """The entries in a 弥生インポート形式 file (CP932, no header), as :func:`export_yayoi` writes.

    Rows are grouped by 識別フラグ (2000 or 2111 alone; 2110, 2100 …, 2101); the reference is
    仕訳メモ, the memo 摘要, the date the first row's 取引日付. Raises :class:`JournalFileError`
    naming the row and column of the first problem, an entry that does not balance included.
    """
    rows = _rows(data, "cp932", YAYOI_COLUMNS, header=False)
    cols = YAYOI_COLUMNS
    debit = _Sides(cols, "借方", "金額", "税金額")
    credit = _Sides(cols, "貸方", "金額", "税金額")
    groups: list[list[_Row]] = []
    open_group: list[_Row] | None = None
    for n, cells in rows:
        flag = cells[0]
        if flag in ("2000", "2111") and open_group is None:
            groups.append([(n, cells)])
        elif flag == "2110" and open_group is None:
            open_group = [(n, cells)]
        elif flag in ("2100", "2101") and open_group is not None:
            open_group.append((n, cells))
            if flag == "2101":
                groups.append(open_group)
                open_group = None
        else:
            raise JournalFileError(n, 1, "識別フラグ", flag, "2000, 2111, or 2110 … 2100 … 2101")
    if open_group is not None:
        raise JournalFileError(open_group[-1][0], 1, "識別フラグ", "", "a 2101 row to end it")

    def head(n: int, cells: list[str]) -> tuple[date, str, str]:
        return _date(n, 4, cells[3]), cells[21], cells[16]

    return [_entry(group, debit, credit, head) for group in groups]


def read_freee(data: bytes) -> list[JournalEntry]:
    """The entries in a freee 仕訳 import file (UTF-8, BOM or not), as :func:`export_freee` writes.

    Consecutive rows with the same 日付 and 伝票番号 are one entry; its reference is the 伝票番号,
    its memo the first row's 摘要. Raises :class:`JournalFileError` naming row and column.
    """
    cols = FREEE_COLUMNS
    rows = _rows(data, "utf-8", cols, header=True)
    for n, cells in rows:
        if cells[0] != "[明細行]":
            raise JournalFileError(n, 1, "[表題行]", cells[0], "[明細行]")
    debit = _Sides(cols, "借方", "金額", "税額")
    credit = _Sides(cols, "貸方", "金額", "税額")
    memo = cols.index("摘要")

    def head(n: int, cells: list[str]) -> tuple[date, str, str]:
        return _date(n, 2, cells[1]), cells[2], cells[memo]

    groups = _grouped(rows, lambda cells: (cells[1], cells[2]))
    return [_entry(group, debit, credit, head) for group in groups]


def read_moneyforward(data: bytes, *, encoding: str = "cp932") -> list[JournalEntry]:
    """The entries in an MF クラウド会計 仕訳帳 import file, as :func:`export_moneyforward` writes.

    ``encoding`` is ``"cp932"`` (default) or ``"utf-8-sig"``. Consecutive rows with the same
    取引No are one entry; its reference is 仕訳メモ, its memo 摘要 (both from its first row).
    Raises :class:`JournalFileError` naming row and column.
    """
    if encoding not in ("cp932", "utf-8-sig"):
        raise InvalidValue("encoding", encoding, "'cp932' or 'utf-8-sig'")
    cols = MONEYFORWARD_COLUMNS
    rows = _rows(data, "cp932" if encoding == "cp932" else "utf-8", cols, header=True)
    debit = _Sides(cols, "借方", "金額(円)", "税額")
    credit = _Sides(cols, "貸方", "金額(円)", "税額")
    memo, reference = cols.index("摘要"), cols.index("仕訳メモ")

    def head(n: int, cells: list[str]) -> tuple[date, str, str]:
        return _date(n, 2, cells[1]), cells[reference], cells[memo]

    groups = _grouped(rows, lambda cells: cells[0])
    return [_entry(group, debit, credit, head) for group in groups]
