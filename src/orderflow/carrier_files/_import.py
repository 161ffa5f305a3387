"""Reading the carriers' files of issued tracking numbers back: all or nothing."""

from __future__ import annotations

import io
from typing import Protocol

import attrs

from orderflow.adapters.carriers import Sagawa, Yamato
from orderflow.carrier_files._layouts import (
    B2_ALIASES,
    B2_COLUMNS,
    EHIDEN_ALIASES,
    EHIDEN_COLUMNS,
    CarrierFileError,
    header_key,
)
from orderflow.csvsafe import FORMULA_STARTS

__all__ = ["MAX_BYTES", "IssuedLabel", "read_b2_issued", "read_ehiden_issued"]

MAX_BYTES = 10_000_000
"""The default limit on a file's size (about 30,000 rows of the full B2 layout)."""


_CHUNK = 1 << 20
"""How much of a stream is asked for at a time (1 MiB)."""


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Carrier(Protocol):
    @property
    def code(self) -> str: ...

    def normalize(self, number: str) -> str | None: ...


@attrs.frozen(slots=True)
class IssuedLabel:
    """A label the carrier issued: which shipment (お客様管理番号) got which tracking number."""

    shipment_id: str
    """The shipment id from the お客様管理番号 column (as exported, trimmed); each appears once per
    file."""
    carrier: str
    """The carrier's code (``yamato``, ``sagawa``)."""
    tracking_number: str
    """Normalised by the carrier's adapter (``123456789013``)."""
    row: int
    """The file's row it was read from (the header is row 1)."""


def _bounded(data: bytes | _Readable, max_bytes: int) -> bytes:
    """The file's bytes, refused by their size before they are parsed.

    A stream is read no further than one byte past the limit.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        if isinstance(data, str | io.TextIOBase) or not callable(getattr(data, "read", None)):
            kind = "text" if isinstance(data, str | io.TextIOBase) else type(data).__name__
            raise CarrierFileError(
                1, 1, "(file)", kind, "the file's bytes or a binary stream (open it with 'rb')"
            )
        data = _read_stream(data, max_bytes + 1)
    if len(data) > max_bytes:
        raise CarrierFileError(
            1, 1, "(file)", f"{len(data)} bytes", f"a file of at most {max_bytes} bytes"
        )
    return bytes(data)


def _read_stream(stream: _Readable, limit: int) -> bytes:
    """At most ``limit`` bytes of ``stream``, read a chunk at a time until its end.

    Any ``limit`` however large is asked for in chunks, and a stream that answers short before
    its end (a pipe) is read on: its last rows are never left out.
    """
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(_CHUNK, limit - size))
        if not isinstance(chunk, bytes):
            raise CarrierFileError(1, 1, "(file)", type(chunk).__name__, "a binary stream")
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _decoded(data: bytes) -> str:
    """The text (CP932), or an error naming the line and the column of the first bad byte."""
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as bad:
        start = data.rfind(b"\n", 0, bad.start) + 1
        row = data.count(b"\n", 0, bad.start) + 1
        column = data.count(b",", start, bad.start) + 1
        raw = data[bad.start : bad.start + 2]
        raise CarrierFileError(row, column, "(text)", raw, "Shift_JIS (CP932) text") from None


def _fields(line: str, row: int) -> list[str]:
    """One CSV line's cells (RFC 4180 quoting; a quoted cell may not span lines)."""
    cells: list[str] = []
    index, size = 0, len(line)
    while True:
        column = len(cells) + 1
        if index < size and line[index] == '"':
            value, index = _quoted(line, index + 1, row, column)
            if index < size and line[index] != ",":
                raise CarrierFileError(
                    row, column, "(text)", line[index], "a comma after a closing quote"
                )
        else:
            stop = line.find(",", index)
            stop = size if stop < 0 else stop
            value = line[index:stop]
            if '"' in value:
                raise CarrierFileError(row, column, "(text)", '"', "a quote only around a cell")
            index = stop
        for char in value:
            if not char.isprintable() and char not in "\t\u3000":
                raise CarrierFileError(row, column, "(text)", char, "no control characters")
        cells.append(value)
        if index >= size:
            return cells
        index += 1


def _quoted(line: str, index: int, row: int, column: int) -> tuple[str, int]:
    value: list[str] = []
    while True:
        stop = line.find('"', index)
        if stop < 0:
            raise CarrierFileError(row, column, "(text)", "", "a closing quote on the same line")
        value.append(line[index:stop])
        if line.startswith('""', stop):
            value.append('"')
            index = stop + 2
            continue
        return "".join(value), stop + 1


