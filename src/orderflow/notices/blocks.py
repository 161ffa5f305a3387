"""The blocks of a notice, as lines of text in the notice's language.

Items, totals with tax per rate, address, payment, delivery, signature, reserved and waiting
lines, and a shipped parcel's items and what its driver collects (代引き).

Every label comes from the catalogs (English msgids); what the shop or the customer supplied
(product names without an English name, the address, the bank's name) is shown as supplied.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from orderflow.domain.money import Money
from orderflow.domain.payment import PaymentMethod
from orderflow.domain.tax import TaxRate
from orderflow.i18n import gettext
from orderflow.notices.formatting import format_amount, format_day, format_moment, format_phone
from orderflow.notices.profile import ShopProfile
from orderflow.notices.summary import OrderSummary

__all__ = [
    "address_lines",
    "collect_lines",
    "delivery_lines",
    "item_rows",
    "parcel_lines",
    "payment_lines",
    "refund_note",
    "removed_lines",
    "reserved_lines",
    "signature_lines",
    "stock_lines",
    "total_rows",
]


_ACCOUNT_TYPES = {"普通": "Ordinary account", "当座": "Current account", "貯蓄": "Savings account"}


def account_type(value: str, locale: str) -> str:
    """普通 / 当座 as the locale says it (an English notice says ``Ordinary account``)."""
    msgid = _ACCOUNT_TYPES.get(value)
    if msgid is None:
        return value
    return value if locale == "ja" else gettext(msgid, locale)


_CHANGED = {
    "items": "the items",
    "address": "the delivery address",
    "delivery": "the delivery date and time",
    "payment": "the payment method",
    "points": "the points used",
    "charges": "the charges",
    "discount": "the discount",
}


def changed_parts(value: str, locale: str) -> str:
    """``items,address`` → ``the items, the delivery address`` / ``商品・数量、お届け先``."""
    names = [gettext(_CHANGED.get(part, part), locale) for part in value.split(",") if part]
    return ("、" if locale == "ja" else ", ").join(names) or "-"


def _t(msgid: str, locale: str, **values: str) -> str:
    return gettext(msgid, locale).format(**values)


def _money(money: Money, locale: str) -> str:
    return format_amount(money, locale)


def _minus(money: Money, locale: str) -> str:
    return f"-{format_amount(money, locale)}"


def item_rows(summary: OrderSummary, shop: ShopProfile, locale: str) -> list[tuple[str, ...]]:
    """One row per line: name (※ at the reduced rate), unit price, quantity, line amount."""
    rows: list[tuple[str, ...]] = []
    mark = gettext("*", locale)
    for line in summary.lines:
        name = shop.product_name(line.sku, line.name, locale)
        if line.tax_rate is TaxRate.REDUCED:
            name = f"{name} {mark}"
        rows.append(
            (name, _money(line.unit_price, locale), str(line.quantity), _money(line.amount, locale))
        )
    return rows


def item_lines(summary: OrderSummary, shop: ShopProfile, locale: str) -> list[str]:
    """The item rows as text: ``緑茶 ※  ￥1,080 × 2 = ￥2,160``."""
    return [
        f"- {name}  {price} × {qty} = {amount}"
        for name, price, qty, amount in item_rows(summary, shop, locale)
    ]


def parcel_lines(
    summary: OrderSummary, shop: ShopProfile, locale: str, shipment_id: object, others: object
) -> list[str]:
    """What the parcel ``shipment_id`` carries, one line per order line: ``- 緑茶 × 2``.

    ``others`` (the ``parcel_orders`` fact, 同梱) names the other orders in the same box.
    A notice queued before its facts named the parcel (no ``shipment_id``) shows the order's
    one shipment, if it has only one. Empty when the order has no such shipment.
    """
    shipment = summary.shipment(shipment_id)
    if shipment is None and shipment_id is None and len(summary.shipments) == 1:
        shipment = summary.shipments[0]
    if shipment is None:
        return []
    names = {line.line_id: line for line in summary.lines}
    out = []
    for part in shipment.lines:
        line = names.get(part.line_id)
        name = shop.product_name(line.sku, line.name, locale) if line else part.line_id
        out.append(f"- {name} × {part.quantity}")
    if isinstance(others, str) and others:
        msgid = (
            "This parcel also carries your orders {orders}."
            if "," in others
            else "This parcel also carries your order {orders}."
        )
        out.append(_t(msgid, locale, orders=others))
    return out


def collect_lines(summary: OrderSummary | None, locale: str, facts: dict[str, object]) -> list[str]:
    """代引き: what the driver collects when the parcel (the ``shipment_id`` fact) arrives.

    The ``cod_amount`` fact is the parcel's ``Shipment.cod_amount``, the amount the carrier's
    label file asks for; without it, the shipment's own amount when the order is paid on
    delivery. A 同梱 box (``parcel_cod_amount``) collects the sum of its orders' amounts: the
    notice asks for the sum and says this order's part. Nothing to collect (another parcel
    collects the order's money) is said; a prepaid parcel has no line.
    """
    told = facts.get("cod_amount")
    amount = told if isinstance(told, Money) else None
    if amount is None and summary is not None and summary.payment_method is PaymentMethod.COD:
        shipment = summary.shipment(facts.get("shipment_id"))
        if shipment is not None:
            amount = shipment.cod_amount or Money.zero(summary.currency)
    if amount is None:
        return []
    box = facts.get("parcel_cod_amount")
    if isinstance(box, Money) and box != amount:
        if box.amount <= 0:
            return [gettext(_NOTHING, locale)]
        text = _t(
            "Cash on delivery: please pay the driver {amount} for this parcel ({own} of it for "
            "this order, the rest for the other orders in it).",
            locale,
            amount=_money(box, locale),
            own=_money(amount, locale),
        )
        return [text]
    if amount.amount <= 0:
        return [gettext(_NOTHING, locale)]
    return [
        _t(
            "Cash on delivery: please pay the driver {amount} for this parcel.",
            locale,
            amount=_money(amount, locale),
        )
    ]


_NOTHING = "Cash on delivery: nothing is collected on delivery of this parcel."


def removed_lines(
    removed: object, skus: object, shop: ShopProfile, locale: str, reason: object = None
) -> list[str]:
    """What a change took off the order (the ``removed`` fact), under its heading.

    ``- 緑茶 × 1`` per line, the shop's name for the SKU (``removed_skus``) in the notice's
    language when it gives one, and the shop's ``reason`` (a partial cancel's: 欠品のため …)
    when it gave one. Empty when nothing was taken off (the block then goes).
    """
    if not isinstance(removed, str) or not removed.strip() or removed == "-":
        return []
    codes = skus.split("\n") if isinstance(skus, str) else []
    out = [gettext("Taken off the order:", locale)]
    for index, entry in enumerate(removed.split("\n")):
        name, mark, units = entry.rpartition(" ×")
        if not mark:
            name, units = entry, ""
        if index < len(codes) and codes[index]:
            name = shop.product_name(codes[index], name, locale)
        out.append(f"- {name} × {units}" if units else f"- {name}")
    if isinstance(reason, str) and reason.strip():
        out.append(_t("Reason: {reason}", locale, reason=reason.strip()))
    return out


def reserved_lines(lines: list[str], number: str, locale: str) -> list[str]:
    """The back-order notice's reserved lines (確保済み) under their heading.

    When nothing is reserved yet (no lines, or the ``-`` that stands for none), one sentence
    says so instead: no heading over an empty list, no dash.
    """
    kept = [line for line in lines if line.strip() and line.strip() != "-"]
    if not kept:
        return [
            _t("None of the items of your order {number} is reserved yet.", locale, number=number)
        ]
    return [
        _t("These items of your order {number} are reserved for you:", locale, number=number),
        *kept,
    ]


def total_rows(summary: OrderSummary, locale: str) -> list[tuple[str, str]]:
    """(label, amount) rows: subtotal, shipping, charges, reductions, tax per rate, total."""
    t = summary.totals
    rows = [(gettext("Items subtotal", locale), _money(t.items, locale))]
    rows.append((gettext("Shipping", locale), _money(t.shipping_fee, locale)))
    if t.fees:
        label = "COD fee" if summary.payment_method is PaymentMethod.COD else "Other charges"
        rows.append((gettext(label, locale), _money(t.fees, locale)))
    if t.discount:
        rows.append((gettext("Discount", locale), _minus(t.discount, locale)))
    if t.points_used:
        rows.append((gettext("Points used", locale), _minus(t.points_used, locale)))
    tax_msgid = "incl. tax {tax}" if summary.inclusive else "tax {tax}"
    for line in t.tax.lines:
        label = _t("Taxable at {rate}%", locale, rate=str(line.rate.percent))
        tax = _t(tax_msgid, locale, tax=_money(line.tax, locale))
        rows.append((label, f"{_money(line.base, locale)} ({tax})"))
    rows.append((gettext("Total", locale), _money(t.total, locale)))
    return rows


def total_lines(summary: OrderSummary, locale: str) -> list[str]:
    """The totals as text, with the reduced-rate mark explained when a line has it."""
    lines = [f"{label}: {amount}" for label, amount in total_rows(summary, locale)]
    if any(line.tax_rate is TaxRate.REDUCED for line in summary.lines):
        lines.append(gettext("* reduced tax rate (8%)", locale))
    return lines


def address_lines(summary: OrderSummary, locale: str) -> list[str]:
    """The delivery address, whole (the customer's own), as the locale writes it."""
    a = summary.ship_to
    street = " ".join(part for part in (a.line1, a.line2) if part)
    phone = _t("Phone {phone}", locale, phone=format_phone(a.phone))
    if locale == "ja":
        return [a.postal_code_display, f"{a.prefecture.ja}{a.city} {street}", f"{a.name} 様", phone]
    code = f"{a.postal_code[:3]}-{a.postal_code[3:]}"
    region = a.prefecture.name.replace("_", " ").title()
    return [a.name, f"{street}, {a.city}", f"{region} {code}", "Japan", phone]


def _slot(slot: str, locale: str) -> str:
    if slot == "午前中":
        return gettext("Morning (before noon)", locale)
    found = re.fullmatch(r"(\d{1,2})-(\d{1,2})", slot)
    if not found:
        return slot
    start, end = found.groups()
    return f"{start}〜{end}時" if locale == "ja" else f"{int(start):02}:00–{int(end):02}:00"


def delivery_lines(summary: OrderSummary, locale: str) -> list[str]:
    """The delivery date and time slot the customer asked for, if any."""
    parts = []
    if summary.delivery_date is not None:
        parts.append(format_day(summary.delivery_date, locale))
    if summary.delivery_slot:
        parts.append(_slot(summary.delivery_slot, locale))
    if not parts:
        return []
    return [_t("Delivery requested: {when}", locale, when=" ".join(parts))]


def payment_lines(summary: OrderSummary, locale: str, zone: str) -> list[str]:
    """What the customer does to pay: the account, the konbini number, the COD amount.

    An order with nothing to pay (the points and the discount cover it) says so: no account,
    number, charge or invoice is opened for it, so none is promised.
    """
    method = summary.payment_method
    if summary.totals.total.amount <= 0:  # 全額ポイント・値引き: no account, number or charge
        return [gettext("There is nothing to pay for this order.", locale)]
    if method is PaymentMethod.BANK_TRANSFER:
        return _transfer_lines(summary, locale)
    if method is PaymentMethod.KONBINI:
        return _konbini_lines(summary, locale, zone)
    if method is PaymentMethod.COD:
        amount = _money(summary.cod_amount, locale)
        return [
            _t(
                "Please pay {amount} to the driver on delivery (COD fee included).",
                locale,
                amount=amount,
            )
        ]
    if method is PaymentMethod.POSTPAY:
        return [
            gettext(
                "The invoice comes after the order ships; please pay it by the date it "
                "shows at a convenience store, bank or post office.",
                locale,
            )
        ]
    if method is PaymentMethod.AMAZON_PAY:
        return [gettext("Charged to your Amazon account when the order ships.", locale)]
    return [gettext("Your card is charged when the order ships.", locale)]


def _transfer_lines(summary: OrderSummary, locale: str) -> list[str]:
    """The virtual account to transfer to (振込先), or that it comes in another mail."""
    get = summary.instruction
    if not get("account_number"):
        return [gettext("We will send you the account to transfer to in another mail.", locale)]
    return [
        _t(
            "Transfer to: {bank} {branch}",
            locale,
            bank=get("bank") or "",
            branch=get("branch") or "",
        ),
        f"{account_type(get('account_type') or '', locale)} {get('account_number')}",
        _t("Holder: {holder}", locale, holder=get("holder") or ""),
    ]


def _konbini_lines(summary: OrderSummary, locale: str, zone: str) -> list[str]:
    """The konbini payment number (払込番号), its deadline and page, or that it comes later."""
    get = summary.instruction
    number, deadline = get("payment_number"), get("deadline")
    if not number:
        return [gettext("We will send you the payment number in another mail.", locale)]
    lines = [_t("Payment number: {payment_number}", locale, payment_number=number)]
    if deadline:
        when = format_moment(datetime.fromisoformat(deadline), locale, zone)
        lines.append(_t("Pay by: {deadline}", locale, deadline=when))
    if get("url"):
        lines.append(get("url") or "")
    return lines


_REFUND_NOTES = {
    PaymentMethod.CARD: "Depending on your card company it may take some days to show.",
    PaymentMethod.AMAZON_PAY: "Depending on your card company it may take some days to show.",
    PaymentMethod.POSTPAY: (
        "The pay-later service reduces your invoice by this amount, "
        "or cancels it when nothing is left to pay."
    ),
}
_BY_TRANSFER = (
    "We transfer it to the bank account you gave us; "
    "if we do not have your account yet, we will contact you to ask for it."
)


def refund_note(method: PaymentMethod | None, locale: str, *, by_transfer: bool = False) -> str:
    """How a refund reaches the customer, by the way they paid.

    Card and Amazon Pay: the card company may take some days; 後払い: the invoice is reduced or
    cancelled by the service; bank transfer, konbini and 代引き — and ``by_transfer``, a card
    refund the provider refused — a transfer to the account they gave (or we ask for one).
    Without the order (``None``): that it may take some days.
    """
    if by_transfer:
        return gettext(_BY_TRANSFER, locale)
    if method is None:
        return gettext("It may take some days until the refund shows.", locale)
    return gettext(_REFUND_NOTES.get(method, _BY_TRANSFER), locale)


def signature_lines(shop: ShopProfile, locale: str) -> list[str]:
    """The shop's name, its signature's lines, and the address for questions."""
    lines = [shop.shop_name(locale)]
    lines.extend(shop.signature_text(locale).splitlines())
    if shop.support_email:
        lines.append(shop.support_email)
    lines = [line for line in lines if line.strip()]
    return ["--", *lines] if lines else []


def stock_lines(
    summary: OrderSummary, shop: ShopProfile, locale: str, *, waiting: bool
) -> list[str]:
    """The reserved lines (``waiting=False``) or the waiting ones, with the expected date."""
    missing = dict(summary.waiting)
    expected: dict[str, date] = dict(summary.arrivals)
    out = []
    for line in summary.lines:
        name = shop.product_name(line.sku, line.name, locale)
        short = missing.get(line.line_id, 0)
        if waiting and short:
            when = expected.get(line.line_id)
            on = f" ({format_day(when, locale)})" if when else ""
            out.append(f"{name} ×{short}{on}")
        elif not waiting and line.quantity - short:
            out.append(f"{name} ×{line.quantity - short}")
    return out or ["-"]
