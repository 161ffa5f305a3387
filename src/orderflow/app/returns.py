"""返品 and 交換: returns requested, received and refunded; exchanges as a return plus an order."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from orderflow.app._inputs import check_number, check_text
from orderflow.app.base import decided_again, refund_refused
from orderflow.app.orders import OrderCommands
from orderflow.domain._values import replace
from orderflow.domain.decisions import placing, returning
from orderflow.domain.decisions.cancelling import cancel_order
from orderflow.domain.events import RefundRefused, ReturnReceived
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order, OrderLine
from orderflow.domain.outbox import Plan
from orderflow.domain.policy import Party, Requester
from orderflow.domain.returns import Disposition, ReturnReason
from orderflow.domain.status import OrderStatus
from orderflow.errors import (
    DuplicateOrder,
    InvalidValue,
    MoveNotAllowed,
    PolicyRefused,
)

__all__ = ["ReturnCommands"]


class ReturnCommands(OrderCommands):
    """Returns (返品) and exchanges (交換) of delivered orders."""

    def request_return(
        self,
        number: str,
        lines: Mapping[str, int],
        reason: ReturnReason,
        *,
        requester: Requester | None = None,
        refund_account: str = "",
        request_id: str | None = None,
        exception: str = "",
    ) -> Order:
        """返品受付: ask to return ``lines`` (line id → units) of a delivered order for ``reason``.

        Checked against ``settings.return_policy``: a return it does not take raises
        :class:`~orderflow.errors.ReturnRefused` naming the rule (``not_delivered``, ``days``,
        ``reason``, ``excluded``); more units than are left to return raise ``InvalidValue``.
        The return (``R1``, ``R2``…) is added to ``Order.returns`` and the customer told how to
        send the goods back. ``refund_account`` is the account the customer gives for money owed
        back (bank transfer, konbini, COD). Give a ``request_id`` to make a repeat safe.

        ``exception`` (例外対応) is why shop staff take the return outside the policy: the window,
        the customer's reason and the excluded SKUs are not checked, and the history records who
        made the exception and why. Only a staff or system ``requester`` makes one (a customer's
        is an ``InvalidValue`` naming ``exception``); an order not delivered is never returned.
        """
        who = Requester.customer() if requester is None else requester
        if not isinstance(who, Requester):
            raise InvalidValue("requester", who, "a Requester")
        check_text(refund_account, "refund_account", limit=200, breaks=True)
        check_text(exception, "exception", limit=1000, breaks=True)
        if exception and who.party is Party.CUSTOMER:
            raise InvalidValue(
                "exception",
                "given by the customer",
                "an exception made by shop staff (requester=Requester.operator(...))",
            )

        def decide(order: Order, ctx: Context) -> Order:
            return returning.request_return(
                order,
                lines,
                reason,
                ctx,
                self.rules,
                request=request_id or "",
                refund_account=refund_account,
                exception=exception,
            )

        return self._command(number, decide, actor=who.actor, request_id=request_id)

    def receive_return(
        self,
        number: str,
        return_id: str,
        dispositions: Sequence[Disposition],
        *,
        actor: str = "operator",
    ) -> Order:
        """返品受領: the goods of ``return_id`` came back; each unit restocked or written off.

        ``dispositions`` say, per line, how many units go back on hand in which warehouse
        (``Disposition("L1", 1, "TOKYO")``) and how many are written off
        (``Disposition("L1", 1)``); every returned unit once. Then, in one command: the
        restocks (an inventory receive keyed by the return), the refund of what the customer
        paid for those units paid back the way they paid (card and Amazon Pay refunded, 後払い
        billed again for the rest or cancelled, bank transfer, konbini and COD owed back), the
        points used given back and those earned clawed back, the reversing journal entry of
        the money really paid back if the sale is booked (else at the booking) and a notice.
        Receiving it again changes nothing. A 後払い return's entry waits for the provider to
        bill the rest; one that will not raises :class:`~orderflow.errors.PaymentDeclined`: the
        return stays received with ``Return.refund_refused``, nothing is posted and the order
        is held ``refund_failed`` (pay it back by transfer: ``refund(…, by_transfer=True)``).
        """
        check_text(return_id, "return_id", required=True, limit=20)
        shipping_fee = None

        def decide(order: Order, ctx: Context) -> Order:
            nonlocal shipping_fee
            shipping_fee = self.settings.shipping_fees.fee_for(order.ship_to)
            return returning.receive_return(
                order, return_id, dispositions, ctx, self.rules, shipping_fee=shipping_fee
            )

        order = self._command(number, decide, actor=actor)
        if RefundRefused in self._after(order, ReturnReceived):
            raise refund_refused(order)
        return order

    def refuse_return(
        self, number: str, return_id: str, *, reason: str, actor: str = "operator"
    ) -> Order:
        """返品拒否: the shop will not take back what came for ``return_id``; nothing is paid."""
        check_text(reason, "reason", required=True, limit=1000, breaks=True)
        check_text(return_id, "return_id", required=True, limit=20)
        return self._command(
            number,
            lambda order, ctx: returning.refuse_return(order, return_id, ctx),
            actor=actor,
            reason=reason,
        )

    def exchange(
        self,
        number: str,
        lines: Mapping[str, int],
        new_lines: Sequence[OrderLine],
        *,
        reason: ReturnReason,
        request_id: str,
        requester: Requester | None = None,
        refund_account: str = "",
        **payment: Any,
    ) -> tuple[Order, Order]:
        """交換: a return of ``lines`` plus a new order of ``new_lines``, linked both ways.

        The new order is numbered ``<number>-X<n>`` (``n`` the first free: not the return's,
        which counts plain returns too), goes to the same customer and address, and is placed
        like any order (``payment`` gives ``token``, ``payment_method``, ``shipping_fee``,
        ``discount``, ``points_used``, ``remarks``, ``address_from_amazon``, ``delivery_date``,
        ``delivery_slot`` as ``place`` takes them; any other keyword is an ``InvalidValue``
        naming it); its ``exchange_for`` names the old order and the return's ``exchange`` the
        new one. Returns ``(old, new)``: the old order with its return, and the new order as
        placed. ``refund_account`` is the account the old units' money goes back to when it is
        owed back by transfer (bank transfer, konbini, COD), as for ``request_return``.

        All or nothing: every argument — the return's lines and reason under the shop's return
        policy, and everything the new order needs — is checked before anything is stored or
        sent. The new order is placed first, then the return requested: a refused payment of
        the new order (a declined card, a refused 後払い or points) raises as ``place`` does,
        and the old order is left as it was, with no return and no notice. The return is
        refunded when its goods come back (``receive_return``). ``request_id`` makes a repeat
        safe: it finishes the first exchange (after a time-out, say) and places nothing twice.
        """
        check_number(number)
        check_text(request_id, "request_id", required=True, limit=200)
        check_text(refund_account, "refund_account", limit=200, breaks=True)
        _check_exchange(new_lines, payment)
        who = Requester.customer() if requester is None else requester
        if not isinstance(who, Requester):
            raise InvalidValue("requester", who, "a Requester")
        ctx = self._ctx(who.actor)
        return decided_again(
            lambda: self._exchange(
                number, lines, new_lines, reason, request_id, who, ctx, payment, refund_account
            )
        )

    def _exchange(
        self,
        number: str,
        lines: Mapping[str, int],
        new_lines: Sequence[OrderLine],
        reason: ReturnReason,
        request_id: str,
        who: Requester,
        ctx: Context,
        payment: dict[str, Any],
        account: str,
    ) -> tuple[Order, Order]:
        old = self._current(number)
        requesting = request_id not in old.requests  # a first call, not a repeat
        new_number = self._exchange_target(old, request_id, requesting)
        asked = partial(
            returning.request_return,
            lines=lines,
            reason=reason,
            rules=self.rules,
            request=request_id,
            exchange=new_number,
            refund_account=account,
        )
        if requesting:  # the return's checks (lines, reason, the policy) before anything is kept
            self._or_withdraw(new_number, request_id, lambda: asked(old, ctx=ctx))
        stored, decided = self._decide_place(
            number=new_number,
            customer=old.customer,
            ship_to=old.ship_to,
            lines=list(new_lines),
            channel=old.channel,
            actor=who.actor,
            lines_field="new_lines",
            **payment,
        )
        if decided is not None:  # the request's id on it: a repeat finds it (crash, decline)
            decided = replace(decided, exchange_for=number, requests=(request_id,))
        elif requesting and stored is not None and request_id not in stored.requests:
            raise DuplicateOrder(new_number)  # another exchange's order, placed meanwhile
        new = self._save_placed(new_number, stored, decided)  # a refusal raises: no return
        if requesting:

            def decide(order: Order, ctx: Context) -> Order:
                if any(r.exchange == new_number for r in order.returns):
                    raise DuplicateOrder(new_number)  # another exchange took it meanwhile
                return asked(order, ctx=ctx)

            # the return may have become impossible meanwhile (the units returned by another
            # request): the new order is cancelled, its payment given back, and nothing of the
            # exchange stays
            old = self._or_withdraw(
                new_number,
                request_id,
                lambda: self._command(number, decide, actor=who.actor, request_id=request_id),
                placed=True,
            )
        if new.exchange_for != number:  # placed by an earlier version, before the link
            new = self._command(new_number, _link(number), actor="system")
        return old, new

    def _exchange_target(self, old: Order, request_id: str, requesting: bool) -> str:
        """The new order's number: a free one for a first call, the one asked for on a repeat."""
        if requesting:
            return self._exchange_number(old, request_id)
        ret = next((r for r in old.returns if r.request == request_id), None)
        if ret is None or not ret.exchange:
            raise InvalidValue("request_id", request_id, "the id of an exchange of this order")
        return ret.exchange

    def _or_withdraw(
        self,
        new_number: str,
        request_id: str,
        make_return: Callable[[], Order],
        *,
        placed: bool = False,
    ) -> Order:
        """``make_return()``; refused, the exchange's new order is withdrawn and the error raised.

        ``placed``: the new order was placed by this call; else only one this request placed
        before (a crash half-way) is withdrawn.
        """
        try:
            return make_return()
        except (InvalidValue, PolicyRefused, MoveNotAllowed):
            ours = self.executor.find(new_number)
            if placed or (ours is not None and request_id in ours.requests):
                self._withdraw(new_number)
            raise

    def _exchange_number(self, old: Order, request_id: str) -> str:
        """The new order's number: the one this request placed before, else a free one.

        ``<number>-X<n>``, the first ``n`` whose order does not exist, was placed under this
        ``request_id`` and is not cancelled (the return not saved yet: a crash, a time-out) or
        was refused its payment (the number is free again), and no return of the old order
        names. An order withdrawn (its return could not be made) is never taken up again.
        """
        named = {r.exchange for r in old.returns if r.exchange}
        n = 1
        while True:
            candidate = f"{old.number}-X{n}"
            if candidate not in named:
                found = self.executor.find(candidate)
                if found is None or placing.retry_allowed(found):
                    return candidate
                if request_id in found.requests and found.status is not OrderStatus.CANCELLED:
                    return candidate
            n += 1

    def _withdraw(self, new_number: str) -> None:
        """Cancel an exchange's new order whose return could not be made."""

        def decide(order: Order, ctx: Context) -> Order:
            if order.status is OrderStatus.CANCELLED:
                return order
            plan = Plan(order)
            return plan.apply(cancel_order(plan, order, ctx, self.rules, _WITHDRAWN))

        self._command(new_number, decide, actor="system", reason=_WITHDRAWN)


