r"""CSV that a spreadsheet cannot turn into a formula (CSVインジェクション対策).

Every CSV orderflow writes (carrier label files, picking lists, 納品書) goes through this module,
so that a product name, a customer's name or a remark typed by a customer cannot run as a formula
when a shop opens the file in Excel, LibreOffice or Google Sheets (``=HYPERLINK(…)``,
``@SUM(…)``, ``-2+3``; CSV injection, OWASP).

The rule, applied to every text cell by :func:`neutralize`:

- a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (the characters
  OWASP lists), or with the full-width ``＝``, ``＋``, ``－``, ``＠`` (a precaution: a Japanese
  keyboard types them), gets a leading apostrophe ``'``, which the spreadsheet shows as text and
  hides: ``=1+2`` is written ``'=1+2``;
- nothing else changes; quoting (a cell with a comma, a quote or a line break is wrapped in
  double quotes, its quotes doubled) is the standard library's :mod:`csv`.

Numbers written *as numbers* (an ``int`` or a ``Decimal``, never a float or a bool) are not text
and are written as they are: ``-500`` stays ``-500``, which a spreadsheet reads as a number, never
as a formula. The same characters in a text cell (a product called ``-5``) get the apostrophe.

Two writers: :func:`write_csv` (a header and rows, as text with CR LF, for files a shop encodes
as it likes, ``"utf-8-sig"`` for Excel or ``"cp932"``) and :func:`write_rows` (rows as bytes in one
encoding, for the carriers' systems that want CP932). CP932 writes six characters in their
Windows forms, as Windows itself does (〜 U+301C as ～, − U+2212 as －, ‖ as ∥, ¢ £ ¬ as their
full-width forms), and refuses the rest of what it cannot hold, naming the row and the column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from orderflow.errors import InvalidValue

__all__ = ["FORMULA_STARTS", "Cell", "neutralize", "write_csv", "write_rows"]

FORMULA_STARTS: frozenset[str] = frozenset("=+-@\t\r＝＋－＠\u2212")
"""The first characters that make a text cell get a leading ``'`` (``−``, U+2212, too: CP932
writes it as ``－``)."""

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


def _cell(value: object, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(value)
    if type(value) is int or type(value) is Decimal:
        if type(value) is Decimal and not value.is_finite():
            raise InvalidValue(where, value, "a finite number")
        return str(value)
    raise InvalidValue(where, value, "a text, an int or a Decimal (never a float or bool)")


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
        writer.writerow([_cell(value, f"rows[{index}][{col}]") for col, value in enumerate(row)])
    return out.getvalue()


def write_rows(
    rows: Iterable[Sequence[Cell]], *, encoding: str = "utf-8", newline: str = "\r\n"
) -> bytes:
    """The rows as CSV bytes in ``encoding``, every cell neutralised, each row ended by ``newline``.

    Raises :class:`~orderflow.errors.InvalidValue` naming the row and column (both from 1) of a
    cell that ``encoding`` cannot encode; the message shows the character refused, never the
    whole cell (cells often hold names and addresses).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    for row_number, row in enumerate(rows, start=1):
        safe = [
            _cell(value, f"row {row_number}, column {column}")
            for column, value in enumerate(row, start=1)
        ]
        try:
            "".join(safe).encode(encoding)  # one check per row; the cell is found on failure
        except UnicodeEncodeError:
            for column, value in enumerate(safe, start=1):
                try:
                    value.encode(encoding)
                except UnicodeEncodeError as refused:
                    raise InvalidValue(
                        f"row {row_number}, column {column}",
                        value[refused.start : refused.end],
                        f"text that {encoding} can encode",
                    ) from None
            raise  # pragma: no cover - a row refused whole is refused in one of its cells
        writer.writerow(safe)
    return buffer.getvalue().encode(encoding)
