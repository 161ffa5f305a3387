"""The review as a shop configures it: what a rule finds is stored safely, settings are honoured."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from orderflow import (
    Address,
    Blacklist,
    Customer,
    DuplicateRule,
    Finding,
    Money,
    OrderChange,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    QueueQuery,
    RemoteIslandRule,
    ShippingFeeTable,
    ShopSettings,
    VariantRule,
    default_rules,
    default_shipping_fees,
)
from orderflow.errors import InvalidValue
from orderflow.stores import SQLiteStore
from orderflow.testing import desk_on, fake_shop
from tests.builders import STOCK, place


@attrs.frozen
class _Rule:
    answer: Callable[[], object]
    code: str = "big_order"

    def check(self, order: object, context: object) -> object:
        return self.answer()


@pytest.mark.parametrize(
    ("message", "message_en", "field"),
    [
        ("大口\ud800", "big", "message"),  # a lone surrogate: no database can store it
        ("大口\x00", "big", "message"),  # NUL: PostgreSQL refuses it
        ("大口", "big\x00", "message_en"),
        ("大" * 1001, "big", "message"),  # longer than desk.raise_hold takes
    ],
)
def test_a_finding_whose_message_cannot_be_stored_is_refused_naming_the_rule(
    tmp_path: Path, message: str, message_en: str, field: str
) -> None:
    s = fake_shop(STOCK)
    desk = desk_on(s, store=SQLiteStore(str(tmp_path / "shop.sqlite3")))
    desk.review_rules = (*default_rules(), _Rule(lambda: Finding("big_order", message, message_en)))  # type: ignore[arg-type]
    s.desk = desk
    place(s)
    with pytest.raises(InvalidValue) as refused:
        desk.accept("1001")
    assert refused.value.field == f"review_rules[6].{field}"
    assert "_Rule (code 'big_order')" in str(refused.value)
    after = desk.get("1001")
    assert after.status is OrderStatus.ORDERED and not after.holds


def test_a_fee_in_another_currency_is_refused_naming_the_rule() -> None:
    s = fake_shop(STOCK)
    usd = Money.of("5", "USD")
    s.desk.review_rules = (*default_rules(), _Rule(lambda: Finding("big", "大", "b", usd)))  # type: ignore[arg-type]
    place(s)
    with pytest.raises(InvalidValue) as refused:
        s.desk.accept("1001")
    assert refused.value.field == "review_rules[6].shipping_fee"
    assert "_Rule (code 'big_order')" in str(refused.value)
    assert s.desk.get("1001").status is OrderStatus.ORDERED


@pytest.mark.parametrize("window", [timedelta(days=32), timedelta(days=60)])
def test_a_duplicate_window_longer_than_the_orders_the_desk_reads_is_refused(
    window: timedelta,
) -> None:
    """The desk gives the rules the customer's orders of the 31 days before: a longer window
    would silently miss the older orders it promises to compare."""
    with pytest.raises(InvalidValue) as refused:
        default_rules(duplicate_window=window)
    assert refused.value.field == "duplicate_window"
    with pytest.raises(InvalidValue) as refused:
        DuplicateRule(window)
    assert refused.value.field == "window"


def test_a_31_day_window_finds_an_order_placed_30_days_before() -> None:
    s = fake_shop(STOCK)
    s.desk.review_rules = default_rules(duplicate_window=timedelta(days=31))
    place(s, "1001")
    s.desk.accept("1001")
    s.clock.advance(timedelta(days=30))
    place(s, "1002")
    held = s.desk.accept("1002")
    assert [h.code for h in held.open_holds] == ["duplicate_suspected"]


def test_the_blacklist_matches_the_customers_own_phone_on_a_gift_order() -> None:
    """The customer's own address is compared (a gift sent elsewhere): so is its phone."""
    home = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "090-1111-2222")
    gift = Address("530-0001", "大阪府", "大阪市北区梅田", "1-1", "佐藤 花子", "06-1234-5678")
    buyer = Customer("C9", "山田 太郎", "yamada@example.jp", address=home)
    s = fake_shop(STOCK)
    s.desk.review_rules = default_rules(blacklist=Blacklist(phones=["09011112222"]))
    place(s, customer=buyer, ship_to=gift)
    held = s.desk.accept("1001")
    assert [h.code for h in held.open_holds] == ["blacklist"]
    assert held.open_holds[0].message_en == "on the blacklist (by phone)"