_WITHDRAWN = "exchange withdrawn: its return could not be made"
"""The reason an exchange's new order is cancelled with when its return became impossible."""


_PAYMENT_KEYWORDS = (
    "token",
    "payment_method",
    "shipping_fee",
    "discount",
    "points_used",
    "remarks",
    "address_from_amazon",
    "delivery_date",
    "delivery_slot",
)
"""The keywords of ``place`` an exchange passes on to its new order (it sets the others)."""

_KNOWN = ", ".join(_PAYMENT_KEYWORDS)


def _check_exchange(new_lines: object, payment: Mapping[str, Any]) -> None:
    """The exchange's new lines and payment keywords, before anything is looked at."""
    if isinstance(new_lines, (str, bytes)) or not isinstance(new_lines, Sequence):
        raise InvalidValue("new_lines", new_lines, "a list of OrderLine, not empty")
    if not new_lines:
        raise InvalidValue("new_lines", new_lines, "a list of OrderLine, not empty")
    for index, line in enumerate(new_lines):
        if not isinstance(line, OrderLine):
            raise InvalidValue(f"new_lines[{index}]", line, "an OrderLine")
    for name, value in payment.items():
        if name not in _PAYMENT_KEYWORDS:
            raise InvalidValue(name, value, f"a keyword of the new order's payment: {_KNOWN}")


def _link(old: str) -> Callable[[Order, Context], Order]:
    """The decision marking an exchange's new order with the order it replaces."""

    def link(order: Order, ctx: Context) -> Order:
        return order if order.exchange_for else replace(order, exchange_for=old)

    return link
