"""Words and numbers for people: Babel catalogs (ja, en) and Babel formatting.

Status labels, event labels and notices come from the gettext catalogs shipped in
``orderflow/i18n/locales/<lang>/LC_MESSAGES/orderflow.po``, read with Babel. Amounts are formatted
with Babel's currency rules (¥1,980 has no decimals) and times in the shop's zone (Asia/Tokyo by
default); inside the library every time stays an aware UTC datetime.
"""

from __future__ import annotations

import functools
from datetime import datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from babel.dates import format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency

from orderflow.domain.money import Money
from orderflow.domain.payment import PaymentMethod
from orderflow.domain.status import OrderStatus
from orderflow.errors import InvalidValue

__all__ = [
    "DEFAULT_LOCALE",
    "DEFAULT_ZONE",
    "LOCALES",
    "METHOD_NAMES",
    "check_locale",
    "event_label",
    "format_money",
    "format_time",
    "gettext",
    "locale_field",
    "method_label",
    "status_label",
    "zone_field",
    "zone_info",
]

LOCALES = ("ja", "en")

METHOD_NAMES = {
    PaymentMethod.CARD: "Credit card",
    PaymentMethod.POSTPAY: "Pay later (invoice after delivery)",
    PaymentMethod.BANK_TRANSFER: "Bank transfer",
    PaymentMethod.KONBINI: "Convenience store payment",
    PaymentMethod.COD: "Cash on delivery",
    PaymentMethod.AMAZON_PAY: "Amazon Pay",
}
"""The payment methods' names (msgids; :func:`method_label` says them in a locale)."""
DEFAULT_LOCALE = "ja"
DEFAULT_ZONE = "Asia/Tokyo"

_STATUS_MSGID = {
    OrderStatus.ORDERED: "Ordered",
    OrderStatus.UNALLOCATED: "Unallocated",
    OrderStatus.PARTIALLY_ALLOCATED: "Partially allocated",
    OrderStatus.ALLOCATED: "Allocated",
    OrderStatus.SHIPPING_INSTRUCTED: "Shipping instructed",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.DELIVERED: "Delivered",
    OrderStatus.BOOKED: "Booked",
    OrderStatus.CANCELLED: "Cancelled",
}

_EVENT_MSGID = {
    "placed": "Order placed",
    "accept": "Accepted",
    "allocate": "Stock allocated",
    "release": "Stock released",
    "instruct_shipping": "Instructed to ship",
    "recall": "Instruction recalled",
    "ship": "Handed to carrier",
    "deliver": "Delivered to customer",
    "undo_delivery": "Delivery undone",
    "carrier_reported": "Carrier tracking event",
    "book": "Sale booked",
    "cancel": "Order cancelled",
    "hold_raised": "Hold raised",
    "hold_cleared": "Hold cleared",
    "changed": "Order changed",
    "split_from": "Split from another order",
    "shipping_fee_changed": "Shipping fee changed",
    "discount_capped": "Discount capped at the charges",
    "notice_failed": "Notice failed",
    "payment_received": "Payment received",
    "deposit_reversed": "Deposit taken back by the bank",
    "refund_owed": "Refund owed by transfer",
    "refund_transferred": "Refund transferred",
    "placement_declined": "Payment refused at order",
    "change_requested": "Change requested",
    "recall_requested": "Recall requested",
    "recall_refused": "Recall too late",
    "parcel_recalled": "Parcel taken back",
    "reserve_short": "Stock short",
    "arrival_expected": "Arrival expected",
    "wait_accepted": "Customer waits for stock",
    "bundled": "Packed with other orders",
    "unbundled": "Unpacked from other orders",
    "effect_refused": "Refused by a provider",
    "points_redeemed": "Points used",
    "points_restored": "Points given back",
    "points_change_refused": "More points refused",
    "points_granted": "Points granted",
    "points_confirmed": "Provisional points confirmed",
    "points_revoked": "Points taken back",
    "points_owed": "Points owed by the customer",
    "points_owed_settled": "Owed points deducted from a refund",
    "points_withheld": "Points withheld from the grant",
    "payment_switch_refused": "New payment method refused",
    "postpay_amended": "Post-pay claim amended",
    "postpay_rebilled": "Post-pay rest billed again",
    "konbini_reissued": "Konbini number reissued",
    "journal_posted": "Journal entry posted",
    "refund_requested": "Refund requested",
    "goodwill_refunded": "Goodwill refund",
    "goodwill_settled": "Goodwill refund settled",
    "refund_refused": "Refund refused",
    "return_requested": "Return accepted",
    "return_received": "Return received",
    "return_refused": "Return refused",
    "restocked": "Returned units restocked",
}


def _language(locale: object) -> str:
    if not isinstance(locale, str):
        raise InvalidValue("locale", locale, f"one of {LOCALES}")
    language = locale.replace("-", "_").split("_")[0].lower()
    if language not in LOCALES:
        raise InvalidValue("locale", locale, f"one of {LOCALES}")
    return language


