"""Journal files the accounting products import: 弥生会計, freee会計, マネーフォワード クラウド会計.

:func:`export_yayoi` (弥生インポート形式, Shift_JIS, CR LF, no header), :func:`export_freee`
(freee's 仕訳 import, UTF-8 with a BOM) and :func:`export_moneyforward` (MF's 仕訳帳 import,
Shift_JIS or UTF-8 with a BOM) write the journal entries dated within a range (both ends
included) in each product's published column layout, a multi-line entry in the product's
compound-journal form, amounts as whole yen, every cell through :mod:`orderflow.csvsafe`.
:func:`read_yayoi`, :func:`read_freee` and :func:`read_moneyforward` read such a file back into
entries (all or nothing, a :class:`JournalFileError` names the row and the column).

What each column holds, and what could not be confirmed from the products' documents, is in
``docs/journal-exports.md``.
"""

from orderflow.journals._export import (
    entries_between,
    export_freee,
    export_moneyforward,
    export_yayoi,
)
from orderflow.journals._layouts import (
    FREEE_COLUMNS,
    MONEYFORWARD_COLUMNS,
    YAYOI_COLUMNS,
    JournalFileError,
)
from orderflow.journals._read import read_freee, read_moneyforward, read_yayoi

__all__ = [
    "FREEE_COLUMNS",
    "MONEYFORWARD_COLUMNS",
    "YAYOI_COLUMNS",
    "JournalFileError",
    "entries_between",
    "export_freee",
    "export_moneyforward",
    "export_yayoi",
    "read_freee",
    "read_moneyforward",
    "read_yayoi",
]
