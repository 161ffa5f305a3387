"""A change that takes units off an order (a partial cancel, the rest dropped after a partial
shipment) tells the customer which items were taken off, not only the order as it is now."""

from __future__ import annotations

import attrs

from orderflow import Customer, Money, OrderLine, ShopSettings
from orderflow.notices import Notice, ShopProfile
from tests.builders import address, place, shop

NAMES = ShopProfile(product_names={"TEA-1": {"en": "Green tea"}, "CAKE-1": {"en": "Yokan"}})


def _changed(s: object) -> Notice:
    sent = s.notifier.sent  # type: ignore[attr-defined]
    return [n for n in sent if n.kind == "order_changed"][-1]  # type: ignore[no-any-return]


def test_a_partial_cancel_names_the_items_taken_off() -> None:
    s = shop(settings=ShopSettings(shop=NAMES))
    place(s)  # 緑茶 ×2, 湯呑 ×1, 羊羹 ×1
    s.desk.cancel("1001", reason="お客様のご希望", lines={"L1": 1, "L3": 1})
    notice = _changed(s)
    ja, en = notice.text, attrs.evolve(notice, locale="en").text
    assert "■ご注文から取り消した商品\n- 緑茶 × 1\n- 羊羹 × 1" in ja
    assert "Taken off the order:\n- Green tea × 1\n- Yokan × 1" in en
    assert "羊羹" not in ja.split("■変更後のご注文内容")[1]  # no more in the order
    assert notice.fact("removed") == "緑茶 ×1\n羊羹 ×1"
    assert "取り消した商品" in notice.html


def test_a_change_that_takes_nothing_off_says_nothing_was() -> None:
    s = shop()
    place(s)
    s.desk.cancel("1001", reason="お客様のご希望", lines={"L2": 1})
    assert "- 湯呑 × 1" in _changed(s).text
    from orderflow import OrderChange

    s.desk.change("1001", OrderChange(quantities={"L1": 3, "L3": 1}))
    notice = _changed(s)
    assert "取り消した商品" not in notice.text and "Taken off" not in notice.html


def test_the_rest_dropped_after_a_partial_shipment_names_the_units_dropped() -> None:
    s = shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 10, ("TOKYO", "CAKE-1"): 10})
    s.desk.place(
        number="1001",
        customer=Customer("C1", "見本 花子", "c1@example.jp"),
        ship_to=address(),
        lines=[
            OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2),
            OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
        ],
        token="tok",
    )
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.ship_available("1001")
    s.desk.drop_missing("1001")
    notice = _changed(s)
    assert "■ご注文から取り消した商品\n- 緑茶 × 1" in notice.text
