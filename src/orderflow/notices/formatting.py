"""Dates, times and money as a notice shows them, per locale (Babel).

- ja: ``2026年11月22日 9:00`` (the zone is named only when it is not Asia/Tokyo) and ``￥1,234``;
- en: ``22 November 2026, 09:00 (Japan Standard Time)`` — English mail always names the shop's
  zone — and ``¥1,234``.

Amounts are Babel's currency format of the locale (the same as
:func:`orderflow.i18n.format_money`), so a notice, a delivery note and the desk agree.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, parse_decimal

from orderflow.domain.money import Money
from orderflow.errors import InvalidValue
from orderflow.i18n import LOCALES, format_money, format_time

__all__ = [
    "JAPANESE",
    "format_amount",
    "format_count",
    "format_day",
    "format_moment",
    "format_phone",
    "language",
    "parse_amount",
]

JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
"""Japanese script (kana, kanji, full-width forms and Japanese punctuation)."""

_BABEL = {"ja": "ja_JP", "en": "en_GB"}


def language(locale: str) -> str:
    """``ja_JP`` → ``ja``; a locale orderflow has no catalog for raises InvalidValue."""
    if not isinstance(locale, str):
        raise InvalidValue("locale", locale, f"one of {LOCALES}")
    lang = locale.replace("-", "_").split("_")[0].lower()
    if lang not in LOCALES:
        raise InvalidValue("locale", locale, f"one of {LOCALES}")
    return lang


format_moment = format_time
"""An aware datetime in the shop's zone (:func:`orderflow.i18n.format_time`, the same function):
``2026年11月22日 9:00`` / ``22 November 2026, 09:00 (Japan Standard Time)``."""


_PHONE_SHAPES: tuple[tuple[tuple[str, ...], int, tuple[int, ...]], ...] = (
    (("0800",), 11, (4, 3, 4)),  # toll-free: 0800-123-4567 (before 080, a mobile's)
    (("070", "080", "090", "050"), 11, (3, 4, 4)),  # mobile, IP phone: 090-1234-5678
    (("0120", "0570"), 10, (4, 3, 3)),  # toll-free, ナビダイヤル: 0120-123-456
    (("03", "06"), 10, (2, 4, 4)),  # Tokyo, Osaka: 03-1234-5678
    (("011", "044", "045", "052", "075", "078"), 10, (3, 3, 4)),  # 045-123-4567
)
"""Numbers whose grouping the first digits settle. Other area codes share their first digits
with longer ones (022 Sendai, 0224 Shiroishi), so their numbers stay as given."""


def format_phone(digits: str) -> str:
    """A Japanese phone number as people write it: ``0312345678`` → ``03-1234-5678``.

    ``Address.phone`` keeps digits only; this puts the hyphens back for mobile and IP numbers
    (``090-1234-5678``, ``050-…``), toll-free and ナビダイヤル numbers (``0120-123-456``,
    ``0800-123-4567``, ``0570-…``), Tokyo and Osaka (``03-``, ``06-``) and the area codes
    that no longer area code begins with (``011``, ``044``, ``045``, ``052``, ``075``,
    ``078``). Any other number, or text that is not such digits, is returned as it is rather
    than guessed.
    """
    if not isinstance(digits, str):
        raise InvalidValue("phone", digits, "a phone number's digits (text)")
    if not (digits.isascii() and digits.isdigit()):
        return digits
    for prefixes, length, groups in _PHONE_SHAPES:
        if len(digits) == length and digits.startswith(prefixes):
            parts, at = [], 0
            for size in groups:
                parts.append(digits[at : at + size])
                at += size
            return "-".join(parts)
    return digits


def format_day(day: date, locale: str) -> str:
    """A calendar day: ``2026年11月22日`` / ``22 November 2026``."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidValue("day", day, "a date (datetime.date), not a time")
    lang = language(locale)
    pattern = "y年M月d日" if lang == "ja" else "d MMMM y"
    return str(format_date(day, pattern, locale=_BABEL[lang]))


def format_amount(money: Money, locale: str) -> str:
    """``￥1,234`` (ja) / ``¥1,234`` (en); a negative amount leads with a minus sign."""
    if not isinstance(money, Money):
        raise InvalidValue("money", money, "a Money such as Money.yen(1234)")
    return format_money(money, language(locale))


def format_count(count: int, locale: str) -> str:
    """A whole number such as points, its thousands grouped: ``12,345`` (ja and en)."""
    if not isinstance(count, int) or isinstance(count, bool):
        raise InvalidValue("count", count, "a whole number")
    return str(format_decimal(count, locale=_BABEL[language(locale)]))


def parse_amount(text: str, currency: str = "JPY") -> Money:
    """The :class:`Money` a :func:`format_amount` text shows (``￥1,234`` → ``Money.yen(1234)``)."""
    cleaned = text.strip()
    negative = cleaned.startswith(("-", "−"))
    digits = re.sub(r"[^0-9.,]", "", cleaned)
    if not digits:
        raise InvalidValue("amount", text, "an amount such as ￥1,234")
    value = Decimal(parse_decimal(digits, locale="en_US"))
    return Money.of(-value if negative else value, currency)
