"""The picking list of 同梱 orders says which shipments go in one box."""

from __future__ import annotations

import io

from pypdf import PdfReader

from orderflow import Order
from orderflow.papers import picking_list, render_pdf, to_csv
from orderflow.testing import fake_shop
from tests.builders import allocated_tea


def orders() -> list[Order]:
    """1001 and 1002 packed in one box, 2001 (another customer) on its own; all instructed."""
    shop = fake_shop({("TOKYO", "TEA-1"): 10})
    desk = shop.desk
    for number, customer in (("1001", "C1"), ("1002", "C1"), ("2001", "C2")):
        allocated_tea(desk, number, customer)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1001")
    desk.instruct_shipping("2001")
    return [desk.get(number) for number in ("1001", "1002", "2001")]


def test_each_row_names_the_box_its_shipment_is_packed_in() -> None:
    """A picker sorting into parcels (トータルピッキング) must put 1001's and 1002's units in one
    box: the box the label file and the carrier's events know them by."""
    picking = picking_list(orders(), "TOKYO")
    assert [(row.shipment_id, row.parcel) for row in picking.rows] == [
        ("1001-S1", "P-1001-TOKYO"),
        ("1002-S1", "P-1001-TOKYO"),
        ("2001-S1", None),
    ]


def test_the_csv_and_the_pdf_show_the_box() -> None:
    picking = picking_list(orders(), "TOKYO")
    ja = to_csv(picking).splitlines()
    assert ja[0].endswith(",受注番号,出荷番号,同梱")
    assert ja[1].endswith(",1001,1001-S1,P-1001-TOKYO")
    assert ja[3].endswith(",2001,2001-S1,")
    assert to_csv(picking, locale="en").splitlines()[0].endswith(",shipment_id,parcel")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(picking))).pages)
    assert "P-1001-TOKYO" in text
