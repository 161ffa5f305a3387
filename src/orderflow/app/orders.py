"""受注, 注文確認, 保留, 引当: the desk's commands from a new order to reserved stock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import attrs

from orderflow.app._inputs import check_number, check_text
from orderflow.app._placing import Placing
from orderflow.app._wiring import Ports
from orderflow.app.base import DeskBase, decided_again
from orderflow.domain import lifecycle
from orderflow.domain._text import TOKEN_LIMIT, is_token
from orderflow.domain.address import Address, Customer
from orderflow.domain.decisions import placing
from orderflow.domain.decisions.changing import follow_review, reviewed
from orderflow.domain.decisions.common import release_all
from orderflow.domain.events import (
    Accepted,
    Placed,
    PlacementDeclined,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderLine, PaymentMethod
from orderflow.domain.outbox import Plan
from orderflow.domain.sets import line_components
from orderflow.domain.status import OrderStatus
from orderflow.errors import (
    DuplicateOrder,
    InvalidValue,
    PaymentDeclined,
    UnknownSku,
)

__all__ = ["OrderCommands", "accepts", "check_skus", "without_port"]


def accepts(ports: Ports, method: PaymentMethod) -> bool:
    """Whether ``ports`` have the port ``method`` needs (COD needs none)."""
    if not isinstance(method, PaymentMethod):
        raise InvalidValue("method", method, "a PaymentMethod")
    port = {
        PaymentMethod.CARD: ports.gateway,
        PaymentMethod.AMAZON_PAY: ports.amazon_pay,
        PaymentMethod.POSTPAY: ports.postpay,
        PaymentMethod.BANK_TRANSFER: ports.bank,
        PaymentMethod.KONBINI: ports.konbini,
    }.get(method, True)
    return port is not None


_DESK_KEYWORD = {
    PaymentMethod.CARD: "gateway",
    PaymentMethod.AMAZON_PAY: "amazon_pay",
    PaymentMethod.POSTPAY: "postpay",
    PaymentMethod.BANK_TRANSFER: "bank",
    PaymentMethod.KONBINI: "konbini",
}
"""The :class:`~orderflow.OrderDesk` keyword giving the port each method needs."""


def without_port(field: str, method: PaymentMethod) -> InvalidValue:
    """The refusal of ``method`` on a desk built without its port, naming the keyword it needs."""
    keyword = _DESK_KEYWORD.get(method, "")
    return InvalidValue(
        field,
        method.value,
        f"a method this desk has a port for ({method.value} needs OrderDesk({keyword}=...))",
    )


def check_skus(desk: DeskBase, lines: Sequence[OrderLine], field: str) -> None:
    """Every line's SKU known to the inventory (a set: each part), as ``place`` requires.

    A drop-ship line (メーカー直送) needs its supplier's port instead. ``field`` names the lines
    in the error (``lines``, ``change.add_lines``).
    """
    ports = desk.executor.ports
    for index, line in enumerate(lines):
        if line.supplier is not None:  # メーカー直送: the supplier's stock, not ours
            if line.supplier not in ports.suppliers or ports.purchase_orders is None:
                known = f"one of {sorted(ports.suppliers)}"
                raise InvalidValue(f"{field}[{index}].supplier", line.supplier, known)
            continue
        for sku, _ in line_components(line, desk.settings.sets):  # a set: its parts
            if not desk.executor.knows(sku):
                raise UnknownSku(f"{field}[{index}].sku", sku)


_REVIEWABLE = (
    OrderStatus.ORDERED,
    OrderStatus.UNALLOCATED,
    OrderStatus.PARTIALLY_ALLOCATED,
    OrderStatus.ALLOCATED,
)
"""The statuses ``desk.review`` runs in: those a change is allowed in (not yet instructed)."""


_TOKEN = f"the gateway's stored card token: one line, not blank, at most {TOKEN_LIMIT} characters"


class OrderCommands(DeskBase):
    """受注 to 引当."""

    def accepts(self, method: PaymentMethod) -> bool:
        """Whether the desk has the port ``method`` needs."""
        return accepts(self.ports, method)

    def place(
        self,
        *,
        number: str,
        customer: Customer,
        ship_to: Address,
        lines: Sequence[OrderLine],
        token: str | None = None,
        payment_method: PaymentMethod = PaymentMethod.CARD,
        shipping_fee: Money | None = None,
        discount: Money | None = None,
        points_used: int = 0,
        channel: str = "web",
        remarks: str = "",
        address_from_amazon: bool = False,
        actor: str = "customer",
        delivery_date: date | None = None,
        delivery_slot: str | None = None,
    ) -> Order:
        """受注: check the order, start its payment, send the order confirmation.

        ``delivery_date`` and ``delivery_slot`` are what the customer asked for at checkout
        (お届け日時指定): a date from today in the shop's zone (``ShopSettings.zone``), a slot
        of ``DELIVERY_SLOTS``; either may be left out.

        By method: a card is screened (if a fraud port is given) and authorized; Amazon Pay is
        authorized (``address_from_amazon`` marks the ship-to as guaranteed); 後払い is
        credit-checked; a bank transfer gets a virtual account and a konbini payment a number and
        deadline (both held until paid); COD adds the fee of the shop's table.

        Bad input raises before anything is stored. A refused payment raises
        :class:`~orderflow.errors.PaymentDeclined` and leaves the number free: placing again
        under it (with another card) is a new attempt.

        Placing the same order again (the cart retried after a time-out, a crash or a lost
        answer) finishes the first attempt and returns it. It is the same order only if every
        input is the one it was placed with: customer, ship-to, lines, payment method, shipping
        fee (as placed, before the review corrected it), discount, points used, channel,
        remarks and ``address_from_amazon``. The card ``token`` is not compared: a client may
        tokenize the same card again, and the order keeps the authorization it has. Any other
        order under a used number raises :class:`~orderflow.errors.DuplicateOrder`, and so does
        the first order's own request once a 注文変更 changed one of those inputs. The same
        order sent several times at once (a cart retrying while the first request still runs)
        is placed once, and every request returns it.
        """

        def attempt() -> Order:
            stored, order = self._decide_place(
                number=number,
                customer=customer,
                ship_to=ship_to,
                lines=lines,
                token=token,
                payment_method=payment_method,
                shipping_fee=shipping_fee,
                discount=discount,
                points_used=points_used,
                channel=channel,
                remarks=remarks,
                address_from_amazon=address_from_amazon,
                actor=actor,
                delivery_date=delivery_date,
                delivery_slot=delivery_slot,
            )
            return self._save_placed(number, stored, order)

        return decided_again(attempt)

    def _save_placed(self, number: str, stored: Order | None, order: Order | None) -> Order:
        """Store and perform what :meth:`_decide_place` decided (``None``: placed before)."""
        if order is None:
            return self._placed(self._current(number))
        saved = self.executor.add(order) if stored is None else self.executor.save(stored, order)
        return self._placed(self.executor.drive(saved))

    def _check_placing(
        self,
        payment_method: object,
        token: object,
        customer: object,
        ship_to: object,
        lines: object,
        lines_field: str,
    ) -> None:
        """The checks of ``place``'s payment, customer, address and lines (InvalidValue)."""
        if not isinstance(payment_method, PaymentMethod):
            raise InvalidValue(
                "payment_method",
                payment_method,
                "a PaymentMethod (PaymentMethod.CARD, COD, BANK_TRANSFER, KONBINI, POSTPAY"
                " or AMAZON_PAY)",
            )
        if not self.accepts(payment_method):
            raise without_port("payment_method", payment_method)
        if payment_method in (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY) and not is_token(token):
            raise InvalidValue("token", token, _TOKEN)
        if isinstance(token, str) and token and not is_token(token):  # kept, even if not used
            raise InvalidValue("token", token, _TOKEN)
        if not isinstance(customer, Customer):
            raise InvalidValue("customer", customer, "a Customer")
        if not isinstance(ship_to, Address):
            raise InvalidValue("ship_to", ship_to, "an Address")
        if isinstance(lines, (str, bytes)) or not isinstance(lines, (list, tuple)):
            raise InvalidValue(lines_field, lines, "a list of OrderLine")
        for index, line in enumerate(lines):
            if not isinstance(line, OrderLine):
                raise InvalidValue(f"{lines_field}[{index}]", line, "an OrderLine")

    def _decide_place(
        self,
        *,
        number: str,
        customer: Customer,
        ship_to: Address,
        lines: Sequence[OrderLine],
        token: str | None = None,
        payment_method: PaymentMethod = PaymentMethod.CARD,
        shipping_fee: Money | None = None,
        discount: Money | None = None,
        points_used: int = 0,
        channel: str = "web",
        remarks: str = "",
        address_from_amazon: bool = False,
        actor: str = "customer",
        lines_field: str = "lines",
        delivery_date: date | None = None,
        delivery_slot: str | None = None,
    ) -> tuple[Order | None, Order | None]:
        """Every check of ``place``, and its decision; nothing is stored, nothing is sent.

        The arguments and their defaults are ``place``'s. Returns the order stored under
        ``number`` (or ``None``) and the new order to store, or
        ``None`` for it when the stored order is this same order placed before (a repeat).
        Bad input raises here: :class:`~orderflow.errors.InvalidValue`,
        :class:`~orderflow.errors.UnknownSku`, :class:`~orderflow.errors.DuplicateOrder`.
        ``lines_field`` names the lines in an error (an exchange's are ``new_lines``).
        """
        check_number(number)
        ctx = self._ctx(actor)
        self._check_placing(payment_method, token, customer, ship_to, lines, lines_field)
        check_text(channel, "channel", required=True, limit=100)
        check_text(remarks, "remarks", limit=2000, breaks=True)
        if not isinstance(address_from_amazon, bool):
            raise InvalidValue("address_from_amazon", address_from_amazon, "True or False")
        asked = Placing(
            customer=customer,
            ship_to=ship_to,
            lines=tuple(lines),
            payment_method=payment_method,
            shipping_fee=shipping_fee,
            discount=discount,
            points_used=points_used,
            channel=channel,
            remarks=remarks,
            address_from_amazon=address_from_amazon,
            delivery_date=delivery_date,
            delivery_slot=delivery_slot,
        )
        stored = self.executor.find(number)
        if stored is not None and not placing.retry_allowed(stored):
            if not asked.placed(stored):
                raise DuplicateOrder(number)
            return stored, None
        try:
            order = placing.place(
                number=number,
                token=token,
                ctx=ctx,
                rules=self.rules,
                previous=stored,
                **attrs.asdict(asked, recurse=False),
            )
        except InvalidValue as bad:
            if lines_field != "lines" and bad.field.startswith("lines"):
                _rename(bad, "lines", lines_field)  # the caller's name for the lines
            raise
        check_skus(self, order.lines, lines_field)
        return stored, order

    def _placed(self, order: Order) -> Order:
        """The placed order, or the refusal of its payment (the number stays free)."""
        if PlacementDeclined in self._after(order, Placed):
            event = next(e for e in reversed(order.history) if isinstance(e, PlacementDeclined))
            assert isinstance(event, PlacementDeclined)
            code = event.code or "declined"
            if code == "points_refused":
                raise InvalidValue(
                    "points_used", order.points_used, "no more than the customer's points"
                )
            raise PaymentDeclined(event.detail_text or code, code=code)
        return order

    def accept(self, number: str, *, actor: str = "system") -> Order:
        """受注 → 未引当: accept the order, review it (注文確認), and let it go on if clear.

        The review's rules may hold the order (remarks to read, a remote island, a blacklisted
        customer…) or correct its shipping fee; with no open hold and ``auto_advance`` the order
        is allocated at once. Accepting an accepted order again returns it.
        """

        def decide(order: Order, ctx: Context) -> Order:
            if (
                order.status is not OrderStatus.ORDERED
                and any(isinstance(e, Accepted) for e in order.history)
                and order.status is not OrderStatus.CANCELLED
            ):
                return order
            # the stock is read before deciding only when the order may go on to 引当 at once
            available = self._available(order) if self.settings.auto_advance else None
            return placing.accept(order, ctx, self.rules, self._recent(order), available)

        return self._command(number, decide, actor=actor)

    def _available(self, order: Order) -> dict[tuple[str, str], int]:
        """What the warehouses have of the SKUs the order still misses (read before deciding)."""
        sets = self.settings.sets
        skus = {
            part
            for line_id in order.unallocated()
            for part, _ in line_components(order.line(line_id), sets)
        }
        return {
            (w, sku): self.executor.available(w, sku)
            for w in self.settings.warehouses
            for sku in sorted(skus)
        }

    def review(self, number: str, *, actor: str = "system") -> Order:
        """Run the order review again (after a change of the rules, say).

        Only until the order is instructed to ship, as for a change: a later review could move
        the shipping fee (and the money) of a parcel already on its way. Else
        :class:`~orderflow.errors.InvalidValue` on ``status``, nothing changed.
        """

        def decide(order: Order, ctx: Context) -> Order:
            if order.status not in _REVIEWABLE:
                raise InvalidValue(
                    "status", order.status.name, "an order not yet instructed to ship"
                )
            result = reviewed(order, ctx, self.rules, self._recent(order))
            plan = Plan(result)
            return plan.apply(follow_review(plan, order, result, ctx, self.rules))

        return self._command(number, decide, actor=actor)

    def raise_hold(
        self,
        number: str,
        code: str,
        message: str,
        *,
        message_en: str = "",
        actor: str = "system",
        request_id: str | None = None,
    ) -> Order:
        """Put a hold (保留) on the order: it will not be instructed to ship until cleared."""
        check_text(code, "code", required=True, limit=100)
        check_text(message, "message", limit=1000, breaks=True)
        check_text(message_en, "message_en", limit=1000, breaks=True)
        return self._command(
            number,
            lambda order, ctx: placing.raise_hold(order, code, message, message_en, ctx),
            actor=actor,
            request_id=request_id,
        )

    def clear_hold(
        self, number: str, code: str, *, actor: str = "operator", request_id: str | None = None
    ) -> Order:
        """Clear the open hold ``code``, recording who cleared it; the last one lets it go on.

        ``payment_pending`` and ``payment_shortfall`` lift themselves when the money is recorded:
        before shipping, while the payment is not confirmed, clearing them is refused
        (``InvalidValue`` naming ``code``; see
        :func:`~orderflow.domain.decisions.placing.clear_hold`).
        """
        check_text(code, "code", required=True, limit=100)
        return self._command(
            number,
            lambda order, ctx: placing.clear_hold(order, code, ctx, self.rules),
            actor=actor,
            request_id=request_id,
        )

    def allocate(self, number: str, *, actor: str = "system") -> Order:
        """引当: reserve the missing units atomically; 引当済 if all, 中途引当 if short.

        Call again when stock arrives to allocate the rest. A repeat on an order with nothing
        missing (引当済 or further on) returns it.
        """

        def decide(order: Order, ctx: Context) -> Order:
            if order.status.reached(OrderStatus.ALLOCATED) and not order.unallocated():
                return order  # nothing is missing: a repeat changes nothing
            return placing.allocate(order, self.rules, self._available(order), ctx)

        return self._command(number, decide, actor=actor)

    def release(
        self,
        number: str,
        *,
        actor: str = "operator",
        reason: str = "",
        request_id: str | None = None,
    ) -> Order:
        """引当解除: give every reserved unit back (before a change or a split); → 未引当.

        Run again after its move was saved, it is refused (``MoveNotAllowed``: nothing is
        reserved any more) unless it gives the first call's ``request_id``: then it returns the
        order.
        """

        def decide(order: Order, ctx: Context) -> Order:
            released, _ = lifecycle.release(order, ctx)
            plan = Plan(released)
            released = release_all(plan, released, self.rules, order)
            return plan.apply(released)

        return self._command(number, decide, actor=actor, reason=reason, request_id=request_id)


def _rename(error: InvalidValue, old: str, new: str) -> None:
    """``error`` naming its field ``new…`` where the domain said ``old…`` (same kind of error)."""
    field = new + error.field[len(old) :]
    error.args = tuple(
        field + a[len(error.field) :] if isinstance(a, str) and a.startswith(error.field) else a
        for a in error.args
    )
    error.field = field
