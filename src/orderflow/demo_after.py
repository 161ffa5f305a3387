"""The demo, after shipping: a delivery corrected, a return, points, the day's journal file.

One more order goes out, one of its lines shipped by the maker itself (メーカー直送: a drop-ship
purchase order, no stock of ours); the carrier reports our parcel delivered to the wrong door and
an operator undoes that; the right deliveries follow. Seven days later the points it earned are
granted by the sweep; the customer sends one line back, which is restocked and refunded (the
points it earned are clawed back), and the day's journal goes out as the file 弥生会計 imports.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from orderflow.domain.address import Address, Customer
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderLine
from orderflow.domain.returns import Disposition, ReturnReason
from orderflow.domain.tax import TaxRate
from orderflow.domain.tracking import CarrierEvent, TrackingStatus
from orderflow.i18n import status_label
from orderflow.journals import export_yayoi
from orderflow.testing.shop import FakeShop

__all__ = ["after_shipping"]

_WORDS = {
    "ja": {
        "title": "■ 出荷のあと: 着荷の訂正、返品、ポイント、仕訳ファイル (注文 1014)",
        "direct": "メーカー直送",
        "undone": "着荷を取り消し (誤配達の報告)",
        "points": "ポイント付与",
        "clawed": "返品によるポイント回収",
        "refund": "返品の返金",
        "journal": "この日の仕訳 (弥生会計インポート形式)",
    },
    "en": {
        "title": "■ After shipping: a delivery corrected, a return, points, the journal (1014)",
        "direct": "Drop-shipped by the maker",
        "undone": "Delivery undone (reported at the wrong door)",
        "points": "Points granted",
        "clawed": "Points clawed back by the return",
        "refund": "Refund of the return",
        "journal": "the day's journal, as the 弥生会計 import file",
    },
}


def after_shipping(shop: FakeShop, locale: str, out: Callable[[str], None]) -> Order:
    """Run the after-shipping part of the demo on ``shop``; returns order 1014 at the end."""
    desk, clock = shop.desk, shop.clock
    words = _WORDS["ja" if locale.startswith("ja") else "en"]
    out(words["title"])
    ship_to = Address(
        "060-0001", "北海道", "札幌市中央区北一条西", "2-1", "森 花子", "011-000-0000"
    )
    customer = Customer("C14", "森 花子", "hanako.mori@example.jp")
    desk.receive("TOKYO", "NORI-1", 20, receipt_id="R-1014-1")  # 入荷 of two new products
    desk.receive("TOKYO", "CUP-2", 5, receipt_id="R-1014-2")
    desk.place(
        number="1014",
        customer=customer,
        ship_to=ship_to,
        lines=[
            OrderLine("L1", "NORI-1", "有明海苔 10枚", Money.yen(1080), 2, TaxRate.REDUCED),
            OrderLine("L2", "CUP-2", "萩焼 湯呑", Money.yen(3300), 1),
            OrderLine("L3", "KYUSU-9", "南部鉄器 急須", Money.yen(8800), 1, supplier="ACME"),
        ],
        token="tok_visa",
        shipping_fee=Money.yen(880),
    )
    desk.accept("1014")
    desk.instruct_shipping("1014")
    desk.ship("1014", "1014-S1", "1234-5678-9013")
    (direct,) = desk.open_purchase_orders("ACME")  # 1014-S2: the maker ships the teapot
    shipped = desk.supplier_shipped(direct.number, "3123-4567-8901")
    out(f"  {words['direct']}: {direct.number} → 1014-S2 {status_label(shipped.status, locale)}")
    clock.advance(timedelta(hours=20))
    wrong = CarrierEvent("yamato", "123456789013", TrackingStatus.DELIVERED, clock.now(), "Y-1")
    desk.carrier_events([wrong])  # the carrier says delivered: the customer says not to her
    undone = desk.undo_delivery("1014", "1014-S1", reason="別のお宅に配達されていた")
    out(f"  {words['undone']}: {status_label(undone.status, locale)}")
    clock.advance(timedelta(hours=5))
    right = CarrierEvent("yamato", "123456789013", TrackingStatus.DELIVERED, clock.now(), "Y-2")
    teapot = CarrierEvent("yamato", "312345678901", TrackingStatus.DELIVERED, clock.now(), "Y-3")
    desk.carrier_events([right, teapot])
    clock.advance(timedelta(days=7))
    desk.grant_points_due()
    order = desk.get("1014")
    out(f"  {words['points']}: {order.points_granted}")
    asked = desk.request_return("1014", {"L2": 1}, ReturnReason.DEFECTIVE)  # a chipped cup
    return_id = asked.returns[-1].return_id
    order = desk.receive_return("1014", return_id, [Disposition("L2", 1, "TOKYO")])  # 再入庫
    done = order.returns[-1]
    paid_back = done.paid_back or Money.yen(0)
    out(f"  {words['refund']}: {return_id} {done.status.value} {paid_back.amount} JPY")
    out(f"  {words['clawed']}: {done.points_clawed}")
    order = desk.book("1014") if order.status.name == "DELIVERED" else order
    day = clock.now().date()
    entries = [entry for _, entry in shop.accounting.entries]
    text = export_yayoi(entries, since=day, until=day).decode("cp932")  # the day's entries
    out(f"  {words['journal']}:")
    for row in text.splitlines()[:8]:
        out(f"    {row}")
    return desk.get("1014")
