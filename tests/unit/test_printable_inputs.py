"""Names, address parts, ids and codes are printable on one line; free texts keep line breaks.

A line break, a tab, ESC, a no-break space or an invisible character (U+200B, U+202E) in a
name or an address part broke the carrier files (B2クラウド, e飛伝 refuse them at export, when
the order is long placed), the CSV papers, the notices and the command line's output. They are
refused when the value is built, naming the field and the character; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orderflow import Address, Customer, Money, OrderChange, OrderLine
from orderflow.errors import InvalidValue, OrderNotFound
from tests.builders import place, shop, to_allocated

BAD = ["\n", "\r", "\t", "\x1b", "\x0b", "\x85", "\u2028", "\u200b", "\u202e", "\ufeff", "\xa0"]


def _address(**kwargs: str) -> Address:
    args = {
        "postal_code": "150-0001",
        "prefecture": "東京都",
        "city": "渋谷区神宮前",
        "line1": "1-2-3",
        "name": "山田 太郎",
        "phone": "03-1234-5678",
        "line2": "",
    }
    args.update(kwargs)
    return Address(**args)


BUILDERS: dict[str, Callable[[str], object]] = {
    "city": lambda bad: _address(city=f"渋谷区{bad}神宮前"),
    "line1": lambda bad: _address(line1=f"1-2{bad}-3"),
    "line2": lambda bad: _address(line2=f"ビル{bad}101"),
    "name": lambda bad: _address(name=f"山田{bad}太郎"),
    "customer.id": lambda bad: Customer(f"C{bad}1", "山田 太郎", "taro@example.jp"),
    "customer.name": lambda bad: Customer("C1", f"山田{bad}太郎", "taro@example.jp"),
    "customer.email": lambda bad: Customer("C1", "山田 太郎", f"taro{bad}@example.jp"),
    "line_id": lambda bad: OrderLine(f"L{bad}1", "TEA-1", "緑茶", Money.yen(1080), 1),
    "sku": lambda bad: OrderLine("L1", f"TEA-1{bad}", "緑茶", Money.yen(1080), 1),
    "supplier": lambda bad: OrderLine(
        "L1", "TEA-1", "緑茶", Money.yen(1080), 1, supplier=f"SUP{bad}1"
    ),
}


@pytest.mark.parametrize("field", sorted(BUILDERS))
@pytest.mark.parametrize("bad", BAD)
def test_a_control_or_invisible_character_is_refused_naming_the_field(field: str, bad: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        BUILDERS[field](bad)
    assert caught.value.field == field
    if field != "customer.email":
        assert f"U+{ord(bad):04X}" in caught.value.expected
        assert "one line" in caught.value.expected


def test_a_product_name_on_two_lines_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        OrderLine("L1", "TEA-1", "緑茶\n100g 袋入り", Money.yen(1080), 1)
    assert caught.value.field == "name"


def test_what_a_japanese_name_or_address_really_holds_is_taken() -> None:
    kept = _address(line1="１－２－３", line2="メゾン　渋谷 101", name="髙﨑\U000e0100 太郎🍵")
    assert kept.line2 == "メゾン　渋谷 101"  # the ideographic space is a space of its own
    assert Customer("C-1", "Anne-Marie O'Neil", "a.b+c@example.jp").name == "Anne-Marie O'Neil"


def test_a_reason_keeps_its_line_breaks_but_not_esc() -> None:
    s = shop()
    to_allocated(s)
    with pytest.raises(InvalidValue) as caught:
        s.desk.raise_hold("1001", "manual", "\x1b[2J確認", actor="operator:kato")
    assert caught.value.field == "message"
    assert s.desk.get("1001").holds == ()
    order = s.desk.cancel("1001", reason="お客様都合\r\n(電話にて)", actor="operator:kato")
    assert order.status.name == "CANCELLED"


def test_ids_given_to_commands_are_one_line() -> None:
    s = shop()
    place(s, "1001")
    with pytest.raises(InvalidValue) as caught:
        s.desk.cancel("1001", reason="x", actor="operator:\nkato")
    assert caught.value.field == "actor"
    with pytest.raises(InvalidValue) as caught:
        place(s, "1002", channel="web\x1b")
    assert caught.value.field == "channel"
    assert s.desk.get("1001").status.name == "ORDERED"
    with pytest.raises(OrderNotFound):
        s.desk.get("1002")


@pytest.mark.parametrize("email", ["taro@", "taro@example", "taro@.jp", "taro@example.", "a@b..jp"])
def test_an_e_mail_address_without_a_domain_is_refused(email: str) -> None:
    # a notice sent there never arrives
    with pytest.raises(InvalidValue) as caught:
        Customer("C1", "山田 太郎", email)
    assert caught.value.field == "customer.email"


@pytest.mark.parametrize("token", ["tok_ok\udcff", "tok_ok\x00", "   ", "tok_ok\n", "t" * 2001])
def test_a_card_token_no_store_keeps_or_no_gateway_takes_is_refused(token: str) -> None:
    # a lone surrogate made place() raise UnicodeEncodeError from the SQLite store, after the
    # card was authorized; a NUL would fail PostgreSQL's save the same way
    s = shop()
    with pytest.raises(InvalidValue) as caught:
        place(s, "1001", token=token)
    assert caught.value.field == "token"
    assert token not in str(caught.value) or not token.strip()
    assert not s.gateway.calls
    with pytest.raises(OrderNotFound):
        s.desk.get("1001")
    place(s, "1001")
    with pytest.raises(InvalidValue) as caught:
        s.desk.change("1001", OrderChange(token=token), reason="別のカード")
    assert caught.value.field == "change.token"
    assert s.desk.get("1001").payment.token == "tok_ok"
