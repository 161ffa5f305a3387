"""A shop's configuration of the wrong type is refused when it is built, naming the field.

Never later, when an order first needs it (an ``AttributeError`` deep in a command), and never
silently read as something else (``auto_advance="no"`` is not True).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from orderflow import (
    Address,
    Blacklist,
    BlacklistRule,
    CancelPolicy,
    ChangePolicy,
    Channel,
    CodFeeTable,
    DuplicateRule,
    Grant,
    IslandTable,
    Money,
    OrderStatus,
    Party,
    Prefecture,
    QuantityRule,
    RemoteIslandRule,
    Requester,
    ShippingFeeTable,
    ShopSettings,
    VariantRule,
    default_rules,
)
from orderflow.errors import InvalidValue
from tests.builders import place, shop


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("carrier", None),
        ("carrier", ""),
        ("tax", "inclusive"),
        ("accounts", {}),
        ("recognition", "shipment"),
        ("cod_fees", {}),
        ("postpay_declined", "ask_another_method"),
        ("shipping_fees", 880),
        ("cancel_policy", "staff"),
        ("change_policy", None),
        ("auto_advance", "no"),
        ("auto_advance", None),
    ],
)
def test_a_setting_of_the_wrong_type_is_refused_naming_it(field: str, value: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        ShopSettings(**{field: value})  # type: ignore[arg-type]
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: expected ")


# The review's configuration: the blacklist, the fee table and the rules.

EMAIL = "yamada.taro@example.jp"
PHONE = "090-3141-5926"


def test_a_blacklists_repr_masks_its_emails_phones_and_addresses() -> None:
    home = Address("150-0001", "東京都", "渋谷区", "神宮前1-2-3", "山田 太郎", PHONE, "ハイツ101")
    blacklist = Blacklist(customer_ids={"C9"}, emails={EMAIL}, phones={PHONE}, addresses={home})
    for shown in (
        repr(blacklist),
        repr(BlacklistRule(blacklist)),
        repr(default_rules(blacklist=blacklist)),
    ):
        for secret in ("yamada.taro", "3141-5926", "09031415926", "神宮前", "ハイツ"):
            assert secret not in shown
        assert "y***@example.jp" in shown and "090-****-5926" in shown and "'C9'" in shown
    assert blacklist.emails == {EMAIL} and blacklist.phones == {"09031415926"}  # values whole


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("emails", EMAIL),  # a bare text: once read as the set of its characters
        ("emails", None),
        ("emails", [None]),
        ("phones", PHONE),
        ("phones", [PHONE, 5]),
        ("addresses", [5]),
        ("addresses", None),
        ("customer_ids", [1]),
        ("customer_ids", "C1"),
    ],
)
def test_a_blacklist_refuses_what_it_cannot_match_naming_the_field(
    field: str, value: object
) -> None:
    with pytest.raises(InvalidValue) as refused:
        Blacklist(**{field: value})
    assert refused.value.field == field
    assert "yamada.taro" not in str(refused.value) and "3141-5926" not in str(refused.value)


def test_a_fee_table_reads_a_prefecture_given_by_name() -> None:
    """``{"北海道": ...}`` never matched (the table is keyed by Prefecture): ¥880, not ¥1,320."""
    table = ShippingFeeTable(Money.yen(880), {"北海道": Money.yen(1320), 47: Money.yen(1650)})
    sapporo = Address(
        "060-0001", "北海道", "札幌市中央区", "北1条西2丁目", "山田 太郎", "011-123-4567"
    )
    assert table.fee_for(sapporo) == Money.yen(1320)
    assert table.by_prefecture == {
        Prefecture.HOKKAIDO: Money.yen(1320),
        Prefecture.OKINAWA: Money.yen(1650),
    }


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: ShippingFeeTable(880), "default"),  # type: ignore[arg-type]
        (lambda: ShippingFeeTable(Money.yen(880), None), "by_prefecture"),
        (lambda: ShippingFeeTable(Money.yen(880), {"北海道": 1320}), "by_prefecture[北海道]"),
        (lambda: ShippingFeeTable(Money.yen(880), {"Atlantis": Money.yen(1)}), "prefecture"),
        (lambda: ShippingFeeTable(Money.yen(880), island_surcharge=None), "island_surcharge"),  # type: ignore[arg-type]
        (lambda: ShippingFeeTable(Money.yen(880), islands=["952"]), "islands"),  # type: ignore[arg-type]
        (lambda: IslandTable(prefixes=None), "prefixes"),
        (lambda: IslandTable(prefixes=[952]), "prefixes"),
        (lambda: BlacklistRule(blacklist=None), "blacklist"),  # type: ignore[arg-type]
        (lambda: RemoteIslandRule(fees=None), "fees"),  # type: ignore[arg-type]
        (lambda: DuplicateRule(window=None), "window"),  # type: ignore[arg-type]
        (lambda: DuplicateRule(window=timedelta(-1)), "window"),
        (lambda: QuantityRule(default_limit=None), "default_limit"),  # type: ignore[arg-type]
        (lambda: QuantityRule(limits={"TEA-1": "5"}), "limits[TEA-1]"),
        (lambda: QuantityRule(limits=5), "limits"),
        (lambda: VariantRule(variant_of="TEA"), "variant_of"),  # type: ignore[arg-type]
        (lambda: default_rules(blacklist=["C1"]), "blacklist"),  # type: ignore[arg-type]
        (lambda: default_rules(fees=880), "fees"),  # type: ignore[arg-type]
        (lambda: default_rules(quantity_limit=None), "quantity_limit"),  # type: ignore[arg-type]
        (lambda: default_rules(quantity_limits=5), "quantity_limits"),  # type: ignore[arg-type]
    ],
)
def test_a_review_rule_or_table_of_the_wrong_type_is_refused_when_built(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        build()
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        (None, "review_rules"),
        (5, "review_rules"),
        ([None], "review_rules[0]"),
        (["x"], "review_rules[0]"),
    ],
)
def test_a_desk_refuses_review_rules_it_would_fail_on_at_accept(rules: object, field: str) -> None:
    s = shop()
    kept = s.desk.review_rules
    with pytest.raises(InvalidValue) as refused:
        s.desk.review_rules = rules  # type: ignore[assignment]
    assert refused.value.field == field
    assert s.desk.review_rules == kept
    place(s)
    assert s.desk.accept("1001").status is not None  # the desk still works


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Grant(Party.CUSTOMER, OrderStatus.CANCELLED), "until"),  # not on the flow
        (lambda: Grant(Party.CUSTOMER, "ALLOCATED"), "until"),  # type: ignore[arg-type]
        (lambda: Grant("customer", OrderStatus.ALLOCATED), "party"),  # type: ignore[arg-type]
        (lambda: Grant(Party.CUSTOMER, OrderStatus.ALLOCATED, "my_page"), "channels"),
        (lambda: Grant(Party.CUSTOMER, OrderStatus.ALLOCATED, ["my_page"]), "channels"),
        (lambda: CancelPolicy([(Party.CUSTOMER, OrderStatus.ALLOCATED)]), "grants"),
        (lambda: CancelPolicy(None), "grants"),
        (lambda: ChangePolicy(accepts="no"), "accepts"),  # type: ignore[arg-type]
        (lambda: ChangePolicy(grants=5), "grants"),
        (lambda: CodFeeTable([(10_000, 330)]), "brackets[0]"),
        (lambda: CodFeeTable(None), "brackets"),
        (lambda: CodFeeTable([(Money.yen(10_000),)]), "brackets[0]"),
    ],
)
def test_a_policy_or_fee_table_of_the_wrong_type_is_refused_when_built(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        build()
    assert refused.value.field == field


def test_a_cancel_under_a_grant_past_the_flow_was_a_value_error_now_refused_when_built() -> None:
    with pytest.raises(InvalidValue):
        ShopSettings(cancel_policy=CancelPolicy([Grant(Party.CUSTOMER, OrderStatus.CANCELLED)]))
    s = shop(settings=ShopSettings(auto_advance=False, cancel_policy=CancelPolicy()))
    place(s)
    customer = Requester(Party.CUSTOMER, Channel.MY_PAGE)
    assert s.desk.cancel("1001", reason="x", requester=customer).status is OrderStatus.CANCELLED
