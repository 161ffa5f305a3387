"""Order change (注文変更): what a change is, applied purely, and the preview of its effect.

A change may set quantities (0 removes a line), add and remove lines, move the order to a new
address, set the delivery date and time slot, change the payment method, or change the points
used. :func:`apply_change` validates it and returns the changed order; the totals are worked out
again (tax per rate, the shipping fee for a new address, the COD fee) and the desk makes the
payment, the stock and the review follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from orderflow._mask import mask_token, masked_repr
from orderflow.domain._change_fields import (
    DELIVERY_SLOTS,
    check_change,
    check_delivery,
    line_ids_field,
    lines_field,
    prices_field,
    quantities_field,
)
from orderflow.domain._checks import given, given_rate
from orderflow.domain._review_discount import discount_capped
from orderflow.domain._values import replace
from orderflow.domain.address import Address
from orderflow.domain.bounds import check_units
from orderflow.domain.events import Changed
from orderflow.domain.lifecycle import Context, Outcome, record_fact
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderLine, OrderTotals, Payment, PaymentMethod
from orderflow.domain.payments import CodFeeTable
from orderflow.domain.review import ShippingFeeTable
from orderflow.domain.sets import Sets, check_set_units, with_recipe
from orderflow.domain.status import OrderStatus
from orderflow.domain.tax import TaxRule
from orderflow.errors import CurrencyMismatch, InvalidValue

__all__ = [
    "DELIVERY_SLOTS",
    "ChangePreview",
    "OrderChange",
    "apply_change",
    "lines_taken_off",
    "points_to_grant",
    "used_line_ids",
]


_CHANGEABLE = (
    OrderStatus.ORDERED,
    OrderStatus.UNALLOCATED,
    OrderStatus.PARTIALLY_ALLOCATED,
    OrderStatus.ALLOCATED,
)


@attrs.frozen(slots=True)
class OrderChange:
    """What to change; fields left at their default stay as they are.

    Each field is checked as the change is made: a value of the wrong kind (a date as text, a
    payment method's name, one line id where a set of them is asked for …) raises
    :class:`~orderflow.errors.InvalidValue` naming it (``change.delivery_date``).
    """

    quantities: Mapping[str, int] = attrs.field(
        factory=dict, converter=quantities_field, hash=False
    )
    """line id → new quantity; 0 removes the line (compared, but not hashed: a dict)."""
    add_lines: tuple[OrderLine, ...] = attrs.field(default=(), converter=lines_field)
    """New lines, each with a line id the order has not used; a set line takes today's
    recipe."""
    remove_lines: frozenset[str] = attrs.field(default=frozenset(), converter=line_ids_field)
    """Line ids to remove; at least one line must be left (else cancel the order)."""
    ship_to: Address | None = None
    """The new delivery address; the shipping fee is taken again from the shop's table when
    the table charges it otherwise than the old one (a corrected 番地 keeps the order's fee),
    and an Amazon Pay address guarantee is lost. ``None`` keeps the address."""
    delivery_date: date | None = None
    """The new requested delivery date (お届け指定日), today or later; ``None`` keeps it."""
    delivery_slot: str | None = None
    """The new delivery time slot, one of ``DELIVERY_SLOTS``; ``None`` keeps it."""
    clear_delivery: bool = False
    """Drop the requested delivery date and slot."""
    payment_method: PaymentMethod | None = None
    """The new payment method; a card or Amazon Pay needs ``token``. A move to or from COD
    adds or drops the COD fee. ``None`` keeps the method."""
    token: str | None = attrs.field(default=None, repr=masked_repr(mask_token))
    """The stored card token, when the new method is a card or Amazon Pay (masked in the repr).
    Given alone to a card or Amazon Pay order, another card: it is authorized for the total
    (the old authorization voided) or, refused, nothing changes."""
    points_used: int | None = None
    """The new number of points used (0 or more, at most the customer's points); points
    above the charges after the discount go back. ``None`` keeps it."""
    unit_prices: Mapping[str, Money] = attrs.field(factory=dict, converter=prices_field, hash=False)
    """単価訂正 (shop staff only): line id → the line's new unit price, zero or more, in the
    order's currency; a line the change also removes cannot take one."""
    shipping_fee: Money | None = None
    """送料訂正 (shop staff only): the new shipping fee, kept over the table's fee of a new
    address and over the review's (離島) correction. ``None`` keeps it (or takes the table's for
    a new address)."""
    discount: Money | None = None
    """値引き訂正 (shop staff only): the order's new discount, at most the charges after the
    change (items, shipping, fees). ``None`` keeps it (cut to the charges when they fall)."""

    def __attrs_post_init__(self) -> None:
        check_change(self)

    @property
    def touches_lines(self) -> bool:
        """Whether the change moves quantities (and so stock)."""
        return bool(self.quantities or self.add_lines or self.remove_lines)

    @property
    def corrects_prices(self) -> str:
        """The first price field the change corrects (``change.unit_prices`` …), or ``""``.

        Prices are corrected by shop staff: the desk refuses them from the customer.
        """
        for name, asked in (
            ("unit_prices", self.unit_prices),
            ("shipping_fee", self.shipping_fee is not None),
            ("discount", self.discount is not None),
        ):
            if asked:
                return f"change.{name}"
        return ""

    def describe(self) -> dict[str, str]:
        """The change in a few words, for the history (only what it changes)."""
        delivery = f"{self.delivery_date or ''} {self.delivery_slot or ''}".strip()
        words = {
            "quantities": ", ".join(f"{k}→{v}" for k, v in sorted(self.quantities.items())),
            "added": ", ".join(f"{x.line_id}:{x.sku}×{x.quantity}" for x in self.add_lines),
            "removed": ", ".join(sorted(self.remove_lines)),
            "ship_to": self.ship_to.postal_code if self.ship_to is not None else "",
            "delivery": "cleared" if self.clear_delivery else delivery,
            "payment_method": self.payment_method.value if self.payment_method else "",
            "points_used": "" if self.points_used is None else str(self.points_used),
            "unit_prices": ", ".join(
                f"{k}→{v.amount}" for k, v in sorted(self.unit_prices.items())
            ),
            "shipping_fee": _amount(self.shipping_fee),
            "discount": _amount(self.discount),
        }
        return {what: text for what, text in words.items() if text}


def _amount(money: Money | None) -> str:
    return "" if money is None else str(money.amount)


@attrs.frozen(slots=True)
class ChangePreview:
    """What a change would do (a dry run), or did."""

    before: OrderTotals
    """The order's totals before the change."""
    after: OrderTotals
    """Its totals after the change (the shipping fee, COD fee and tax worked out again)."""
    points_to_grant_before: int
    """Points the order would earn before the change (:func:`~orderflow.points_earned`: the
    shop's ``points_rate``, a line's own ``points_rate`` for a ×N campaign line)."""
    points_to_grant_after: int
    """Points it would earn after the change (likewise)."""
    order: Order
    """The changed order as it would be saved (before the payment follows)."""

    @property
    def delta(self) -> Money:
        """How much more (positive) or less (negative) the customer pays."""
        return self.after.total - self.before.total


def points_to_grant(totals: OrderTotals, rate: Decimal) -> int:
    """Points earned by an order: ``rate`` of what was paid for the items, rounded down."""
    given(totals, OrderTotals, "totals", "an OrderTotals (desk.totals(order))")
    given_rate(rate)
    base = totals.items - totals.discount - totals.points_used
    if base.amount <= 0:
        return 0
    return int((base.amount * rate).to_integral_value(rounding=ROUND_DOWN))


def _check_line_changes(change: OrderChange, known: set[str]) -> None:
    """Refuse quantities or removals of lines the order does not have, or both for one line."""
    for line_id, quantity in change.quantities.items():
        field = f"change.quantities[{line_id!r}]"
        if line_id not in known:
            raise InvalidValue(field, line_id, f"one of {sorted(known)}")
        if quantity:  # 0 removes the line
            check_units(quantity, field)
    for line_id in change.remove_lines:
        if line_id not in known:
            raise InvalidValue("change.remove_lines", line_id, f"one of {sorted(known)}")
        if change.quantities.get(line_id):
            raise InvalidValue(  # which of the two did the caller mean?
                "change.remove_lines", line_id, "a line the change does not also give units"
            )


def lines_taken_off(before: Order, after: Order) -> tuple[str, ...]:
    """The ids of ``before``'s lines that ``after`` no longer has (recorded on ``changed``)."""
    kept = {line.line_id for line in after.lines}
    return tuple(line.line_id for line in before.lines if line.line_id not in kept)


def used_line_ids(order: Order) -> frozenset[str]:
    """Every line id ``order`` has used: its lines', and those of lines a change took off."""
    gone = (i for e in order.history if isinstance(e, Changed) for i in e.taken_off)
    return frozenset(line.line_id for line in order.lines).union(gone)


def _new_lines(order: Order, change: OrderChange, sets: Sets) -> tuple[OrderLine, ...]:
    """The order's lines after ``change``: quantities, removals, then the added lines.

    An added line's id is one the order has not used: not one of its lines', nor one of a line
    taken off before (the history, shipments and returns name lines by their id).
    """
    known = {line.line_id for line in order.lines}
    _check_line_changes(change, known)
    used_before = used_line_ids(order) - known
    lines = []
    for line in order.lines:
        quantity = change.quantities.get(line.line_id, line.quantity)
        if line.line_id in change.remove_lines or quantity == 0:
            continue
        if quantity != line.quantity:  # a set line's units of each component checked, named
            check_set_units(quantity, line.recipe or (), f"change.quantities[{line.line_id!r}]")
            line = attrs.evolve(line, quantity=quantity)
        lines.append(line)
    taken = {line.line_id for line in lines} | known
    for index, line in enumerate(change.add_lines):
        if not isinstance(line, OrderLine):
            raise InvalidValue(f"add_lines[{index}]", line, "an OrderLine")
        field = f"change.add_lines[{index}].line_id"
        if line.line_id in used_before:
            used = "a line id the order has not used (it was used before, by a line taken off)"
            raise InvalidValue(field, line.line_id, used)
        if line.line_id in taken:
            raise InvalidValue(field, line.line_id, "a new line id")
        if line.unit_price.currency != order.currency:  # named as given, not by its new place
            field = f"change.add_lines[{index}].unit_price"
            raise CurrencyMismatch(field, order.currency, line.unit_price.currency)
        taken.add(line.line_id)
        recipe = sets.get(line.sku, ())
        check_set_units(line.quantity, recipe, f"change.add_lines[{index}].quantity")
        lines.append(with_recipe(line, sets))  # a set line keeps today's recipe
    if not lines:  # a change takes units off; desk.cancel closes the order
        raise InvalidValue(
            "change",
            f"every line taken off ({', '.join(sorted(known))})",
            "at least one line left (desk.cancel cancels the whole order)",
        )
    return tuple(lines)


def apply_change(
    order: Order,
    change: OrderChange,
    ctx: Context,
    *,
    rule: TaxRule,
    shipping_fees: ShippingFeeTable | None = None,
    cod_fees: CodFeeTable | None = None,
    sets: Sets | None = None,
    zone: str = "Asia/Tokyo",
) -> Outcome:
    """The order with ``change`` applied and its totals worked out again (``changed`` event).

    Changes are possible until shipping is instructed (the shop's policy may say less), for a
    delivery date from today on, today in ``zone`` (the shop's time zone). A new address takes
    its fee from ``shipping_fees`` (when given) and loses an Amazon address guarantee; a COD
    order's fee follows its new total; a discount above the new charges is cut to them and the
    order held (``discount_capped``, クーポン利用額は請求額まで); points used above the charges
    after the discount are given back; split adjustments of the tax are dropped.
    """
    _check_when(order, change, ctx, zone)
    lines = _new_lines(order, change, sets or {}) if change.touches_lines else order.lines
    lines = _priced(lines, change, order.currency)
    updates: dict[str, Any] = {"lines": lines, "tax_adjustments": ()}
    updates.update(_where_and_when(order, change, shipping_fees))
    if change.shipping_fee is not None:  # 送料訂正: over the table's fee of a new address
        updates["shipping_fee"] = _in(change.shipping_fee, order.currency, "change.shipping_fee")
    method, paying = _paying(order, change)
    updates.update(paying)
    leaves_cod = order.payment.method is PaymentMethod.COD and method is not PaymentMethod.COD
    if (method is PaymentMethod.COD and cod_fees is not None) or leaves_cod:
        fees = Decimal(0)  # the COD fee is worked out again on the rest (or dropped), as at place
    else:
        fees = order.fees.amount
    charges = sum((line.amount.amount for line in lines), Decimal(0)) + fees
    charges += updates.get("shipping_fee", order.shipping_fee).amount
    if change.discount is not None:  # 値引き訂正: staff say how much, never above the charges
        updates["discount"] = _in(change.discount, order.currency, "change.discount")
        if change.discount.amount > charges:
            expected = f"at most the charges after the change ({charges} {order.currency})"
            raise InvalidValue("change.discount", change.discount.amount, expected)
    elif order.discount.amount > charges:  # クーポン利用額は請求額まで: cut, and a person looks
        updates["discount"] = Money(charges, order.currency)
    if change.points_used is None and order.points_used:
        # fewer charges than the points used: the points that no longer fit go back
        room = charges - updates.get("discount", order.discount).amount
        if order.points_used > room:
            updates["points_used"] = max(0, int(room))
    changed = attrs.evolve(order, **updates)  # validates the new lines and amounts
    changed = _cap_points(_cod_fee(order, changed, method, cod_fees, rule))
    details = change.describe()
    if order.address_guaranteed and not changed.address_guaranteed:
        details["address_guarantee"] = "lost"
    fields: dict[str, object] = {
        "changes": tuple(details.items()),
        "taken_off": lines_taken_off(order, changed),
    }
    changed, events = record_fact(changed, ctx, Changed, fields=fields)
    if changed.discount == order.discount or change.discount is not None:
        return changed, events
    changed, capped = discount_capped(changed, order.discount, ctx, by_change=True)
    return changed, (*events, *capped)


def _in(amount: Money, currency: str, field: str) -> Money:
    """``amount`` if in the order's ``currency``, else :class:`CurrencyMismatch` naming it."""
    if amount.currency != currency:
        raise CurrencyMismatch(field, currency, amount.currency)
    return amount


def _priced(
    lines: tuple[OrderLine, ...], change: OrderChange, currency: str
) -> tuple[OrderLine, ...]:
    """``lines`` with the unit prices ``change`` corrects (単価訂正), each of a line kept."""
    if not change.unit_prices:
        return lines
    kept = {line.line_id for line in lines}
    for line_id, price in change.unit_prices.items():
        field = f"change.unit_prices[{line_id!r}]"
        if line_id not in kept:
            raise InvalidValue(field, line_id, f"a line the order keeps: one of {sorted(kept)}")
        _in(price, currency, field)
    return tuple(
        attrs.evolve(line, unit_price=change.unit_prices[line.line_id])
        if line.line_id in change.unit_prices
        else line
        for line in lines
    )


def _check_when(order: Order, change: OrderChange, ctx: Context, zone: str) -> None:
    """A change is made before shipping is instructed, for a slot and a day still to come.

    Today is the shop's (``zone``): at 01:00 in Tokyo it is already tomorrow in UTC's terms.
    """
    if order.status not in _CHANGEABLE:
        raise InvalidValue("status", order.status.name, "an order not yet instructed to ship")
    today = ctx.at.astimezone(ZoneInfo(zone)).date()
    check_delivery(change.delivery_date, change.delivery_slot, today)


def _where_and_when(
    order: Order, change: OrderChange, shipping_fees: ShippingFeeTable | None
) -> dict[str, Any]:
    """The order's fields a new address (its fee, no Amazon guarantee) and delivery change.

    The address the order has, sent again, is no new address: the fee the cart charged (送料無料
    or its own) and Amazon's guarantee stay. A new address the table charges as the old one (a
    corrected 番地, name or phone; another street of the same prefecture) keeps the cart's fee
    too; one in another fee zone (北海道, an island) takes the table's.
    """
    updates: dict[str, Any] = {}
    if change.ship_to is not None and change.ship_to != order.ship_to:
        if not isinstance(change.ship_to, Address):
            raise InvalidValue("ship_to", change.ship_to, "an Address")
        updates["ship_to"] = change.ship_to
        updates["address_guaranteed"] = False
        if shipping_fees is not None:
            fee = shipping_fees.fee_for(change.ship_to)
            if fee != shipping_fees.fee_for(order.ship_to):
                updates["shipping_fee"] = fee
    if change.clear_delivery:
        updates["delivery_date"] = None
        updates["delivery_slot"] = None
    if change.delivery_date is not None:
        updates["delivery_date"] = change.delivery_date
    if change.delivery_slot is not None:
        updates["delivery_slot"] = change.delivery_slot
    return updates


def _paying(order: Order, change: OrderChange) -> tuple[PaymentMethod, dict[str, Any]]:
    """The payment method after ``change``, and the fields a new method and new points set."""
    updates: dict[str, Any] = {}
    method = order.payment.method
    cards = (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY)
    if change.payment_method is not None and change.payment_method is not method:
        method = change.payment_method
        if method in cards and not change.token:
            expected = "the gateway's stored card token, for a switch to a card or Amazon Pay"
            raise InvalidValue("change.token", change.token, expected)
        updates["payment"] = Payment(method, order.currency, change.token, order.payment.ledger)
    elif method in cards and change.token and change.token != order.payment.token:
        # another card for the same method: authorized as a switch, the old one voided
        updates["payment"] = Payment(method, order.currency, change.token, order.payment.ledger)
    if change.points_used is not None:
        if type(change.points_used) is not int or change.points_used < 0:
            raise InvalidValue("points_used", change.points_used, "a whole number, 0 or more")
        updates["points_used"] = change.points_used
    return method, updates


def _cod_fee(
    order: Order,
    changed: Order,
    method: PaymentMethod,
    cod_fees: CodFeeTable | None,
    rule: TaxRule,
) -> Order:
    """``changed`` with its 代引手数料 worked out on its new total, or none once it leaves COD."""
    if method is PaymentMethod.COD and cod_fees is not None:
        without_fee = attrs.evolve(changed, fees=Money.zero(order.currency))
        return replace(changed, fees=cod_fees.fee_for(without_fee.totals(rule).total))
    if order.payment.method is PaymentMethod.COD and method is not PaymentMethod.COD:
        return replace(changed, fees=Money.zero(order.currency))
    return changed


def _cap_points(order: Order) -> Order:
    """Points used may not exceed the charges after the discount: the rest goes back."""
    charges = Money.total(
        [line.amount for line in order.lines] + [order.shipping_fee, order.fees], order.currency
    )
    room = charges - order.discount
    if order.points_used > room.amount:
        return replace(order, points_used=max(0, int(room.amount)))
    return order
