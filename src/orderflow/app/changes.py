"""キャンセル, 注文変更, 注文分割: the desk's commands that undo or reshape an order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from orderflow.app._inputs import MAX_NUMBER, check_number, check_text
from orderflow.app.base import DeskBase
from orderflow.app.orders import accepts, check_skus, without_port
from orderflow.domain import lifecycle
from orderflow.domain.address import Address
from orderflow.domain.bounds import from_one_to
from orderflow.domain.changes import ChangePreview, OrderChange
from orderflow.domain.decisions.cancelling import cancel_order
from orderflow.domain.decisions.changing import changed_order, changes_nothing, decide_change
from orderflow.domain.decisions.splitting import decide_split
from orderflow.domain.events import (
    Cancelled,
    ChangeRequested,
    PaymentSwitchRefused,
    PointsChangeRefused,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.machine import allowed_moves
from orderflow.domain.moves import offered
from orderflow.domain.order import Order, OrderEvent, OrderTotals
from orderflow.domain.outbox import Plan
from orderflow.domain.points import points_earned, points_earned_on
from orderflow.domain.policy import Channel, Party, Requester, what_works_instead
from orderflow.domain.split import SPLITTABLE, check_split_again
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import DuplicateOrder, InvalidValue, MoveNotAllowed, PaymentDeclined

__all__ = ["ChangeCommands"]


def _remaining(order: Order, cancelled: Mapping[str, int]) -> dict[str, int]:
    """Line id → units left after cancelling ``cancelled`` units (validated)."""
    if not isinstance(cancelled, Mapping):
        raise InvalidValue("lines", cancelled, "a mapping of line id to units")
    left: dict[str, int] = {}
    known = {line.line_id: line for line in order.lines}
    for line_id, units in cancelled.items():
        line = known.get(line_id)
        if line is None:
            raise InvalidValue(f"lines[{line_id!r}]", line_id, f"one of {list(known)}")
        if type(units) is not int or not 1 <= units <= line.quantity:
            expected = from_one_to(line.quantity, "unit", f"of line {line_id}")
            raise InvalidValue(f"lines[{line_id!r}]", units, expected)
        left[line_id] = line.quantity - units
    for line in order.lines:
        left.setdefault(line.line_id, line.quantity)
    return left


def _refused(after: Sequence[type[OrderEvent]], change: OrderChange) -> None:
    """Raise what a change whose provider said no raises (``after``: the events it led to)."""
    if PaymentSwitchRefused in after:
        raise PaymentDeclined("the new payment method was refused", code="switch_refused")
    if PointsChangeRefused in after:
        raise InvalidValue("points_used", change.points_used, "no more than the customer's points")


def _requester(requester: object, actor: str = "") -> Requester:
    """The requester given, or the shop's operator (recorded as ``actor`` when given)."""
    if requester is None:
        return Requester(Party.OPERATOR, Channel.BACK_OFFICE, actor)
    if not isinstance(requester, Requester):
        raise InvalidValue("requester", requester, "a Requester (such as Requester.customer())")
    return requester


