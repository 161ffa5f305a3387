"""journal_export_s: a month of 100,000 orders' journal entries as 弥生, freee and MF files."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import attrs

from orderflow import (
    AccountMap,
    Address,
    Context,
    Customer,
    Money,
    Order,
    OrderLine,
    PaymentMethod,
    TaxRate,
    TaxRule,
)
from orderflow.domain.booking import JournalEntry, sale_entry
from orderflow.domain.lifecycle import new_order
from orderflow.journals import export_freee, export_moneyforward, export_yayoi

ORDERS = 100_000
MONTH = date(2026, 11, 1)
ADDRESS = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")
CUSTOMER = Customer("C1", "山田 太郎", "taro@example.jp")


def _templates() -> list[Order]:
    """A few order shapes (card, COD, points, two rates, shipping) whose entries are reused."""
    ctx = Context(datetime(2026, 11, 1, tzinfo=UTC), "bench")
    shapes = [
        ([("TEA-1", 1080, 2, TaxRate.REDUCED), ("MUG-1", 2200, 1, TaxRate.STANDARD)], 880, 0, 0),
        ([("CAKE-1", 1620, 1, TaxRate.REDUCED)], 880, 330, 0),
        ([("MUG-1", 2200, 3, TaxRate.STANDARD)], 0, 0, 300),
        ([("TEA-1", 1080, 5, TaxRate.REDUCED)], 0, 0, 0),
    ]
    orders = []
    for n, (lines, shipping, fee, points) in enumerate(shapes):
        order, _ = new_order(
            number=f"T{n}",
            customer=CUSTOMER,
            ship_to=ADDRESS,
            lines=[
                OrderLine(f"L{i}", sku, "品", Money.yen(price), qty, rate)
                for i, (sku, price, qty, rate) in enumerate(lines)
            ],
            payment_method=PaymentMethod.COD if fee else PaymentMethod.CARD,
            ctx=ctx,
            shipping_fee=Money.yen(shipping),
            fees=Money.yen(fee),
            points_used=points,
        )
        orders.append(order)
    return orders


def month_of_entries(accounts: AccountMap) -> list[JournalEntry]:
    """100,000 sale entries over 30 days, each a template with its quantities varied."""
    rule = TaxRule()
    templates = _templates()
    entries = []
    for i in range(ORDERS):
        order = templates[i % len(templates)]
        bump = 1 + (i // len(templates)) % 7  # vary the amounts: 1 to 7 units of the first line
        first = attrs.evolve(order.lines[0], quantity=bump)
        order = attrs.evolve(order, number=f"{100000 + i}", lines=(first, *order.lines[1:]))
        entries.append(sale_entry(order, rule, accounts, MONTH + timedelta(days=i % 30)))
    return entries


def journal_export_s() -> tuple[float, str]:
    """Seconds to write one month (100,000 orders' entries) as the 弥生, freee and MF files."""
    runs = [
        (export_yayoi, month_of_entries(AccountMap.yayoi())),
        (export_freee, month_of_entries(AccountMap.freee())),
        (export_moneyforward, month_of_entries(AccountMap.moneyforward())),
    ]
    until = MONTH + timedelta(days=29)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for export, entries in runs:
            export(entries, since=MONTH, until=until)
        best = min(best, time.perf_counter() - start)
    return round(best, 2), "s"
