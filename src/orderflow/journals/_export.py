"""Writing journal entries as the files 弥生会計, freee会計 and MF クラウド会計 import."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from orderflow.csvsafe import FORMULA_STARTS, Cell, write_rows
from orderflow.domain.booking import JournalEntry, JournalLine, Side
from orderflow.domain.money import Money
from orderflow.errors import InvalidValue
from orderflow.journals._layouts import FREEE_COLUMNS, MONEYFORWARD_COLUMNS

__all__ = ["entries_between", "export_freee", "export_moneyforward", "export_yayoi"]

_Pair = tuple[JournalLine | None, JournalLine | None]


_NOT_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""The characters of Unicode's categories Cc, Zl and Zp: control characters and line breaks."""


def _kept(text: str) -> str:
    """``text`` as a cell the readers give back unchanged (``neutralize`` guards the rest).

    A text that is apostrophes before a formula's first character (``'=1``) gets one ``'``
    more: ``neutralize`` writes ``=1`` as ``'=1`` too, and the readers take one ``'`` off a cell
    whose rest starts, after its apostrophes, like a formula.
    """
    if text.startswith("'") and text.lstrip("'")[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def _is_day(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def entries_between(
    entries: Iterable[JournalEntry], since: date, until: date
) -> list[JournalEntry]:
    """The entries dated from ``since`` to ``until``, both included, by date (stable).

    Raises :class:`~orderflow.errors.InvalidValue` for ``since`` or ``until`` that is not a date
    (a ``datetime`` included), for anything in ``entries`` that is not a
    :class:`~orderflow.domain.booking.JournalEntry` dated by a date, and, for the entries in the
    range, for a text a journal file cannot hold (see :func:`_check_entry`).
    """
    if not _is_day(since) or not _is_day(until) or since > until:
        raise InvalidValue("since/until", f"{since} .. {until}", "two dates, since <= until")
    if isinstance(entries, str | bytes) or not isinstance(entries, Iterable):
        raise InvalidValue("entries", entries, "an iterable of JournalEntry values")
    chosen: list[JournalEntry] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, JournalEntry):
            raise InvalidValue(f"entries[{index}]", entry, "a JournalEntry")
        if not _is_day(entry.date):
            raise InvalidValue(f"entries[{index}].date", entry.date, "a date (not a datetime)")
        if since <= entry.date <= until:
            _check_entry(index, entry)
            chosen.append(entry)
    return sorted(chosen, key=lambda e: e.date)


def _check_text(field: str, value: object, *, required: bool = False) -> None:
    """Refuse a text a journal cell cannot hold: more than one line, a control character.

    ``required``: an empty text is refused too. The error shows the character refused, never
    the whole text.
    """
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidValue(field, value, "a non-empty text" if required else "a text")
    found = _NOT_ON_ONE_LINE.search(value)
    if found is not None:
        raise InvalidValue(
            field, found.group(), "text on one line, without line breaks or control characters"
        )


def _check_entry(index: int, entry: JournalEntry) -> None:
    where = f"entries[{index}]"
    _check_text(f"{where}.reference", entry.reference)
    _check_text(f"{where}.memo", entry.memo)
    if not isinstance(entry.lines, tuple):
        raise InvalidValue(f"{where}.lines", entry.lines, "a tuple of JournalLine values")
    for number, line in enumerate(entry.lines):
        at = f"{where}.lines[{number}]"
        if not isinstance(line, JournalLine) or not isinstance(line.side, Side):
            raise InvalidValue(at, line, "a JournalLine")
        _check_text(f"{at}.account", line.account, required=True)
        _check_text(f"{at}.sub_account", line.sub_account)
        _check_text(f"{at}.tax_category", line.tax_category)
        if not isinstance(line.amount, Money):
            raise InvalidValue(f"{at}.amount", line.amount, "a Money")
        if line.tax_amount is not None and not isinstance(line.tax_amount, Money):
            raise InvalidValue(f"{at}.tax_amount", line.tax_amount, "a Money, or None")


def _day(entry: JournalEntry) -> str:
    """The entry's date as YYYY/MM/DD, the year always in four digits (``0999/01/05``)."""
    day = entry.date
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


def _pairs(entry: JournalEntry) -> list[_Pair]:
    """The entry's lines side by side: the n-th debit next to the n-th credit (複合仕訳)."""
    debits = [ln for ln in entry.lines if ln.side is Side.DEBIT]
    credits = [ln for ln in entry.lines if ln.side is Side.CREDIT]
    size = max(len(debits), len(credits))
    return [
        (debits[i] if i < len(debits) else None, credits[i] if i < len(credits) else None)
        for i in range(size)
    ]


def _yen(entry: JournalEntry, value: Decimal, what: str) -> int:
    if value != value.to_integral_value() or value < 0:
        raise InvalidValue(
            f"entry {entry.reference} {what}", value, "a whole number of yen, 0 or more"
        )
    return int(value)


def _amount(entry: JournalEntry, line: JournalLine) -> int:
    if line.amount.currency != "JPY":
        raise InvalidValue(f"entry {entry.reference} amount", line.amount, "an amount in JPY")
    return _yen(entry, line.amount.amount, "amount")


def _tax(entry: JournalEntry, line: JournalLine) -> int | None:
    if line.tax_amount is None:
        return None
    if line.tax_amount.currency != "JPY":
        raise InvalidValue(
            f"entry {entry.reference} tax amount", line.tax_amount, "an amount in JPY"
        )
    return _yen(entry, line.tax_amount.amount, "tax amount")


def _side(
    entry: JournalEntry, line: JournalLine | None, blank_amount: int | None
) -> tuple[str, str, str, int | None, int | None]:
    """account, sub-account, tax category, amount, tax amount (or blanks)."""
    if line is None:
        return "", "", "", blank_amount, None
    return (
        _kept(line.account),
        _kept(line.sub_account),
        _kept(line.tax_category),
        _amount(entry, line),
        _tax(entry, line),
    )


def _flags(size: int) -> list[str]:
    if size == 1:
        return ["2000"]
    return ["2110", *["2100"] * (size - 2), "2101"]


def export_yayoi(entries: Iterable[JournalEntry], *, since: date, until: date) -> bytes:
    """The entries dated ``since`` to ``until`` (both included) in 弥生インポート形式.

    Shift_JIS (CP932), CR LF, no header row, 25 columns (:data:`YAYOI_COLUMNS`). A one-line
    entry is a 仕訳データ row (識別フラグ 2000, タイプ 0); a longer one a 振替伝票 of several rows
    (2110 first, 2100 between, 2101 last; タイプ 3) with the n-th debit next to the n-th credit
    and an empty side written as a blank account and ``0``. 伝票No. numbers the entries from 1;
    摘要 is the entry's memo, 仕訳メモ its reference. Every cell goes through
    :mod:`orderflow.csvsafe`; a character CP932 cannot hold is refused naming its row and column.
    """
    rows: list[Sequence[Cell]] = []
    for number, entry in enumerate(entries_between(entries, since, until), start=1):
        pairs = _pairs(entry)
        kind = "0" if len(pairs) == 1 else "3"
        day = _day(entry)
        for flag, (debit, credit) in zip(_flags(len(pairs)), pairs, strict=True):
            rows.append(
                (
                    flag,
                    number,
                    "",
                    day,
                    *_yayoi_side(entry, debit),
                    *_yayoi_side(entry, credit),
                    _kept(entry.memo),
                    "",
                    "",
                    kind,
                    "",
                    _kept(entry.reference),
                    0,
                    0,
                    "no",
                )
            )
    return write_rows(rows, encoding="cp932", newline="\r\n")


def _yayoi_side(entry: JournalEntry, line: JournalLine | None) -> tuple[Cell, ...]:
    account, sub, category, amount, tax = _side(entry, line, 0)
    return account, sub, "", category, amount, tax


def export_freee(entries: Iterable[JournalEntry], *, since: date, until: date) -> bytes:
    """The entries dated ``since`` to ``until`` (both included) in freee's 仕訳 import layout.

    UTF-8 with a BOM, CR LF, a header row of :data:`FREEE_COLUMNS`, each data row starting with
    ``[明細行]``. The rows of one entry share 日付 and 伝票番号 (the entries numbered from 1),
    which is how freee makes them one multi-line journal; the n-th debit sits next to the n-th
    credit, an empty side is left blank. 摘要 is the memo; freee's layout has no column for the
    reference, so the memo should name it (:func:`~orderflow.domain.booking.sale_entry`'s does).
    """
    rows: list[Sequence[Cell]] = [FREEE_COLUMNS]
    blank8 = ("",) * 8
    for number, entry in enumerate(entries_between(entries, since, until), start=1):
        day = _day(entry)
        for debit, credit in _pairs(entry):
            d_acc, d_sub, d_cat, d_amt, d_tax = _side(entry, debit, None)
            c_acc, c_sub, c_cat, c_amt, c_tax = _side(entry, credit, None)
            rows.append(
                (
                    "[明細行]",
                    day,
                    number,
                    "",
                    d_acc,
                    "",
                    d_sub,
                    *blank8,
                    d_amt,
                    d_cat,
                    d_tax,
                    c_acc,
                    "",
                    c_sub,
                    *blank8,
                    c_amt,
                    c_cat,
                    c_tax,
                    _kept(entry.memo),
                )
            )
    return b"\xef\xbb\xbf" + write_rows(rows, encoding="utf-8", newline="\r\n")


MfEncoding = Literal["cp932", "utf-8-sig"]


def export_moneyforward(
    entries: Iterable[JournalEntry],
    *,
    since: date,
    until: date,
    encoding: MfEncoding = "cp932",
) -> bytes:
    """The entries dated ``since`` to ``until`` (both included) in MF クラウド会計's 仕訳帳 import.

    A header row of :data:`MONEYFORWARD_COLUMNS` (27 columns, A to AA), CR LF, in Shift_JIS
    (CP932, the default) or UTF-8 with a BOM (``encoding="utf-8-sig"``): MF offers its template
    in both. The rows of one entry share 取引No (the entries numbered from 1) and 取引日, which
    is how MF makes them one 複合仕訳; an empty side is left blank. 摘要 is the memo, 仕訳メモ the
    reference; 借方インボイス / 貸方インボイス are left blank (MF fills them from the tax category).
    """
    if encoding not in ("cp932", "utf-8-sig"):
        raise InvalidValue("encoding", encoding, "'cp932' or 'utf-8-sig'")
    rows: list[Sequence[Cell]] = [MONEYFORWARD_COLUMNS]
    for number, entry in enumerate(entries_between(entries, since, until), start=1):
        day = _day(entry)
        for debit, credit in _pairs(entry):
            d_acc, d_sub, d_cat, d_amt, d_tax = _side(entry, debit, None)
            c_acc, c_sub, c_cat, c_amt, c_tax = _side(entry, credit, None)
            rows.append(
                (
                    number,
                    day,
                    d_acc,
                    d_sub,
                    "",
                    "",
                    d_cat,
                    "",
                    d_amt,
                    d_tax,
                    c_acc,
                    c_sub,
                    "",
                    "",
                    c_cat,
                    "",
                    c_amt,
                    c_tax,
                    _kept(entry.memo),
                    _kept(entry.reference),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                )
            )
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + write_rows(rows, encoding="utf-8", newline="\r\n")
    return write_rows(rows, encoding="cp932", newline="\r\n")
