"""The Japanese carriers: tracking-number formats (with check digits) and public tracking pages.

- ヤマト運輸 and 佐川急便: 12 digits; the last is the first eleven read as a number, mod 7
  (the "7DR" check).
- 日本郵便: ゆうパック 12 digits and 書留・特定記録 11 digits, each with a mod-7 check digit;
  international items in the UPU S10 format (``EJ123456785JP``, weighted mod-11 check digit).

Hyphens and spaces are accepted and ignored (``1234-5678-9013``).
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import quote

__all__ = ["CARRIERS", "JapanPost", "Sagawa", "Yamato", "normalize_tracking_number"]


def normalize_tracking_number(number: str) -> str:
    """Remove hyphens and spaces; upper-case letters."""
    return re.sub(r"[\s\-‐ー−]", "", number).upper()


def _mod7_ok(digits: str) -> bool:
    return digits.isascii() and digits.isdigit() and int(digits[:-1]) % 7 == int(digits[-1])


def _s10_ok(number: str) -> bool:
    match = re.fullmatch(r"[A-Z]{2}(\d{8})(\d)[A-Z]{2}", number)
    if match is None:
        return False
    weights = (8, 6, 4, 2, 3, 5, 9, 7)
    check = 11 - sum(int(d) * w for d, w in zip(match.group(1), weights, strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return check == int(match.group(2))


class _SevenCheckCarrier:
    code: ClassVar[str]
    name: ClassVar[str]
    has_tracking: ClassVar[bool] = True
    _url: ClassVar[str]

    def validate_tracking_number(self, number: str) -> bool:
        """12 digits whose last digit is the first eleven mod 7."""
        digits = normalize_tracking_number(number)
        return len(digits) == 12 and _mod7_ok(digits)

    def tracking_url(self, number: str) -> str:
        """The carrier's public tracking page for ``number``."""
        return self._url.format(quote(normalize_tracking_number(number)))


class Yamato(_SevenCheckCarrier):
    """ヤマト運輸 (宅急便)."""

    code = "yamato"
    name = "Yamato Transport"
    _url = "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number01={}"


class Sagawa(_SevenCheckCarrier):
    """佐川急便 (飛脚宅配便)."""

    code = "sagawa"
    name = "Sagawa Express"
    _url = "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={}"


class JapanPost(_SevenCheckCarrier):
    """日本郵便 (ゆうパック, 書留, international EMS)."""

    code = "japanpost"
    name = "Japan Post"
    _url = "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={}&locale=ja"

    def validate_tracking_number(self, number: str) -> bool:
        """ゆうパック (12 digits), 書留 (11 digits), both mod 7; or a UPU S10 number."""
        text = normalize_tracking_number(number)
        if len(text) in (11, 12) and text.isdigit():
            return _mod7_ok(text)
        return _s10_ok(text)


CARRIERS: dict[str, type[_SevenCheckCarrier]] = {c.code: c for c in (Yamato, Sagawa, JapanPost)}
"""Carrier code → adapter class."""
