"""Carrier label files called with the wrong things, and ids that start like a formula."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from orderflow import Address, Customer, Money, Order, OrderLine, Shipment
from orderflow.carrier_files import (
    CarrierFileError,
    export_b2,
    export_ehiden,
    read_b2_issued,
    read_ehiden_issued,
)
from orderflow.errors import InvalidValue
from orderflow.testing import fake_shop
from tests.unit.test_carrier_files import (
    NUMBERS,
    SHIPPED_ON,
    SHIPPER,
    instructed,
    issued,
    rows_of,
)

Export = Callable[..., bytes]


@pytest.mark.parametrize(("carrier", "export"), [("yamato", export_b2), ("sagawa", export_ehiden)])
@pytest.mark.parametrize(
    ("field", "arguments"),
    [
        ("shipments[0]", lambda p: ([s for s, _ in p], SHIPPER, SHIPPED_ON)),  # no orders
        ("shipments[0]", lambda p: ([(o, s) for s, o in p], SHIPPER, SHIPPED_ON)),
        ("shipments[0]", lambda p: ([(*pair, 1) for pair in p], SHIPPER, SHIPPED_ON)),
        ("shipments", lambda p: (None, SHIPPER, SHIPPED_ON)),
        ("shipments", lambda p: ("1001-S1", SHIPPER, SHIPPED_ON)),
        ("shipper", lambda p: (p, None, SHIPPED_ON)),
        ("shipper", lambda p: (p, SHIPPER.address, SHIPPED_ON)),
        ("shipped_on", lambda p: (p, SHIPPER, "2026-11-23")),
        ("shipped_on", lambda p: (p, SHIPPER, None)),
    ],
)
def test_an_export_given_the_wrong_things_names_them(
    carrier: str,
    export: Export,
    field: str,
    arguments: Callable[[list[tuple[Shipment, Order]]], tuple[Any, ...]],
) -> None:
    """They raised TypeError, AttributeError or ValueError ('Invalid format specifier')."""
    pairs = instructed(1, carrier=carrier)
    with pytest.raises(InvalidValue) as refused:
        export(*arguments(pairs))
    assert refused.value.field == field


@pytest.mark.parametrize("export", [export_b2, export_ehiden])
def test_an_item_name_or_tax_rule_of_the_wrong_kind_is_named(export: Export) -> None:
    pairs = instructed(1, carrier="yamato" if export is export_b2 else "sagawa")
    for keyword, value in (("item_name", 5), ("tax_rule", "floor")):
        with pytest.raises(InvalidValue) as refused:
            export(pairs, SHIPPER, SHIPPED_ON, **{keyword: value})
        assert refused.value.field == keyword


@pytest.mark.parametrize("read", [read_b2_issued, read_ehiden_issued])
@pytest.mark.parametrize(
    "data",
    [
        "お客様管理番号,伝票番号\r\n",
        io.StringIO("お客様管理番号,伝票番号\r\n"),
        None,
        [b"\x82\xa8"],
        12,
    ],
    ids=["text", "text-stream", "none", "list", "int"],
)
def test_reading_text_or_no_file_is_refused_as_a_carrier_file_error(
    read: Callable[[Any], object], data: object
) -> None:
    """A str, a text stream, None or a list raised AttributeError ('no attribute read')."""
    with pytest.raises(CarrierFileError) as refused:
        read(data)
    assert (refused.value.row, refused.value.column) == (1, 1)


def test_reading_a_file_opened_as_text_never_decodes_it(tmp_path: Any) -> None:
    """A file opened in text mode (UTF-8 by default) raised UnicodeDecodeError on its CP932."""
    path = tmp_path / "b2.csv"
    path.write_bytes("お客様管理番号,伝票番号\r\n1001-S1,1234-5678-9013\r\n".encode("cp932"))
    with open(path, encoding="utf-8") as text, pytest.raises(CarrierFileError):
        read_b2_issued(text)  # type: ignore[arg-type]


def _instructed_as(number: str) -> tuple[Shipment, Order]:
    shop = fake_shop({("TOKYO", "TEA-1"): 10})
    shop.desk.place(
        number=number,
        customer=Customer("C1", "山田 太郎", "taro@example.jp"),
        ship_to=Address(
            "150-0001", "東京都", "渋谷区", "神宮前1-2-3", "山田 太郎", "090-3141-5926"
        ),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)],
        token="tok_ok",
    )
    shop.desk.accept(number)
    order = shop.desk.instruct_shipping(number)
    return order.shipments[0], order


@pytest.mark.parametrize("number", ["-1001", "+81-1001", "=1001", "@1001"])
def test_a_shipment_id_that_starts_like_a_formula_reads_back_as_itself(number: str) -> None:
    """The export writes ``'-1001-S1`` (a spreadsheet must not run it); reading it back gave
    ``'-1001-S1``, which no shipment is, so desk.ship refused the number B2 issued."""
    pair = _instructed_as(number)
    data = export_b2([pair], SHIPPER, date(2026, 11, 23))
    assert rows_of(data)[1][0] == f"'{number}-S1"
    [label] = read_b2_issued(issued(data, "伝票番号", ["123456789013"]))
    assert label.shipment_id == pair[0].shipment_id


def test_the_guard_of_an_id_counts_towards_its_column() -> None:
    """An id of 20 characters starting with ``-`` was written as 21 in B2's 20-character
    お客様管理番号 (the docs: the leading ``'`` counts towards the column's length)."""
    pair = _instructed_as("-" + "1" * 16)  # -1111111111111111-S1: 20 characters
    with pytest.raises(CarrierFileError) as refused:
        export_b2([pair], SHIPPER, date(2026, 11, 23))
    assert (refused.value.row, refused.value.column) == (2, 1)
    fits = _instructed_as("1" * 17)  # 20 characters, no guard
    assert rows_of(export_b2([fits], SHIPPER, date(2026, 11, 23)))[1][0] == "1" * 17 + "-S1"


class _Trickle:
    """A stream that answers a few bytes at a time, as a pipe may."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1, /) -> bytes:
        taken, self.data = self.data[:7], self.data[7:]
        return taken


def test_a_stream_is_read_to_its_end_and_any_limit_is_taken() -> None:
    """A short answer was taken for the whole file (its last rows silently left out), and a
    limit past a C integer raised OverflowError from the stream's read."""
    rows = "".join(f"100{n}-S1,{number}\r\n" for n, number in enumerate(NUMBERS))
    data = ("お客様管理番号,伝票番号\r\n" + rows).encode("cp932")
    assert len(read_b2_issued(_Trickle(data))) == 3
    assert len(read_b2_issued(io.BytesIO(data), max_bytes=10**30)) == 3
    with pytest.raises(CarrierFileError):
        read_b2_issued(_Trickle(data), max_bytes=len(data) - 1)
