"""A part of a split order is booked, however few yen it holds (切り上げ, tiny parts)."""

from orderflow import (
    Money,
    OrderLine,
    OrderStatus,
    PriceMode,
    Rounding,
    ShopSettings,
    TaxRule,
)
from tests.builders import TRACKING, address, customer, shop


def test_each_part_of_a_three_yen_order_split_in_three_is_booked() -> None:
    rule = TaxRule(PriceMode.INCLUSIVE, Rounding.UP)
    stock = {("TOKYO", sku): 1 for sku in ("A", "B", "C")}
    s = shop(stock, ShopSettings(auto_advance=False, tax=rule))
    desk = s.desk
    lines = [OrderLine(f"L{i}", sku, "品", Money.yen(1), 1) for i, sku in enumerate("ABC")]
    desk.place(number="1001", customer=customer(), ship_to=address(), lines=lines, token="tok_ok")
    parts = desk.split("1001", [{"L0": 1}, {"L1": 1}, {"L2": 1}], reason="別送")
    for part in parts:
        n = part.number
        desk.accept(n)
        desk.allocate(n)
        desk.instruct_shipping(n)
        desk.ship(n, f"{n}-S1", TRACKING)
        desk.deliver(n, f"{n}-S1")
        assert desk.book(n).status is OrderStatus.BOOKED  # was: InvalidValue, tax of -¥1
    sales = [entry for _, entry in s.accounting.entries]
    assert [e.reference for e in sales] == ["1001-1", "1001-2", "1001-3"]
    assert sum(e.totals()[0] for e in sales) == 3


def test_the_parts_of_a_split_are_not_held_as_duplicates_of_each_other() -> None:
    # 3 mugs split 1 + 1 + 1 to leave on three days: each part was held duplicate_suspected
    # (二重注文の疑い: 注文 1001-2 と同じ内容) and none could be shipped or booked until cleared
    s = shop({("TOKYO", "MUG-1"): 3})
    desk = s.desk
    mugs = [OrderLine("L1", "MUG-1", "湯呑", Money.yen(2200), 3)]
    desk.place(number="1001", customer=customer(), ship_to=address(), lines=mugs, token="tok_ok")
    parts = desk.split("1001", [{"L1": 1}, {"L1": 1}, {"L1": 1}], reason="3日に分けて")
    for part in parts:
        accepted = desk.accept(part.number)
        assert [h.code for h in accepted.open_holds] == []
