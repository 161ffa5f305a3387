"""The shop that issues a paper (発行者) and its qualified-invoice registration number (登録番号).

Since October 2023 a 適格請求書 (qualified invoice) names the issuing business and its
registration number: ``T`` followed by 13 digits. For a company the 13 digits are its 法人番号
(corporate number); a sole proprietor (個人事業者) or an association without legal personality is
given another 13-digit number (never the My Number) that does not collide with any 法人番号.

The first of the 13 digits is a check digit (検査用数字) computed from the other twelve, the
基礎番号, by the rule of 財務省令第七十号 (2014) 第二条, which 国税庁 publishes::

    check = 9 - (Σ_{n=1..12} P_n × Q_n) mod 9

where P_n is the n-th digit of the 基礎番号 counted from its last (rightmost) digit, and Q_n is 1
when n is odd and 2 when n is even. The result is always 1 to 9. 国税庁's own number is
T7000012050002: 9 − ((2 + 0·2 + 0 + 0·2 + 5 + 0·2 + 2 + 1·2 + 0 + 0·2 + 0 + 0·2) mod 9) = 7.
orderflow applies the same check to a sole proprietor's 13 digits.
"""

from __future__ import annotations

from typing import Any

import attrs

from orderflow.errors import InvalidValue

__all__ = ["Issuer", "registration_check_digit"]

_DIGITS = frozenset("0123456789")


def registration_check_digit(base: str) -> int:
    """The check digit (検査用数字, 1 to 9) for a 12-digit 基礎番号.

    ``registration_check_digit("000012050002")`` is 7 (国税庁, T7000012050002).
    """
    if not isinstance(base, str) or len(base) != 12 or not set(base) <= _DIGITS:
        raise InvalidValue("base", base, "the 12 digits after the check digit")
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def _check_registration(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    expected = "'T' and 13 digits (T + 法人番号), such as 'T7000012050002'"
    if (
        not isinstance(value, str)
        or len(value) != 14
        or value[0] != "T"
        or not set(value[1:]) <= _DIGITS
    ):
        raise InvalidValue("issuer.registration_number", value, expected)
    if int(value[1]) != registration_check_digit(value[2:]):
        raise InvalidValue(
            "issuer.registration_number",
            value,
            f"a check digit (the first of the 13 digits) of "
            f"{registration_check_digit(value[2:])} for the other twelve (mistyped?)",
        )


def _text(field: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidValue(field, value, "a non-empty text")

    return check


def _optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidValue("issuer.phone", value, "a phone number, or None")


@attrs.frozen(slots=True)
class Issuer:
    """The business that issues a 納品書 or 適格請求書 (適格請求書発行事業者).

    ``registration_number`` is checked when the value is built: ``T``, then 13 ASCII digits whose
    first is the check digit of the other twelve (see :func:`registration_check_digit`).
    """

    name: str = attrs.field(validator=_text("issuer.name"))
    """The shop's or company's name as registered (氏名又は名称)."""
    registration_number: str = attrs.field(validator=_check_registration)
    """登録番号: ``T`` + 13 digits."""
    address: str = attrs.field(validator=_text("issuer.address"))
    """The address printed under the name (所在地)."""
    phone: str | None = attrs.field(default=None, validator=_optional_text)
    """The phone number printed under the address (電話番号), if any."""
