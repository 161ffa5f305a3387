"""The campaign's journal law: the books the accounting port received, exported as the files
弥生, freee and マネーフォワード import, read back to the same debits and credits per account."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from orderflow.domain.booking import JournalEntry
from orderflow.domain.journal import posted_entries
from orderflow.domain.order import Order
from orderflow.domain.queues import queue_facts
from orderflow.journals import (
    export_freee,
    export_moneyforward,
    export_yayoi,
    read_freee,
    read_moneyforward,
    read_yayoi,
)
from tests.integration.campaign_world import Flow

FORMATS = (
    ("弥生", export_yayoi, read_yayoi),
    ("freee", export_freee, read_freee),
    ("MF", export_moneyforward, read_moneyforward),
)


def _by_account(entries: list[JournalEntry]) -> Counter[tuple[str, str, str, str]]:
    sums: Counter[tuple[str, str, str, str]] = Counter()
    for entry in entries:
        for line in entry.lines:
            key = (line.side.value, line.account, line.sub_account, line.tax_category)
            sums[key] += int(line.amount.amount)
    return sums


def journal_laws(flow: Flow) -> list[str]:
    """Every entry balances, and each file reads back to what the books hold."""
    entries = [entry for _, entry in flow.shop.accounting.entries]
    found: list[str] = []
    for entry in entries:
        debit, credit = entry.totals()
        if debit != credit:
            found.append(f"journal {entry.reference}: debits {debit} ≠ credits {credit}")
    if not entries:
        return found
    since = min(e.date for e in entries)
    until = max(e.date for e in entries)
    expected = _by_account(entries)
    for name, export, read in FORMATS:
        back = read(export(entries, since=since, until=until))
        if _by_account(back) != expected:
            found.append(f"the {name} export does not read back to the books")
    return found


def rebuilt_journal_laws(flow: Flow, orders: Mapping[str, Order]) -> list[str]:
    """Each order's entries made again from the order alone are the ones it posted."""
    settings = flow.shop.desk.settings
    zone = ZoneInfo(settings.zone)
    posted: dict[str, list[JournalEntry]] = {}
    for _, entry in flow.shop.accounting.entries:
        posted.setdefault(entry.reference.split("/")[0], []).append(entry)
    found = []
    for number, order in orders.items():
        rebuilt = posted_entries(order, settings.tax, settings.accounts, settings.recognition, zone)
        books = posted.get(number, [])
        if sorted(rebuilt, key=_sort_key) != sorted(books, key=_sort_key):
            refs = [e.reference for e in books]
            found.append(f"{number}: entries made again from it differ from those posted {refs}")
        # a month's export reads the booked orders changed since the month began
        changed = queue_facts(order).booked_changed_at
        last = None if changed is None else changed.astimezone(zone).date()
        late = [e.date for e in rebuilt if last is None or e.date > last]
        if late:
            found.append(f"{number}: entries dated {late} after it last changed ({last})")
    return found


def _sort_key(entry: JournalEntry) -> tuple[str, str]:
    return entry.reference, entry.date.isoformat()


__all__ = ["journal_laws", "rebuilt_journal_laws"]