SADO = Address("952-0011", "新潟県", "佐渡市両津夷", "1", "佐渡 太郎", "0259-00-0000")


@pytest.mark.parametrize(
    "method",
    [PaymentMethod.CARD, PaymentMethod.POSTPAY, PaymentMethod.COD, PaymentMethod.BANK_TRANSFER],
)
def test_a_fee_the_review_corrects_is_told_to_the_customer(method: PaymentMethod) -> None:
    """The confirmation told the total as placed; the island surcharge raises it: the customer
    is told the new total and the difference before being charged it."""
    s = fake_shop(STOCK)
    token = "tok_ok" if method is PaymentMethod.CARD else None
    place(s, ship_to=SADO, payment_method=method, token=token)
    before = s.desk.totals(s.desk.get("1001")).total
    order = s.desk.accept("1001")
    assert order.shipping_fee == Money.yen(1980)
    total = s.desk.totals(order).total
    assert total > before
    [told] = [n for n in s.notifier.sent if n.kind == "order_changed"]
    assert told.fact("total") == total
    assert told.fact("delta") == total - before
    assert "charges" in str(told.fact("changed"))


def test_a_review_run_again_that_corrects_the_fee_tells_the_customer() -> None:
    s = fake_shop(STOCK)
    s.desk.review_rules = ()
    place(s, ship_to=SADO)
    s.desk.accept("1001")
    assert not [n for n in s.notifier.sent if n.kind == "order_changed"]
    s.desk.review_rules = default_rules()
    order = s.desk.review("1001")
    assert order.shipping_fee == Money.yen(1980)
    [told] = [n for n in s.notifier.sent if n.kind == "order_changed"]
    assert told.fact("delta") == Money.yen(1100)


def test_a_review_that_leaves_the_fee_tells_nothing_more() -> None:
    s = fake_shop(STOCK)
    place(s, ship_to=SADO, shipping_fee=Money.yen(1980))
    s.desk.accept("1001")
    s.desk.review("1001")
    assert [n.kind for n in s.notifier.sent] == ["order_confirmation"]


def test_the_built_in_rules_fit_their_messages_to_what_a_hold_keeps() -> None:
    """Many lines above the limit, long SKUs: the order is held, its message cut, not refused."""
    skus = [f"SKU{i:04d}-{'X' * 40}" for i in range(60)]
    s = fake_shop({("TOKYO", sku): 100 for sku in skus})
    order_lines = [OrderLine(f"L{i}", sku, "品", Money.yen(100), 11) for i, sku in enumerate(skus)]
    place(s, order_lines=order_lines)
    held = s.desk.accept("1001")
    [hold] = held.open_holds
    assert hold.code == "unusual_quantity"
    assert len(hold.message) <= 1000 and len(hold.message_en) <= 1000
    assert hold.message.startswith(f"数量が多い注文: {skus[0]}×11")
    assert hold.message.endswith("…")


def test_a_variant_hold_of_long_skus_is_cut_to_fit() -> None:
    a, b = "T" * 600 + "-M", "T" * 600 + "-L"
    s = fake_shop({("TOKYO", a): 5, ("TOKYO", b): 5})
    place(
        s,
        order_lines=[
            OrderLine("L1", a, "T", Money.yen(100), 1),
            OrderLine("L2", b, "T", Money.yen(100), 1),
        ],
    )
    [hold] = s.desk.accept("1001").open_holds
    assert hold.code == "variant_check" and len(hold.message) <= 1000


MIYAKO = Address("906-0012", "沖縄県", "宮古島市平良西里", "1-2", "山田 太郎", "0980-00-0000")


