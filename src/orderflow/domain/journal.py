"""Every journal entry a booked order posted (仕訳), made again from the order alone.

The store keeps orders, not the entries posted to accounting. A booked order posted its sale's
entry (売上計上), a reversing entry for each return refunded (売上戻り) and an entry for each
goodwill refund made (売上値引); each is worked out again here from what the order recorded, with
the functions that made it: it is the posted entry when the tax rule, the account map, the
recognition basis and the zone are the ones the order was booked under.
"""

from __future__ import annotations

from datetime import date, tzinfo
from zoneinfo import ZoneInfo

from orderflow.domain._checks import given
from orderflow.domain.booking import (
    AccountMap,
    JournalEntry,
    RecognitionBasis,
    recognition_date,
    sale_entry,
)
from orderflow.domain.events import Booked
from orderflow.domain.goodwill import goodwill_entry, goodwill_refunds, goodwill_settled
from orderflow.domain.order import Order
from orderflow.domain.refunds import return_entry
from orderflow.domain.status import OrderStatus
from orderflow.domain.tax import TaxRule

__all__ = ["booked_on", "posted_entries"]


def posted_entries(
    order: Order,
    rule: TaxRule,
    accounts: AccountMap,
    recognition: RecognitionBasis,
    zone: ZoneInfo,
) -> list[JournalEntry]:
    """The entries ``order`` posted; none before it is booked.

    The sale's first, then the returns', then the goodwill refunds' (each group in the order it
    was posted: a goodwill refund posted before a return comes after it here).

    The sale's is dated as it was booked (:func:`booked_on`); each refunded return's 売上戻り
    entry (:func:`~orderflow.domain.refunds.return_entry`) the day it came back, unless it
    moved nothing (its refund all settled owed points) or it still waits on a 後払い provider
    (it posts when the provider agrees, never if it refuses);
    each goodwill refund's 売上値引 entry (:func:`~orderflow.domain.goodwill.goodwill_entry`) the
    day it was paid back, once its money moved.
    """
    given(order, Order, "order", "an Order")
    given(rule, TaxRule, "rule", "a TaxRule (ShopSettings.tax)")
    given(accounts, AccountMap, "accounts", "an AccountMap (ShopSettings.accounts)")
    given(recognition, RecognitionBasis, "recognition", "a RecognitionBasis (DELIVERY, SHIPMENT)")
    given(zone, tzinfo, "zone", "a ZoneInfo, such as ZoneInfo('Asia/Tokyo')")
    if order.status is not OrderStatus.BOOKED:
        return []
    entries = [sale_entry(order, rule, accounts, booked_on(order, recognition, zone))]
    for ret in order.returns:
        if ret.journal and ret.received_at is not None:
            day = ret.received_at.astimezone(zone).date()
            entry = return_entry(order, ret, rule, accounts, day)
            if any(line.amount for line in entry.lines):
                entries.append(entry)
    for made in goodwill_refunds(order):
        if goodwill_settled(order, made):
            day = made.at.astimezone(zone).date()
            entries.append(goodwill_entry(order, made.refund_id, made.rates, accounts, day))
    return entries


def booked_on(order: Order, recognition: RecognitionBasis, zone: ZoneInfo) -> date:
    """The date of a booked order's sale entry (売上計上日), as it was booked.

    Kept with the booking: a delivery time a carrier reports after it does not move the entry.
    An order booked before the date was kept is dated again by ``recognition`` in ``zone``.
    """
    for event in reversed(order.history):
        if isinstance(event, Booked) and event.on is not None:
            return event.on
    return recognition_date(order, recognition, zone)
