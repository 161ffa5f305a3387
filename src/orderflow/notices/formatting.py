"""Dates, times and money as a notice shows them, per locale (Babel).

- ja: ``2026年11月22日 9:00`` (the zone is named only when it is not Asia/Tokyo) and ``￥1,234``;
- en: ``22 November 2026, 09:00 (Japan Standard Time)`` — English mail always names the shop's
  zone — and ``¥1,234``.

Amounts are Babel's currency format of the locale (the same as
:func:`orderflow.i18n.format_money`), so a notice, a delivery note and the desk agree.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import parse_decimal

from orderflow.domain.money import Money
from orderflow.errors import InvalidValue
from orderflow.i18n import LOCALES, format_money, format_time

__all__ = [
    "JAPANESE",
    "format_amount",
    "format_day",
    "format_moment",
    "language",
    "parse_amount",
]

JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
"""Japanese script (kana, kanji, full-width forms and Japanese punctuation)."""

_BABEL = {"ja": "ja_JP", "en": "en_GB"}


def language(locale: str) -> str:
    """``ja_JP`` → ``ja``; a locale orderflow has no catalog for raises InvalidValue."""
    lang = locale.replace("-", "_").split("_")[0].lower()
    if lang not in LOCALES:
        raise InvalidValue("locale", locale, f"one of {LOCALES}")
    return lang


format_moment = format_time
"""An aware datetime in the shop's zone (:func:`orderflow.i18n.format_time`, the same function):
``2026年11月22日 9:00`` / ``22 November 2026, 09:00 (Japan Standard Time)``."""


def format_day(day: date, locale: str) -> str:
    """A calendar day: ``2026年11月22日`` / ``22 November 2026``."""
    lang = language(locale)
    pattern = "y年M月d日" if lang == "ja" else "d MMMM y"
    return str(format_date(day, pattern, locale=_BABEL[lang]))


def format_amount(money: Money, locale: str) -> str:
    """``￥1,234`` (ja) / ``¥1,234`` (en); a negative amount leads with a minus sign."""
    return format_money(money, language(locale))


def parse_amount(text: str, currency: str = "JPY") -> Money:
    """The :class:`Money` a :func:`format_amount` text shows (``￥1,234`` → ``Money.yen(1234)``)."""
    cleaned = text.strip()
    negative = cleaned.startswith(("-", "−"))
    digits = re.sub(r"[^0-9.,]", "", cleaned)
    if not digits:
        raise InvalidValue("amount", text, "an amount such as ￥1,234")
    value = Decimal(parse_decimal(digits, locale="en_US"))
    return Money.of(-value if negative else value, currency)