def _read(
    data: bytes | _Readable,
    *,
    known: tuple[str, ...],
    id_header: str,
    number_header: str,
    carrier: _Carrier,
    max_bytes: int,
) -> list[IssuedLabel]:
    text = _decoded(_bounded(data, max_bytes))
    lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1)]
    rows = [(n, _fields(line.removesuffix("\r"), n)) for n, line in lines if line.strip("\r")]
    if not rows:
        raise CarrierFileError(1, 1, "(header)", "", f"a header row naming {id_header}")
    id_at, number_at = _columns(rows[0], known, id_header, number_header)
    width = len(rows[0][1])
    issued: list[IssuedLabel] = []
    ids: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for row, cells in rows[1:]:
        if len(cells) != width:
            column = min(len(cells), width) + 1
            raise CarrierFileError(
                row, column, "(cells)", len(cells), f"{width} cells, as in the header"
            )
        shipment_id = _unguarded(cells[id_at].strip())
        id_field = f"{id_header} (shipment_id)"
        if not shipment_id:
            raise CarrierFileError(row, id_at + 1, id_field, "", "a shipment id")
        if shipment_id in ids:
            raise CarrierFileError(
                row, id_at + 1, id_field, shipment_id, f"a shipment not on row {ids[shipment_id]}"
            )
        raw = cells[number_at]
        number = carrier.normalize(raw)
        number_field = f"{number_header} (tracking_number)"
        if number is None:
            raise CarrierFileError(
                row, number_at + 1, number_field, raw, f"a {carrier.code} tracking number"
            )
        if number in numbers:
            raise CarrierFileError(
                row, number_at + 1, number_field, raw, f"a number not on row {numbers[number]}"
            )
        ids[shipment_id] = numbers[number] = row
        issued.append(IssuedLabel(shipment_id, carrier.code, number, row))
    return issued


def _columns(
    header_row: tuple[int, list[str]], known: tuple[str, ...], id_header: str, number_header: str
) -> tuple[int, int]:
    """Where the shipment id and the tracking number are (0-based), from the header row.

    Every column must be one of the layout's (``known``); the two wanted ones appear once each.
    """
    row, header = header_row
    names = {header_key(name) for name in known}
    wanted = {header_key(id_header): id_header, header_key(number_header): number_header}
    where: dict[str, int] = {}
    for column, name in enumerate(header, start=1):
        key = header_key(name)
        if key not in names:
            raise CarrierFileError(row, column, "(header)", name, "a column of the layout")
        if key in wanted:
            if key in where:
                raise CarrierFileError(
                    row, column, "(header)", name, f"once (also column {where[key] + 1})"
                )
            where[key] = column - 1
    for key, label in wanted.items():
        if key not in where:
            raise CarrierFileError(row, len(header) + 1, "(header)", "", f"a column named {label}")
    return where[header_key(id_header)], where[header_key(number_header)]


def _unguarded(cell: str) -> str:
    """A cell as it was before :func:`~orderflow.csvsafe.neutralize` guarded it.

    ``'-1-S1`` is ``-1-S1``: the export writes an id that starts like a formula so.
    """
    if cell.startswith("'") and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell


def _limit(max_bytes: object) -> int:
    if type(max_bytes) is not int or max_bytes < 1:
        raise CarrierFileError(1, 1, "(max_bytes)", max_bytes, "a whole number of bytes, 1 or more")
    return max_bytes


def read_b2_issued(data: bytes | _Readable, *, max_bytes: int = MAX_BYTES) -> list[IssuedLabel]:
    """The labels in a B2クラウド file of issued labels (発行済データ), all or none.

    ``data`` is the file's bytes or a binary stream, CP932 with a header row; the columns are
    found by their header names (お客様管理番号 and 伝票番号 are required; any other column must be
    one of B2's layout), so the standard layout, a subset of it, or the file
    :func:`export_b2` wrote with 伝票番号 filled in all read. Each tracking number is checked and
    normalised by :class:`~orderflow.adapters.carriers.Yamato`.

    Raises :class:`CarrierFileError` naming the row and column of the first problem: a file over
    ``max_bytes`` (refused before it is parsed), a byte that is not Shift_JIS, an unknown or
    repeated column, a row with more or fewer cells than the header, a blank or repeated
    shipment id, a tracking number that fails Yamato's check digit or appears twice.
    """
    return _read(
        data,
        known=B2_COLUMNS + B2_ALIASES,
        id_header="お客様管理番号",
        number_header="伝票番号",
        carrier=Yamato(),
        max_bytes=_limit(max_bytes),
    )


def read_ehiden_issued(data: bytes | _Readable, *, max_bytes: int = MAX_BYTES) -> list[IssuedLabel]:
    """The labels in an e飛伝III file of issued labels, all or none.

    As :func:`read_b2_issued`, with e飛伝III's columns: お客様管理番号 and お問い合せ送り状No. are
    required, and the numbers are checked by :class:`~orderflow.adapters.carriers.Sagawa`.
    """
    return _read(
        data,
        known=EHIDEN_COLUMNS + EHIDEN_ALIASES,
        id_header="お客様管理番号",
        number_header="お問い合せ送り状No.",
        carrier=Sagawa(),
        max_bytes=_limit(max_bytes),
    )
