"""A reader for the bank's 振込入金通知 file (全銀協 format, 種別コード 01).

Fixed-length 200-byte records in Shift_JIS (half-width katakana for names), optionally separated
by CR LF. A file holds one or more groups — a header (1) for one account, its data records (2)
and a trailer (8) — and ends with one end record (9). The layout implemented is documented in
``docs/payments/zengin.md``.

The file is read whole before anything is applied: a malformed record raises
:class:`ZenginError` naming the line and the field, and no deposit is returned. A file of more
than ``max_records`` records (:data:`MAX_RECORDS` by default) is refused by its size before any
record is parsed, and a stream is read no further than that size.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Protocol

import attrs

from orderflow.domain.deposits import Deposit
from orderflow.domain.money import Money
from orderflow.errors import InvalidValue

__all__ = [
    "DATA",
    "END",
    "HEADER",
    "MAX_RECORDS",
    "RECORD_LENGTH",
    "TRAILER",
    "AccountHeader",
    "TransferNotice",
    "ZenginError",
    "read_transfer_notice",
]

RECORD_LENGTH = 200

MAX_RECORDS = 100_000
"""The default limit on a file's records (headers, data, trailers and the end record): about
20 MB. ``read_transfer_notice(..., max_records=...)`` sets another."""

_EOF = b"\x1a"
"""The end-of-file byte (SUB, Ctrl-Z) some banks' systems put after the last record."""

Field = tuple[str, str, int, str]
"""(name, 日本語, width, kind): kind N is digits (right-aligned, zero-filled), C is characters."""

HEADER: tuple[Field, ...] = (
    ("record_type", "データ区分", 1, "N"),
    ("kind_code", "種別コード", 2, "N"),
    ("code_type", "コード区分", 1, "N"),
    ("created_on", "作成日", 6, "N"),
    ("period_from", "勘定日(自)", 6, "N"),
    ("period_to", "勘定日(至)", 6, "N"),
    ("bank_code", "銀行コード", 4, "N"),
    ("bank_name", "銀行名", 15, "C"),
    ("branch_code", "支店コード", 3, "N"),
    ("branch_name", "支店名", 15, "C"),
    ("account_type", "預金種目", 1, "N"),
    ("account_number", "口座番号", 7, "N"),
    ("account_name", "口座名", 40, "C"),
    ("filler", "ダミー", 93, "C"),
)

DATA: tuple[Field, ...] = (
    ("record_type", "データ区分", 1, "N"),
    ("inquiry_number", "照会番号", 6, "N"),
    ("booked_on", "勘定日", 6, "N"),
    ("value_on", "起算日", 6, "N"),
    ("amount", "金額", 10, "N"),
    ("other_bank_cheques", "うち他店券金額", 10, "N"),
    ("payer_code", "振込依頼人コード", 10, "N"),
    ("payer_name", "振込依頼人名", 48, "C"),
    ("sending_bank", "仕向銀行名", 15, "C"),
    ("sending_branch", "仕向店名", 15, "C"),
    ("cancel_flag", "取消区分", 1, "C"),
    ("edi", "EDI情報", 20, "C"),
    ("filler", "ダミー", 52, "C"),
)

TRAILER: tuple[Field, ...] = (
    ("record_type", "データ区分", 1, "N"),
    ("count", "振込合計件数", 6, "N"),
    ("total", "振込合計金額", 12, "N"),
    ("cancelled_count", "取消合計件数", 6, "N"),
    ("cancelled_total", "取消合計金額", 12, "N"),
    ("filler", "ダミー", 163, "C"),
)

END: tuple[Field, ...] = (
    ("record_type", "データ区分", 1, "N"),
    ("filler", "ダミー", 199, "C"),
)

_BLANK_MEANS_NONE = frozenset(
    {"other_bank_cheques", "payer_code", "cancelled_count", "cancelled_total"}
)
"""Optional number fields that banks may leave blank (spaces): read as none, or zero."""

_ERAS = {"reiwa": 2018, "heisei": 1988, "gregorian": 2000}


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class ZenginError(InvalidValue):
    """A malformed 全銀 record: names the line (1-based record number) and the field."""

    def __init__(self, line: int, field: str, value: object, expected: str) -> None:
        super().__init__(f"line {line}: {field}", value, expected)
        self.line = line


@attrs.frozen(slots=True)
class AccountHeader:
    """The account a group of deposits was credited to."""

    bank_code: str
    """銀行コード: the receiving bank's 4-digit code, as in the file."""
    bank_name: str
    """銀行名 as the file writes it (half-width katakana, trailing spaces removed)."""
    branch_code: str
    """支店コード: 3 digits; with ``account_number`` it makes ``account``."""
    branch_name: str
    """支店名 as the file writes it (half-width katakana, trailing spaces removed)."""
    account_type: str
    """預金種目 as the file's one-digit code (``1`` 普通, ``2`` 当座, ``4`` 貯蓄), not
    translated."""
    account_number: str
    """口座番号: 7 digits, zero-filled as in the file."""
    account_name: str
    """口座名: the account holder as the file writes it (half-width katakana, trailing spaces
    removed)."""

    @property
    def account(self) -> str:
        """The account as orderflow names it: ``<branch code>-<account number>``."""
        return f"{self.branch_code}-{self.account_number}"


