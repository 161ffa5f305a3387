"""Carrier label files: the CSV that Yamato B2クラウド and Sagawa e飛伝III import, and back.

Shops print labels by uploading a CSV of their shipments to the carrier's system; the system
issues a tracking number per label and lets the shop download them. This module writes the
upload (:func:`export_b2`, :func:`export_ehiden`: the carriers' published column layouts,
Shift_JIS as CP932, CR LF, every cell through :mod:`orderflow.csvsafe`) and reads the issued
numbers back (:func:`read_b2_issued`, :func:`read_ehiden_issued`): all or nothing, one bad row
refuses the whole file with a :class:`CarrierFileError` naming the row and the column.

The shipment id is the key both ways (お客様管理番号). The layouts, what each column holds and
what could not be confirmed from the carriers' documents are in ``docs/carrier-files.md``.
"""

from orderflow.carrier_files._export import (
    B2_SLOTS,
    EHIDEN_SLOTS,
    ENCODING,
    Shipper,
    export_b2,
    export_ehiden,
    label_rows,
)
from orderflow.carrier_files._import import (
    MAX_BYTES,
    IssuedLabel,
    read_b2_issued,
    read_ehiden_issued,
)
from orderflow.carrier_files._layouts import B2_COLUMNS, EHIDEN_COLUMNS, CarrierFileError

__all__ = [
    "B2_COLUMNS",
    "B2_SLOTS",
    "EHIDEN_COLUMNS",
    "EHIDEN_SLOTS",
    "ENCODING",
    "MAX_BYTES",
    "CarrierFileError",
    "IssuedLabel",
    "Shipper",
    "export_b2",
    "export_ehiden",
    "label_rows",
    "read_b2_issued",
    "read_ehiden_issued",
]
