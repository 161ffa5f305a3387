"""Sample notices for the documentation, rendered by the code from an order on the fakes.

``markdown()`` places one order on a :func:`~orderflow.testing.fake_shop` (green tea at the
reduced rate, a mug at the standard rate, a shipping fee), ships it with a Yamato tracking number
and refunds part of it, then shows the order confirmation, the shipping notice and the refund
notice in Japanese and in English. The docs site puts its output where ``docs/notices.md`` has
the marker ``<!-- orderflow:generate orderflow.notices.samples:markdown -->``.
"""

from __future__ import annotations

import attrs

from orderflow.domain.address import Address, Customer
from orderflow.domain.money import Money
from orderflow.domain.order import OrderLine
from orderflow.domain.tax import TaxRate
from orderflow.notices import Notice
from orderflow.notices.profile import ShopProfile

__all__ = ["SAMPLE_SHOP", "markdown", "sample_notices"]

SAMPLE_SHOP = ShopProfile(
    name={"ja": "見本堂オンラインショップ", "en": "Mihondo Online Shop"},
    signature={
        "ja": "営業時間: 平日 10:00〜17:00\nhttps://shop.example.jp/",
        "en": "Open weekdays 10:00–17:00 (Japan time)\nhttps://shop.example.jp/en/",
    },
    support_email="support@shop.example.jp",
    product_names={"TEA-1": {"en": "Sencha green tea 100g"}, "MUG-1": {"en": "Arita tea cup"}},
)
"""The sample shop: its name and signature in both languages, its products' English names."""

_TITLES = {
    "order_confirmation": "Order confirmation (ご注文確認)",
    "shipping": "Shipping notice (発送のお知らせ)",
    "refund": "Refund notice (返金のお知らせ)",
}


def sample_notices() -> dict[str, Notice]:
    """The order confirmation, shipping and refund notices of the sample order (in Japanese)."""
    from orderflow.settings import ShopSettings
    from orderflow.testing import fake_shop

    shop = fake_shop(
        {("TOKYO", "TEA-1"): 10, ("TOKYO", "MUG-1"): 10},
        settings=ShopSettings(shop=SAMPLE_SHOP),
    )
    desk = shop.desk
    desk.place(
        number="1001",
        customer=Customer("C1001", "見本 花子", "hanako@example.jp"),
        ship_to=Address(
            "150-0001",
            "東京都",
            "渋谷区神宮前",
            "1-2-3",
            "見本 花子",
            "03-1234-5678",
            "見本ハイツ101",
        ),
        lines=[
            OrderLine("L1", "TEA-1", "煎茶 100g", Money.yen(1080), 2, TaxRate.REDUCED),
            OrderLine("L2", "MUG-1", "有田焼 湯呑", Money.yen(2200), 1),
        ],
        token="tok_visa",
        shipping_fee=Money.yen(800),
    )
    desk.accept("1001")
    desk.instruct_shipping("1001")
    shipment = desk.get("1001").shipments[0].shipment_id
    desk.ship("1001", shipment, "123456789013")
    desk.refund("1001", Money.yen(1080), reason="お茶1袋の破損")
    return {n.kind: n for n in shop.notifier.sent if n.kind in _TITLES}


def markdown() -> str:
    """Markdown showing the three sample notices in Japanese and English (text; HTML of one)."""
    notices = sample_notices()
    out: list[str] = []
    for kind, title in _TITLES.items():
        out.append(f"### {title}\n")
        for locale, language in (("ja", "日本語"), ("en", "English")):
            notice = attrs.evolve(notices[kind], locale=locale)
            out.append(f"**{language}** — subject: {notice.subject}\n")
            out.append(f"```text\n{notice.text}\n```\n")
    english = attrs.evolve(notices["order_confirmation"], locale="en")
    out.append("### The same order confirmation as HTML (English)\n")
    out.append(f"```html\n{english.html}\n```\n")
    return "\n".join(out)
