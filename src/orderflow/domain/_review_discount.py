"""A discount cut to the charges when the review lowered the fee (クーポン利用額は請求額まで).

:data:`DISCOUNT_CAPPED` and :func:`cap_discount`, which
:func:`~orderflow.domain.review.apply_findings` runs after a corrected fee.
"""

from __future__ import annotations

from orderflow.domain._review_checks import ja_amount
from orderflow.domain.events import DiscountCapped
from orderflow.domain.lifecycle import Context, Outcome, raise_hold, record_fact
from orderflow.domain.money import Money
from orderflow.domain.order import Order

__all__ = ["DISCOUNT_CAPPED", "cap_discount"]


DISCOUNT_CAPPED = "discount_capped"
"""The hold raised when a corrected shipping fee left the discount above the charges."""


def cap_discount(order: Order, ctx: Context) -> Outcome:
    """The discount cut to the charges when a lower fee left it above them, and a hold.

    A coupon takes off at most what the order charges (クーポン利用額は請求額まで): an order
    whose discount is larger than its charges has no totals, and could never be accepted. The
    discount before is recorded (:class:`~orderflow.domain.events.DiscountCapped`) and the
    order held (:data:`DISCOUNT_CAPPED`) for a person to confirm (clear the hold), change or
    cancel it.
    """
    charges = Money.total(
        [line.amount for line in order.lines] + [order.shipping_fee, order.fees], order.currency
    )
    if order.discount <= charges:
        return order, ()
    old, new = order.discount.amount, charges.amount
    fields = {"old_discount": str(old), "new_discount": str(new)}
    was, now = ja_amount(order.discount), ja_amount(charges)
    order, capped = record_fact(order, ctx, DiscountCapped, fields=fields, discount=charges)
    order, held = raise_hold(
        order,
        DISCOUNT_CAPPED,
        f"送料訂正で値引き {was} が請求額を超えたため {now} に減額: 確認",
        ctx,
        message_en=f"the corrected shipping fee left the discount of {old} above the charges: "
        f"cut to {new}, confirm",
    )
    return order, (*capped, *held)
