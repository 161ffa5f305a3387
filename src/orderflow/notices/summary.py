"""What a notice tells about its order (:class:`OrderSummary`).

Lines, totals, tax per rate, address, payment, delivery and parcels, taken from the order when
the notice is sent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

from orderflow.domain.address import Address
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderLine, OrderTotals, Shipment
from orderflow.domain.payment import PaymentMethod
from orderflow.errors import InvalidValue

if TYPE_CHECKING:
    from orderflow.settings import ShopSettings

__all__ = ["OrderSummary", "summarize"]


@attrs.frozen(slots=True)
class OrderSummary:
    """The order as a notice shows it; its repr shows no personal data (the address is masked).

    ``waiting`` maps line ids to units still to reserve (取り寄せ・入荷待ち), ``arrivals`` to the
    date they are expected.
    """

    lines: tuple[OrderLine, ...]
    """The order's lines when the notice was sent (the items block lists them)."""
    totals: OrderTotals
    """The order's totals under the shop's tax rule: items, fees, reductions, tax per rate."""
    ship_to: Address
    """The delivery address, shown whole in the notice (masked in the repr)."""
    payment_method: PaymentMethod
    """How the order is paid; picks the payment block's wording (and ``COD fee`` in the totals)."""
    instructions: tuple[tuple[str, str], ...] = ()
    """The payment's instructions (virtual account, konbini number and deadline …)."""
    placed_at: datetime | None = None
    """When the order was placed (aware); None only in a summary built without it."""
    delivery_date: date | None = None
    """お届け希望日, or None when the customer asked for none."""
    delivery_slot: str | None = None
    """お届け時間帯 (``午前中``, ``14-16`` …), or None when the customer asked for none."""
    waiting: tuple[tuple[str, int], ...] = ()
    """(line id, units still to reserve) for each line short of stock (入荷待ち); empty: nothing
    missing."""
    arrivals: tuple[tuple[str, date], ...] = ()
    """(line id, 入荷予定日) for the waiting lines whose arrival date is known."""
    inclusive: bool = True
    """Prices include the consumption tax (内税)."""
    shipments: tuple[Shipment, ...] = ()
    """The order's shipments (parcels): what each carries and, 代引き, what its driver collects
    (``Shipment.cod_amount``, the amount the carrier's label file asks for)."""

    @property
    def currency(self) -> str:
        """The order's currency."""
        return self.totals.total.currency

    def instruction(self, name: str) -> str | None:
        """One payment instruction (``account_number``, ``payment_number`` …), if given."""
        for key, value in self.instructions:
            if key == name:
                return value
        return None

    @property
    def cod_amount(self) -> Money:
        """What the drivers collect for 代引き over every parcel: the order's total."""
        return self.totals.total

    def shipment(self, shipment_id: object) -> Shipment | None:
        """The order's shipment ``shipment_id``, or None when the order has no such shipment."""
        for shipment in self.shipments:
            if shipment.shipment_id == shipment_id:
                return shipment
        return None


def summarize(order: Order, settings: ShopSettings) -> OrderSummary:
    """The summary of ``order`` under the shop's ``settings`` (its tax rule).

    Raises :class:`~orderflow.errors.InvalidValue` for an ``order`` that is not an
    :class:`~orderflow.domain.order.Order` or ``settings`` that are not a ``ShopSettings``.
    """
    from orderflow.settings import ShopSettings

    if not isinstance(order, Order):
        raise InvalidValue("order", order, "an Order")
    if not isinstance(settings, ShopSettings):
        raise InvalidValue("settings", settings, "the shop's ShopSettings")
    return OrderSummary(
        lines=order.lines,
        totals=order.totals(settings.tax),
        ship_to=order.ship_to,
        payment_method=order.payment.method,
        instructions=order.payment.instructions,
        placed_at=order.placed_at,
        delivery_date=order.delivery_date,
        delivery_slot=order.delivery_slot,
        waiting=tuple(order.unallocated().items()),
        arrivals=order.arrivals,
        inclusive=settings.tax.mode.value == "inclusive",
        shipments=order.shipments,
    )
