"""What a shop says about itself in its notices (:class:`ShopProfile`, ``ShopSettings.shop``).

Its name, signature, address for questions, and the English names of its products.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from orderflow.errors import InvalidValue
from orderflow.i18n import LOCALES

__all__ = ["ShopProfile"]


def _per_locale(field: str, value: object) -> Mapping[str, str]:
    if isinstance(value, str):
        return MappingProxyType(dict.fromkeys(LOCALES, value))
    if not isinstance(value, Mapping):
        raise InvalidValue(field, value, "a text, or a mapping of locale (ja, en) → text")
    out: dict[str, str] = {}
    for locale, text in value.items():
        if locale not in LOCALES:
            raise InvalidValue(f"{field}[{locale}]", locale, f"one of {LOCALES}")
        if not isinstance(text, str):
            raise InvalidValue(f"{field}[{locale}]", text, "a text")
        out[locale] = text
    return MappingProxyType(out)


def _to_name(value: object) -> Mapping[str, str]:
    return _per_locale("name", value)


def _to_signature(value: object) -> Mapping[str, str]:
    return _per_locale("signature", value)


def _to_product_names(value: object) -> Mapping[str, Mapping[str, str]]:
    if not isinstance(value, Mapping):
        raise InvalidValue("product_names", value, "a mapping of SKU → {locale: name}")
    out: dict[str, Mapping[str, str]] = {}
    for sku, names in value.items():
        if not isinstance(sku, str) or not sku:
            raise InvalidValue("product_names", sku, "SKUs as keys")
        if isinstance(names, str):
            raise InvalidValue(f"product_names[{sku}]", names, "a mapping of locale → name")
        out[sku] = _per_locale(f"product_names[{sku}]", names)
    return MappingProxyType(out)


def _check_email(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or (value and value.count("@") != 1):
        raise InvalidValue("support_email", value, "an e-mail address such as shop@example.jp")


@attrs.frozen(slots=True)
class ShopProfile:
    """The shop as its notices name it; every field may be one text or one per locale.

    ``name`` and ``signature`` end every notice (the signature's lines under the name, then
    ``support_email``). ``product_names`` maps a SKU to its names per locale (``{"en": "Green
    tea"}``): an English notice shows a line's English name when the shop gives one, and the
    line's own name (as ordered, often Japanese) otherwise. All empty by default: a notice is then
    signed by nothing but the text of its template.
    """

    name: Mapping[str, str] = attrs.field(default="", converter=_to_name)
    """The shop's name per locale (``{shop_name}``, first line of the signature); one text serves
    every locale, a missing one falls back to ``ja``."""
    signature: Mapping[str, str] = attrs.field(default="", converter=_to_signature)
    """The lines under the name per locale (address, phone, hours …); one text serves every locale,
    a missing one falls back to ``ja``."""
    support_email: str = attrs.field(default="", validator=_check_email)
    """The address customers write to with questions (``{support_email}``, last line of the
    signature); empty: not shown."""
    product_names: Mapping[str, Mapping[str, str]] = attrs.field(
        factory=dict, converter=_to_product_names
    )
    """SKU → {locale: name}: the name a notice in that locale shows instead of the line's own."""

    def shop_name(self, locale: str) -> str:
        """The shop's name in ``locale`` (the Japanese one when there is no other)."""
        return self.name.get(locale) or self.name.get("ja", "")

    def signature_text(self, locale: str) -> str:
        """The signature in ``locale`` (the Japanese one when there is no other)."""
        return self.signature.get(locale) or self.signature.get("ja", "")

    def product_name(self, sku: str, given: str, locale: str) -> str:
        """A line's name in ``locale``: the shop's name for ``sku`` there, else ``given``."""
        names = self.product_names.get(sku)
        return (names.get(locale) if names else None) or given
