"""The campaign's notice law: a customer hears of each thing that happened once.

Whatever timed out, crashed and was resumed, a notice is sent under its effect's key once; a
notice of the same news under another key is the domain deciding it twice. So, per order:
one confirmation, one cancellation, one split notice; one shipping notice per parcel; one
acceptance and one refund notice per return.
"""

from __future__ import annotations

from collections import Counter

from orderflow import Order
from tests.integration.campaign_world import Flow

__all__ = ["once_laws"]

_ONCE = ("order_confirmation", "cancellation", "order_split")
"""Kinds an order's customer hears of at most once."""

_ONCE_PER = {
    "shipping": "shipment_id",
    "return_accepted": "return_id",
    "return_refunded": "return_id",
    "return_refused": "return_id",
}
"""Kinds heard of at most once per the fact that names what they are about."""


def once_laws(flow: Flow, orders: dict[str, Order]) -> list[str]:
    """Notices of one piece of news sent twice to an order's customer."""
    counted: Counter[tuple[str, str, object]] = Counter()
    for notice in flow.shop.notifier.sent:
        if notice.order_number not in orders:
            continue
        if notice.kind in _ONCE:
            counted[notice.order_number, notice.kind, None] += 1
        elif notice.kind in _ONCE_PER:
            about = dict(notice.facts).get(_ONCE_PER[notice.kind])
            counted[notice.order_number, notice.kind, about] += 1
    return [
        f"{number}: {times} {kind} notices" + (f" for {about}" if about is not None else "")
        for (number, kind, about), times in sorted(counted.items(), key=str)
        if times > 1
    ]