class ChangeCommands(DeskBase):
    """Cancel, change and split."""

    def cancel(
        self,
        number: str,
        *,
        reason: str,
        actor: str = "operator",
        requester: Requester | None = None,
        lines: Mapping[str, int] | None = None,
        request_id: str | None = None,
    ) -> Order:
        """キャンセル: release the stock, give the payment and points back, tell the customer.

        A card or Amazon Pay authorization is voided, a 後払い claim cancelled, a konbini number
        withdrawn, a virtual account handed back; money already received is recorded as owed
        back; used points are returned. With a ``requester`` the shop's
        :class:`~orderflow.domain.policy.CancelPolicy` decides whether they may. ``lines`` (line
        id → units) cancels only those units: the order is changed, its totals and payment
        follow; cancelling every unit cancels the order. Cancelling a cancelled order again
        returns it; a partial cancel is made safe to repeat with a ``request_id``.
        """
        actor = self._check_cancel_call(number, reason, actor, requester, request_id)
        if lines is not None:
            partly = self._cancel_lines(number, lines, reason, actor, requester, request_id)
            if partly is not None:
                return partly

        def decide(order: Order, ctx: Context) -> Order:
            if order.status is OrderStatus.CANCELLED:
                return order
            if requester is not None:
                self.settings.cancel_policy.check(order, requester)
            if Move.CANCEL not in allowed_moves(order.status):  # say what works instead too
                raise MoveNotAllowed(
                    order.number,
                    order.status.name,
                    Move.CANCEL.value,
                    offered(order),
                    instead=what_works_instead(order),
                )
            plan = Plan(order)
            return plan.apply(cancel_order(plan, order, ctx, self.rules, reason))

        return self._command(number, decide, actor=actor, reason=reason, request_id=request_id)

    def _check_cancel_call(
        self,
        number: str,
        reason: str,
        actor: str,
        requester: Requester | None,
        request_id: str | None,
    ) -> str:
        """:meth:`cancel`'s arguments checked before anything; the actor (the requester's)."""
        check_number(number)
        check_text(reason, "reason", required=True, limit=1000, breaks=True)
        if requester is not None:
            if not isinstance(requester, Requester):
                raise InvalidValue("requester", requester, "a Requester")
            actor = requester.actor
        self._ctx(actor, reason)  # the actor checked before anything, on either path
        if request_id is not None:
            check_text(request_id, "request_id", required=True, limit=200)
        return actor

    def _cancel_lines(
        self,
        number: str,
        lines: Mapping[str, int],
        reason: str,
        actor: str,
        requester: Requester | None,
        request_id: str | None,
    ) -> Order | None:
        """A partial cancel as a change of the lines; None when it cancels every unit left."""
        if not isinstance(lines, Mapping) or not lines:
            raise InvalidValue(
                "lines", lines, "a mapping of line id to units, not empty (or no lines)"
            )
        order = self._current(number)
        if request_id is not None and request_id in order.requests:
            return order  # a repeat: its lines may be gone since
        quantities = _remaining(order, lines)
        if not any(quantities.values()):
            return None
        if requester is not None:
            self.settings.cancel_policy.check(order, requester)
        return self._change(
            number,
            OrderChange(quantities=quantities),
            _requester(requester, actor),
            reason,
            request_id=request_id,
            policy_checked=requester is not None,
        ).order

    def change(
        self,
        number: str,
        change: OrderChange,
        *,
        requester: Requester | None = None,
        reason: str = "",
        dry_run: bool = False,
        request_id: str | None = None,
    ) -> ChangePreview:
        """注文変更: lines, address, delivery, payment, points; staff correct prices too.

        The shop's :class:`~orderflow.domain.policy.ChangePolicy` decides first (a refusal is a
        :class:`~orderflow.errors.ChangeRefused` telling to cancel and re-order). Totals are
        worked out again; a dry run returns them with the payment delta and changes nothing.
        Otherwise reserved stock is released and allocated again for the new lines, the payment
        follows (a new authorization, an amended claim, a new konbini number), the points follow,
        the review runs again and the customer is told. A new payment method (or more points) is
        asked for first: if refused, nothing changes and the error is raised. Give a
        ``request_id`` to make a repeat safe: it answers as the first call did (the same totals
        before and after, or the same refusal). A change that leaves everything as it is (the same
        quantities, address, delivery, method and points) returns the order unsaved: no stock
        moves and no notice goes out. Unit prices, the shipping fee and the discount
        (``OrderChange.unit_prices``, ``shipping_fee``, ``discount``: 価格訂正) are corrected by
        shop staff only: from a customer ``requester`` they are an ``InvalidValue`` naming the
        field.
        """
        return self._change(number, change, _requester(requester), reason, dry_run, request_id)

    def _change(
        self,
        number: str,
        change: OrderChange,
        who: Requester,
        reason: str,
        dry_run: bool = False,
        request_id: str | None = None,
        *,
        policy_checked: bool = False,
    ) -> ChangePreview:
        """:meth:`change`, with the policy already checked by a partial cancel's own policy."""
        self._check_change_call(number, change, who, reason, dry_run, request_id)
        order = self._current(number)
        if request_id is not None and request_id in order.requests:
            return self._repeat(order, change, request_id)
        if not policy_checked:
            self.settings.change_policy.check(order, who)
        preview = changed_order(order, change, self._ctx(who.actor, reason), self.rules)
        self._check_parcel(preview)
        if dry_run:
            return self._preview(order, preview)
        if changes_nothing(order, preview, change):
            return self._preview(order, order)  # nothing saved, released or sent

        def decide(current: Order, ctx: Context) -> Order:
            asked = {
                "request_id": request_id or "",
                "before": self.totals(current),
                "points_before": points_earned(current, self.settings.points_rate),
            }
            marked, _ = lifecycle.record_fact(current, ctx, ChangeRequested, fields=asked)
            return decide_change(marked, change, ctx, self.rules, self._recent(current))

        saved = self._command(number, decide, actor=who.actor, reason=reason, request_id=request_id)
        _refused(self._after(saved, ChangeRequested), change)
        return self._preview(order, saved)

    def _repeat(self, order: Order, change: OrderChange, request_id: str) -> ChangePreview:
        """The first answer to ``request_id`` again: its totals before and after, or its error.

        ``before`` is what its ``change_requested`` event kept; ``after`` the order's totals now,
        or, once another change followed, those that change found. An order saved before the
        event kept them answers with its totals now, as before and after.
        """
        history = order.history
        asked = [
            i
            for i, e in enumerate(history)
            if isinstance(e, ChangeRequested) and e.request_id == request_id
        ]
        first = history[asked[-1]] if asked else None
        if not isinstance(first, ChangeRequested) or first.before is None:
            return self._preview(order, order)
        later = history[asked[-1] + 1 :]
        ends = [i for i, e in enumerate(later) if isinstance(e, ChangeRequested)]
        followed = later[: ends[0]] if ends else later
        _refused([type(e) for e in followed], change)
        nxt = later[ends[0]] if ends else None
        after = nxt.before if isinstance(nxt, ChangeRequested) and nxt.before else None
        points = (
            first.points_before,
            nxt.points_before if after is not None and isinstance(nxt, ChangeRequested) else None,
        )
        return self._answer(first.before, after or self.totals(order), order, points=points)

    def _check_change_call(
        self,
        number: str,
        change: OrderChange,
        who: Requester,
        reason: str,
        dry_run: bool,
        request_id: str | None,
    ) -> None:
        """Refuse a bad argument of :meth:`change` before anything is read or done."""
        if not isinstance(change, OrderChange):
            raise InvalidValue("change", change, "an OrderChange")
        check_number(number)
        check_text(reason, "reason", limit=1000, breaks=True)
        self._ctx(who.actor, reason)
        if not isinstance(dry_run, bool):
            raise InvalidValue("dry_run", dry_run, "True or False")
        if request_id is not None:
            check_text(request_id, "request_id", required=True, limit=200)
        corrected = change.corrects_prices
        if corrected and who.party is Party.CUSTOMER:  # 価格訂正 is the shop's, never the buyer's
            expected = "a correction made by shop staff (requester=Requester.operator(...))"
            raise InvalidValue(corrected, "asked by the customer", expected)
        method = change.payment_method
        if method is not None and not accepts(self.ports, method):
            raise without_port("change.payment_method", method)
        check_skus(self, change.add_lines, "change.add_lines")  # unknown SKUs, as place refuses

    def _check_parcel(self, changed: Order) -> None:
        """Refuse a change that takes an order of a parcel (同梱) out of it; none here."""

    def _preview(self, before: Order, after: Order) -> ChangePreview:
        rate = self.settings.points_rate
        points = (points_earned(before, rate), points_earned(after, rate))
        return self._answer(self.totals(before), self.totals(after), after, points=points)

    def _answer(
        self,
        b: OrderTotals,
        a: OrderTotals,
        order: Order,
        *,
        points: tuple[int | None, int | None] = (None, None),
    ) -> ChangePreview:
        """The answer: the totals, and the points earned before and after.

        A ×N campaign line counts at its own rate; points not known (a repeat of a change
        saved before they were kept) are worked out from the totals by ``order``'s lines.
        """
        rate = self.settings.points_rate
        was, now = points
        if was is None:
            was = points_earned_on(b, order.lines, rate)
        if now is None:
            now = points_earned_on(a, order.lines, rate)
        return ChangePreview(b, a, was, now, order)

    def change_ship_to(self, number: str, ship_to: Address, *, actor: str = "operator") -> Order:
        """お届け先変更: a change of address, reviewed like every change.

        The shipping fee is worked out again (離島 surcharge and hold included; an address the
        shop's table charges as the old one keeps the order's fee), the payment follows the new
        total, and an Amazon Pay order loses Amazon's address guarantee.
        """
        if not isinstance(ship_to, Address):
            raise InvalidValue("ship_to", ship_to, "an Address")
        return self.change(
            number, OrderChange(ship_to=ship_to), requester=Requester.operator(actor)
        ).order

    def split(
        self,
        number: str,
        parts: Sequence[Mapping[str, int]],
        *,
        requester: Requester | None = None,
        reason: str = "",
    ) -> list[Order]:
        """注文分割: move lines or part quantities into new orders ``<number>-1``, ``-2`` ….

        Money is conserved to the yen by the rule of :mod:`orderflow.domain.split`. Each part
        gets its own payment (a card: a new authorization with the stored token; 後払い: a claim
        each; a transfer or konbini: its own account or number) and the parent's is closed;
        allocations move with their lines; the parent is closed as split. Refused for a transfer
        or konbini order whose money has already arrived. Splitting again the same way returns
        the parts; other parts are refused (``InvalidValue`` naming ``parts``).
        """
        who = _requester(requester)
        check_text(reason, "reason", limit=1000, breaks=True)
        order = self._current(check_number(number))
        if order.status is OrderStatus.CANCELLED and any(
            isinstance(e, Cancelled) and e.split_into for e in order.history
        ):
            done = self._parts(order)
            check_split_again(order, parts, done)
            return done
        self.settings.change_policy.check(order, who)
        if order.status not in SPLITTABLE:
            self._require(order, Move.CANCEL)
        ctx = self._ctx(who.actor, reason or "order split")
        decided = decide_split(order, parts, ctx, self.rules)  # bad parts are refused here
        for effect in decided.outbox:
            part = getattr(effect, "part", None)
            if part is None:
                continue
            if len(part.number) > MAX_NUMBER:  # no command could reach the part
                raise InvalidValue(
                    "parts",
                    len(parts),
                    f"parts numbered {number}-<n> within {MAX_NUMBER} characters "
                    f"({part.number!r} is {len(part.number)})",
                )
            taken = self.executor.find(part.number)
            if taken is not None and taken.split_from != number:
                raise DuplicateOrder(part.number)
        self.executor.drive(self.executor.save(order, decided))
        return self._parts(self.executor.load(number))

    def _parts(self, parent: Order) -> list[Order]:
        event = next(
            e for e in reversed(parent.history) if isinstance(e, Cancelled) and e.split_into
        )
        assert isinstance(event, Cancelled)
        numbers = event.split_into.split(", ")
        return [self._current(n) for n in numbers]