def test_a_hold_a_person_raised_under_a_rule_s_code_keeps_their_note_after_a_change() -> None:
    """Found reviewing this session's change: a change whose review found the island again
    replaced the open hold a person had raised under that code (their note, their name)."""
    s = fake_shop(STOCK)
    place(s)
    s.desk.accept("1001")
    note = "運送会社に離島料金を確認中 (山田)"
    s.desk.raise_hold("1001", "remote_island", note, actor="yamada")
    order = s.desk.change_ship_to("1001", SADO, actor="operator:suzuki")
    [hold] = order.open_holds
    assert (hold.message, hold.raised_by) == (note, "yamada")
    assert order.shipping_fee == Money.yen(1980)  # the fee is corrected all the same


def test_an_open_review_hold_is_not_raised_twice_after_a_change() -> None:
    s = fake_shop(STOCK)
    place(s, ship_to=SADO)
    s.desk.accept("1001")
    order = s.desk.change_ship_to("1001", MIYAKO)
    assert order.shipping_fee == Money.yen(2750)
    assert [h.code for h in order.holds] == ["remote_island"]  # one hold
    assert not s.desk.clear_hold("1001", "remote_island").open_holds


def test_a_hold_a_person_raised_with_the_same_finding_is_left_as_it_is() -> None:
    s = fake_shop(STOCK)
    place(s, remarks="のし希望")
    held = s.desk.accept("1001")
    s.desk.review("1001")
    assert s.desk.get("1001").holds == held.holds


@pytest.mark.parametrize("code", [" ", "x" * 101, "a\x00", "a\ud800"])
def test_a_held_list_of_a_code_no_hold_can_have_is_refused(code: str) -> None:
    """What ``desk.raise_hold`` refuses as a code is no list to read (a NUL would reach the
    database's query)."""
    with pytest.raises(InvalidValue) as refused:
        QueueQuery.held(code)
    assert refused.value.field == "code"


def test_a_part_of_a_split_order_carries_the_line_holds_of_its_own_lines() -> None:
    """Held for TEA-1×12 and with remarks, split into the tea and the mug: the part of the mug
    is not held for a quantity it does not have; both keep the remarks to read."""
    s = fake_shop({**STOCK, ("TOKYO", "TEA-1"): 100})
    tea = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 12)
    mug = OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1)
    place(s, order_lines=[tea, mug], remarks="のし希望")
    held = s.desk.accept("1001")
    assert {h.code for h in held.open_holds} == {"remarks", "unusual_quantity"}
    first, second = s.desk.split("1001", [{"L1": 12}, {"L2": 1}])
    assert {h.code for h in first.open_holds} == {"remarks", "unusual_quantity"}
    assert [h.code for h in second.open_holds] == ["remarks"]
    assert [h.code for h in s.desk.get("1001-2").open_holds] == ["remarks"]


def test_a_quantity_hold_of_a_part_names_the_part_s_lines() -> None:
    s = fake_shop({**STOCK, ("TOKYO", "TEA-1"): 100, ("TOKYO", "CAKE-1"): 100})
    tea = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 12)
    cake = OrderLine("L2", "CAKE-1", "羊羹", Money.yen(1620), 11)
    place(s, order_lines=[tea, cake])
    [hold] = s.desk.accept("1001").open_holds
    assert hold.message == "数量が多い注文: TEA-1×12, CAKE-1×11"
    first, second = s.desk.split("1001", [{"L1": 12}, {"L2": 11}])
    assert [h.message for h in first.open_holds] == ["数量が多い注文: TEA-1×12"]
    assert [h.message for h in second.open_holds] == ["数量が多い注文: CAKE-1×11"]


def test_a_variant_hold_goes_with_neither_part_when_the_variants_are_parted() -> None:
    s = fake_shop({("TOKYO", "TSHIRT-NAVY-M"): 5, ("TOKYO", "TSHIRT-NAVY-L"): 5})
    m = OrderLine("L1", "TSHIRT-NAVY-M", "Tシャツ M", Money.yen(2000), 1)
    large = OrderLine("L2", "TSHIRT-NAVY-L", "Tシャツ L", Money.yen(2000), 1)
    place(s, order_lines=[m, large])
    assert [h.code for h in s.desk.accept("1001").open_holds] == ["variant_check"]
    first, second = s.desk.split("1001", [{"L1": 1}, {"L2": 1}])
    assert not first.open_holds and not second.open_holds


