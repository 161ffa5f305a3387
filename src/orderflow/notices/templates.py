"""The notices' templates: one subject and one body per kind, in English.

They are translated through the Babel catalogs
(``orderflow/i18n/locales/<lang>/LC_MESSAGES/orderflow.po``); a shop replaces any of them with
:class:`NoticeTemplates`.

A template is a :meth:`str.format` string whose placeholders are bare names: the facts the kind
tells (:data:`KIND_FACTS`) and the fields every notice has (:data:`COMMON_FIELDS`). The *blocks*
(:data:`BLOCKS`: ``{items}``, ``{totals}``, ``{address}``, ``{payment}`` …) stand on a line of their
own; the text shows them as lines, the HTML as a table or a paragraph, and a block with nothing to
show takes its line with it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from orderflow.errors import InvalidValue
from orderflow.i18n import LOCALES

__all__ = [
    "BLOCKS",
    "COMMON_FIELDS",
    "DERIVED_FIELDS",
    "FORMATS",
    "KIND_FACTS",
    "NOTICE_KINDS",
    "NoticeTemplates",
    "fields_of",
]

_SIGN = "\n\n{signature}"
_DEAR = "Dear {name},\n\n"

#: kind → (subject, body): the English messages, which are the catalogs' msgids.
DEFAULTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "order_confirmation": (
            "Order {number}: thank you for your order",
            _DEAR + "Thank you for your order. We have received your order {number} on {placed_at}."
            "\n\nItems\n{items}\n\n{totals}\n\nShip to\n{address}\n\n{delivery}\n\n"
            "Payment: {payment_method}\n{payment}\n\nWe will let you know when it ships." + _SIGN,
        ),
        "shipping": (
            "Order {number} has shipped",
            _DEAR + "Your order {number} was handed to {carrier} on {shipped_at}.\n"
            "Tracking number: {tracking_number}\nTrack it here: {tracking_url}\n\n"
            "In this parcel\n{parcel}\n\n{collect}\n\n"
            "Ship to\n{address}\n\n{delivery}" + _SIGN,
        ),
        "cancellation": (
            "Order {number} has been cancelled",
            _DEAR + "Your order {number} has been cancelled on {cancelled_at}.\nReason: {reason}\n"
            "Any payment made or held for it is cancelled or will be refunded." + _SIGN,
        ),
        "order_split": (
            "Order {number} is now {count} orders",
            _DEAR + "Your order {number} has been split into {count} orders: {parts}.\n"
            "Each is shipped and paid on its own. Payment details we sent for {number} (a\n"
            "transfer account, a payment number) no longer apply: each new order has its own.\n\n"
            "Thank you for shopping with us." + _SIGN,
        ),
        "payment_request_bank": (
            "Order {number}: please pay by bank transfer",
            _DEAR + "Please transfer {total} to this account, which is yours for this order:\n"
            "{bank} {branch}\n{account_type} {account_number}\nHolder: {holder}\n\n"
            "We will ship once the transfer arrives." + _SIGN,
        ),
        "payment_request_konbini": (
            "Order {number}: please pay at a convenience store",
            _DEAR + "Please pay {total} at a convenience store by {deadline}.\n"
            "Payment number: {payment_number}\n{url}\n\n"
            "After the deadline the order is cancelled." + _SIGN,
        ),
        "payment_received": (
            "Order {number}: payment received",
            _DEAR + "We have received {total} for your order {number}. Thank you.\n"
            "We will let you know when it ships." + _SIGN,
        ),
        "payment_shortfall": (
            "Order {number}: the payment is short",
            _DEAR + "For your order {number} ({total}) we have received {received};\n"
            "{shortfall} is still missing.\n{pay_rest}" + _SIGN,
        ),
        "payment_failed": (
            "Order {number}: the payment did not go through",
            _DEAR + "The payment for your order {number} did not go through.\nReason: {reason}\n"
            "Please choose another payment method or contact us." + _SIGN,
        ),
        "authorization_renewed": (
            "Order {number}: card authorization renewed",
            _DEAR + "The amount {total} held on your card for order {number}\n"
            "was renewed until {expires_at}.\nYou are charged once, when the order ships." + _SIGN,
        ),
        "refund": (
            "Order {number}: refund of {amount}",
            _DEAR + "We are refunding {amount} for your order {number} ({payment_method}).\n"
            "{refund_note}" + _SIGN,
        ),
        "refund_withdrawn": (
            "Order {number}: a refund corrected",
            _DEAR + "We told you that money would be paid back for your order {number}.\n"
            "{amount} of it is no longer to be paid back: the order's total went up, or\n"
            "the bank took back a transfer. Still to be paid back: {owed}." + _SIGN,
        ),
        "backorder": (
            "Order {number}: some items are waiting for stock",
            _DEAR + "{reserved}\n\n"
            "These are waiting for stock (expected date in brackets):\n{waiting}\n\n"
            "You may wait for them, or have the waiting items cancelled; please tell us which."
            + _SIGN,
        ),
        "order_changed": (
            "Order {number} has been changed",
            _DEAR + "Your order {number} has been changed: {changed}.\n"
            "New total: {total} (difference {delta}).\n\n{removed}\n\n"
            "Items\n{items}\n\n{totals}\n\n"
            "Ship to\n{address}\n\n{delivery}\n\nPayment: {payment_method}\n\n"
            "Thank you for shopping with us." + _SIGN,
        ),
        "out_for_delivery": (
            "Order {number} is out for delivery today",
            _DEAR + "{carrier} is delivering your order {number} today.\n"
            "Tracking number: {tracking_number}\nTo change the time or place: {tracking_url}"
            + _SIGN,
        ),
        "absent": (
            "Order {number}: we could not deliver your parcel",
            _DEAR + "{carrier} called with your order {number} on {absent_at} but nobody was in;\n"
            "the parcel went back to the depot ({location}).\nTracking number: {tracking_number}\n"
            "Please arrange a new delivery here: {tracking_url}\n"
            "Parcels not collected within the carrier's keeping period come back to us." + _SIGN,
        ),
        "returned_to_sender": (
            "Order {number}: your parcel is coming back to us",
            _DEAR + "{carrier} is returning the parcel of your order {number} to us\n"
            "(tracking number {tracking_number}).\n"
            "We will contact you about sending it again or a refund." + _SIGN,
        ),
        "points_granted": (
            "Order {number}: {points} points granted",
            _DEAR + "Thank you for your order {number}.\n"
            "We have added the {points} points it earned to your balance." + _SIGN,
        ),
        "points_granted_provisional": (
            "Order {number}: {points} provisional points",
            _DEAR + "Thank you for your order {number}.\nIt earned {points} points. They are "
            "provisional for now and become usable once they are confirmed." + _SIGN,
        ),
        "return_accepted": (
            "Order {number}: return {return_id} accepted",
            _DEAR + "We have accepted your return {return_id} of order {number}.\n"
            "Please send the goods back to us. {shipping}" + _SIGN,
        ),
        "return_refunded": (
            "Order {number}: return {return_id} received, {paid_back} refunded",
            _DEAR + "We have received your return {return_id} of order {number}.\n"
            "We are paying back {paid_back} (fees kept back: {fee}) the way you paid." + _SIGN,
        ),
        "return_refused": (
            "Order {number}: return {return_id} not accepted",
            _DEAR + "We could not take back what you sent for return {return_id} of order "
            "{number}.\nReason: {reason}\nNothing is refunded for it. Please contact us about "
            "having the goods sent back to you." + _SIGN,
        ),
    }
)

NOTICE_KINDS = tuple(DEFAULTS)
"""The kinds of notice the desk sends."""

#: The facts each kind's decision hands over (``Notify.facts``), by name.
KIND_FACTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "order_confirmation": ("placed_at", "total", "tax"),
        "shipping": (
            "carrier",
            "shipped_at",
            "tracking_number",
            "tracking_url",
            "shipment_id",
            "cod_amount",
        ),
        "cancellation": ("cancelled_at", "reason"),
        "order_split": ("parts", "count"),
        "payment_request_bank": (
            "total",
            "bank",
            "branch",
            "account_type",
            "account_number",
            "holder",
        ),
        "payment_request_konbini": ("total", "payment_number", "deadline", "url"),
        "payment_received": ("total",),
        "payment_shortfall": ("total", "received", "shortfall"),
        "payment_failed": ("reason",),
        "authorization_renewed": ("total", "expires_at"),
        "refund": ("amount",),
        "refund_withdrawn": ("amount", "owed"),
        "backorder": ("reserved", "waiting"),
        "order_changed": ("total", "delta", "changed", "removed", "removed_skus", "reason"),
        "out_for_delivery": ("carrier", "tracking_number", "tracking_url"),
        "absent": ("carrier", "tracking_number", "tracking_url", "absent_at", "location"),
        "returned_to_sender": ("carrier", "tracking_number", "tracking_url"),
        "points_granted": ("points",),
        "points_granted_provisional": ("points",),
        "return_accepted": ("return_id", "shipping"),
        "return_refunded": ("return_id", "paid_back", "fee"),
        "return_refused": ("return_id", "reason"),
    }
)

DERIVED_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "refund": ("refund_note",),
        "shipping": ("parcel", "collect"),
        "payment_shortfall": ("pay_rest",),
    }
)
"""Fields a kind's notice works out itself: ``refund_note`` says how the refund reaches the
customer, by the order's payment method (the card company, the 後払い invoice, a transfer);
``parcel`` lists what the shipped parcel carries (name × quantity), and ``collect`` says, for
代引き, what its driver collects (``cod_amount``; nothing when another parcel collects it)."""

BLOCKS = frozenset(
    {
        "items",
        "totals",
        "address",
        "payment",
        "delivery",
        "signature",
        "reserved",
        "waiting",
        "parcel",
        "collect",
        "removed",
    }
)
"""Placeholders that stand for several lines (a table or a paragraph in HTML)."""

COMMON_FIELDS = (
    "number",
    "name",
    "shop_name",
    "support_email",
    "signature",
    "items",
    "totals",
    "address",
    "payment",
    "payment_method",
    "delivery",
)
"""Fields every notice has: the order number, the customer's name, the shop, and what the order
holds (empty when the notice was built without its order)."""

FORMATS = ("subject", "text", "html")
"""What a template renders: the subject line, the plain-text body or the HTML body."""


def fields_of(kind: str) -> tuple[str, ...]:
    """The placeholders a template of ``kind`` may use (an unknown kind: ``InvalidValue``)."""
    if kind not in KIND_FACTS:
        raise InvalidValue("kind", kind, f"one of {NOTICE_KINDS}")
    return (*COMMON_FIELDS, *KIND_FACTS[kind], *DERIVED_FIELDS.get(kind, ()))


_FORMATTER = string.Formatter()


def placeholders(template: str) -> list[str]:
    """The placeholder names in ``template``, in order (ValueError when it is malformed)."""
    return [field for _, field, _, _ in _FORMATTER.parse(template) if field is not None]


def _placeholder(field: str, spec: str | None, conversion: str | None) -> str:
    """The placeholder as the template writes it: ``{name[0]}``, ``{total!r:>9}``."""
    shown = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
    return "{" + shown + "}"


def _check(where: str, kind: str, form: str, template: str) -> None:
    # The error's field ends in "placeholder" and its value is the placeholder as written: it is
    # template text, not personal data, so it is shown unmasked ({name[0]}, not 'n***').
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as error:
        raise InvalidValue(where, template, f"a str.format template ({error})") from None
    allowed = fields_of(kind)
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        written = _placeholder(field, spec, conversion)
        if field not in allowed:
            raise InvalidValue(
                f"{where}: placeholder",
                written,
                f"one of the fields of a {kind} notice: {', '.join(allowed)}",
            )
        if spec or conversion:
            raise InvalidValue(f"{where}: placeholder", written, "a bare {name}")
        if form == "subject" and field in BLOCKS:  # the address, phone … in a mail's header
            raise InvalidValue(
                f"{where}: placeholder",
                written,
                "a one-line field: a subject holds no block ({items}, {address} …)",
            )
    if form == "text":
        _check_blocks(where, template)


def _check_blocks(where: str, template: str) -> None:
    """A block of a text template stands alone on its line (the HTML makes it a table)."""
    for line in template.split("\n"):
        fields = [field for _, field, _, _ in _FORMATTER.parse(line) if field is not None]
        inline = [field for field in fields if field in BLOCKS]
        if inline and (len(fields) > 1 or line.strip() != "{" + inline[0] + "}"):
            raise InvalidValue(
                f"{where}: placeholder",
                "{" + inline[0] + "}",
                "a block ({items}, {address} …) alone on its line",
            )


def _to_overrides(value: object) -> Mapping[tuple[str, str, str], str]:
    if not isinstance(value, Mapping):
        raise InvalidValue("templates", value, "a mapping of (kind, locale, format) → template")
    out: dict[tuple[str, str, str], str] = {}
    for key, template in value.items():
        if not (isinstance(key, tuple) and len(key) == 3):
            raise InvalidValue("templates", key, "keys (kind, locale, format)")
        kind, locale, form = key
        if kind not in DEFAULTS:
            raise InvalidValue("templates: kind", kind, f"one of {NOTICE_KINDS}")
        if locale not in LOCALES:
            raise InvalidValue(f"templates[{kind}]: locale", locale, f"one of {LOCALES}")
        if form not in FORMATS:
            raise InvalidValue(f"templates[{kind}/{locale}]: format", form, f"one of {FORMATS}")
        where = f"templates[{kind}/{locale}/{form}]"
        if not isinstance(template, str) or not template.strip():
            raise InvalidValue(where, template, "a non-empty template text")
        _check(where, kind, form, template)
        out[(kind, locale, form)] = template
    return MappingProxyType(out)


@attrs.frozen(slots=True)
class NoticeTemplates:
    """A shop's own templates, each replacing one (kind, locale, format) of the defaults.

    ``format`` is ``subject``, ``text`` or ``html``. A ``text`` template replaces the body; the
    HTML is then made from it (paragraphs, tables for the blocks) unless an ``html`` template is
    given too, whose own markup is kept while every value is escaped. Checked when built: an
    unknown kind, locale, format or placeholder, or a block of a ``text`` template that shares
    its line (``Your items: {items}``), raises :class:`~orderflow.errors.InvalidValue` naming the
    template and the placeholder as written; so does a block in a ``subject`` template (the
    subject is one line of the mail's header: no items, address or signature in it).
    """

    overrides: Mapping[tuple[str, str, str], str] = attrs.field(
        factory=dict, converter=_to_overrides
    )
    """(kind, locale, format) → the shop's template, checked when built; empty: every notice uses
    the defaults."""

    def override(self, kind: str, locale: str, form: str) -> str | None:
        """The shop's template for (``kind``, ``locale``, ``form``), or None for the default."""
        return self.overrides.get((kind, locale, form))
