"""Shipping notices of orders sent in several parcels (分納): each says what is in its parcel and,
for 代引き, what the driver collects at the door — the amount the carrier's label file asks for."""

from __future__ import annotations

import csv
import io
from datetime import date

import attrs
import pytest

from orderflow import (
    Address,
    CodSplit,
    Customer,
    Money,
    OrderDesk,
    OrderLine,
    PartialPayment,
    PaymentMethod,
    ShopSettings,
    TaxRate,
)
from orderflow.carrier_files import ENCODING, Shipper, export_b2
from orderflow.notices import Notice, ShopProfile, format_amount
from orderflow.testing import FakeShop
from tests.builders import address, delivered, shop

STOCK = {("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 10, ("TOKYO", "CAKE-1"): 10}
LINES = [
    OrderLine("L1", "TEA-1", "緑茶", Money.yen(1083), 2, TaxRate.REDUCED),
    OrderLine("L2", "MUG-1", "湯呑", Money.yen(2207), 1),
    OrderLine("L3", "CAKE-1", "菓子", Money.yen(649), 3, TaxRate.REDUCED),
]
"""One tea in stock of two: the first parcel carries a tea, the mug and the cakes, the second
the other tea."""
SHIPPER = Shipper(
    Address("100-0001", "東京都", "千代田区", "千代田1-1", "お茶の店", "03-3000-0000"),
    b2_customer_code="012345678901",
    b2_freight_code="01",
)
NAMES = {"TEA-1": {"en": "Green tea"}, "MUG-1": {"en": "Tea cup"}, "CAKE-1": {"en": "Cake"}}


def _two_parcels(method: PaymentMethod, split: CodSplit) -> FakeShop:
    settings = ShopSettings(
        auto_advance=False,
        cod_split=split,
        partial_payment=PartialPayment.PER_SHIPMENT,
        shop=ShopProfile(product_names=NAMES),
    )
    s = shop(STOCK, settings)
    s.desk.place(
        number="1001",
        customer=Customer("C1", "見本 花子", "c1@example.jp"),
        ship_to=address(),
        lines=LINES,
        token="tok",
        payment_method=method,
        shipping_fee=Money.yen(550),
        discount=Money.yen(333),
    )
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.ship_available("1001")
    s.desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")  # the rest: a second parcel
    assert [sh.shipment_id for sh in s.desk.get("1001").shipments] == ["1001-S1", "1001-S2"]
    return s


def _label_cod(s: FakeShop, shipment_id: str) -> str:
    """What B2クラウド's label of ``shipment_id`` asks the driver to collect ('' for 発払い)."""
    order = s.desk.get("1001")
    [shipment] = [sh for sh in order.shipments if sh.shipment_id == shipment_id]
    data = export_b2([(shipment, order)], SHIPPER, date(2026, 11, 23))
    header, row = list(csv.reader(io.StringIO(data.decode(ENCODING), newline="")))[:2]
    assert row[header.index("送り状種類")] in {"0", "2"}
    return row[header.index("ｺﾚｸﾄ代金引換額（税込)")]


def _ship(s: FakeShop, shipment_id: str, tracking: str) -> Notice:
    s.desk.ship("1001", shipment_id, tracking)
    number = tracking.replace("-", "")
    [notice] = [n for n in s.notifier.sent if n.kind == "shipping" and number in n.text]
    return notice


@pytest.mark.parametrize("split", list(CodSplit))
def test_each_cod_parcels_notice_lists_its_items_and_what_the_driver_collects(
    split: CodSplit,
) -> None:
    s = _two_parcels(PaymentMethod.COD, split)
    collected = Money.yen(0)
    for shipment_id, tracking, items, others in (
        ("1001-S1", "1234-5678-9013", ("緑茶 × 1", "湯呑 × 1", "菓子 × 3"), ()),
        ("1001-S2", "1234-5678-9024", ("緑茶 × 1",), ("湯呑", "菓子")),
    ):
        label = _label_cod(s, shipment_id)
        notice = _ship(s, shipment_id, tracking)
        ja, en = notice.text, attrs.evolve(notice, locale="en").text
        for item in items:
            assert f"- {item}" in ja
        for other in others:
            assert other not in ja  # the other parcel's items are not said to be in this one
        assert "- Green tea × 1" in en
        if label:  # コレクト: the notice asks for exactly what the label collects
            amount = Money.yen(int(label))
            collected = collected + amount
            assert f"この荷物のお届け時に {format_amount(amount, 'ja')}" in ja
            assert f"pay the driver {format_amount(amount, 'en')} for this parcel" in en
            assert notice.fact("cod_amount") == amount
        else:  # 発払い: nothing is collected at the door, and the notice says so
            assert "この荷物のお届け時のお支払いはございません" in ja
            assert "nothing is collected on delivery of this parcel" in en
            assert notice.fact("cod_amount") == Money.yen(0)
        assert "お支払いください" not in ja or label
    assert collected == s.desk.totals(s.desk.get("1001")).total  # the door collects the total


def test_a_prepaid_parcels_notice_lists_its_items_and_asks_for_no_money() -> None:
    s = _two_parcels(PaymentMethod.CARD, CodSplit.FIRST)
    notice = _ship(s, "1001-S1", "1234-5678-9013")
    assert "- 緑茶 × 1" in notice.text and "- 菓子 × 3" in notice.text
    assert "代金引換" not in notice.text and "Cash on delivery" not in notice.html
    assert "<li>" not in notice.html and "緑茶 × 1" in notice.html
    second = _ship(s, "1001-S2", "1234-5678-9024")
    assert "- 緑茶 × 1" in second.text and "湯呑" not in second.text
    assert second.fact("shipment_id") == "1001-S2"


def _boxed(desk: OrderDesk) -> None:
    """Orders 1001 and 1002, accepted, held ones cleared, allocated, packed in one box, sent."""
    for number in ("1001", "1002"):
        for hold in desk.get(number).open_holds:
            desk.clear_hold(number, hold.code)
        desk.allocate(number)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1001")


def test_a_cod_box_of_two_orders_tells_each_what_the_driver_collects_for_the_box() -> None:
    """同梱: the carrier collects the sum of the orders' amounts for the box (one label); each
    order's notice says that sum, and its own part of it."""
    s = shop({("TOKYO", "TEA-1"): 10})
    desk = s.desk
    home = address()
    for number, price in (("1001", 1080), ("1002", 2160)):
        desk.place(
            number=number,
            customer=Customer("C1", "山田 太郎", "t@example.jp"),
            ship_to=home,
            lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(price), 1)],
            payment_method=PaymentMethod.COD,
        )
        desk.accept(number)
    _boxed(desk)
    own = {n: desk.get(n).shipments[0].cod_amount for n in ("1001", "1002")}
    box = own["1001"] + own["1002"]  # type: ignore[operator]
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    notices = {n.order_number: n for n in s.notifier.sent if n.kind == "shipping"}
    assert set(notices) == {"1001", "1002"}
    for number, other in (("1001", "1002"), ("1002", "1001")):
        notice = notices[number]
        assert notice.fact("cod_amount") == own[number]
        assert notice.fact("parcel_cod_amount") == box
        en = attrs.evolve(notice, locale="en").text
        assert f"please pay the driver {format_amount(box, 'en')} for this parcel" in en
        assert f"also carries your order {other}" in en
        assert f"{format_amount(own[number], 'en')} of it for this order" in en  # type: ignore[arg-type]
        assert f"この荷物のお届け時に {format_amount(box, 'ja')}" in notice.text
    desk.deliver("1001", "1001-S1")
    received = desk.get("1001").payment.received + desk.get("1002").payment.received
    assert received == box  # what the driver collected at the door


