"""What a shipping notice adds about a 同梱 box: the other orders in it and, 代引き, its sum.

A box of several orders (:mod:`orderflow.domain.bundling`) leaves under one label; the carrier
collects the sum of the orders' 代引き amounts for it (each order's shipment keeps its own
``cod_amount``, and each records its own as received on delivery). The order's notice is decided
by the order alone, so the executor adds these facts when it sends it, from the other orders of
the box as they are stored.
"""

from __future__ import annotations

from collections.abc import Callable

from orderflow.domain.effects import Notify
from orderflow.domain.money import Money
from orderflow.domain.order import Order
from orderflow.domain.payment import PaymentMethod

__all__ = ["box_facts"]


def box_facts(
    order: Order, effect: Notify, find: Callable[[str], Order | None]
) -> tuple[tuple[str, object], ...]:
    """The facts the shipping notice ``effect`` of ``order`` adds when its parcel is a 同梱 box.

    ``parcel_orders``: the box's other orders (``1002, 1003``); ``parcel_cod_amount`` (代引き):
    what the driver collects for the whole box, the sum of its shipments' ``cod_amount``.
    Nothing when the parcel (the ``shipment_id`` fact) carries no other order's shipment.
    ``find`` gives a stored order by number (None when there is none). Any other kind of notice
    adds nothing.
    """
    if effect.notice != "shipping":
        return ()
    told = dict(effect.facts)
    shipment = next((s for s in order.shipments if s.shipment_id == told.get("shipment_id")), None)
    if shipment is None or shipment.parcel is None:
        return ()
    zero = Money.zero(order.currency)
    amount = shipment.cod_amount or zero
    others = []
    for number in order.bundle:
        mate = find(number) if number != order.number else None
        mine = [s for s in mate.shipments if s.parcel == shipment.parcel] if mate else []
        if mate is None or not mine:
            continue
        others.append(number)
        amount = Money.total([amount, *(s.cod_amount or zero for s in mine)], order.currency)
    if not others:
        return ()
    added: tuple[tuple[str, object], ...] = (("parcel_orders", ", ".join(others)),)
    if order.payment.method is PaymentMethod.COD:
        added = (*added, ("parcel_cod_amount", max(amount, zero)))
    return added
