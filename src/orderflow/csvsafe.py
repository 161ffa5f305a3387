r"""CSV that a spreadsheet opens without running anything: the formula-injection guard.

Every CSV orderflow writes (carrier label files, picking lists …) goes through this module. A
cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(…)``, ``@SUM(…)``), so a
customer who types ``=cmd|' /C calc'!A0`` as their name could run it on the operator's PC (CSV
injection, OWASP). :func:`cell` prefixes such a cell with ``'``, which the spreadsheet shows as
text and hides::

    cell("=1+1")        # "'=1+1"
    cell("山田 太郎")   # '山田 太郎' (unchanged)

The guard changes the text, so it is for files people open; a negative number written through it
becomes ``'-5`` (write amounts as positive numbers, or keep them out of such files).

:func:`write_rows` guards every cell and writes the rows as bytes in one encoding (CP932 for the
Japanese carriers' systems) with one line ending (CR LF by default), quoting a cell only when it
holds a comma, a quote or a line break. The encoding is Python's: CP932 writes six characters
in their Windows forms, as Windows itself does (〜 U+301C as ～, − U+2212 as －, ‖ as ∥, ¢ £ ¬ as
their full-width forms), and refuses the rest of what it cannot hold::

    write_rows([["品名", "数量"], ["=緑茶", "2"]], encoding="cp932")
    # b"\x95i\x96\xbc,\x90\x94\x97\xca\r\n'=\x97\xce\x92\x83,2\r\n"
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from orderflow.errors import InvalidValue

__all__ = ["FORMULA_STARTS", "cell", "write_rows"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula."""


def cell(value: str) -> str:
    """``value`` made safe to open in a spreadsheet: ``'`` before a formula's first character."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def write_rows(
    rows: Iterable[Sequence[str]], *, encoding: str = "utf-8", newline: str = "\r\n"
) -> bytes:
    """The rows as CSV bytes: every cell through :func:`cell`, each row ended by ``newline``.

    Raises :class:`~orderflow.errors.InvalidValue` naming the row and column (both from 1) of a
    cell that ``encoding`` cannot encode; the message shows the character refused, never the
    whole cell (cells often hold names and addresses).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    for row_number, row in enumerate(rows, start=1):
        safe = [cell(value) for value in row]
        for column, value in enumerate(safe, start=1):
            try:
                value.encode(encoding)
            except UnicodeEncodeError as refused:
                raise InvalidValue(
                    f"row {row_number}, column {column}",
                    value[refused.start : refused.end],
                    f"text that {encoding} can encode",
                ) from None
        writer.writerow(safe)
    return buffer.getvalue().encode(encoding)
