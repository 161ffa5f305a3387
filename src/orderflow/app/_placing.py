"""What one call of ``place`` asked for, and whether a stored order is that very order.

A cart retried after a time-out places the same order again: :meth:`Placing.placed` tells it
from another order under a used number (its inputs as placed, before the review corrected the
fee or capped the discount).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import attrs

from orderflow.domain.address import Address, Customer
from orderflow.domain.events import Changed, DiscountCapped, Placed, ShippingFeeChanged
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderLine, PaymentMethod

__all__ = ["Placing"]


@attrs.frozen(slots=True, kw_only=True)
class Placing:
    """What one call of ``place`` asked for: all of its inputs but the card token and actor."""

    customer: Customer
    ship_to: Address
    lines: tuple[OrderLine, ...]
    payment_method: PaymentMethod
    shipping_fee: Money | None
    discount: Money | None
    points_used: int
    channel: str
    remarks: str
    address_from_amazon: bool
    delivery_date: date | None = None
    delivery_slot: str | None = None

    def placed(self, order: Order) -> bool:
        """Whether ``order`` is what this asks for: the same order placed again."""
        zero = Money.zero(order.currency)
        guaranteed = self.payment_method is PaymentMethod.AMAZON_PAY and self.address_from_amazon
        return (
            order.customer == self.customer
            and order.ship_to == self.ship_to
            and _same_lines(order.lines, self.lines)
            and order.payment.method is self.payment_method
            and _fee_as_placed(order) == (zero if self.shipping_fee is None else self.shipping_fee)
            and _discount_as_placed(order) == (zero if self.discount is None else self.discount)
            and order.points_used == self.points_used
            and order.channel == self.channel
            and order.remarks == self.remarks
            and order.address_guaranteed == guaranteed
            and (order.delivery_date, order.delivery_slot)
            == (self.delivery_date, self.delivery_slot)
        )


def _same_lines(placed: Sequence[OrderLine], asked: Sequence[OrderLine]) -> bool:
    """The lines asked for, as placed: a set line without a recipe got the set's at placing."""
    return len(placed) == len(asked) and all(
        line == (ask if ask.recipe is not None else attrs.evolve(ask, recipe=line.recipe))
        for line, ask in zip(placed, asked, strict=True)
    )


def _fee_as_placed(order: Order) -> Money:
    """The shipping fee ``order`` was placed with, before the review corrected it.

    The first :class:`ShippingFeeChanged` after the last ``placed`` event keeps the fee it
    replaced; a 注文変更 before it may have changed the fee already (then: the fee now).
    """
    placed = [i for i, event in enumerate(order.history) if isinstance(event, Placed)]
    last = placed[-1] if placed else -1
    for event in order.history[last + 1 :]:
        if isinstance(event, Changed):
            break
        if isinstance(event, ShippingFeeChanged):
            return Money(Decimal(event.old_fee), order.currency)
    return order.shipping_fee


def _discount_as_placed(order: Order) -> Money:
    """The discount ``order`` was placed with, before a corrected fee capped it (as the fee)."""
    placed = [i for i, event in enumerate(order.history) if isinstance(event, Placed)]
    last = placed[-1] if placed else -1
    for event in order.history[last + 1 :]:
        if isinstance(event, Changed):
            break
        if isinstance(event, DiscountCapped):
            return Money(Decimal(event.old_discount), order.currency)
    return order.discount
