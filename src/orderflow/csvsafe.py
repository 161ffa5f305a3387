"""CSV that a spreadsheet cannot turn into a formula (CSVインジェクション対策).

Every CSV file orderflow writes goes through :func:`write_csv`, so that a product name, a customer
name or a remark typed by a customer cannot run as a formula when a shop opens the file in Excel
or LibreOffice (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``).

The rule, applied to every text cell:

- a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (the characters
  OWASP lists), or with the full-width ``＝``, ``＋``, ``－``, ``＠`` (taken as a precaution: a
  Japanese keyboard types them), gets a leading apostrophe ``'``: ``=1+2`` is written ``'=1+2``;
- nothing else changes; quoting (a cell with a comma, a quote or a line break is wrapped in
  double quotes, and its quotes doubled) is the standard library's :mod:`csv`.

Numbers written *as numbers* (an ``int`` or a ``Decimal``, never a float) are not text and are
written as they are: ``-500`` stays ``-500``, which a spreadsheet reads as the number −500 and
never as a formula (a number has no operator after its sign). The same characters in a text cell
(a product called ``-5``) get the apostrophe. orderflow's papers write amounts as positive numbers
(a discount is written ``500`` in a ``discount`` column), so the rule for negative numbers is
there for callers that pass them.

:func:`write_csv` returns a ``str`` with CRLF line ends (RFC 4180). Encode it as the reader
wants: ``"utf-8-sig"`` (UTF-8 with a BOM, which Excel needs to read Japanese) or ``"cp932"``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from orderflow.errors import InvalidValue

__all__ = ["FORMULA_STARTS", "Cell", "neutralize", "write_csv"]

FORMULA_STARTS: frozenset[str] = frozenset("=+-@\t\r＝＋－＠")
"""The first characters that make a text cell get a leading ``'``."""

Cell = str | int | Decimal | None
"""What a cell may hold: text (neutralised), a whole or decimal number (as is), or nothing."""


def neutralize(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: a leading ``'`` if it starts a formula.

    ``neutralize("=SUM(A1)")`` is ``"'=SUM(A1)"``; ``neutralize("緑茶")`` is ``"緑茶"``.
    """
    if not isinstance(text, str):
        raise InvalidValue("cell", text, "a text")
    if text and text[0] in FORMULA_STARTS:
        return "'" + text
    return text


def _cell(value: object, row: int, column: int) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(value)
    if type(value) is int or type(value) is Decimal:
        if type(value) is Decimal and not value.is_finite():
            raise InvalidValue(f"rows[{row}][{column}]", value, "a finite number")
        return str(value)
    raise InvalidValue(
        f"rows[{row}][{column}]", value, "a text, an int or a Decimal (never a float or bool)"
    )


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A CSV text with ``header`` then ``rows``, every text cell neutralised (see the module).

    Each row must have as many cells as the header. Numbers are ``int`` or ``Decimal``;
    ``None`` is an empty cell.
    """
    if isinstance(header, str) or not all(isinstance(name, str) for name in header):
        raise InvalidValue("header", header, "a sequence of column names")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralize(name) for name in header])
    for index, row in enumerate(rows):
        if isinstance(row, str) or len(row) != len(header):
            raise InvalidValue(f"rows[{index}]", row, f"a row of {len(header)} cells")
        writer.writerow([_cell(value, index, column) for column, value in enumerate(row)])
    return out.getvalue()
