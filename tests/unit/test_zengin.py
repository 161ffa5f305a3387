"""The 振込入金通知 reader, on files the tests build byte by byte from the record layout."""

import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import Money
from orderflow.errors import InvalidValue
from orderflow.zengin import (
    DATA,
    END,
    HEADER,
    MAX_RECORDS,
    RECORD_LENGTH,
    TRAILER,
    ZenginError,
    read_transfer_notice,
)


def field(value: str | int, width: int, kind: str) -> bytes:
    if kind == "N":
        text = str(value).rjust(width, "0")
        raw = text.encode("ascii")
    else:
        raw = str(value).encode("cp932").ljust(width, b" ")
    assert len(raw) == width, (value, width)
    return raw


def record(layout: tuple[tuple[str, str, int, str], ...], **values: str | int) -> bytes:
    out = b"".join(
        field(values.get(name, "" if kind == "C" else 0), width, kind)
        for name, _, width, kind in layout
    )
    assert len(out) == RECORD_LENGTH
    return out


def header(account: str = "1000001", branch: str = "101") -> bytes:
    return record(
        HEADER,
        record_type=1,
        kind_code=1,
        code_type=0,
        created_on="081122",
        period_from="081122",
        period_to="081122",
        bank_code=9,
        bank_name="ｵ-ﾀﾞ-ﾌﾛ-",
        branch_code=branch,
        branch_name="ﾎﾝﾃﾝ",
        account_type=1,
        account_number=account,
        account_name="ｵ-ﾀﾞ-ﾌﾛ-(ｶ",
    )


def data(inquiry: int, amount: int, payer: str = "ﾔﾏﾀﾞ ﾀﾛｳ", cancelled: bool = False) -> bytes:
    return record(
        DATA,
        record_type=2,
        inquiry_number=inquiry,
        booked_on="081122",
        value_on="081122",
        amount=amount,
        payer_name=payer,
        sending_bank="ﾐﾂﾋﾞｼ",
        sending_branch="ｼﾌﾞﾔ",
        cancel_flag="1" if cancelled else "0",
    )


def trailer(amounts: list[int], cancelled: list[int] | None = None) -> bytes:
    cancelled = cancelled or []
    return record(
        TRAILER,
        record_type=8,
        count=len(amounts),
        total=sum(amounts),
        cancelled_count=len(cancelled),
        cancelled_total=sum(cancelled),
    )


def end() -> bytes:
    return record(END, record_type=9)


def a_file(amounts: list[int]) -> list[bytes]:
    return [
        header(),
        *(data(i + 1, a) for i, a in enumerate(amounts)),
        trailer(amounts),
        end(),
    ]


def test_the_layouts_are_200_bytes() -> None:
    for layout in (HEADER, DATA, TRAILER, END):
        assert sum(width for _, _, width, _ in layout) == RECORD_LENGTH


def test_a_file_round_trips() -> None:
    notice = read_transfer_notice(b"".join(a_file([6860, 1200])))
    assert notice.created_on == date(2026, 11, 22)  # 令和8年
    [(account, deposits)] = notice.groups
    assert account.account == "101-1000001"
    assert account.bank_name == "ｵ-ﾀﾞ-ﾌﾛ-"
    assert [d.amount for d in deposits] == [Money.yen(6860), Money.yen(1200)]
    assert deposits[0].payer_name == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert deposits[0].payer_display == "ヤマダ タロウ"
    assert deposits[0].reference == "0009-101-1000001-081122-000001"
    assert deposits[0].on == date(2026, 11, 22)


def test_records_may_be_separated_by_crlf_and_groups_repeat() -> None:
    second = [header("1000002"), data(1, 500), trailer([500])]
    lines = [header(), data(1, 100), trailer([100]), *second, end()]
    notice = read_transfer_notice(b"\r\n".join(lines) + b"\r\n")
    assert [h.account for h, _ in notice.groups] == ["101-1000001", "101-1000002"]
    assert [d.account for d in notice.deposits()] == ["101-1000001", "101-1000002"]


def test_a_cancelled_record_is_kept_and_counted_apart() -> None:
    lines = [header(), data(1, 100), data(2, 300, cancelled=True), trailer([100], [300]), end()]
    deposits = read_transfer_notice(b"".join(lines)).deposits()
    assert [d.cancelled for d in deposits] == [False, True]


