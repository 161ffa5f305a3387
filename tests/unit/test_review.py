"""The review rules, one by one, and how findings become holds."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import attrs
import pytest

from orderflow import (
    Address,
    Blacklist,
    BlacklistRule,
    DuplicateRule,
    IslandTable,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    QuantityRule,
    RemarksRule,
    RemoteIslandRule,
    ReviewContext,
    ShippingFeeTable,
    VariantRule,
    apply_findings,
    default_rules,
    default_shipping_fees,
    normalize_address,
    review,
)
from orderflow.domain.lifecycle import Context, clear_hold, new_order
from orderflow.errors import InvalidValue
from tests.builders import CTX, T0, address, customer, lines


def order(**overrides: object) -> Order:
    args: dict[str, object] = {
        "number": "1001",
        "customer": customer(),
        "ship_to": address(),
        "lines": lines(),
        "payment_method": PaymentMethod.CARD,
        "ctx": CTX,
        "shipping_fee": Money.yen(880),
    }
    args.update(overrides)
    placed, _ = new_order(**args)  # type: ignore[arg-type]
    return placed


NOW = ReviewContext(T0)


def test_remarks_are_held_for_a_person_to_read() -> None:
    assert RemarksRule().check(order(), NOW) is None
    finding = RemarksRule().check(order(remarks="ラッピングをお願いします"), NOW)
    assert finding is not None and finding.code == "remarks"
    assert "ラッピング" in finding.message and "remarks" in finding.message_en


def test_the_remarks_hold_masks_phone_numbers_and_e_mails_before_cutting() -> None:
    remarks = "call me at 090-1111-2222, email hanako@example.jp"
    finding = RemarksRule().check(order(remarks=remarks), NOW)
    assert finding is not None
    for text in (finding.message, finding.message_en):
        assert "1111" not in text and "hanako@" not in text  # nor a cut-off part of them
        assert "call me at" in text


def test_islands_by_postal_code_prefix() -> None:
    table = IslandTable()
    assert "1000101" in table  # 東京都大島町
    assert "1000001" not in table  # 東京都千代田区
    assert "9520000" in table  # 佐渡
    assert "9071234" in table  # 石垣
    assert "1500001" not in table
    assert "1500001" in IslandTable(prefixes=["150"])  # a shop's own list


@pytest.mark.parametrize(
    "postal_code",
    [
        "1000211",  # 東京都大島町差木地
        "1000212",  # 東京都大島町波浮港
        "6840211",  # 島根県西ノ島町浦郷
        "9050695",  # 沖縄県伊是名村 (伊是名村 is 905-06xx)
        "9050603",
        "0970101",  # 利尻富士町 (097 outside 稚内's 097-00xx)
        "0971111",  # 礼文町
    ],
)
def test_the_default_islands_cover_the_towns_they_name(postal_code: str) -> None:
    assert postal_code in IslandTable()


@pytest.mark.parametrize("postal_code", ["0970001", "0970022", "0970099"])
def test_mainland_wakkanai_is_not_an_island(postal_code: str) -> None:
    assert postal_code not in IslandTable()


def test_a_remote_island_gets_the_surcharge_and_a_hold() -> None:
    sado = Address("952-0011", "新潟県", "佐渡市両津夷", "1", "佐渡 太郎", "0259-00-0000")
    finding = RemoteIslandRule().check(order(ship_to=sado), NOW)
    assert finding is not None and finding.shipping_fee == Money.yen(880 + 1100)
    assert RemoteIslandRule().check(order(), NOW) is None
    fees = default_shipping_fees()
    okinawa = attrs.evolve(sado, postal_code="900-0001", prefecture="沖縄県")
    assert fees.fee_for(okinawa) == Money.yen(1650)
    custom = ShippingFeeTable(Money.yen(500), island_surcharge=Money.yen(2000))
    assert RemoteIslandRule(custom).check(order(ship_to=sado), NOW).shipping_fee == Money.yen(2500)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("blacklist", "what"),
    [
        (Blacklist(customer_ids=["C1"]), "customer id"),
        (Blacklist(emails=["TARO@Example.JP "]), "e-mail"),
        (Blacklist(phones=["０３-１２３４-５６７８"]), "phone"),
        (
            Blacklist(
                addresses=[
                    Address(
                        "1500001", "東京都", "渋谷区神宮前", "１丁目２番３号", "x", "0312345678"
                    )
                ]
            ),
            "address",
        ),
    ],
)
def test_the_blacklist_matches_normalised_values(blacklist: Blacklist, what: str) -> None:
    assert blacklist.match(order()) == what
    finding = BlacklistRule(blacklist).check(order(), NOW)
    assert finding is not None and what in finding.message_en


@pytest.mark.parametrize(
    ("build", "given", "field"),
    [
        (Blacklist, {"customer_ids": "C1"}, "customer_ids"),  # was {"C", "1"}: C1 not held
        (Blacklist, {"emails": "taro@example.jp"}, "emails"),
        (Blacklist, {"phones": "03-1234-5678"}, "phones"),
        (Blacklist, {"addresses": "東京都渋谷区神宮前1-2-3"}, "addresses"),
        (Blacklist, {"customer_ids": None}, "customer_ids"),
        (Blacklist, {"emails": [1]}, "emails"),
        (BlacklistRule, {"blacklist": "C1"}, "blacklist"),
        (RemoteIslandRule, {"fees": "880"}, "fees"),
        (DuplicateRule, {"window": "24h"}, "window"),
        (DuplicateRule, {"window": timedelta(hours=-1)}, "window"),
        (QuantityRule, {"default_limit": "10"}, "default_limit"),
        (QuantityRule, {"default_limit": 0}, "default_limit"),
        (QuantityRule, {"limits": {"TEA-1": "5"}}, "limits"),
        (QuantityRule, {"limits": None}, "limits"),
        (default_rules, {"quantity_limit": "10"}, "quantity_limit"),
        (default_rules, {"quantity_limits": {"TEA-1": -1}}, "quantity_limits"),
        (default_rules, {"duplicate_window": 24}, "duplicate_window"),
        (default_rules, {"blacklist": ["C1"]}, "blacklist"),
        (default_rules, {"fees": Money.yen(880)}, "fees"),
    ],
)
def test_bad_rule_settings_are_refused_naming_them(
    build: Callable[..., object], given: dict[str, Any], field: str
) -> None:
    """A wrong value made a rule that held the wrong customers, or crashed every review later
    (TypeError at accept)."""
    with pytest.raises(InvalidValue, match=field) as raised:
        build(**given)
    assert raised.value.field.startswith(field)
    for secret in ("taro@example.jp", "1234-5678", "神宮前1-2-3"):
        assert secret not in str(raised.value)


def test_addresses_normalise_width_hyphens_spaces_and_units() -> None:
    a = Address("150-0001", "東京都", "渋谷区 神宮前", "1丁目2番3号", "x", "0312345678")
    b = Address("1500001", "東京都", "渋谷区神宮前", "１－２－３", "y", "0312345678")
    assert normalize_address(a) == normalize_address(b)
    c = attrs.evolve(b, line1="1-2-4")
    assert normalize_address(a) != normalize_address(c)


def test_a_duplicate_within_the_window() -> None:
    first = order(number="1000")
    second = order()
    rule = DuplicateRule(timedelta(hours=24))
    finding = rule.check(second, ReviewContext(T0, (first, second)))
    assert finding is not None and "1000" in finding.message
    later = attrs.evolve(second, placed_at=T0 + timedelta(days=2))
    assert rule.check(later, ReviewContext(T0, (first,))) is None
    other = order(number="1000", lines=lines()[:2])
    assert rule.check(second, ReviewContext(T0, (other,))) is None
    gone = attrs.evolve(first, status=OrderStatus.CANCELLED)
    assert rule.check(second, ReviewContext(T0, (gone,))) is None


def test_the_parts_of_one_split_order_are_not_duplicates_of_each_other() -> None:
    # 3 mugs split 1 + 1 + 1 to leave apart: each part has the very same line, and each was
    # held duplicate_suspected of its sibling (none could be shipped until a person cleared it)
    one, two = (attrs.evolve(order(number=f"1001-{n}"), split_from="1001") for n in (1, 2))
    rule = DuplicateRule(timedelta(hours=24))
    assert rule.check(two, ReviewContext(T0, (one, two))) is None
    placed_again = order(number="1002")  # another order of the same lines is still one
    assert rule.check(placed_again, ReviewContext(T0, (one,))) is not None


def test_unusual_quantities_by_sku_or_default() -> None:
    many = [OrderLine("L1", "TEA-1", "緑茶", Money.yen(100), 11)]
    assert QuantityRule().check(order(lines=many), NOW) is not None
    assert QuantityRule(limits={"TEA-1": 50}).check(order(lines=many), NOW) is None
    assert QuantityRule(default_limit=2, limits={"TEA-1": 5}).check(order(), NOW) is None


def test_the_same_product_in_two_sizes_is_a_likely_mistake() -> None:
    tees = [
        OrderLine("L1", "TSHIRT-NAVY-M", "Tシャツ 紺 M", Money.yen(2900), 1),
        OrderLine("L2", "TSHIRT-NAVY-L", "Tシャツ 紺 L", Money.yen(2900), 1),
    ]
    finding = VariantRule().check(order(lines=tees), NOW)
    assert finding is not None and "TSHIRT-NAVY-M / TSHIRT-NAVY-L" in finding.message
    assert VariantRule(variant_of=lambda sku: sku).check(order(lines=tees), NOW) is None
    assert VariantRule().check(order(), NOW) is None


def test_findings_become_holds_once() -> None:
    noted = order(remarks="のし紙をお願いします")
    findings = review(noted, default_rules(), NOW)
    assert [f.code for f in findings] == ["remarks"]
    held, events = apply_findings(noted, findings, CTX)
    hold = held.holds[0]
    assert (hold.code, hold.raised_by, hold.raised_at) == ("remarks", "test", T0)
    assert hold.text("en").startswith("read the customer's remarks")
    again, events = apply_findings(held, findings, CTX)
    assert events == () and again is held
    cleared, _ = clear_hold(held, "remarks", Context(T0, "operator:sato"))
    assert cleared.holds[0].cleared_by == "operator:sato"
    _, events = apply_findings(cleared, findings, CTX)
    assert events == ()  # a person read these very remarks already
    new_remarks = review(attrs.evolve(cleared, remarks="やっぱり包装不要"), default_rules(), NOW)
    held_again, events = apply_findings(cleared, new_remarks, CTX)
    assert len(held_again.open_holds) == 1