def test_rules_built_without_a_fee_table_use_the_shop_s() -> None:
    """The review page's example, ``review=(*default_rules(), BigOrderRule())``: the island
    fee comes from ``ShopSettings.shipping_fees`` (¥500 + ¥300), as a changed address's does,
    not from the built-in yen table (¥880 + ¥1,100)."""
    fees = ShippingFeeTable(Money.yen(500), {}, Money.yen(300))
    s = fake_shop(STOCK, settings=ShopSettings(shipping_fees=fees))
    s.desk.review_rules = (*default_rules(), _Rule(lambda: None))  # type: ignore[arg-type]
    place(s, ship_to=SADO, shipping_fee=Money.yen(500))
    assert s.desk.accept("1001").shipping_fee == Money.yen(800)
    assert s.desk.change_ship_to("1001", MIYAKO).shipping_fee == Money.yen(800)


def test_a_shop_in_dollars_takes_island_orders_with_the_default_rules() -> None:
    fees = ShippingFeeTable(Money.of("10", "USD"), {}, Money.of("20", "USD"))
    settings = ShopSettings(currency="USD", shipping_fees=fees)
    s = fake_shop({("TOKYO", "TEA-1"): 5}, settings=settings)
    s.desk.review_rules = default_rules()
    tea = OrderLine("L1", "TEA-1", "tea", Money.of("10", "USD"), 1)
    place(s, order_lines=[tea], ship_to=SADO, shipping_fee=Money.of("10", "USD"))
    order = s.desk.accept("1001")
    assert order.shipping_fee == Money.of("30", "USD")
    assert [h.code for h in order.open_holds] == ["remote_island"]
    [hold] = order.open_holds
    assert "送料 30.00 USD を確認" in hold.message and "円" not in hold.message


def test_a_rule_given_its_own_table_keeps_it() -> None:
    """A carrier's own surcharge list given to the rule wins over the shop's table."""
    carrier = ShippingFeeTable(Money.yen(880), island_surcharge=Money.yen(2000))
    fees = ShippingFeeTable(Money.yen(500), {}, Money.yen(300))
    s = fake_shop(STOCK, settings=ShopSettings(shipping_fees=fees))
    s.desk.review_rules = default_rules(fees=carrier)
    place(s, ship_to=SADO)
    assert s.desk.accept("1001").shipping_fee == Money.yen(2880)


_PRODUCTS = {"TSHIRT-NAVY-M": "TSHIRT-NAVY", "TSHIRT-NAVY-L": "TSHIRT-NAVY"}
_SHIRTS = {("TOKYO", sku): 5 for sku in (*_PRODUCTS, "TEA-1", "MUG-1")}


def test_a_variant_function_giving_none_says_the_sku_has_no_variants() -> None:
    """``variant_of=products.get``: the tea and the mug (no product of either) are not two
    variants of one product "None"; the two shirts still are."""
    s = fake_shop(_SHIRTS)
    s.desk.review_rules = (VariantRule(_PRODUCTS.get),)
    tea = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)
    mug = OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1)
    place(s, order_lines=[tea, mug])
    assert not s.desk.accept("1001").open_holds
    m = OrderLine("L1", "TSHIRT-NAVY-M", "M", Money.yen(2000), 1)
    large = OrderLine("L2", "TSHIRT-NAVY-L", "L", Money.yen(2000), 1)
    place(s, "1002", order_lines=[m, large])
    assert [h.code for h in s.desk.accept("1002").open_holds] == ["variant_check"]


@pytest.mark.parametrize(
    ("variant_of", "shown"),
    [(_PRODUCTS.__getitem__, "KeyError"), (lambda sku: 5, "5")],
)
def test_a_variant_function_that_fails_is_refused_naming_the_rule(
    variant_of: Callable[[str], str], shown: str
) -> None:
    s = fake_shop(_SHIRTS)
    s.desk.review_rules = (VariantRule(variant_of),)
    place(s, order_lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)])
    with pytest.raises(InvalidValue) as refused:
        s.desk.accept("1001")
    assert refused.value.field == "review_rules[0].variant_of"
    assert "VariantRule" in str(refused.value) and shown in str(refused.value)
    assert s.desk.get("1001").status is OrderStatus.ORDERED


