"""The Japanese carriers: tracking-number formats (with check digits) and public tracking pages.

- ヤマト運輸 and 佐川急便: 12 digits; the last is the first eleven read as a number, mod 7
  (the "7DR" check).
- 日本郵便: ゆうパック 12 digits and 書留・特定記録 11 digits, each with a mod-7 check digit;
  international items in the UPU S10 format (``EJ123456785JP``, weighted mod-11 check digit).

Each carrier's :meth:`~_SevenCheckCarrier.normalize` gives a number in the form the carrier
prints it (``123456789013``, ``EE123456785JP``), or None when it is not one of that carrier's
numbers::

    Yamato().normalize("１２３４－５６７８－９０１３")  # '123456789013'
    Yamato().normalize("1234-5678-9014")  # None: wrong check digit

It reads the text as NFKC (full-width digits, letters, hyphens and spaces become their ASCII
forms) and takes hyphens (``-``, ``‐``, ``−``, ``ー`` …) and spaces between the groups of digits
(``1234-5678-9013``, ``1234 5678 9013``); anything else (other punctuation, a separator at either
end, other scripts' digits) is refused. ``validate_tracking_number`` is ``normalize(number) is not
None``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar
from urllib.parse import quote

from orderflow.errors import InvalidValue

__all__ = ["CARRIERS", "JapanPost", "Sagawa", "Yamato", "normalize_tracking_number"]

_SEPARATORS = "-‐‒–—―−ー "
"""Hyphens, dashes, the long vowel mark typed for a hyphen, and the space (after NFKC)."""
_SEPARATOR = f"[{re.escape(_SEPARATORS)}]"
_GROUPED = re.compile(f"[0-9A-Z]+(?:{_SEPARATOR}+[0-9A-Z]+)*")


def normalize_tracking_number(number: str) -> str:
    """NFKC, then hyphens and spaces removed and letters upper-cased; no check at all.

    To normalise *and* check a number, use the carrier's ``normalize`` (e.g.
    ``Yamato().normalize(number)``), which returns None for anything not a valid number.
    """
    if not isinstance(number, str):
        raise InvalidValue("tracking_number", number, "a tracking number (text)")
    text = unicodedata.normalize("NFKC", number)
    return re.sub(rf"\s|{_SEPARATOR}", "", text).upper()


def _grouped(number: object) -> str | None:
    """``number`` as NFKC upper-case text without its separators, or None.

    None when it holds anything but ASCII letters and digits in groups separated by hyphens or
    spaces.
    """
    if not isinstance(number, str):
        return None
    text = unicodedata.normalize("NFKC", number).strip().upper()
    if not _GROUPED.fullmatch(text):
        return None
    return re.sub(_SEPARATOR, "", text)


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
    orderflow_port: ClassVar[str] = "carrier"
    """The port these adapters implement (read by :mod:`orderflow.adapters.registry`)."""
    code: ClassVar[str]
    name: ClassVar[str]
    has_tracking: ClassVar[bool] = True
    _url: ClassVar[str]

    def normalize(self, number: str) -> str | None:
        """The tracking number as the carrier prints it, or None if it is not a valid one.

        Full-width digits and hyphens are read as ASCII (NFKC); hyphens and spaces between groups
        of digits are dropped: ``'１２３４－５６７８－９０１３'`` → ``'123456789013'``. This
        carrier's numbers are 12 digits whose last digit is the first eleven mod 7.
        """
        digits = _grouped(number)
        if digits is None or len(digits) != 12 or not _mod7_ok(digits):
            return None
        return digits

    def validate_tracking_number(self, number: str) -> bool:
        """Whether :meth:`normalize` accepts ``number`` (full-width forms included)."""
        return self.normalize(number) is not None

    def tracking_url(self, number: str) -> str:
        """The carrier's public tracking page for ``number``.

        Raises :class:`~orderflow.errors.InvalidValue` when ``number`` is not text.
        """
        if not isinstance(number, str):
            raise InvalidValue("tracking_number", number, "a tracking number (text)")
        normal = self.normalize(number) or normalize_tracking_number(number)
        return self._url.format(quote(normal))


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

    def normalize(self, number: str) -> str | None:
        """The tracking number as Japan Post prints it, or None if it is not a valid one.

        ゆうパック (12 digits) and 書留 (11 digits), both mod 7, or a UPU S10 number
        (``EE123456785JP``); full-width forms are read as ASCII (NFKC), hyphens and spaces
        between groups dropped, letters upper-cased.
        """
        text = _grouped(number)
        if text is None:
            return None
        if len(text) in (11, 12) and text.isdigit():
            return text if _mod7_ok(text) else None
        return text if _s10_ok(text) else None


CARRIERS: dict[str, type[_SevenCheckCarrier]] = {c.code: c for c in (Yamato, Sagawa, JapanPost)}
"""Carrier code → adapter class."""
