"""A shop's configuration of the wrong type is refused when it is built, naming the field.

Never later, when an order first needs it (an ``AttributeError`` deep in a command), and never
silently read as something else (``auto_advance="no"`` is not True).
"""

from __future__ import annotations

import pytest

from orderflow import Address, Blacklist, BlacklistRule, ShopSettings, default_rules
from orderflow.errors import InvalidValue


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
