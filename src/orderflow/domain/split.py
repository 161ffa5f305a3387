"""Order split (注文分割): parts of an order become orders of their own, money kept to the yen.

The rule, stated once (docs/changes.md has a worked example):

1. Each part's lines are exact: unit price × the quantity moved into the part.
2. The shipping fee and other fees are apportioned over the parts in proportion to their item
   amounts, each share rounded down, the yen left over going to the first part.
3. The price reductions (discount + points used) are apportioned over the parts' charges (items
   + their shipping and fees), each share rounded down, the yen left over going one by one to the
   parts with the largest fractions that still have room (no part is reduced below zero); each
   part's reduction is then divided between points and discount the same way. In a currency
   with cents a point (one whole dollar) cannot be cut: the points are shared first, in whole
   points, over the charges, then the discount over what they leave.
4. Tax is worked out per part and per rate with the shop's rule; what the parts' rounding leaves
   against the parent's tax of a rate goes, as a tax adjustment, to the part with the largest
   base at that rate (the first such part on a tie); tax taken off comes off no part below zero,
   the rest off the next largest. So every total, and the tax of every rate, adds up to the
   parent's.
5. Allocations move with their lines (the first warehouses first); the parts are numbered
   ``<parent>-1``, ``<parent>-2`` …; the parent is closed (キャンセル, "split into …") and every
   part records the parent it came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from orderflow.domain._values import replace
from orderflow.domain.events import Cancelled, SplitFrom
from orderflow.domain.lifecycle import Context, make_event
from orderflow.domain.money import Money
from orderflow.domain.order import Allocation, Order, OrderLine, OrderTotals, Payment
from orderflow.domain.payments import PAYMENT_WAITS
from orderflow.domain.status import OrderStatus
from orderflow.domain.tax import TaxRate, TaxRule
from orderflow.errors import InvalidValue

__all__ = ["SPLITTABLE", "capped_shares", "check_split_again", "split_order", "split_parts"]

SPLITTABLE = (
    OrderStatus.ORDERED,
    OrderStatus.UNALLOCATED,
    OrderStatus.PARTIALLY_ALLOCATED,
    OrderStatus.ALLOCATED,
)
"""Statuses an order can be split in (before shipping is instructed)."""


def split_parts(order: Order) -> tuple[str, ...]:
    """The numbers of the parts ``order`` was split into (注文分割); ``()`` if it was not split.

    A split closes the parent as キャンセル, its ``Cancelled`` event naming the parts.
    """
    if order.status is not OrderStatus.CANCELLED:
        return ()
    for event in reversed(order.history):
        if isinstance(event, Cancelled) and event.split_into:
            return tuple(event.split_into.split(", "))
    return ()


def check_split_again(
    parent: Order, parts: Sequence[Mapping[str, int]], children: Sequence[Order]
) -> None:
    """A split asked again of ``parent``, already split into ``children``, must be the same.

    Raises :class:`InvalidValue` naming ``parts`` when the parts asked for are not those the
    order was split into (an order is split once; a repeat returns its parts).
    """
    _check_parts(parent, parts)
    asked = [_units(parent, part) for part in parts]
    made = [
        next((e.units for e in child.history if isinstance(e, SplitFrom)), "") for child in children
    ]
    if "" in made:  # saved before the parts kept their units: nothing to compare with
        return
    if asked != made:
        raise InvalidValue(
            "parts",
            "; ".join(asked),
            f"the parts order {parent.number} was split into ({'; '.join(made)}): "
            "an order is split once",
        )


def _units(order: Order, part: Mapping[str, int]) -> str:
    """``part`` written in ``order``'s line order: ``L1×2, L3×1``."""
    return ", ".join(
        f"{line.line_id}×{part[line.line_id]}" for line in order.lines if line.line_id in part
    )


def _check_parts(order: Order, parts: Sequence[Mapping[str, int]]) -> None:
    if isinstance(parts, (str, bytes, Mapping)) or not isinstance(parts, Sequence):
        raise InvalidValue("parts", parts, "a list of parts, each a mapping of line id to units")
    for index, part in enumerate(parts):
        if not isinstance(part, Mapping):
            raise InvalidValue(f"parts[{index}]", part, "a mapping of line id to units")
    if len(parts) < 2:
        raise InvalidValue("parts", len(parts), "at least two parts")
    moved: dict[str, int] = {}
    known = [line.line_id for line in order.lines]
    for index, part in enumerate(parts):
        for line_id, quantity in _checked_part(part, index, known):
            moved[line_id] = moved.get(line_id, 0) + quantity
    for line in order.lines:
        if moved.get(line.line_id, 0) != line.quantity:
            raise InvalidValue(
                f"parts (line {line.line_id})",
                moved.get(line.line_id, 0),
                f"all {line.quantity} units of the line, each in one part",
            )