@given(st.lists(st.integers(1, 10**9), min_size=0, max_size=20))
def test_any_amounts_round_trip(amounts: list[int]) -> None:
    deposits = read_transfer_notice(b"".join(a_file(amounts))).deposits()
    assert [int(d.amount.amount) for d in deposits] == amounts


def at(layout: tuple[tuple[str, str, int, str], ...], name: str) -> int:
    """The byte offset of a field in its record."""
    offset = 0
    for field_name, _, width, _ in layout:
        if field_name == name:
            return offset
        offset += width
    raise KeyError(name)


def broken(index: int, offset: int, replacement: bytes) -> bytes:
    lines = a_file([6860, 1200])
    line = bytearray(lines[index])
    line[offset : offset + len(replacement)] = replacement
    lines[index] = bytes(line)
    return b"".join(lines)


@pytest.mark.parametrize(
    ("data_", "line", "field_name"),
    [
        (broken(1, at(DATA, "amount"), b"00001x0000"), 2, "金額 (amount)"),
        (broken(1, at(DATA, "booked_on"), b"081332"), 2, "勘定日 (booked_on)"),
        (broken(0, at(HEADER, "kind_code"), b"03"), 1, "種別コード (kind_code)"),
        (broken(3, at(TRAILER, "count"), b"000003"), 4, "振込合計件数 (count)"),
        (broken(3, at(TRAILER, "total"), b"000000000001"), 4, "振込合計金額 (total)"),
        (broken(2, 0, b"7"), 3, "データ区分 (record_type)"),
        (broken(1, at(DATA, "cancel_flag"), b"9"), 2, "取消区分 (cancel_flag)"),
        (b"".join(a_file([1])[:-1]), 4, "データ区分 (record_type)"),
        (b"".join([data(1, 5), trailer([5]), end()]), 1, "データ区分 (record_type)"),
        (b"".join([*a_file([1]), end()]), 5, "データ区分 (record_type)"),
        (b"".join(a_file([1]))[:-3], 4, "record"),
        (b"".join(a_file([1]))[:399] + b"\n" + b"".join(a_file([1]))[399:], 1, "record"),
    ],
    ids=[
        "amount not digits",
        "impossible date",
        "not a transfer notice",
        "trailer count",
        "trailer total",
        "unknown record type",
        "cancel flag",
        "no end record",
        "data before header",
        "record after end",
        "short file",
        "short line",
    ],
)
def test_each_kind_of_malformed_record_is_named(data_: bytes, line: int, field_name: str) -> None:
    with pytest.raises(ZenginError) as caught:
        read_transfer_notice(data_)
    assert caught.value.line == line
    assert caught.value.field == f"line {line}: {field_name}"
    assert f"line {line}" in str(caught.value)


def test_a_malformed_file_changes_no_order() -> None:
    from orderflow import PaymentMethod
    from tests.builders import place, shop

    s = shop()
    order = place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    before = s.desk.get("1001")
    good = [header(), data(1, int(s.desk.totals(order).total.amount))]
    bad = b"".join([*good, data(2, 10), trailer([1]), end()])  # trailer disagrees
    with pytest.raises(ZenginError):
        s.desk.import_transfer_notice(bad)
    assert s.desk.get("1001") == before
    good_file = b"".join([*good, trailer([int(s.desk.totals(order).total.amount)]), end()])
    report = s.desk.import_transfer_notice(good_file)
    assert report.orders[0].payment.received == s.desk.totals(order).total


def blanked(raw: bytes, layout: tuple[tuple[str, str, int, str], ...], *names: str) -> bytes:
    """``raw`` with the fields ``names`` filled with spaces, as some banks send optional ones."""
    out = bytearray(raw)
    for name in names:
        width = next(w for n, _, w, _ in layout if n == name)
        out[at(layout, name) : at(layout, name) + width] = b" " * width
    return bytes(out)


def test_blank_optional_numbers_mean_none_or_zero() -> None:
    lines = [
        header(),
        blanked(data(1, 100), DATA, "payer_code", "other_bank_cheques"),
        blanked(trailer([100]), TRAILER, "cancelled_count", "cancelled_total"),
        end(),
    ]
    deposits = read_transfer_notice(b"".join(lines)).deposits()
    assert [d.amount for d in deposits] == [Money.yen(100)]


def test_a_blank_required_number_is_still_refused() -> None:
    lines = [header(), blanked(data(1, 100), DATA, "amount"), trailer([100]), end()]
    with pytest.raises(ZenginError) as caught:
        read_transfer_notice(b"".join(lines))
    assert caught.value.field == "line 2: 金額 (amount)"


