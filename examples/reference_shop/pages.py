"""The operator's pages, in Japanese or English: the work queues and one order's timeline.

Every piece of text that came from outside (names, remarks, SKUs, a carrier's words) is escaped.
An operator sees what the work needs and no more personal data: the customer's e-mail and phone
masked as orderflow masks them in reprs and errors, the street hidden, the name's first letter;
e-mail addresses and phone numbers inside free text (remarks, hold messages, a reason given)
masked too. Links to an order carry its number URL-encoded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from html import escape
from urllib.parse import quote

from orderflow import Order, OrderDesk, OrderStatus, QueueQuery
from orderflow._mask import (
    mask_email,
    mask_emails_in,
    mask_name,
    mask_personal_data_in,
    mask_phone,
    mask_street,
)
from orderflow.i18n import event_label, format_money, format_time, method_label, status_label

LANGS = ("ja", "en")
LANG_PATTERN = f"^({'|'.join(LANGS)})$"
"""What ``?lang=`` takes."""
SHOWN = 50
"""Orders listed per queue (the count says how many there are)."""
NOT_SHIPPED_AFTER = timedelta(hours=24)
STUCK_AFTER = timedelta(minutes=15)

_WORDS = {
    "ja": {
        "operator": "受注処理 — 業務キュー",
        "held": "保留中",
        "awaiting_payment": "入金待ち",
        "ready_to_instruct": "出荷指示待ち",
        "not_shipped": "出荷遅延(指示から24時間以上)",
        "stuck": "滞留(処理が止まっている受注)",
        "statuses": "ステータス別",
        "none": "なし",
        "order": "受注",
        "status": "ステータス",
        "payment": "決済方法",
        "total": "合計",
        "customer": "お客様",
        "ship_to": "お届け先",
        "remarks": "備考",
        "items": "商品",
        "shipments": "出荷",
        "holds": "保留",
        "returns": "返品",
        "timeline": "履歴",
        "time": "日時",
        "event": "できごと",
        "move": "ステータス",
        "actor": "実行者",
        "detail": "詳細",
        "open": "未解除",
        "cleared": "解除",
        "back": "業務キューへ",
        "more": "ほか {n} 件",
    },
    "en": {
        "operator": "Order processing — work queues",
        "held": "Held",
        "awaiting_payment": "Awaiting payment",
        "ready_to_instruct": "Ready to instruct",
        "not_shipped": "Not shipped (instructed 24 hours ago or more)",
        "stuck": "Stuck (effects pending, no progress)",
        "statuses": "By status",
        "none": "none",
        "order": "Order",
        "status": "Status",
        "payment": "Payment",
        "total": "Total",
        "customer": "Customer",
        "ship_to": "Ship to",
        "remarks": "Remarks",
        "items": "Items",
        "shipments": "Shipments",
        "holds": "Holds",
        "returns": "Returns",
        "timeline": "Timeline",
        "time": "Time",
        "event": "Event",
        "move": "Status",
        "actor": "By",
        "detail": "Details",
        "open": "open",
        "cleared": "cleared",
        "back": "Back to the queues",
        "more": "and {n} more",
    },
}

_STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
    "section{margin-bottom:1.5em}.reason{color:#a40}"
)


def _page(title: str, lang: str, body: Iterable[str]) -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{''.join(body)}</body></html>"
    )


def _link(number: str, lang: str) -> str:
    path = f"/operator/orders/{quote(number, safe='')}?lang={lang}"
    return f'<a href="{escape(path, quote=True)}">{escape(number)}</a>'


def _section(name: str, title: str, count: int, items: list[str], lang: str) -> str:
    rows = "".join(f"<li>{item}</li>" for item in items) or f"<li>{_WORDS[lang]['none']}</li>"
    more = count - len(items)
    tail = f"<p>{_WORDS[lang]['more'].format(n=more)}</p>" if more > 0 else ""
    return (
        f'<section id="{name}"><h2>{escape(title)} (<span class="count">{count}</span>)</h2>'
        f"<ul>{rows}</ul>{tail}</section>"
    )


def operator_page(desk: OrderDesk, lang: str) -> str:
    """The work queues: held and why, awaiting payment, ready to instruct, not shipped, stuck."""
    words = _WORDS[lang]
    counts = desk.queue_counts(not_shipped_after=NOT_SHIPPED_AFTER, stuck_after=STUCK_AFTER)
    now = desk.now()
    sections = []
    held = []
    for number in desk.queue(QueueQuery.held(), limit=SHOWN):
        order = desk.get(number)
        reasons = "; ".join(
            f"{escape(hold.code)}: {escape(mask_personal_data_in(hold.text(lang)))}"
            for hold in order.open_holds
        )
        held.append(f'{_link(number, lang)} <span class="reason">{reasons}</span>')
    sections.append(_section("held", words["held"], counts["held"], held, lang))
    awaiting = [
        f"{_link(n, lang)} {escape(method_label(desk.get(n).payment.method, lang))}"
        for n in desk.queue(QueueQuery.awaiting_payment(), limit=SHOWN)
    ]
    sections.append(
        _section(
            "awaiting_payment",
            words["awaiting_payment"],
            counts["awaiting_payment"],
            awaiting,
            lang,
        )
    )
    for name, query in (
        ("ready_to_instruct", QueueQuery.ready_to_instruct()),
        ("not_shipped", QueueQuery.not_shipped(now - NOT_SHIPPED_AFTER)),
        ("stuck", QueueQuery.stuck(now - STUCK_AFTER)),
    ):
        numbers = desk.queue(query, limit=SHOWN)
        links = [_link(n, lang) for n in numbers]
        sections.append(_section(name, words[name], counts[name], links, lang))
    rows = "".join(
        f"<tr><td>{escape(status_label(status_of(key), lang))}</td><td>{value}</td></tr>"
        for key, value in counts.items()
        if key.startswith("status:")
    )
    sections.append(
        f'<section id="statuses"><h2>{words["statuses"]}</h2><table>{rows}</table></section>'
    )
    other = "en" if lang == "ja" else "ja"
    sections.append(f'<p><a href="/operator?lang={other}">{other}</a></p>')
    return _page(words["operator"], lang, sections)


def status_of(key: str) -> OrderStatus:
    """``status:allocated`` → ``OrderStatus.ALLOCATED`` (a key of ``queue_counts``)."""
    return OrderStatus(key.removeprefix("status:"))


def _table(head: list[str], rows: list[list[str]]) -> str:
    top = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{top}</tr>{body}</table>"


def order_page(desk: OrderDesk, order: Order, lang: str) -> str:
    """One order: what it is, where it goes (masked), its holds and its timeline."""
    words = _WORDS[lang]
    zone = desk.settings.zone
    totals = desk.totals(order)
    customer, ship_to = order.customer, order.ship_to
    facts = [
        (words["status"], escape(status_label(order.status, lang))),
        (words["payment"], escape(method_label(order.payment.method, lang))),
        (words["total"], escape(format_money(totals.total, lang))),
        (
            words["customer"],
            f"{escape(customer.id)} {escape(mask_name(customer.name))} "
            f"{escape(mask_email(customer.email))}",
        ),
        (
            words["ship_to"],
            f"{escape(ship_to.postal_code_display)} {escape(ship_to.prefecture.ja)} "
            f"{escape(ship_to.city)} {mask_street(ship_to.line1)} "
            f"{escape(mask_name(ship_to.name))} {escape(mask_phone(ship_to.phone))}",
        ),
    ]
    if order.remarks:
        facts.append((words["remarks"], escape(mask_personal_data_in(order.remarks))))
    body = [_table(["", ""], [[escape(k), v] for k, v in facts])]
    items = [
        [
            escape(x.line_id),
            escape(x.sku),
            escape(x.name),
            str(x.quantity),
            escape(format_money(x.unit_price, lang)),
        ]
        for x in order.lines
    ]
    body += [f"<h2>{words['items']}</h2>", _table(["", "SKU", "", "×", ""], items)]
    if order.shipments:
        rows = [
            [
                escape(s.shipment_id),
                escape(s.warehouse),
                escape(s.carrier),
                escape(s.tracking_number or ""),
                escape(s.status.value),
                escape(s.tracking.value if s.tracking else ""),
            ]
            for s in order.shipments
        ]
        body += [f"<h2>{words['shipments']}</h2>", _table(["", "", "", "", "", ""], rows)]
    if order.holds:
        rows = [
            [
                escape(h.code),
                escape(mask_personal_data_in(h.text(lang))),
                words["open"]
                if h.cleared_at is None
                else f"{words['cleared']} ({escape(h.cleared_by or '')})",
            ]
            for h in order.holds
        ]
        body += [f'<h2 id="holds">{words["holds"]}</h2>', _table(["", "", ""], rows)]
    if order.returns:
        rows = [
            [
                escape(r.return_id),
                escape(r.reason.value),
                escape(r.status.value),
                escape(format_money(r.paid_back, lang) if r.paid_back else ""),
            ]
            for r in order.returns
        ]
        body += [f"<h2>{words['returns']}</h2>", _table(["", "", "", ""], rows)]
    body += [f'<h2 id="timeline">{words["timeline"]}</h2>', _timeline(order, lang, zone)]
    body.append(f'<p><a href="/operator?lang={lang}">{words["back"]}</a></p>')
    return _page(f"{words['order']} {order.number}", lang, body)


def _timeline(order: Order, lang: str, zone: str) -> str:
    words = _WORDS[lang]
    rows = []
    for event in order.history:
        if event.name == "placed":
            move = status_label(event.to_status, lang)
        elif event.from_status is not event.to_status:
            move = (
                f"{status_label(event.from_status, lang)} → {status_label(event.to_status, lang)}"
            )
        else:
            move = ""
        detail = mask_emails_in(", ".join(f"{k}={v}" for k, v in event.details if v))
        if event.reason:  # free text a person wrote
            why = mask_personal_data_in(event.reason)
            detail = f"{detail} «{why}»" if detail else f"«{why}»"
        rows.append(
            [
                escape(format_time(event.at, lang, zone)),
                escape(event_label(event.name, lang)),
                escape(move),
                escape(event.actor),
                escape(detail),
            ]
        )
    head = [words["time"], words["event"], words["move"], words["actor"], words["detail"]]
    return _table(head, rows)