def _checked_part(part: Mapping[str, int], index: int, known: list[str]) -> list[tuple[str, int]]:
    """The (line id, units) of ``parts[index]``: each a known line with 1 or more units."""
    if not part:
        raise InvalidValue(f"parts[{index}]", part, "at least one line")
    for line_id, quantity in part.items():
        if line_id not in known:
            raise InvalidValue(f"parts[{index}][{line_id!r}]", line_id, f"one of {known}")
        if type(quantity) is not int or quantity < 1:
            raise InvalidValue(f"parts[{index}][{line_id!r}]", quantity, "a quantity of 1 or more")
    return list(part.items())


def _share_allocations(
    order: Order, parts: Sequence[Mapping[str, int]]
) -> list[tuple[Allocation, ...]]:
    """Each part's allocations: reserved units follow their line, first warehouses first."""
    left = {(a.line_id, a.warehouse): a.quantity for a in order.allocations}
    shares: list[tuple[Allocation, ...]] = []
    for part in parts:
        mine: list[Allocation] = []
        for line_id, quantity in part.items():
            need = quantity
            for (line, warehouse), held in list(left.items()):
                if line != line_id or not held or not need:
                    continue
                take = min(held, need)
                left[(line, warehouse)] = held - take
                need -= take
                mine.append(Allocation(line_id, warehouse, take))
        shares.append(tuple(mine))
    return shares


def _apportion(amount: Money, weights: Sequence[Decimal]) -> list[Money]:
    return amount.allocate(list(weights), remainder_to=0)