def test_a_variant_function_failing_on_personal_data_does_not_show_it() -> None:
    """Found reviewing this session's change: the refusal quoted the exception's text."""

    def variant_of(sku: str) -> str:
        raise KeyError("taro@example.jp 090-1234-5678")

    s = fake_shop(_SHIRTS)
    s.desk.review_rules = (VariantRule(variant_of),)
    place(s, order_lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)])
    with pytest.raises(InvalidValue) as refused:
        s.desk.accept("1001")
    shown = str(refused.value)
    assert "KeyError" in shown and "taro@" not in shown and "1234" not in shown


def test_default_rules_copied_still_use_the_shop_s_fee_table() -> None:
    """Found reviewing this session's change: the rule knew the shop's table by identity, so a
    copied (or unpickled) default rule charged the built-in ¥1,980 to 佐渡, not ¥800."""
    fees = ShippingFeeTable(Money.yen(500), {}, Money.yen(300))
    s = fake_shop(STOCK, settings=ShopSettings(shipping_fees=fees))
    s.desk.review_rules = copy.deepcopy(default_rules())
    place(s, ship_to=SADO, shipping_fee=Money.yen(500))
    assert s.desk.accept("1001").shipping_fee == Money.yen(800)
    assert RemoteIslandRule() != RemoteIslandRule(default_shipping_fees())  # they charge apart


def _raises() -> object:
    raise KeyError("taro@example.jp")


def test_a_rule_that_raises_is_refused_naming_the_rule_not_its_data() -> None:
    """A shop's rule with a bug: not Python's KeyError out of accept, an InvalidValue naming
    the rule (the error's own text, which may hold anything, only in the chained cause)."""
    s = fake_shop(STOCK)
    s.desk.review_rules = (*default_rules(), _Rule(_raises))  # type: ignore[arg-type]
    place(s)
    with pytest.raises(InvalidValue) as refused:
        s.desk.accept("1001")
    assert refused.value.field == "review_rules[6]"
    assert "_Rule (code 'big_order')" in str(refused.value) and "KeyError" in str(refused.value)
    assert "taro@example.jp" not in str(refused.value)
    assert isinstance(refused.value.__cause__, KeyError)
    assert s.desk.get("1001").status is OrderStatus.ORDERED


def test_a_held_allocated_order_changed_keeps_its_stock() -> None:
    """Allocated, then held by a person (a call to the customer), then a quantity changed: its
    reservations are released and taken again in the same command, as the changes page says —
    the hold, older than the change, is no reason to give the stock to another order."""
    s = fake_shop({**STOCK, ("TOKYO", "TEA-1"): 3})
    place(s)
    assert s.desk.accept("1001").status is OrderStatus.ALLOCATED
    s.desk.raise_hold("1001", "call_customer", "お客様に電話")
    order = s.desk.change("1001", OrderChange(quantities={"L1": 3})).order
    assert order.status is OrderStatus.ALLOCATED
    assert dict((a.line_id, a.quantity) for a in order.allocations)["L1"] == 3
    assert [h.code for h in order.open_holds] == ["call_customer"]
    assert s.inventory.stock("TOKYO", "TEA-1").reserved == 3


def test_a_change_that_raises_a_new_hold_waits_for_it_before_taking_stock() -> None:
    """A quantity the review finds unusual is not reserved until a person has looked."""
    s = fake_shop({**STOCK, ("TOKYO", "TEA-1"): 100})
    place(s)
    s.desk.accept("1001")
    order = s.desk.change("1001", OrderChange(quantities={"L1": 50})).order
    assert [h.code for h in order.open_holds] == ["unusual_quantity"]
    assert order.status is OrderStatus.UNALLOCATED
    assert s.inventory.stock("TOKYO", "TEA-1").reserved == 0
