"""Carrier label files: B2クラウド and e飛伝III out, issued tracking numbers back in."""

from __future__ import annotations

import contextlib
import csv
import io
import unicodedata
from datetime import date

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import (
    Address,
    Customer,
    Money,
    Order,
    OrderLine,
    PaymentMethod,
    Shipment,
    ShipmentStatus,
)
from orderflow.carrier_files import (
    B2_COLUMNS,
    EHIDEN_COLUMNS,
    CarrierFileError,
    Shipper,
    export_b2,
    export_ehiden,
    read_b2_issued,
    read_ehiden_issued,
)
from orderflow.csvsafe import FORMULA_STARTS
from orderflow.errors import InvalidValue, OrderflowError
from orderflow.testing import fake_shop

SHIPPED_ON = date(2026, 11, 23)
NUMBERS = ["123456789013", "123456789024", "123456789035"]  # valid mod-7 numbers
SHIPPER = Shipper(
    Address("100-0001", "東京都", "千代田区", "千代田1-1", "お茶の店", "03-3000-0000"),
    b2_customer_code="012345678901",
    b2_freight_code="01",
)


def ship_to(name: str = "山田 太郎", line1: str = "神宮前1-2-3", line2: str = "") -> Address:
    return Address("150-0001", "東京都", "渋谷区", line1, name, "090-3141-5926", line2)


def instructed(
    count: int = 2,
    *,
    carrier: str = "yamato",
    cod: bool = False,
    name: str = "山田 太郎",
    line1: str = "神宮前1-2-3",
    line2: str = "",
) -> list[tuple[Shipment, Order]]:
    """Orders placed, accepted, allocated and instructed on the fake shop: their shipments."""
    shop = fake_shop({("TOKYO", "TEA-1"): 100})
    pairs: list[tuple[Shipment, Order]] = []
    for n in range(count):
        number = f"{1001 + n}"
        shop.desk.place(
            number=number,
            customer=Customer(f"C{n}", "山田 太郎", f"taro{n}@example.jp"),
            ship_to=ship_to(name, line1, line2),
            lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), n + 1)],
            payment_method=PaymentMethod.COD if cod else PaymentMethod.CARD,
            token="tok_ok",
            shipping_fee=Money.yen(880),
        )
        shop.desk.accept(number)
        shop.desk.allocate(number)
        order = shop.desk.instruct_shipping(number)
        if carrier != "yamato":
            moved = tuple(attrs.evolve(s, carrier=carrier) for s in order.shipments)
            order = attrs.evolve(order, shipments=moved)
        pairs.extend((shipment, order) for shipment in order.shipments)
    return pairs


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("cp932"), newline=""), strict=True))


def issued(data: bytes, header: str, numbers: list[str]) -> bytes:
    """The carrier's file: the export with a tracking number written into each row."""
    rows = rows_of(data)
    at = rows[0].index(header)
    for row, number in zip(rows[1:], numbers, strict=False):
        row[at] = number
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("cp932")


# The round trip.


def test_a_b2_file_written_by_the_export_reads_back_with_the_same_shipments() -> None:
    pairs = instructed(3)
    data = export_b2(pairs, SHIPPER, SHIPPED_ON)
    labels = read_b2_issued(issued(data, "伝票番号", ["1234-5678-9013", *NUMBERS[1:]]))
    assert [label.shipment_id for label in labels] == [s.shipment_id for s, _ in pairs]
    assert [label.tracking_number for label in labels] == NUMBERS
    assert {label.carrier for label in labels} == {"yamato"}
    assert [label.row for label in labels] == [2, 3, 4]


def test_an_ehiden_file_written_by_the_export_reads_back_with_the_same_shipments() -> None:
    pairs = instructed(2, carrier="sagawa")
    data = export_ehiden(pairs, SHIPPER, SHIPPED_ON)
    labels = read_ehiden_issued(issued(data, "お問い合せ送り状No.", NUMBERS))
    assert [(x.shipment_id, x.tracking_number, x.carrier) for x in labels] == [
        (pairs[0][0].shipment_id, NUMBERS[0], "sagawa"),
        (pairs[1][0].shipment_id, NUMBERS[1], "sagawa"),
    ]


def test_a_stream_reads_like_bytes() -> None:
    data = issued(export_b2(instructed(1), SHIPPER, SHIPPED_ON), "伝票番号", NUMBERS)
    assert read_b2_issued(io.BytesIO(data)) == read_b2_issued(data)


# The bytes.


def test_the_b2_file_is_cp932_with_crlf_and_the_published_columns() -> None:
    data = export_b2(instructed(2), SHIPPER, SHIPPED_ON)
    assert data.count(b"\r\n") == 3 and data.count(b"\n") == 3 and data.endswith(b"\r\n")
    assert data.startswith("お客様管理番号,送り状種類,クール区分,伝票番号".encode("cp932"))
    assert "東京都渋谷区神宮前1-2-3".encode("cp932") in data
    rows = rows_of(data)
    assert rows[0] == list(B2_COLUMNS) and len(B2_COLUMNS) == 95
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["お客様管理番号"] == "1001-S1"
    assert row["送り状種類"] == "0"
    assert row["出荷予定日"] == "2026/11/23"
    assert row["お届け先郵便番号"] == "150-0001"
    assert row["お届け先名"] == "山田 太郎" and row["敬称"] == "様"
    assert row["品名１"] == "緑茶"
    assert row["請求先顧客コード"] == "012345678901" and row["運賃管理番号"] == "01"


