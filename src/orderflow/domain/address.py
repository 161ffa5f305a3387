"""Japanese addresses (住所): the 47 prefectures, postal codes and phone numbers."""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Callable
from typing import Any

import attrs

from orderflow._mask import mask_email, mask_name, mask_phone, mask_street, masked_repr
from orderflow.domain._text import check_printable, storable
from orderflow.errors import InvalidValue

__all__ = ["Address", "Customer", "Prefecture", "normalize_phone", "normalize_postal_code"]


class Prefecture(enum.Enum):
    """The 47 prefectures (都道府県), valued by their JIS X 0401 code."""

    HOKKAIDO = 1
    AOMORI = 2
    IWATE = 3
    MIYAGI = 4
    AKITA = 5
    YAMAGATA = 6
    FUKUSHIMA = 7
    IBARAKI = 8
    TOCHIGI = 9
    GUNMA = 10
    SAITAMA = 11
    CHIBA = 12
    TOKYO = 13
    KANAGAWA = 14
    NIIGATA = 15
    TOYAMA = 16
    ISHIKAWA = 17
    FUKUI = 18
    YAMANASHI = 19
    NAGANO = 20
    GIFU = 21
    SHIZUOKA = 22
    AICHI = 23
    MIE = 24
    SHIGA = 25
    KYOTO = 26
    OSAKA = 27
    HYOGO = 28
    NARA = 29
    WAKAYAMA = 30
    TOTTORI = 31
    SHIMANE = 32
    OKAYAMA = 33
    HIROSHIMA = 34
    YAMAGUCHI = 35
    TOKUSHIMA = 36
    KAGAWA = 37
    EHIME = 38
    KOCHI = 39
    FUKUOKA = 40
    SAGA = 41
    NAGASAKI = 42
    KUMAMOTO = 43
    OITA = 44
    MIYAZAKI = 45
    KAGOSHIMA = 46
    OKINAWA = 47

    @property
    def ja(self) -> str:
        """The Japanese name with its suffix, e.g. 東京都."""
        return _JA_NAMES[self.value - 1]

    @classmethod
    def parse(cls, value: Prefecture | str | int) -> Prefecture:
        """A prefecture from its Japanese name (東京都 or 東京), English name or JIS code."""
        if isinstance(value, Prefecture):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 47:
            return cls(value)
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip()
            found = _BY_NAME.get(text) or _BY_NAME.get(text.upper())
            if found is not None:
                return found
        raise InvalidValue(
            "prefecture", value, "one of the 47 prefectures (e.g. '東京都', 'TOKYO' or 13)"
        )


_JA_NAMES = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
]

_BY_NAME: dict[str, Prefecture] = {}
for _pref in Prefecture:
    _ja = _JA_NAMES[_pref.value - 1]
    _BY_NAME[_ja] = _pref
    _BY_NAME[_ja if _ja == "北海道" else _ja[:-1]] = _pref
    _BY_NAME[_pref.name] = _pref
    _BY_NAME[f"{_pref.value:02d}"] = _pref


def _to_prefecture(value: Prefecture | str | int) -> Prefecture:
    return Prefecture.parse(value)


_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―ー−", "-"))
"""Dashes people (and IMEs) write in a postal code, beyond ``-`` and the full-width forms."""


def normalize_postal_code(value: object) -> str:
    """``'123-4567'``, ``'〒１２３－４５６７'`` or ``'1234567'`` → ``'1234567'``.

    The hyphen may be any dash: ``-``, ``－``, ‐ (U+2010), ‑, ‒, – (U+2013), —, ― (U+2015), ー or
    − (U+2212); it must come after the third digit. Raises
    :class:`~orderflow.errors.InvalidValue` unless exactly seven digits remain.
    """
    if not isinstance(value, str):
        raise InvalidValue("postal_code", value, "7 digits such as '123-4567'")
    text = unicodedata.normalize("NFKC", value).strip().lstrip("〒").strip().translate(_DASHES)
    digits = text.replace("-", "")
    if len(digits) != 7 or not digits.isascii() or not digits.isdigit():
        raise InvalidValue("postal_code", value, "7 digits such as '123-4567'")
    if "-" in text and text.index("-") != 3:
        raise InvalidValue("postal_code", value, "7 digits such as '123-4567'")
    return digits


def normalize_phone(value: object) -> str:
    """A Japanese phone number with hyphens and full-width digits removed (10 or 11 digits, 0…)."""
    if not isinstance(value, str):
        raise InvalidValue("phone", value, "a phone number such as '03-1234-5678'")
    text = unicodedata.normalize("NFKC", value).strip()
    digits = "".join(ch for ch in text if ch not in "-() ‐ー−")
    if not (digits.isascii() and digits.isdigit() and len(digits) in (10, 11) and digits[0] == "0"):
        raise InvalidValue("phone", value, "10 or 11 digits starting with 0, e.g. '03-1234-5678'")
    return digits


Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