def test_blank_cancelled_totals_must_still_agree_with_the_records() -> None:
    lines = [
        header(),
        data(1, 100),
        data(2, 300, cancelled=True),
        blanked(trailer([100], [300]), TRAILER, "cancelled_count", "cancelled_total"),
        end(),
    ]
    with pytest.raises(ZenginError) as caught:
        read_transfer_notice(b"".join(lines))
    assert caught.value.field == "line 4: 取消合計件数 (cancelled_count)"


@pytest.mark.parametrize("separator", [b"", b"\r\n", b"\n"], ids=["fixed length", "CR LF", "LF"])
@pytest.mark.parametrize("last_separator", [True, False], ids=["after a newline", "after the end"])
def test_a_trailing_end_of_file_byte_is_ignored(separator: bytes, last_separator: bool) -> None:
    body = separator.join(a_file([6860, 1200]))
    if last_separator:
        body += separator
    deposits = read_transfer_notice(body + b"\x1a").deposits()
    assert [d.amount for d in deposits] == [Money.yen(6860), Money.yen(1200)]


def test_an_end_of_file_byte_elsewhere_is_refused() -> None:
    body = b"".join(a_file([100]))
    with pytest.raises(ZenginError):
        read_transfer_notice(body[:200] + b"\x1a" + body[200:])


def test_trailer_totals_above_ten_digits_are_read() -> None:
    # 金額 is 10 digits (¥9,999,999,999 at most per deposit); the trailer's totals are 12.
    amounts = [9_999_999_999, 9_999_999_999, 5]
    cancelled = [9_999_999_999, 9_999_999_999]
    lines = [
        header(),
        *(data(i + 1, a) for i, a in enumerate(amounts)),
        *(data(10 + i, a, cancelled=True) for i, a in enumerate(cancelled)),
        trailer(amounts, cancelled),
        end(),
    ]
    deposits = read_transfer_notice(b"".join(lines)).deposits()
    assert sum(d.amount.amount for d in deposits if not d.cancelled) == 20_000_000_003
    assert sum(d.amount.amount for d in deposits if d.cancelled) == 19_999_999_998


def test_a_file_above_the_record_limit_is_refused() -> None:
    body = b"".join(a_file([100, 200, 300]))  # 6 records
    assert len(read_transfer_notice(body, max_records=6).deposits()) == 3
    with pytest.raises(ZenginError) as caught:
        read_transfer_notice(body, max_records=5)
    assert caught.value.line == 6
    assert caught.value.field == "line 6: record"
    assert "max_records" in str(caught.value)
    crlf = b"\r\n".join(a_file([100, 200, 300])) + b"\r\n"
    with pytest.raises(ZenginError, match="max_records"):
        read_transfer_notice(crlf, max_records=5)
    # 101 records of 200 bytes fit in the bytes 100 records may take with CR LF: counted too
    many = b"".join(a_file([1] * 98))
    with pytest.raises(ZenginError, match="max_records") as caught:
        read_transfer_notice(many, max_records=100)
    assert caught.value.line == 101


def test_a_huge_input_is_refused_by_its_size_before_it_is_parsed() -> None:
    # Garbage that would take many records; the size alone refuses it, naming no record's field.
    with pytest.raises(ZenginError) as caught:
        read_transfer_notice(b"\n".join([b"x"] * 5000), max_records=10)
    assert caught.value.field == "line 11: record"
    assert "max_records" in str(caught.value)
    huge = b"2" * (MAX_RECORDS * (RECORD_LENGTH + 2) + 2)
    with pytest.raises(ZenginError, match="max_records"):
        read_transfer_notice(huge)


class Endless:
    """A stream that never ends; remembers how much it was asked for."""

    def __init__(self) -> None:
        self.asked = 0

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "the reader must not ask for everything"
        self.asked += size
        return b"2" * size


def test_a_stream_is_read_no_further_than_the_limit() -> None:
    stream = Endless()
    with pytest.raises(ZenginError, match="max_records"):
        read_transfer_notice(stream, max_records=10)
    assert stream.asked <= 10 * (RECORD_LENGTH + 2) + 2
    assert read_transfer_notice(io.BytesIO(b"".join(a_file([100])))).deposits()


@pytest.mark.parametrize("limit", [0, -1, 1.5, "10", True])
def test_the_record_limit_must_be_a_positive_whole_number(limit: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        read_transfer_notice(b"".join(a_file([100])), max_records=limit)  # type: ignore[arg-type]
    assert caught.value.field == "max_records"