@attrs.frozen(slots=True)
class TransferNotice:
    """A whole 振込入金通知 file: its groups, each an account and its deposits."""

    created_on: date
    """作成日 of the file's first header, read in the reader's ``calendar``."""
    groups: tuple[tuple[AccountHeader, tuple[Deposit, ...]], ...]
    """Each header's account and its deposits (cancelled ones included), in file order; each group's
    trailer totals checked."""

    def deposits(self) -> list[Deposit]:
        """Every deposit of the file, in file order."""
        return [deposit for _, deposits in self.groups for deposit in deposits]


def _max_bytes(max_records: int) -> int:
    """The most bytes ``max_records`` records can take: each with CR LF, and an EOF byte."""
    return max_records * (RECORD_LENGTH + 2) + len(_EOF)


def _too_many(line: int, value: object, max_records: int) -> ZenginError:
    return ZenginError(
        line, "record", value, f"a file of at most {max_records} records (max_records)"
    )


def _bounded(data: bytes | _Readable, max_records: int) -> bytes:
    """The file's bytes, refused by their size before any record is parsed.

    A stream is read no further than one byte past the limit.
    """
    limit = _max_bytes(max_records)
    if not isinstance(data, bytes | bytearray | memoryview):
        data = data.read(limit + 1)
        if len(data) > limit:
            raise _too_many(max_records + 1, f"more than {limit} bytes", max_records)
    elif len(data) > limit:
        raise _too_many(max_records + 1, f"{len(data)} bytes", max_records)
    return bytes(data)


def _records(data: bytes, max_records: int) -> Iterator[bytes]:
    """The records one by one, never more than ``max_records``; a final EOF byte is ignored."""
    end = len(data) - 1 if data.endswith(_EOF) else len(data)
    if data.find(b"\n", 0, end) >= 0:
        count = start = 0
        while start < end:
            stop = data.find(b"\n", start, end)
            if stop < 0:
                stop = end
            record = data[start:stop].rstrip(b"\r")
            start = stop + 1
            if record:
                count += 1
                if count > max_records:
                    raise _too_many(count, "more records", max_records)
                yield record
        return
    if end % RECORD_LENGTH:
        raise ZenginError(
            end // RECORD_LENGTH + 1,
            "record",
            end,
            f"a file of {RECORD_LENGTH}-byte records",
        )
    if end // RECORD_LENGTH > max_records:
        raise _too_many(max_records + 1, f"{end // RECORD_LENGTH} records", max_records)
    for offset in range(0, end, RECORD_LENGTH):
        yield data[offset : offset + RECORD_LENGTH]


def _fields(record: bytes, layout: tuple[Field, ...], line: int) -> dict[str, str]:
    if len(record) != RECORD_LENGTH:
        raise ZenginError(line, "record", len(record), f"{RECORD_LENGTH} bytes")
    values: dict[str, str] = {}
    offset = 0
    for name, label, width, kind in layout:
        raw = record[offset : offset + width]
        offset += width
        try:
            text = raw.decode("cp932")
        except UnicodeDecodeError:
            raise ZenginError(line, f"{label} ({name})", raw, "Shift_JIS text") from None
        if kind == "N" and not (text.isascii() and text.isdigit()):
            if name in _BLANK_MEANS_NONE and not text.strip(" "):
                values[name] = ""
                continue
            raise ZenginError(line, f"{label} ({name})", raw, f"{width} digits")
        values[name] = text if kind == "N" else text.rstrip(" ")
    return values


