"""How the demo prints an order: its timeline, its ledger and its status, in Japanese or English."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from orderflow.domain.order import Order, PaymentMethod
from orderflow.i18n import event_label, format_money, format_time, status_label
from orderflow.testing.shop import FakeShop

__all__ = ["HEADINGS", "columns", "pad", "print_order"]

HEADINGS = {
    "ja": {
        "title": "orderflow デモ(インメモリのフェイク)",
        "order": "注文",
        "total": "合計",
        "tax": "うち消費税",
        "status": "現在のステータス",
        "journal": "仕訳",
        "notices": "送信した通知",
        "shipping": "送料",
        "ledger": "決済台帳",
        "preview": "変更の試算",
        "delta": "差額",
        "points": "ポイント",
        "split": "注文分割",
        "items": "商品",
        "unmatched": "消込できない入金(要確認)",
        "picking": "ピッキングリスト",
        "earlier": "{db} には前回の実行で保存した受注が {count} 件あります(ファイルから読み込み)",
    },
    "en": {
        "title": "orderflow demo (in-memory fakes)",
        "order": "Order",
        "total": "Total",
        "tax": "tax included",
        "status": "Status now",
        "journal": "Journal entry",
        "notices": "Notices sent",
        "shipping": "shipping",
        "ledger": "ledger",
        "preview": "Change preview",
        "delta": "difference",
        "points": "points",
        "split": "Split",
        "items": "items",
        "unmatched": "Deposits no open order holds (for a person)",
        "picking": "Picking list",
        "earlier": "{db} already holds {count} orders from an earlier run (read from the file)",
    },
}
"""The demo's headings and words, per locale."""


METHODS = {
    "ja": {
        PaymentMethod.CARD: "クレジットカード",
        PaymentMethod.POSTPAY: "後払い",
        PaymentMethod.BANK_TRANSFER: "銀行振込",
        PaymentMethod.KONBINI: "コンビニ前払い",
        PaymentMethod.COD: "代引き",
        PaymentMethod.AMAZON_PAY: "Amazonペイメント",
    },
    "en": {
        PaymentMethod.CARD: "card",
        PaymentMethod.POSTPAY: "post-pay",
        PaymentMethod.BANK_TRANSFER: "bank transfer",
        PaymentMethod.KONBINI: "convenience store",
        PaymentMethod.COD: "cash on delivery",
        PaymentMethod.AMAZON_PAY: "Amazon Pay",
    },
}
"""Each payment method's name as the demo prints it, per locale."""


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (full-width characters take two)."""
    return text + " " * max(0, width - columns(text))


def columns(text: str) -> int:
    """The terminal columns ``text`` takes (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_order(order: Order, shop: FakeShop, locale: str, out: Callable[[str], None]) -> None:
    """``order``'s heading, every event of its history, its payment ledger and its status."""
    words = HEADINGS[locale]
    totals = shop.desk.totals(order)
    method = METHODS[locale][order.payment.method]
    out(
        f"■ {words['order']} {order.number} [{method}]  "
        f"{words['total']} {format_money(totals.total, locale)}"
        f" ({words['tax']} {format_money(totals.tax_total, locale)},"
        f" {words['shipping']} {format_money(order.shipping_fee, locale)})"
    )
    zone = shop.desk.settings.zone
    width = max((columns(format_time(e.at, locale, zone)) for e in order.history), default=0)
    for event in order.history:
        moved = event.from_status is not event.to_status or event.name == "placed"
        arrow = (
            f"{status_label(event.from_status, locale)} → {status_label(event.to_status, locale)}"
            if event.name != "placed"
            else status_label(event.to_status, locale)
        )
        detail = ", ".join(f"{k}={v}" for k, v in event.details if v)
        reason = f" «{event.reason}»" if event.reason else ""
        out(
            f"  {pad(format_time(event.at, locale, zone), width)} "
            f"{pad(event_label(event.name, locale), 22)} "
            f"{pad(arrow if moved else '', 42)} [{event.actor}]"
            f"{'  ' + detail if detail else ''}{reason}".rstrip()
        )
    for entry in order.payment.ledger:
        out(
            f"  {words['ledger']}: {pad(entry.op.value, 12)} {pad(entry.outcome.value, 10)}"
            f" {format_money(entry.amount, locale):>9}  {entry.reference}".rstrip()
        )
    out(f"  {words['status']}: {status_label(order.status, locale)}")
