"""Notices to customers (お客様へのご連絡): what to say, rendered in their language on demand.

A :class:`Notice` is data: its kind, the order, the recipient, the locale and the facts to tell
(amounts as :class:`~orderflow.domain.money.Money`, times as aware datetimes). ``subject`` and
``body`` are rendered from the Babel catalogs when a notifier asks for them, with yen formatted
by Babel and times shown in the shop's zone (Asia/Tokyo by default).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from orderflow._mask import mask_email, mask_pairs, masked_repr
from orderflow.domain.money import Money
from orderflow.errors import InvalidValue
from orderflow.i18n import DEFAULT_ZONE, format_money, format_time, gettext

__all__ = ["NOTICE_KINDS", "Notice"]

_TEMPLATES: dict[str, tuple[str, str]] = {
    "order_confirmation": (
        "Order {number}: thank you for your order",
        (
            "Dear {name},\n"
            "\n"
            "We have received your order {number} on {placed_at}.\n"
            "Total: {total} (tax {tax}).\n"
            "\n"
            "We will let you know when it ships."
        ),
    ),
    "shipping": (
        "Order {number} has shipped",
        (
            "Dear {name},\n"
            "\n"
            "Your order {number} was handed to {carrier} on {shipped_at}.\n"
            "Tracking number: {tracking_number}\n"
            "Track it here: {tracking_url}"
        ),
    ),
    "cancellation": (
        "Order {number} has been cancelled",
        (
            "Dear {name},\n"
            "\n"
            "Your order {number} has been cancelled on {cancelled_at}.\n"
            "Reason: {reason}\n"
            "Any payment made or held for it is cancelled or will be refunded."
        ),
    ),
    "payment_request_bank": (
        "Order {number}: please pay by bank transfer",
        (
            "Dear {name},\n"
            "\n"
            "Please transfer {total} to this account, which is yours for this order:\n"
            "{bank} {branch}\n"
            "{account_type} {account_number}\n"
            "Holder: {holder}\n"
            "\n"
            "We will ship once the transfer arrives."
        ),
    ),
    "payment_request_konbini": (
        "Order {number}: please pay at a convenience store",
        (
            "Dear {name},\n"
            "\n"
            "Please pay {total} at a convenience store by {deadline}.\n"
            "Payment number: {payment_number}\n"
            "{url}\n"
            "\n"
            "After the deadline the order is cancelled."
        ),
    ),
    "payment_received": (
        "Order {number}: payment received",
        (
            "Dear {name},\n"
            "\n"
            "We have received {total} for your order {number}. Thank you.\n"
            "We will let you know when it ships."
        ),
    ),
    "payment_shortfall": (
        "Order {number}: the payment is short",
        (
            "Dear {name},\n"
            "\n"
            "For your order {number} ({total}) we have received {received};\n"
            "{shortfall} is still missing.\n"
            "Please transfer the rest to the same account."
        ),
    ),
    "payment_failed": (
        "Order {number}: the payment did not go through",
        (
            "Dear {name},\n"
            "\n"
            "The payment for your order {number} did not go through.\n"
            "Reason: {reason}\n"
            "Please choose another payment method or contact us."
        ),
    ),
    "authorization_renewed": (
        "Order {number}: card authorization renewed",
        (
            "Dear {name},\n"
            "\n"
            "The amount {total} held on your card for order {number}\n"
            "was renewed until {expires_at}.\n"
            "You are charged once, when the order ships."
        ),
    ),
    "refund": (
        "Order {number}: refund of {amount}",
        (
            "Dear {name},\n"
            "\n"
            "We have refunded {amount} for your order {number}.\n"
            "Depending on your card company it may take some days to show."
        ),
    ),
    "backorder": (
        "Order {number}: some items are waiting for stock",
        (
            "Dear {name},\n"
            "\n"
            "These items of your order {number} are reserved for you:\n"
            "{reserved}\n"
            "\n"
            "These are waiting for stock (expected date in brackets):\n"
            "{waiting}\n"
            "\n"
            "You may wait for them, or have the waiting items cancelled; please tell us which."
        ),
    ),
    "order_changed": (
        "Order {number} has been changed",
        (
            "Dear {name},\n"
            "\n"
            "Your order {number} has been changed.\n"
            "New total: {total} (difference {delta}).\n"
            "Thank you for shopping with us."
        ),
    ),
    "out_for_delivery": (
        "Order {number} is out for delivery today",
        (
            "Dear {name},\n"
            "\n"
            "{carrier} is delivering your order {number} today.\n"
            "Tracking number: {tracking_number}\n"
            "To change the time or place: {tracking_url}"
        ),
    ),
    "absent": (
        "Order {number}: we could not deliver your parcel",
        (
            "Dear {name},\n"
            "\n"
            "{carrier} called with your order {number} on {absent_at} but nobody was in;\n"
            "the parcel went back to the depot ({location}).\n"
            "Tracking number: {tracking_number}\n"
            "Please arrange a new delivery here: {tracking_url}\n"
            "Parcels not collected within the carrier's keeping period come back to us."
        ),
    ),
    "returned_to_sender": (
        "Order {number}: your parcel is coming back to us",
        (
            "Dear {name},\n"
            "\n"
            "{carrier} is returning the parcel of your order {number} to us\n"
            "(tracking number {tracking_number}).\n"
            "We will contact you about sending it again or a refund."
        ),
    ),
    "points_granted": (
        "Order {number}: {points} points granted",
        (
            "Dear {name},\n"
            "\n"
            "Thank you for your order {number}.\n"
            "We have added the {points} points it earned to your balance."
        ),
    ),
    "points_granted_provisional": (
        "Order {number}: {points} provisional points",
        (
            "Dear {name},\n"
            "\n"
            "Thank you for your order {number}.\n"
            "It earned {points} points. They are provisional for now and become usable once "
            "they are confirmed."
        ),
    ),
    "return_accepted": (
        "Order {number}: return {return_id} accepted",
        (
            "Dear {name},\n"
            "\n"
            "We have accepted your return {return_id} of order {number}.\n"
            "Please send the goods back to us. {shipping}"
        ),
    ),
    "return_refunded": (
        "Order {number}: return {return_id} received, {paid_back} refunded",
        (
            "Dear {name},\n"
            "\n"
            "We have received your return {return_id} of order {number}.\n"
            "We are paying back {paid_back} (fees kept back: {fee}) the way you paid."
        ),
    ),
}

NOTICE_KINDS = tuple(_TEMPLATES)
"""The kinds of notice the desk sends."""

_CARRIER_NAMES = {
    "yamato": "Yamato Transport",
    "sagawa": "Sagawa Express",
    "japanpost": "Japan Post",
}


def _check_kind(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in _TEMPLATES:
        raise InvalidValue("kind", value, f"one of {NOTICE_KINDS}")


@attrs.frozen(slots=True)
class Notice:
    """A message to a customer about one order; rendered on demand.

    Its repr masks the recipient and the personal facts (the customer's ``name`` …); ``subject``
    and ``body`` tell them whole.
    """

    kind: str = attrs.field(validator=_check_kind)
    order_number: str
    recipient: str = attrs.field(repr=masked_repr(mask_email))
    locale: str
    facts: tuple[tuple[str, object], ...] = attrs.field(default=(), repr=mask_pairs)
    zone: str = DEFAULT_ZONE

    def fact(self, name: str) -> object:
        """One of the facts the notice tells (``total``, ``tracking_url`` …)."""
        for key, value in self.facts:
            if key == name:
                return value
        raise KeyError(name)

    def _values(self) -> dict[str, str]:
        values: dict[str, str] = {"number": self.order_number}
        for key, value in self.facts:
            if isinstance(value, Money):
                values[key] = format_money(value, self.locale)
            elif isinstance(value, datetime):
                values[key] = format_time(value, self.locale, self.zone)
            elif key == "shipping":  # a sentence of the templates' own (returns)
                values[key] = gettext(str(value), self.locale)
            elif key == "carrier":
                values[key] = gettext(_CARRIER_NAMES.get(str(value), str(value)), self.locale)
            else:
                values[key] = str(value)
        return values

    @property
    def subject(self) -> str:
        """The subject line, in the notice's language."""
        return gettext(_TEMPLATES[self.kind][0], self.locale).format(**self._values())

    @property
    def body(self) -> str:
        """The text, in the notice's language, amounts and times formatted by Babel."""
        return gettext(_TEMPLATES[self.kind][1], self.locale).format(**self._values())