def _date(value: str, line: int, label: str, era: int) -> date:
    try:
        return date(era + int(value[:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise ZenginError(line, label, value, "a date YYMMDD") from None


def _expect(values: dict[str, str], name: str, label: str, want: str, line: int) -> None:
    if values[name] != want:
        raise ZenginError(line, label, values[name], repr(want))


def read_transfer_notice(
    data: bytes | _Readable,
    *,
    currency: str = "JPY",
    calendar: str = "reiwa",
    max_records: int = MAX_RECORDS,
) -> TransferNotice:
    """Read a whole 振込入金通知 file; raise :class:`ZenginError` on the first malformed record.

    ``data`` is the file's bytes or a binary stream (read no further than the limit). A file of
    more than ``max_records`` records, or longer than they can be (``max_records`` × 202 bytes
    and an end-of-file byte), is refused before any record is read. Dates are YYMMDD in the
    Japanese era (``calendar="reiwa"``, the default: 08 is 2026; ``"heisei"``) or
    ``"gregorian"`` (20YY). A deposit's reference is
    ``<bank>-<branch>-<account>-<勘定日>-<照会番号>``; a cancelled record (取消区分 1) is kept
    with ``cancelled=True``. The amounts are whole yen: a ``currency`` other than ``JPY`` is
    refused (``InvalidValue`` naming it).
    """
    if not isinstance(calendar, str) or calendar not in _ERAS:
        raise InvalidValue("calendar", calendar, f"one of {sorted(_ERAS)}")
    Money.zero(currency)  # an unknown code: InvalidValue naming currency, before any record
    if currency != "JPY":  # the format's amounts are whole yen: ¥12,345 is not $12,345.00
        raise InvalidValue("currency", currency, "'JPY' (a 全銀 file's amounts are whole yen)")
    if type(max_records) is not int or max_records < 1:
        raise InvalidValue("max_records", max_records, "a whole number of records, 1 or more")
    reader = _Reader(_ERAS[calendar], currency)
    line = 0
    for line, record in enumerate(_records(_bounded(data, max_records), max_records), start=1):
        reader.read(record, line)
    return reader.notice(line)


_RECORD_TYPE = "データ区分 (record_type)"


class _Reader:
    """The records of one file, in order: header (1), data (2)…, trailer (8)…, end (9)."""

    def __init__(self, era: int, currency: str) -> None:
        self.era = era
        self.currency = currency
        self.groups: list[tuple[AccountHeader, tuple[Deposit, ...]]] = []
        self.created: date | None = None
        self.header: AccountHeader | None = None
        self.deposits: list[Deposit] = []
        self.ended = False
        self._steps = {b"1": self._header, b"2": self._data, b"8": self._trailer, b"9": self._end}

    def read(self, record: bytes, line: int) -> None:
        """Take one record; a record out of place or of no known kind raises ZenginError."""
        if self.ended:
            raise ZenginError(line, _RECORD_TYPE, record[:1], "nothing after the end")
        kind = record[:1]
        step = self._steps.get(kind)
        if step is None:
            raise ZenginError(line, _RECORD_TYPE, kind, "1, 2, 8 or 9")
        step(record, line)

    def _header(self, record: bytes, line: int) -> None:
        if self.header is not None:
            raise ZenginError(line, _RECORD_TYPE, "1", "a trailer (8) first")
        values = _fields(record, HEADER, line)
        _expect(values, "kind_code", "種別コード (kind_code)", "01", line)
        self.created = self.created or _date(
            values["created_on"], line, "作成日 (created_on)", self.era
        )
        self.header = AccountHeader(
            values["bank_code"],
            values["bank_name"],
            values["branch_code"],
            values["branch_name"],
            values["account_type"],
            values["account_number"],
            values["account_name"],
        )
        self.deposits = []

    def _data(self, record: bytes, line: int) -> None:
        if self.header is None:
            raise ZenginError(line, _RECORD_TYPE, "2", "a header (1) first")
        values = _fields(record, DATA, line)
        self.deposits.append(_deposit(values, self.header, line, self.era, self.currency))

    def _trailer(self, record: bytes, line: int) -> None:
        if self.header is None:
            raise ZenginError(line, _RECORD_TYPE, "8", "a header (1) first")
        _check_trailer(_fields(record, TRAILER, line), self.deposits, line)
        self.groups.append((self.header, tuple(self.deposits)))
        self.header = None

    def _end(self, record: bytes, line: int) -> None:
        if self.header is not None:
            raise ZenginError(line, _RECORD_TYPE, "9", "a trailer (8) first")
        _fields(record, END, line)
        self.ended = True

    def notice(self, last_line: int) -> TransferNotice:
        """The file read, once its last record (``last_line``) was read."""
        if not self.ended:
            raise ZenginError(last_line + 1, _RECORD_TYPE, "", "an end record (9)")
        if self.created is None:
            raise ZenginError(1, _RECORD_TYPE, "", "at least one header (1)")
        return TransferNotice(self.created, tuple(self.groups))


def _deposit(
    values: dict[str, str], header: AccountHeader, line: int, era: int, currency: str
) -> Deposit:
    booked = _date(values["booked_on"], line, "勘定日 (booked_on)", era)
    _date(values["value_on"], line, "起算日 (value_on)", era)
    amount = int(values["amount"])
    if amount <= 0:
        raise ZenginError(line, "金額 (amount)", values["amount"], "an amount above zero")
    flag = values["cancel_flag"]
    if flag not in ("", "0", "1"):
        raise ZenginError(line, "取消区分 (cancel_flag)", flag, "blank, 0 or 1")
    reference = (
        f"{header.bank_code}-{header.branch_code}-{header.account_number}-"
        f"{values['booked_on']}-{values['inquiry_number']}"
    )
    return Deposit(
        header.account,
        Money.of(amount, currency),
        values["payer_name"],
        booked,
        reference,
        cancelled=flag == "1",
    )


def _check_trailer(values: dict[str, str], deposits: list[Deposit], line: int) -> None:
    normal = [d for d in deposits if not d.cancelled]
    cancelled = [d for d in deposits if d.cancelled]
    checks = (
        ("count", "振込合計件数", len(normal)),
        ("total", "振込合計金額", sum(int(d.amount.amount) for d in normal)),
        ("cancelled_count", "取消合計件数", len(cancelled)),
        ("cancelled_total", "取消合計金額", sum(int(d.amount.amount) for d in cancelled)),
    )
    for name, label, actual in checks:
        if int(values[name] or 0) != actual:
            raise ZenginError(
                line,
                f"{label} ({name})",
                values[name],
                f"{actual} (what the data records add up to)",
            )