_LONGEST = 200
"""Characters an address or customer text may have (a label takes far fewer)."""


def _text(field: str, *, blank: bool = False) -> Validator:
    """A validator: a text a database can store, at most :data:`_LONGEST` characters long.

    Not blank unless ``blank``; on one line (no line break, tab, control or invisible
    character: a label, a carrier file and a notice print each part on its line).
    """

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if (
            not isinstance(value, str)
            or (not blank and not value.strip())
            or len(value) > _LONGEST
            or not storable(value)
        ):
            what = "a text" if blank else "a non-empty text"
            raise InvalidValue(field, value, f"{what} of at most {_LONGEST} characters")
        check_printable(field, value)

    return check


@attrs.frozen(slots=True)
class Address:
    """A delivery address in Japan (お届け先).

    ``postal_code`` is normalised to seven digits; ``prefecture`` accepts the Japanese name, the
    English name or the JIS code. Its repr masks the street, the name and the phone.
    """

    postal_code: str = attrs.field(converter=normalize_postal_code)
    """郵便番号 as seven digits without the hyphen (``1500001``; ``postal_code_display`` prints
    ``〒150-0001``); the review's 離島 rule reads it."""
    prefecture: Prefecture = attrs.field(converter=_to_prefecture)
    """都道府県 (given as ``東京都``, ``東京``, ``TOKYO`` or ``13``); the nearest-warehouse
    allocation reads it."""
    city: str = attrs.field(validator=_text("city"))
    """市区町村 (city, ward, town or village), perhaps with the 町域 after it: ``渋谷区神宮前``.
    Shown whole in the repr, like the postal code and the prefecture."""
    line1: str = attrs.field(validator=_text("line1"), repr=masked_repr(mask_street))
    """番地: the rest of the street address after ``city`` (``1-2-3``); ``***`` in the repr."""
    name: str = attrs.field(validator=_text("name"), repr=masked_repr(mask_name))
    """宛名: the recipient's name on the label (not always the customer: a gift); only its first
    character shows in the repr."""
    phone: str = attrs.field(converter=normalize_phone, repr=masked_repr(mask_phone))
    """電話番号 for the carrier: 10 or 11 digits from ``0``, kept without hyphens or brackets
    (``0312345678``; full-width digits made ASCII); the repr shows its start and last 4 digits."""
    line2: str = attrs.field(
        default="", validator=_text("line2", blank=True), repr=masked_repr(mask_street)
    )
    """建物名・部屋番号 (building and room), "" when there is none; ``***`` in the repr."""

    @property
    def postal_code_display(self) -> str:
        """The postal code as printed: 〒123-4567."""
        return f"〒{self.postal_code[:3]}-{self.postal_code[3:]}"

    def one_line(self) -> str:
        """The address as one line, as a label shows it."""
        parts = [self.postal_code_display, self.prefecture.ja, self.city, self.line1, self.line2]
        return " ".join(p for p in parts if p)


@attrs.frozen(slots=True)
class Customer:
    """Who placed the order (注文者); its repr masks the name, the e-mail and the address."""

    id: str = attrs.field(validator=_text("customer.id"))
    """The shop's customer id (会員ID, not blank): finds the customer's recent orders for the
    二重注文 check, keys the point balance, and the blacklist matches it. Shown in the repr."""
    name: str = attrs.field(validator=_text("customer.name"), repr=masked_repr(mask_name))
    """注文者名: the name notices address and the 納品書 shows; only its first character shows in
    the repr."""
    email: str = attrs.field(repr=masked_repr(mask_email))
    """Where the notices go (one ``@``); the repr keeps its first letter and domain only
    (``t***@example.jp``)."""
    address: Address | None = attrs.field(default=None)
    """The customer's own address (注文者住所), None if not given; the parcel goes to the order's
    ``ship_to``. The blacklist checks it too; masked in the repr like any ``Address``."""

    @email.validator
    def _check_email(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not _is_email(value):
            raise InvalidValue(
                "customer.email",
                value,
                "an e-mail address on one line, without spaces, such as a@example.jp",
            )

    @address.validator
    def _check_address(self, attribute: attrs.Attribute[Address | None], value: object) -> None:
        if value is not None and not isinstance(value, Address):
            raise InvalidValue("customer.address", value, "an Address, or None")


def _is_email(value: object) -> bool:
    """Whether ``value`` is an address a notice can be sent to: ``local@domain.tld``.

    One ``@`` with a part before it and a domain after it holding a dot (not first or last), at
    most 254 characters, printable on one line without spaces (a line break in it would add a
    header to the mail).
    """
    if not isinstance(value, str) or len(value) > 254 or value.count("@") != 1:
        return False
    if not storable(value) or not value.isprintable() or " " in value:
        return False
    local, domain = value.split("@")
    return bool(local) and "." in domain.strip(".") and ".." not in domain