def test_cod_is_a_collect_label_with_the_amount_and_its_tax() -> None:
    pairs = instructed(1, cod=True)
    shipment, _order = pairs[0]
    assert shipment.cod_amount is not None
    row = dict(zip(B2_COLUMNS, rows_of(export_b2(pairs, SHIPPER, SHIPPED_ON))[1], strict=True))
    assert row["送り状種類"] == "2"
    assert row["ｺﾚｸﾄ代金引換額（税込)"] == str(int(shipment.cod_amount.amount))
    assert 0 < int(row["内消費税額等"]) < int(row["ｺﾚｸﾄ代金引換額（税込)"])
    sagawa = export_ehiden(instructed(1, carrier="sagawa", cod=True), SHIPPER, SHIPPED_ON)
    ehiden = dict(zip(EHIDEN_COLUMNS, rows_of(sagawa)[1], strict=True))
    assert ehiden["代引金額"] == row["ｺﾚｸﾄ代金引換額（税込)"]


@pytest.mark.parametrize(
    ("slot", "b2", "ehiden_code"),
    [("午前中", "0812", "01"), ("14-16", "1416", "14"), ("19-21", "1921", "19")],
)
def test_delivery_date_and_slot_become_the_carriers_codes(
    slot: str, b2: str, ehiden_code: str
) -> None:
    def asked(pairs: list[tuple[Shipment, Order]]) -> list[tuple[Shipment, Order]]:
        return [
            (s, attrs.evolve(o, delivery_date=date(2026, 11, 25), delivery_slot=slot))
            for s, o in pairs
        ]

    row = dict(
        zip(
            B2_COLUMNS,
            rows_of(export_b2(asked(instructed(1)), SHIPPER, SHIPPED_ON))[1],
            strict=True,
        )
    )
    assert (row["お届け予定日"], row["配達時間帯"]) == ("2026/11/25", b2)
    sagawa = export_ehiden(asked(instructed(1, carrier="sagawa")), SHIPPER, SHIPPED_ON)
    ehiden = dict(zip(EHIDEN_COLUMNS, rows_of(sagawa)[1], strict=True))
    assert (ehiden["配達日"], ehiden["配達指定時間帯"]) == ("20261125", ehiden_code)


def test_ehiden_flows_a_long_address_into_the_next_columns_never_cuts_it() -> None:
    line1 = "神宮前一丁目二番三号" * 2
    pairs = instructed(1, carrier="sagawa", line1=line1, line2="グランドハイツ101号室")
    row = dict(
        zip(EHIDEN_COLUMNS, rows_of(export_ehiden(pairs, SHIPPER, SHIPPED_ON))[1], strict=True)
    )
    parts = [row["お届け先住所１"], row["お届け先住所２"], row["お届け先住所３"]]
    assert "".join(parts) == f"東京都渋谷区{line1}グランドハイツ101号室"
    assert all(len(p.encode("cp932")) <= 32 for p in parts)


def test_an_address_flowing_on_never_gets_a_quote_in_its_middle() -> None:
    # wherever the 32-byte boundary falls, a column never starts with the "-" of 1-2-3
    for digits in range(8, 30):
        line1 = "神宮前" + "1" * digits + "-2-3"
        pairs = instructed(1, carrier="sagawa", line1=line1)
        cells = rows_of(export_ehiden(pairs, SHIPPER, SHIPPED_ON))[1]
        row = dict(zip(EHIDEN_COLUMNS, cells, strict=True))
        parts = [row["お届け先住所１"], row["お届け先住所２"], row["お届け先住所３"]]
        assert "".join(parts) == f"東京都渋谷区{line1}", digits
        assert all(len(p.encode("cp932")) <= 32 for p in parts)


# Refusals name the row and the column.


def test_a_name_too_long_for_b2_is_refused_not_cut() -> None:
    with pytest.raises(CarrierFileError) as refused:
        export_b2(instructed(2, name="寿限無寿限無五劫の擦り切れ海砂利水魚の"), SHIPPER, SHIPPED_ON)
    assert (refused.value.row, refused.value.column) == (2, 16)
    assert "お届け先名 (ship_to.name)" in str(refused.value)
    assert "寿限無" not in str(refused.value)  # the name is masked


def test_a_character_cp932_cannot_hold_is_refused_naming_the_field() -> None:
    with pytest.raises(CarrierFileError) as refused:
        export_b2(instructed(1, name="𠮷田 太郎"), SHIPPER, SHIPPED_ON)
    assert (refused.value.row, refused.value.column) == (2, 16)
    assert "Shift_JIS" in str(refused.value)