def capped_shares(total: int, weights: Sequence[int], caps: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights``, no share above its cap, exactly.

    Shares are rounded down; the units left over go one at a time to the largest fractional
    parts that are still below their cap (ties to the lower index). ``total`` may not exceed the
    caps' sum.
    """
    if total > sum(caps):
        raise InvalidValue("total", total, f"no more than the caps allow ({sum(caps)})")
    weight = sum(weights)
    if not total:
        return [0] * len(weights)
    if not weight:
        weights, weight = list(caps), sum(caps)
    exact = [Decimal(total) * w / weight for w in weights]
    shares = [min(int(e), c) for e, c in zip(exact, caps, strict=True)]
    left = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - int(exact[i])), i))
    while left:
        for i in order:
            if left and shares[i] < caps[i]:
                shares[i] += 1
                left -= 1
    return shares


def _reductions(order: Order, charges: list[int]) -> tuple[list[Money], list[int]]:
    """Each part's discount and points used, from the parts' charges in minor units (rule 3).

    A point is worth one whole unit of the currency (1 point = ¥1, $1). In yen a point is the
    minor unit, and the reductions are shared together, then divided between points and
    discount. In a currency with cents a part takes whole points: the points are shared over
    the charges first (no part given more points than its charges hold whole units), then the
    discount over what the points leave; a share in cents would be cut to whole points, and the
    points so lost charged to the customer.
    """
    currency = order.currency
    unit = Money.of(1, currency).minor_units
    if unit == 1:
        points_units = order.points_used
        reductions = capped_shares(order.discount.minor_units + points_units, charges, charges)
        points = capped_shares(points_units, reductions, reductions)
        discounts = [r - p for r, p in zip(reductions, points, strict=True)]
    else:
        room = [charge // unit for charge in charges]
        if order.points_used > sum(room):
            raise InvalidValue(
                "parts",
                order.points_used,
                f"parts whose charges can carry the {order.points_used} points used in whole "
                f"{currency} ({sum(room)} at most: move lines so that fewer parts have cents "
                "left over)",
            )
        points = capped_shares(order.points_used, charges, room)
        left = [charge - p * unit for charge, p in zip(charges, points, strict=True)]
        discounts = capped_shares(order.discount.minor_units, left, left)
    return [Money.from_minor_units(d, currency) for d in discounts], points


def split_order(
    order: Order,
    parts: Sequence[Mapping[str, int]],
    rule: TaxRule,
    ctx: Context,
    payments: Sequence[Payment] | None = None,
) -> tuple[Order, list[Order]]:
    """The parent closed as split, and its parts as new orders (see the module's rule).

    ``parts`` lists, per part, line id → units moved there. ``payments`` are the parts' new
    payments (by default a fresh payment of the parent's method and token each).
    """
    if order.status not in SPLITTABLE:
        raise InvalidValue("status", order.status.name, "an order not yet instructed to ship")
    if order.payment.received:  # money in: the order, not the parts, is what is refused
        raise InvalidValue(
            "number",
            order.number,
            "an order whose payment has not arrived yet (money received is not split: cancel it, "
            "the money is recorded as owed back, and place the parts as new orders)",
        )
    _check_parts(order, parts)
    currency = order.currency
    part_lines: list[tuple[OrderLine, ...]] = [
        tuple(
            attrs.evolve(order.line(line_id), quantity=quantity)
            if order.line(line_id).quantity != quantity
            else order.line(line_id)
            for line_id, quantity in part.items()
        )
        for part in parts
    ]
    items = [sum((line.amount.amount for line in lines), Decimal(0)) for lines in part_lines]
    shipping = _apportion(order.shipping_fee, items)
    fees = _apportion(order.fees, items)
    charges = [
        (Money(i, currency) + s + f).minor_units
        for i, s, f in zip(items, shipping, fees, strict=True)
    ]
    discounts, points = _reductions(order, charges)
    allocations = _share_allocations(order, parts)
    numbers = [f"{order.number}-{n}" for n in range(1, len(parts) + 1)]
    children: list[Order] = []
    for n, lines in enumerate(part_lines):
        payment = (
            payments[n]
            if payments is not None
            else Payment(order.payment.method, currency, order.payment.token)
        )
        child = replace(
            order,
            number=numbers[n],
            lines=lines,
            payment=payment,
            shipping_fee=shipping[n],
            fees=fees[n],
            discount=discounts[n],
            points_used=points[n],
            allocations=allocations[n],
            shipments=(),
            outbox=(),
            seq=0,
            requests=(),
            bundle=(),  # a part is packed on its own (同梱 again if wanted)
            proposal=None,
            points_taken=points[n] if order.points_taken else 0,
            holds=tuple(h for h in order.holds if h.is_open and h.code not in PAYMENT_WAITS),
            tax_adjustments=(),
            split_from=order.number,
            version=1,
        )
        waiting = child.unallocated()  # 入荷予定日: only of what this part still waits for
        child = replace(child, arrivals=tuple(a for a in order.arrivals if a[0] in waiting))
        status = _status_of(child, order.status)
        event = make_event(
            replace(child, status=status),
            ctx,
            SplitFrom,
            status,
            {"parent": order.number, "units": _units(order, parts[n])},
        )
        children.append(replace(child, status=status, history=(event,)))
    children = _settle_tax(order, children, rule)
    parent_event = make_event(
        order, ctx, Cancelled, OrderStatus.CANCELLED, {"split_into": ", ".join(numbers)}
    )
    parent = replace(
        order,
        status=OrderStatus.CANCELLED,
        allocations=(),
        history=(*order.history, parent_event),
        points_taken=0,
    )
    return parent, children


def _status_of(child: Order, parent_status: OrderStatus) -> OrderStatus:
    if parent_status is OrderStatus.ORDERED:
        return OrderStatus.ORDERED
    missing = child.unallocated()
    if not child.allocations and missing:
        return OrderStatus.UNALLOCATED
    return OrderStatus.PARTIALLY_ALLOCATED if missing else OrderStatus.ALLOCATED  # 直送 only


def _settle_tax(parent: Order, children: list[Order], rule: TaxRule) -> list[Order]:
    """Give each rate's rounding difference to the part with the largest base at that rate.

    Tax taken off (the parts' rounding gave them more than the parent's) comes off the parts
    the largest base first, each no more than its own tax, so no part is left with negative tax
    (切り上げ: three ¥1 parts have ¥1 of tax each, their parent ¥1 in all); it always fits, since
    the parent's tax is never negative.
    """
    want = parent.totals(rule)
    got = [child.totals(rule) for child in children]
    adjustments: list[dict[TaxRate, Money]] = [{} for _ in children]
    for line in want.tax.lines:
        rate = line.rate
        parts = [t.tax.for_rate(rate) for t in got]
        left = line.tax.minor_units - sum(p.tax.minor_units for p in parts if p is not None)
        bases = [_base(t, rate) for t in got]
        for i in sorted(range(len(children)), key=lambda i: (-bases[i], i)):
            part = parts[i]
            if not left:
                break
            step = left
            if left < 0:  # never more off a part than its own tax
                step = max(left, -part.tax.minor_units) if part is not None else 0
            if step:
                adjustments[i][rate] = Money.from_minor_units(step, parent.currency)
                left -= step
    return [
        replace(child, tax_adjustments=tuple(adj.items())) if adj else child
        for child, adj in zip(children, adjustments, strict=True)
    ]


def _base(totals: OrderTotals, rate: TaxRate) -> Decimal:
    line = totals.tax.for_rate(rate)
    return line.base.amount if line is not None else Decimal(-1)
