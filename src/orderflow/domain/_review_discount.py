"""A discount cut to the charges when the review lowered the fee (クーポン利用額は請求額まで).

:data:`DISCOUNT_CAPPED` and :func:`cap_discount`, which
:func:`~orderflow.domain.review.apply_findings` runs after a corrected fee; :func:`discount_capped`
records a cut, also the one a change makes (:func:`~orderflow.domain.changes.apply_change`).
"""

from __future__ import annotations

from orderflow.domain._review_checks import ja_amount
from orderflow.domain._values import replace
from orderflow.domain.events import DiscountCapped
from orderflow.domain.lifecycle import Context, Outcome, raise_hold, record_fact
from orderflow.domain.money import Money
from orderflow.domain.order import Order

__all__ = ["DISCOUNT_CAPPED", "cap_discount", "discount_capped"]


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
    was = order.discount
    return discount_capped(replace(order, discount=charges), was, ctx, by_change=False)


def discount_capped(order: Order, was: Money, ctx: Context, *, by_change: bool) -> Outcome:
    """Record that the discount ``was`` is cut to ``order.discount``, and hold for a person.

    ``by_change``: a 注文変更 (fewer items, a lower fee) left the coupon above the charges; else
    the review's corrected shipping fee did (送料訂正).
    """
    old, new = was.amount, order.discount.amount
    fields = {"old_discount": str(old), "new_discount": str(new)}
    before, now = ja_amount(was), ja_amount(order.discount)
    cause_ja, cause_en = (
        ("注文変更", "the change") if by_change else ("送料訂正", "the corrected shipping fee")
    )
    order, capped = record_fact(order, ctx, DiscountCapped, fields=fields)
    order, held = raise_hold(
        order,
        DISCOUNT_CAPPED,
        f"{cause_ja}で値引き {before} が請求額を超えたため {now} に減額: 確認",
        ctx,
        message_en=f"{cause_en} left the discount of {old} above the charges: "
        f"cut to {new}, confirm",
    )
    return order, (*capped, *held)