def test_kana_typed_decomposed_is_written_composed_not_refused() -> None:
    # macOS (NFD) writes ガ as カ + U+3099: CP932 has only the composed ガ
    name = unicodedata.normalize("NFD", "ガーデン パーク" * 2)  # 16 全角 once composed
    assert len(name) > 16
    b2_row = rows_of(export_b2(instructed(1, name=name), SHIPPER, SHIPPED_ON))[1]
    b2 = dict(zip(B2_COLUMNS, b2_row, strict=True))
    assert b2["お届け先名"] == "ガーデン パーク" * 2
    pairs = instructed(1, carrier="sagawa", name=name)
    ehiden_row = rows_of(export_ehiden(pairs, SHIPPER, SHIPPED_ON))[1]
    ehiden = dict(zip(EHIDEN_COLUMNS, ehiden_row, strict=True))
    assert ehiden["お届け先名称１"] + ehiden["お届け先名称２"] == "ガーデン パーク" * 2


def test_a_shipment_of_another_carrier_or_already_shipped_is_refused() -> None:
    with pytest.raises(CarrierFileError) as sagawa:
        export_b2(instructed(1, carrier="sagawa"), SHIPPER, SHIPPED_ON)
    assert (sagawa.value.row, sagawa.value.column) == (2, 1)
    [(shipment, order)] = instructed(1)
    with pytest.raises(CarrierFileError):
        export_b2(
            [(attrs.evolve(shipment, status=ShipmentStatus.SHIPPED), order)], SHIPPER, SHIPPED_ON
        )


def test_b2_needs_the_contract_codes() -> None:
    with pytest.raises(InvalidValue, match="b2_customer_code"):
        export_b2(instructed(1), attrs.evolve(SHIPPER, b2_customer_code=""), SHIPPED_ON)
    with pytest.raises(InvalidValue, match="b2_freight_code"):
        Shipper(SHIPPER.address, b2_freight_code="1")


def header_and(*rows: str) -> bytes:
    return ("お客様管理番号,伝票番号\r\n" + "".join(r + "\r\n" for r in rows)).encode("cp932")


@pytest.mark.parametrize(
    ("data", "row", "column"),
    [
        (header_and("1001-S1,123456789014"), 2, 2),  # wrong check digit
        (header_and("1001-S1,123456789013", "1001-S1,123456789024"), 3, 1),  # repeated id
        (header_and("1001-S1,123456789013", "1002-S1,1234-5678-9013"), 3, 2),  # repeated number
        (header_and("1001-S1"), 2, 2),  # a cell missing
        (header_and("1001-S1,123456789013,x"), 2, 3),  # a cell too many
        (header_and(",123456789013"), 2, 1),  # no shipment id
        (header_and('1001-S1,"123456789013'), 2, 2),  # an unclosed quote
        ("お客様管理番号,伝票番号,好きな列\r\n".encode("cp932"), 1, 3),  # unknown column
        ("お客様管理番号\r\n".encode("cp932"), 1, 2),  # no 伝票番号 column
        (b"", 1, 1),  # nothing at all
        (header_and("1001-S1,123456789013") + b"1002-\x82,123456789024\r\n", 3, 1),  # bad byte
    ],
)
def test_one_bad_row_refuses_the_file_naming_row_and_column(
    data: bytes, row: int, column: int
) -> None:
    with pytest.raises(CarrierFileError) as refused:
        read_b2_issued(data)
    assert (refused.value.row, refused.value.column) == (row, column)
    assert str(refused.value).startswith(f"row {row}, column {column} ")


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    data = header_and(*[f"{n},123456789013" for n in range(100)])
    stream = io.BytesIO(data)
    with pytest.raises(CarrierFileError, match="at most 100 bytes"):
        read_b2_issued(stream, max_bytes=100)
    assert stream.tell() == 101


# Formula injection and garbage.


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["=", "+", "-", "@"]), st.text(alphabet="=+-@ABC計算", max_size=8))
def test_a_formula_in_a_customer_field_is_written_as_text(start: str, rest: str) -> None:
    pairs = instructed(1, name=start + "山田" + rest[:4], line2=start + rest)
    sagawa = [(attrs.evolve(s, carrier="sagawa"), o) for s, o in pairs]
    for data in (export_b2(pairs, SHIPPER, SHIPPED_ON), export_ehiden(sagawa, SHIPPER, SHIPPED_ON)):
        for row in rows_of(data):
            assert not any(value[:1] in FORMULA_STARTS and value for value in row)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_bytes_only_ever_raise_orderflow_errors(data: bytes) -> None:
    for read in (read_b2_issued, read_ehiden_issued):
        with contextlib.suppress(OrderflowError):
            read(data)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=',"\r\n0123456789-S\x00あ'), max_size=4))
def test_garbage_rows_after_a_good_header_only_ever_raise_orderflow_errors(
    rows: list[str],
) -> None:
    with contextlib.suppress(OrderflowError):
        read_b2_issued(header_and(*rows))
