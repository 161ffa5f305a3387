"""同梱: one parcel for several orders of one customer, each order keeping its own money.

A customer who orders twice before the first order ships expects one parcel. Orders that may go
together (:func:`bundle_candidates`): the same customer id, or the same normalised name, street
address and phone (a guest who ordered twice); a compatible payment (all 代引き or none: a COD
parcel collects one amount); the same delivery date and slot; nothing instructed yet, nothing
cancelled or held. They are merged at the shipment level: each order keeps its payment, totals,
history and its own shipments; the shipments of one warehouse carry the same ``parcel`` id, which
the warehouse packs as one box and the carrier labels once. The merge can be undone until the
parcel is instructed. Pure: the desk does the calls.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from orderflow.domain import lifecycle, shipments
from orderflow.domain.events import Bundled, Unbundled
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import Order, Shipment, ShipmentStatus
from orderflow.domain.payment import PaymentMethod
from orderflow.domain.payments.parcels import cod_over_limit
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import InvalidValue

__all__ = [
    "BUNDLEABLE",
    "box_carrier",
    "box_for",
    "box_gone",
    "bundle",
    "bundle_candidates",
    "check_box_cod",
    "leave",
    "parcel_id",
    "too_late_to_unbundle",
    "unbundle",
    "why_not_kept",
    "why_not_together",
]

BUNDLEABLE = (
    OrderStatus.ORDERED,
    OrderStatus.UNALLOCATED,
    OrderStatus.PARTIALLY_ALLOCATED,
    OrderStatus.ALLOCATED,
)
"""The statuses of an order that may still join or leave a parcel (nothing instructed)."""


def _text(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).casefold()


def _recipient(order: Order) -> tuple[str, ...]:
    """Who and where the parcel goes: normalised name, address and phone."""
    to = order.ship_to
    return (
        _text(to.name),
        to.postal_code,
        _text(f"{to.prefecture.ja}{to.city}{to.line1}{to.line2 or ''}"),
        to.phone,
    )


def why_not_together(orders: Sequence[Order]) -> str | None:
    """Why ``orders`` cannot share a parcel, or None when they can."""
    if len(orders) < 2:
        return "a parcel needs two orders or more"
    if len({o.number for o in orders}) != len(orders):
        return "an order is named twice"
    first = orders[0]
    for order in orders:
        if order.status not in BUNDLEABLE:
            return f"{order.number} is {order.status.name} (only orders not yet instructed)"
        if order.open_holds:
            return f"{order.number} is on hold ({order.open_holds[0].code})"
        if order.outbox:
            return f"{order.number} has pending effects"
        if order.customer.id != first.customer.id and _recipient(order) != _recipient(first):
            return f"{order.number} goes to another customer"
        reason = _unlike(order, first)
        if reason is not None:
            return reason
    return None


def _unlike(order: Order, other: Order) -> str | None:
    """Why ``order`` and ``other`` cannot go in one box: recipient, 代引き, delivery date."""
    if _recipient(order) != _recipient(other):
        return f"{order.number} goes to another address"
    cod = order.payment.method is PaymentMethod.COD
    if cod != (other.payment.method is PaymentMethod.COD):
        return f"{order.number}: 代引き and prepaid orders do not share a parcel"
    if (order.delivery_date, order.delivery_slot) != (other.delivery_date, other.delivery_slot):
        return f"{order.number} asks for another delivery date or slot"
    return None


def why_not_kept(changed: Order, mates: Iterable[Order]) -> str | None:
    """Why ``changed`` (an order of a parcel as a change would make it) may not stay in it.

    The recipient, 代引き or not, and the delivery date and slot must still be those of the
    parcel's other orders (``mates``; cancelled ones and orders of other parcels are ignored).
    """
    for mate in mates:
        if mate.number == changed.number or mate.status not in BUNDLEABLE:
            continue
        if mate.bundle != changed.bundle:
            continue
        reason = _unlike(changed, mate)
        if reason is not None:
            return reason
    return None


def bundle_candidates(orders: Iterable[Order]) -> list[tuple[str, ...]]:
    """Groups of two or more open orders that may share a parcel (by recipient), oldest first.

    Orders already in a parcel are left out; each group is sorted by number.
    """
    groups: dict[tuple[object, ...], list[Order]] = {}
    for order in sorted(orders, key=lambda o: (o.placed_at, o.number)):
        if order.bundle or order.status not in BUNDLEABLE or order.open_holds or order.outbox:
            continue
        key = (order.payment.method is PaymentMethod.COD, order.delivery_date, order.delivery_slot)
        groups.setdefault((*_recipient(order), *key), []).append(order)
    return [tuple(sorted(o.number for o in group)) for group in groups.values() if len(group) > 1]


def box_for(orders: Sequence[Order]) -> str:
    """The name of the box ``orders`` go in together.

    The one some of them were already packed in together (a repeat of a call that failed
    half-way), else a new one (see :func:`~orderflow.domain.shipments.new_box_name`).
    """
    together = tuple(sorted({o.number for o in orders}))
    for order in orders:
        if order.bundle == together:
            return shipments.box_name(order)
    first = next(o for o in orders if o.number == together[0])
    return shipments.new_box_name(first)


def bundle(order: Order, members: Sequence[str], ctx: Context, *, box: str) -> Order:
    """``order`` as one of the parcel's ``members`` (the numbers of every order in it).

    It is packed in the box named ``box`` (:func:`box_for`).
    """
    if order.status not in BUNDLEABLE:
        raise InvalidValue("numbers", order.number, "orders not yet instructed")
    together = tuple(sorted(set(members)))
    if order.number not in together:
        raise InvalidValue("numbers", together, f"a parcel that holds {order.number}")
    if order.bundle == together:
        return order
    moved, _ = lifecycle.record_fact(
        order,
        ctx,
        Bundled,
        fields={"members": ", ".join(together), "parcel": box},
        bundle=together,
    )
    return moved


def unbundle(order: Order, ctx: Context, *, leaving: str | None = None) -> Order:
    """``order`` out of its parcel (or ``leaving`` out of the parcel ``order`` stays in).

    A parcel left with one order is no parcel: its last order is out too. An order whose box
    is instructed already (or gone) is not in the way of another order ``leaving``, which has
    nothing in that box (a cancelled order, one the box went without): it stays as it is.
    """
    if not order.bundle or (leaving is not None and leaving not in order.bundle):
        return order  # out already (a repeat)
    if order.status not in BUNDLEABLE and order.status is not OrderStatus.CANCELLED:
        if leaving is not None and leaving != order.number:
            return order
        raise too_late_to_unbundle(order)
    rest = tuple(n for n in order.bundle if n != (leaving or order.number))
    stays = leaving is not None and leaving != order.number and len(rest) > 1
    moved, _ = lifecycle.record_fact(
        order, ctx, Unbundled, fields={"members": ", ".join(rest)}, bundle=rest if stays else ()
    )
    return moved


def too_late_to_unbundle(order: Order, *, box_left: bool = False) -> InvalidValue:
    """The refusal of an unbundle of ``order``, whose parcel is instructed: what works instead.

    While no box of the parcel has left (``box_left``: one did, with another order) and the
    instruction can be taken back (:func:`~orderflow.domain.lifecycle.why_not_recalled`),
    ``desk.recall`` does it, and takes the order out of its parcel; else it says why not.
    """
    expected = "an order whose parcel is not instructed yet"
    gone = box_left or order.status is not OrderStatus.SHIPPING_INSTRUCTED
    why = "its parcel has left the warehouse" if gone else lifecycle.why_not_recalled(order)
    if why:
        instead = f"{why}; the parcel's orders travel together"
    else:
        instead = (
            "desk.recall(number) takes the shipping instruction back, and the order out of "
            "its parcel, while no box has left"
        )
    return InvalidValue("number", order.number, f"{expected} ({instead})")


def leave(order: Order, ctx: Context) -> Order:
    """``order`` on its own again, whatever its parcel said (a half-made parcel is undone)."""
    if not order.bundle:
        return order
    moved, _ = lifecycle.record_fact(order, ctx, Unbundled, fields={"members": ""}, bundle=())
    return moved


def box_carrier(members: Sequence[Order], carrier: str | None) -> str | None:
    """The carrier the rest of a parcel goes with: the one its instructed shipments have.

    A parcel instructed half-way (the warehouse did not answer) has some orders' shipments
    sent with a carrier: one box goes with one carrier, so the others go with it, asked again
    with no ``carrier`` or with the same one. Another ``carrier`` is refused
    (``InvalidValue`` naming ``carrier``). None of its shipments instructed: ``carrier`` as
    given (None: the shop's).
    """
    taken = {
        s.carrier
        for member in members
        for s in member.shipments
        if s.parcel is not None and s.status is ShipmentStatus.INSTRUCTED
    }
    if len(taken) != 1:
        return carrier
    [box] = taken
    if carrier is not None and carrier != box:
        raise InvalidValue(
            "carrier",
            carrier,
            f"the carrier the box was instructed with ({box}: orders of it were sent to the "
            "warehouse with it), or None",
        )
    return box


def box_gone(shipment: Shipment, members: Iterable[Order]) -> bool:
    """Whether the box ``shipment`` is packed in left already.

    It did when a shipment of its parcel in one of ``members`` (the parcel's orders) is shipped
    or delivered, while its own order has not recorded it yet (the box's ``ship`` stopped
    half-way; ``resume`` records it): the box has no label to print.
    """
    if shipment.parcel is None:
        return False
    return any(
        s.parcel == shipment.parcel
        and s.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)
        for member in members
        for s in member.shipments
    )


def parcel_id(order: Order, warehouse: str) -> str | None:
    """The parcel the order's shipment from ``warehouse`` goes in, if the order is bundled."""
    return shipments.parcel_of(order, warehouse)


def check_box_cod(instructed: Sequence[tuple[Order, Order]], carrier: str) -> None:
    """Refuse a box whose label would collect more than ``carrier`` collects for one parcel.

    ``instructed``: each order of the box before and after its 出荷指示 (worked out, not
    saved). 代引き: the box's label collects the sum of its shipments' ``cod_amount``
    (:data:`~orderflow.domain.payments.parcels.COD_LIMITS`), though each order alone is
    within the limit. Raises :class:`~orderflow.errors.MoveBlocked` naming the box.
    """
    collects: dict[str, Money] = {}
    for before, after in instructed:
        for shipment in after.shipments[len(before.shipments) :]:
            if shipment.parcel is not None and shipment.cod_amount is not None:
                start = collects.get(shipment.parcel, Money.zero(after.currency))
                collects[shipment.parcel] = start + shipment.cod_amount
    for parcel, amount in collects.items():
        over = cod_over_limit(carrier, amount, f"the box {parcel}")
        if over:
            raise lifecycle.blocked(instructed[0][0], Move.INSTRUCT_SHIPPING, over)
