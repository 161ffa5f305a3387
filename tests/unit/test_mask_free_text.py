"""Personal data in free text (remarks, hold messages): e-mail addresses and phone numbers."""

import pytest

from orderflow._mask import mask_personal_data_in

CASES = [
    (
        "call me at 090-1111-2222, email hanako@example.jp",
        "call me at 090-****-2222, email h***@example.jp",
    ),
    ("連絡はhanako@example.jpまで", "連絡はh***@example.jpまで"),
    ("電話０９０－１１１１－２２２２まで", "電話090-****-2222まで"),  # full width
    ("tel (03) 1234-5678", "tel 03-****-5678"),
    ("お客様 (090-7777-6666) より", "お客様 (090-****-6666) より"),
    ("お客様（０９０ー７７７７ー６６６６）より", "お客様（090-****-6666）より"),
    ("tel 09011112222.", "tel 090-****-2222."),
    ("+81 90-1111-2222", "090-****-2222"),
    ("数量 2 090 1111 2222", "数量 2 090-****-2222"),
    # cut short (an excerpt of 40 characters): what is left of the address or the number
    ("call me at 090-1111-2222, email hanako@e", "call me at 090-****-2222, email h***@e"),
    ("call me at 090-1111-22", "call me at ***"),
    ("call 0901111", "call ***"),
]

KEPT = [
    "送料 1980円 〒150-0001 を確認",  # an amount and a postal code
    "order 1001, tracking 1234-5678-9013",
    "tracking 0123-4567-8901 ok",  # twelve digits: not a phone
    "room 012 on the 3rd floor",
    "ギフト包装をお願いします",
    "",
]


@pytest.mark.parametrize(("text", "masked"), CASES)
def test_e_mail_addresses_and_phone_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_personal_data_in(text) == masked


@pytest.mark.parametrize("text", KEPT)
def test_other_text_and_numbers_stay(text: str) -> None:
    assert mask_personal_data_in(text) == text


def test_nothing_of_the_number_or_the_address_is_left() -> None:
    text = "090-1111-2222 hanako@example.jp ０３（１２３４）５６７８"
    masked = mask_personal_data_in(text)
    for piece in ("1111", "hanako", "1234", "１２３４"):
        assert piece not in masked, piece


def test_a_full_width_at_sign_is_an_e_mail_too() -> None:
    masked = mask_personal_data_in("連絡は hanako＠example.jp まで")
    assert "hanako" not in masked and "example" not in masked
    assert masked.startswith("連絡は h") and masked.endswith(" まで")


def test_an_amount_refused_is_shown_as_an_amount() -> None:
    """``got 0 JPY``, not ``got Money(amount=Decimal('0'), currency='JPY')``."""
    from orderflow import Money
    from orderflow.errors import InvalidValue

    refused = InvalidValue("amount", Money.yen(0), "more than 0")
    assert str(refused) == "amount: expected more than 0, got 0 JPY"
    assert str(InvalidValue("fee", Money.of("12.50", "USD"), "yen")).endswith("got 12.50 USD")
