"""Rendering a notice: its subject, its plain text and its HTML, in its language.

The text and the HTML come from the same template: the text shows each block as lines; the HTML
escapes every value (a product called ``<script>`` stays text), turns paragraphs into ``<p>`` and
shows the items and totals as tables.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from orderflow.domain.money import Money
from orderflow.domain.payment import PaymentMethod
from orderflow.i18n import gettext, method_label
from orderflow.notices import blocks
from orderflow.notices.formatting import (
    format_amount,
    format_count,
    format_day,
    format_moment,
    language,
)
from orderflow.notices.summary import OrderSummary
from orderflow.notices.templates import BLOCKS, DEFAULTS, KIND_FACTS

if TYPE_CHECKING:
    from orderflow.notices import Notice

__all__ = ["Rendered", "render_html", "render_subject", "render_text"]

_FORMATTER = string.Formatter()
_ALONE = re.compile(r"^\s*\{(\w+)\}\s*$")

_CARRIER_NAMES = {
    "yamato": "Yamato Transport",
    "sagawa": "Sagawa Express",
    "japanpost": "Japan Post",
}

Rendered = tuple[str, str, str]
"""(subject, text, html)."""


def _template(notice: Notice, form: str) -> str | None:
    lang = language(notice.locale)
    if notice.templates is not None:
        found = notice.templates.override(notice.kind, lang, form)
        if found is not None:
            return found
    if form == "html":
        return None
    subject, body = DEFAULTS[notice.kind]
    return gettext(subject if form == "subject" else body, lang)


def _fact_text(notice: Notice, key: str, value: object, lang: str) -> str:
    if isinstance(value, Money):
        return format_amount(value, lang)
    if isinstance(value, datetime):
        return format_moment(value, lang, notice.zone)
    if isinstance(value, date):
        return format_day(value, lang)
    if isinstance(value, int) and not isinstance(value, bool):  # points: 12,345
        return format_count(value, lang)
    if key == "carrier":
        return gettext(_CARRIER_NAMES.get(str(value), str(value)), lang)
    if key in {"shipping", "reason"}:  # sentences of the library's own, or the shop's words
        return gettext(str(value), lang)
    if key == "account_type":
        return blocks.account_type(str(value), lang)
    if key == "changed":
        return blocks.changed_parts(str(value), lang)
    return str(value)


def scalars(notice: Notice) -> dict[str, str]:
    """Every one-line value of the notice, formatted for its language."""
    lang = language(notice.locale)
    values = {
        "number": notice.order_number,
        "name": "",
        "shop_name": notice.shop.shop_name(lang),
        "support_email": notice.shop.support_email,
        "payment_method": "",
    }
    values.update(dict.fromkeys(KIND_FACTS[notice.kind], "-"))
    for key, value in notice.facts:
        values[key] = _fact_text(notice, key, value, lang)
    if notice.order is not None:
        values["payment_method"] = method_label(notice.order.payment_method, lang)
    if notice.kind == "refund":
        method = notice.order.payment_method if notice.order is not None else None
        by_transfer = dict(notice.facts).get("paid_back_by") == "transfer"
        values["refund_note"] = blocks.refund_note(method, lang, by_transfer=by_transfer)
        if by_transfer:  # how the money goes back, not how it came (a card refund refused …)
            values["payment_method"] = method_label(PaymentMethod.BANK_TRANSFER, lang)
    if notice.kind == "payment_shortfall":  # an account to transfer to only for a transfer
        konbini = notice.order is not None and notice.order.payment_method is PaymentMethod.KONBINI
        rest = (
            "Please contact us about paying the rest."
            if konbini
            else "Please transfer the rest to the same account."
        )
        values["pay_rest"] = gettext(rest, lang)
    return values


def block_lines(notice: Notice, name: str) -> list[str]:
    """The lines of one block (empty when the notice has nothing to show there)."""
    lang = language(notice.locale)
    order, shop = notice.order, notice.shop
    if name == "signature":
        return blocks.signature_lines(shop, lang)
    if name in {"reserved", "waiting"}:
        return _stock_block(notice, name, lang)
    facts = dict(notice.facts)
    if name == "removed":
        removed, skus, reason = facts.get("removed"), facts.get("removed_skus"), facts.get("reason")
        said = gettext(reason, lang) if isinstance(reason, str) and reason else None  # as a fact
        return blocks.removed_lines(removed, skus, shop, lang, said)
    if name == "collect":
        return blocks.collect_lines(order, lang, facts)
    if order is None:
        return []
    if name == "parcel":
        shipment_id, others = facts.get("shipment_id"), facts.get("parcel_orders")
        return blocks.parcel_lines(order, shop, lang, shipment_id, others)
    if name == "items":
        return blocks.item_lines(order, shop, lang)
    if name == "payment":
        return blocks.payment_lines(order, lang, notice.zone)
    return _ORDER_BLOCKS.get(name, blocks.delivery_lines)(order, lang)


def _stock_block(notice: Notice, name: str, lang: str) -> list[str]:
    """The ``reserved`` or ``waiting`` block: the order's stock, or the notice's fact."""
    order = notice.order
    if order is None or notice.kind != "backorder":
        fact = dict(notice.facts).get(name)
        lines = str(fact).splitlines() if fact is not None else []
    else:
        lines = blocks.stock_lines(order, notice.shop, lang, waiting=name == "waiting")
    if name == "reserved":  # under its own heading, or a word that nothing is reserved
        return blocks.reserved_lines(lines, notice.order_number, lang)
    return lines


_ORDER_BLOCKS: dict[str, Callable[[OrderSummary, str], list[str]]] = {
    "totals": blocks.total_lines,
    "address": blocks.address_lines,
}
"""The blocks written from the order's summary and the language alone (else the delivery's)."""


def _substitute(line: str, value: Callable[[str], str], literal: Callable[[str], str]) -> str:
    out = []
    for text, field, _, _ in _FORMATTER.parse(line):
        out.append(literal(text))
        if field is not None:
            out.append(value(field))
    return "".join(out)


def _tidy(lines: list[str]) -> str:
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render_subject(notice: Notice) -> str:
    """The subject line: one line, blocks never in it."""
    template = _template(notice, "subject")
    assert template is not None
    values = scalars(notice)
    subject = _substitute(
        template, lambda f: " ".join(block_lines(notice, f)) if f in BLOCKS else values[f], str
    )
    return " ".join(subject.split())  # no line break of any kind (a header injection)


def render_text(notice: Notice) -> str:
    """The plain-text body; a block alone on its line becomes its lines (or goes)."""
    template = _template(notice, "text")
    assert template is not None
    values = scalars(notice)
    out: list[str] = []
    for line in template.split("\n"):
        alone = _ALONE.match(line)
        if alone and alone.group(1) in BLOCKS:
            out.extend(block_lines(notice, alone.group(1)))
            continue
        out.append(
            _substitute(
                line, lambda f: "\n".join(block_lines(notice, f)) if f in BLOCKS else values[f], str
            )
        )
    return _tidy(out)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _table(rows: list[tuple[str, ...]], head: tuple[str, ...] | None, css: str) -> str:
    parts = [f'<table class="{css}">']
    if head:
        parts.append("<tr>" + "".join(f"<th>{_esc(h)}</th>" for h in head) + "</tr>")
    for row in rows:
        cells = [
            f"<td>{_esc(row[0])}</td>",
            *(f'<td align="right">{_esc(c)}</td>' for c in row[1:]),
        ]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def block_html(notice: Notice, name: str) -> str:
    """One block as HTML: items and totals as tables, the rest as a paragraph."""
    lang = language(notice.locale)
    order = notice.order
    if name == "items" and order is not None:
        head = tuple(gettext(h, lang) for h in ("Item", "Unit price", "Quantity", "Amount"))
        return _table(blocks.item_rows(order, notice.shop, lang), head, "items")
    if name == "totals" and order is not None:
        table = _table(list(blocks.total_rows(order, lang)), None, "totals")
        note = blocks.total_lines(order, lang)[len(blocks.total_rows(order, lang)) :]
        return table + "".join(f"<p>{_esc(n)}</p>" for n in note)
    lines = block_lines(notice, name)
    if not lines:
        return ""
    return f'<p class="{name}">' + "<br>".join(_esc(line) for line in lines) + "</p>"


def _html_parts(notice: Notice, template: str, values: dict[str, str]) -> list[str]:
    """The text template made HTML: paragraphs of its lines, its blocks between them."""
    parts: list[str] = []
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            parts.append("<p>" + "<br>\n".join(paragraph) + "</p>")
            paragraph.clear()

    for line in template.split("\n"):
        if not line.strip():
            close()
            continue
        # A block is never put inside a paragraph: the text before it ends its paragraph, the
        # block follows, and the text after it starts a new one (checked templates have their
        # blocks alone on their lines; a catalog's translation is not checked).
        piece = ""
        for text, block in _segments(line, values):
            piece += text
            if block is None:
                continue
            if piece.strip():
                paragraph.append(piece.strip())
            close()
            fragment = block_html(notice, block)
            if fragment:
                parts.append(fragment)
            piece = ""
        if piece.strip():
            paragraph.append(piece)
    close()
    return parts


def _segments(line: str, values: dict[str, str]) -> list[tuple[str, str | None]]:
    """A template line as pieces of escaped text, each with the block that follows it.

    The last piece has ``None``: no block after it (one-line values are in the text).
    """
    out: list[tuple[str, str | None]] = []
    text = ""
    for literal, field, _, _ in _FORMATTER.parse(line):
        text += _esc(literal)
        if field is not None and field in BLOCKS:
            out.append((text, field))
            text = ""
        elif field is not None:
            text += _esc(values[field])
    out.append((text, None))
    return out


def render_html(notice: Notice) -> str:
    """The HTML body: the shop's ``html`` template if given, else made from the text one."""
    values = scalars(notice)

    def value(field: str) -> str:
        return block_html(notice, field) if field in BLOCKS else _esc(values[field])

    lang = language(notice.locale)
    own = _template(notice, "html")
    if own is not None:
        return _substitute(own, value, str)
    template = _template(notice, "text")
    assert template is not None
    parts = _html_parts(notice, template, values)
    body = "\n".join(parts)
    return f'<div class="orderflow-notice" lang="{lang}">\n{body}\n</div>'
