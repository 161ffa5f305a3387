"""Papers for the warehouse and the customer: picking list, 納品書, 返品明細書, 返金明細書.

Data first: :func:`picking_list` and :func:`delivery_note` build frozen values with no I/O, for a
shop to render as it likes. :func:`to_csv` writes either as CSV text (formula injection
neutralised by :mod:`orderflow.csvsafe`); :func:`render_pdf` prints either as a Japanese PDF with
ReportLab (the ``pdf`` extra). The 納品書 meets the 適格請求書 rules: the issuer's name and
registration number (checked), the date, the items with ``※`` on the reduced-rate ones, and per
rate the total and the tax rounded once per rate for the document. :func:`return_note` gives
a refunded return its 適格返還請求書 (per rate the amount paid back and its tax), and
:func:`refund_note` a goodwill refund (返金, 売上値引) its own.
"""

from orderflow.papers.delivery import REDUCED_MARK, DeliveryNote, NoteItem, delivery_note
from orderflow.papers.files import to_csv
from orderflow.papers.issuer import Issuer, registration_check_digit
from orderflow.papers.pdf import FONT, render_pdf
from orderflow.papers.picking import PickingList, PickingRow, SkuTotal, picking_list
from orderflow.papers.refunds import RefundNote, refund_note
from orderflow.papers.returns import (
    SMALL_RETURN,
    PaidBackNote,
    RefundLine,
    ReturnNote,
    return_note,
)

__all__ = [
    "FONT",
    "REDUCED_MARK",
    "SMALL_RETURN",
    "DeliveryNote",
    "Issuer",
    "NoteItem",
    "PaidBackNote",
    "PickingList",
    "PickingRow",
    "RefundLine",
    "RefundNote",
    "ReturnNote",
    "SkuTotal",
    "delivery_note",
    "picking_list",
    "refund_note",
    "registration_check_digit",
    "render_pdf",
    "return_note",
    "to_csv",
]