@functools.cache
def _catalog(language: str) -> dict[str, str]:
    path = resources.files("orderflow.i18n") / "locales" / language / "LC_MESSAGES" / "orderflow.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def gettext(msgid: str, locale: str = DEFAULT_LOCALE) -> str:
    """The translation of ``msgid`` in ``locale`` (the msgid itself when there is none)."""
    if not isinstance(msgid, str):
        raise InvalidValue("msgid", msgid, "a message text")
    return _catalog(_language(locale)).get(msgid, msgid)


def status_label(status: OrderStatus, locale: str = DEFAULT_LOCALE) -> str:
    """The status as people call it: 受注 (Ordered), 出荷指示済 (Shipping instructed)."""
    if not isinstance(status, OrderStatus):
        raise InvalidValue("status", status, "an OrderStatus")
    return gettext(_STATUS_MSGID[status], locale)


def method_label(method: PaymentMethod, locale: str = DEFAULT_LOCALE) -> str:
    """A payment method as a customer reads it (クレジットカード / Credit card)."""
    if not isinstance(method, PaymentMethod):
        raise InvalidValue("method", method, "a PaymentMethod")
    return gettext(METHOD_NAMES[method], locale)


def event_label(name: str, locale: str = DEFAULT_LOCALE) -> str:
    """A history event's name for people (``ship`` → 出荷 / Handed to carrier)."""
    if not isinstance(name, str):
        raise InvalidValue("event", name, "an event's name such as 'ship'")
    msgid = _EVENT_MSGID.get(name)
    return name if msgid is None else gettext(msgid, locale)


def format_money(money: Money, locale: str = DEFAULT_LOCALE) -> str:
    """``Money.yen(12345)`` → ``￥12,345`` (ja) or ``¥12,345`` (en), by Babel's rules."""
    if not isinstance(money, Money):
        raise InvalidValue("money", money, "a Money such as Money.yen(1234)")
    babel_locale = "ja_JP" if _language(locale) == "ja" else "en_US"
    return str(format_currency(money.amount, money.currency, locale=babel_locale))


def format_time(moment: datetime, locale: str = DEFAULT_LOCALE, zone: str = DEFAULT_ZONE) -> str:
    """An aware datetime in the shop's ``zone``, as every text for people shows it.

    - ja: ``2026年11月22日 9:00``; the zone is named only when it is not Asia/Tokyo
      (``2026年11月22日 0:00 (Europe/London)``);
    - en: ``22 November 2026, 09:00 (Japan Standard Time)``: English always names the zone.

    The notices (:func:`orderflow.notices.format_moment` is this function), the reference shop's
    timeline and the demo all show times this way. A naive datetime, a locale without a catalog,
    an unknown zone, or a moment whose date in ``zone`` falls outside the years 1 to 9999
    (``datetime.max`` in UTC is already the year 10000 in Tokyo) raises
    :class:`~orderflow.errors.InvalidValue`.
    """
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise InvalidValue("moment", moment, "an aware datetime")
    language = _language(locale)
    tz = zone_info(zone)
    try:
        moment.astimezone(tz)
    except OverflowError:
        raise InvalidValue(
            "moment", moment, f"a time whose date in {zone} is within the years 1 to 9999"
        ) from None
    if language == "ja":
        text = str(format_datetime(moment, "y年M月d日 H:mm", tzinfo=tz, locale="ja_JP"))
        return text if zone == DEFAULT_ZONE else f"{text} ({zone})"
    text = str(format_datetime(moment, "d MMMM y, HH:mm", tzinfo=tz, locale="en_GB"))
    name = str(format_datetime(moment, "zzzz", tzinfo=tz, locale="en_GB"))
    return f"{text} ({name})"


def zone_info(zone: object, field: str = "zone") -> ZoneInfo:
    """The IANA time zone called ``zone`` (``Asia/Tokyo``); an unknown one raises InvalidValue."""
    if not isinstance(zone, str) or not zone.strip():
        raise InvalidValue(field, zone, "an IANA time zone such as 'Asia/Tokyo'")
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # 'Asia' is a folder, not a zone
        raise InvalidValue(field, zone, "an IANA time zone such as 'Asia/Tokyo'") from None


def locale_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a locale orderflow speaks (:func:`check_locale`)."""
    check_locale(value, attribute.name)


def zone_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a known IANA time zone (:func:`zone_info`)."""
    zone_info(value, attribute.name)


def check_locale(locale: object, field: str = "locale") -> str:
    """``locale`` when orderflow has a catalog for it (``ja``, ``en``); else InvalidValue.

    Only the bare language codes of :data:`LOCALES` are accepted where a locale is configured.
    """
    if not isinstance(locale, str) or locale not in LOCALES:
        raise InvalidValue(field, locale, f"one of {LOCALES}")
    return locale