def test_a_box_whose_first_shipment_collects_nothing_is_labelled_with_what_it_collects() -> None:
    """同梱 over two warehouses, 代引き on the first parcel of each order: in the Tokyo box, 1001's
    second shipment collects nothing and 1002's only shipment collects 1002's total. The label
    row must ask for that total, as 1002's notice does and as its delivery records."""
    from orderflow.cli._labels import labels_to_print

    s = shop(
        {("TOKYO", "TEA-1"): 10, ("OSAKA", "MUG-1"): 10},
        ShopSettings(auto_advance=False, warehouses=("TOKYO", "OSAKA")),
    )
    desk = s.desk
    for number, lines in (
        (
            "1001",
            [
                OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1),
                OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
            ],
        ),
        ("1002", [OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)]),
    ):
        desk.place(
            number=number,
            customer=Customer("C1", "山田 太郎", "t@example.jp"),
            ship_to=address(),
            lines=lines,
            payment_method=PaymentMethod.COD,
        )
        desk.accept(number)
    _boxed(desk)
    tokyo = {
        n: next(sh for sh in desk.get(n).shipments if sh.warehouse == "TOKYO")
        for n in ("1001", "1002")
    }
    assert tokyo["1001"].cod_amount is None  # 1001's Osaka parcel collects its total
    collects = tokyo["1002"].cod_amount
    assert collects is not None and collects.amount > 0
    pairs = labels_to_print(desk, "yamato")
    box = [(sh, o) for sh, o in pairs if sh.parcel == tokyo["1002"].parcel]
    assert len(box) == 2  # 1001's second shipment and 1002's: one label
    data = export_b2(box, SHIPPER, date(2026, 11, 23))
    header, cells = list(csv.reader(io.StringIO(data.decode(ENCODING), newline="")))
    assert cells[header.index("お客様管理番号")] == tokyo["1002"].shipment_id
    assert cells[header.index("送り状種類")] == "2"  # コレクト
    assert cells[header.index("ｺﾚｸﾄ代金引換額（税込)")] == str(int(collects.amount))
    desk.ship("1002", tokyo["1002"].shipment_id, "1234-5678-9013")
    told = [n for n in s.notifier.sent if n.kind == "shipping" and n.order_number == "1002"]
    assert told[0].fact("parcel_cod_amount") == collects


def test_a_shipping_notice_queued_before_parcels_were_named_still_lists_the_parcel() -> None:
    """A shipping notice queued by an earlier orderflow (no shipment_id fact) and sent after the
    upgrade showed the heading ■この荷物の内容 over nothing; an order of one parcel shows it."""
    s = shop()
    delivered(s)
    [sent] = [n for n in s.notifier.sent if n.kind == "shipping"]
    older = attrs.evolve(sent, facts=tuple(f for f in sent.facts if f[0] != "shipment_id"))
    assert older.text == sent.text and "×" in sent.text
