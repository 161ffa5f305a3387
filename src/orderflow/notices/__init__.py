"""Notices to customers (お客様へのご連絡): what to say, rendered in their language on demand.

A :class:`Notice` is data: its kind, the order, the recipient, the locale, the facts to tell
(amounts as :class:`~orderflow.domain.money.Money`, times as aware datetimes), the order as the
notice shows it (:class:`OrderSummary`: items, totals and tax per rate, address, payment and
delivery), the shop (:class:`ShopProfile`: name, signature) and the shop's own templates
(:class:`NoticeTemplates`). ``subject``, ``text`` and ``html`` are rendered from the Babel
catalogs when a notifier asks for them: yen by Babel, dates as ``2026年11月22日 9:00`` or
``22 November 2026, 09:00 (Japan Standard Time)`` in the shop's zone.

English notices never carry Japanese of the library's own: labels, payment methods, carriers and
account types are English. What the shop or the customer supplied only in Japanese (a product
without an English name in ``ShopProfile.product_names``, the address, the customer's name, a
bank's name) is shown as supplied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from orderflow._mask import mask_email, mask_pairs, masked_repr
from orderflow.errors import InvalidValue
from orderflow.i18n import DEFAULT_ZONE, locale_field, zone_field
from orderflow.notices.formatting import format_amount, format_day, format_moment, format_phone
from orderflow.notices.profile import ShopProfile
from orderflow.notices.summary import OrderSummary, summarize
from orderflow.notices.templates import KIND_FACTS, NOTICE_KINDS, NoticeTemplates, fields_of

__all__ = [
    "KIND_FACTS",
    "NOTICE_KINDS",
    "Notice",
    "NoticeTemplates",
    "OrderSummary",
    "ShopProfile",
    "fields_of",
    "format_amount",
    "format_day",
    "format_moment",
    "format_phone",
    "summarize",
]

_NO_SHOP = ShopProfile()


def _check_kind(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in NOTICE_KINDS:
        raise InvalidValue("kind", value, f"one of {NOTICE_KINDS}")


def _check_shop(instance: object, attribute: attrs.Attribute[ShopProfile], value: object) -> None:
    if not isinstance(value, ShopProfile):
        raise InvalidValue("shop", value, "a ShopProfile")


def _check_number(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("order_number", value, "the order's number (a non-empty text)")


def _check_recipient(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidValue("recipient", value, "the customer's e-mail address (a text)")


def _to_facts(value: object) -> tuple[tuple[str, object], ...]:
    """The facts as a tuple of (name, value) pairs; anything else raises InvalidValue.

    A value the notice could not show exactly is refused too: an amount given as a float or a
    Decimal rather than a Money, a naive datetime (which zone?).
    """
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidValue("facts", value, "(name, value) pairs, such as (('total', amount),)")
    facts = tuple(value)
    for index, pair in enumerate(facts):
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise InvalidValue(f"facts[{index}]", pair, "a (name, value) pair, the name a text")
        fact = pair[1]
        if isinstance(fact, float | Decimal):  # an amount shown as 1080.5, without its ¥
            raise InvalidValue(
                f"facts[{index}]", fact, "an amount as a Money (Money.yen(1080)), never a number"
            )
        if isinstance(fact, datetime) and fact.utcoffset() is None:
            raise InvalidValue(f"facts[{index}]", fact, "an aware datetime (with its zone)")
    return facts


def _check_order(
    instance: object, attribute: attrs.Attribute[OrderSummary | None], value: object
) -> None:
    if value is not None and not isinstance(value, OrderSummary):
        raise InvalidValue("order", value, "an OrderSummary (summarize(order, settings)), or None")


def _check_templates(
    instance: object, attribute: attrs.Attribute[NoticeTemplates | None], value: object
) -> None:
    if value is not None and not isinstance(value, NoticeTemplates):
        raise InvalidValue("templates", value, "a NoticeTemplates, or None")


@attrs.frozen(slots=True)
class Notice:
    """A message to a customer about one order; rendered on demand.

    Its repr masks the recipient and the personal facts (the customer's ``name`` …) and leaves
    out the order (its address) and the shop; ``subject``, ``text`` and ``html`` tell them whole.
    A notice built without ``order`` renders without the order's blocks (items, totals …).
    Its ``order_number``, ``recipient``, ``locale`` (``ja`` or ``en``), ``facts`` ((name, value)
    pairs), ``zone``, ``order``, ``shop`` and ``templates`` are checked when it is built
    (:class:`~orderflow.errors.InvalidValue` naming the field).
    """

    kind: str = attrs.field(validator=_check_kind)
    """What the notice is about: one of ``NOTICE_KINDS`` (``order_confirmation``, ``shipping``,
    ``cancellation`` …); picks the template."""
    order_number: str = attrs.field(validator=_check_number)
    """The order the notice is about (``{number}`` in the templates)."""
    recipient: str = attrs.field(repr=masked_repr(mask_email), validator=_check_recipient)
    """Where to send it: the desk gives the customer's e-mail address (masked in the repr)."""
    locale: str = attrs.field(validator=locale_field)
    """The customer's language the notice is rendered in: ``ja`` or ``en``."""
    facts: tuple[tuple[str, object], ...] = attrs.field(
        default=(), repr=mask_pairs, converter=_to_facts
    )
    """(name, value) pairs the kind tells (``KIND_FACTS``) and the customer's ``name``; formatted
    when rendered, a missing one shown as ``-``."""
    zone: str = attrs.field(default=DEFAULT_ZONE, validator=zone_field)
    """The IANA time zone the notice shows times in (``Asia/Tokyo`` by default)."""
    order: OrderSummary | None = attrs.field(
        default=None, repr=False, kw_only=True, validator=_check_order
    )
    """The order as the notice shows it (taken when the notice is sent)."""
    shop: ShopProfile = attrs.field(
        default=_NO_SHOP, repr=False, kw_only=True, validator=_check_shop
    )
    """The shop's name, signature and product names."""
    templates: NoticeTemplates | None = attrs.field(
        default=None, repr=False, eq=False, kw_only=True, validator=_check_templates
    )
    """The shop's own templates (None: the catalogs' only)."""

    def fact(self, name: str) -> object:
        """One of the facts the notice tells (``total``, ``tracking_url`` …).

        A name the notice does not tell raises :class:`~orderflow.errors.InvalidValue` naming
        the facts it has (``KIND_FACTS[kind]`` lists what the desk hands over for each kind).
        """
        for key, value in self.facts:
            if key == name:
                return value
        told = ", ".join(key for key, _ in self.facts) or "none"
        raise InvalidValue("fact", name, f"one of the facts this notice tells: {told}")

    @property
    def subject(self) -> str:
        """The subject line, in the notice's language."""
        from orderflow.notices.render import render_subject

        return render_subject(self)

    @property
    def text(self) -> str:
        """The plain-text body, in the notice's language, amounts and times formatted by Babel."""
        from orderflow.notices.render import render_text

        return render_text(self)

    @property
    def body(self) -> str:
        """The plain-text body (the same as :attr:`text`)."""
        return self.text

    @property
    def html(self) -> str:
        """The HTML body: every value escaped, the items and totals as tables."""
        from orderflow.notices.render import render_html

        return render_html(self)
