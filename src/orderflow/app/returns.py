"""返品 and 交換: returns requested, received and refunded; exchanges as a return plus an order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from orderflow.app.base import check_text, refund_refused
from orderflow.app.orders import OrderCommands
from orderflow.domain.decisions import returning
from orderflow.domain.events import RefundRefused, ReturnReceived
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order, OrderLine
from orderflow.domain.policy import Requester
from orderflow.domain.returns import Disposition, Return, ReturnReason
from orderflow.errors import InvalidValue

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
    ) -> Order:
        """返品受付: ask to return ``lines`` (line id → units) of a delivered order for ``reason``.

        Checked against ``settings.return_policy``: a return it does not take raises
        :class:`~orderflow.errors.ReturnRefused` naming the rule (``not_delivered``, ``days``,
        ``reason``, ``excluded``); more units than are left to return raise ``InvalidValue``.
        The return (``R1``, ``R2``…) is added to ``Order.returns`` and the customer told how to
        send the goods back. ``refund_account`` is the account the customer gives for money owed
        back (bank transfer, konbini, COD). Give a ``request_id`` to make a repeat safe.
        """
        who = requester or Requester.customer()
        if not isinstance(who, Requester):
            raise InvalidValue("requester", who, "a Requester")
        check_text(refund_account, "refund_account", limit=200)

        def decide(order: Order, ctx: Context) -> Order:
            return returning.request_return(
                order,
                lines,
                reason,
                ctx,
                self.rules,
                request=request_id or "",
                refund_account=refund_account,
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
        points used given back and those earned clawed back, the reversing journal entry if the
        sale is booked (else at the booking) and a notice. Receiving it again changes nothing.
        A 後払い provider that will not bill the rest raises
        :class:`~orderflow.errors.PaymentDeclined` (the return stays received: pay it back by
        bank transfer).
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
        check_text(reason, "reason", required=True, limit=1000)
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
        **payment: Any,
    ) -> tuple[Order, Order]:
        """交換: a return of ``lines`` plus a new order of ``new_lines``, linked both ways.

        The new order is numbered ``<number>-X<n>`` (``n`` the return's), goes to the same
        customer and address, and is placed like any order (``payment`` gives ``token``,
        ``payment_method``, ``shipping_fee``… as ``place`` takes them); its ``exchange_for``
        names the old order and the return's ``exchange`` the new one. The return is refunded
        when its goods come back (``receive_return``). ``request_id`` makes a repeat safe: it
        finishes the first exchange. Returns the old order and the new one.
        """
        check_text(request_id, "request_id", required=True, limit=200)
        if isinstance(new_lines, str) or not isinstance(new_lines, Sequence) or not new_lines:
            raise InvalidValue("new_lines", new_lines, "a list of OrderLine, not empty")
        who = requester or Requester.customer()
        if not isinstance(who, Requester):
            raise InvalidValue("requester", who, "a Requester")

        def decide(order: Order, ctx: Context) -> Order:
            new_number = f"{number}-X{len(order.returns) + 1}"
            return returning.request_return(
                order,
                lines,
                reason,
                ctx,
                self.rules,
                request=request_id,
                exchange=new_number,
            )

        old = self._command(number, decide, actor=who.actor, request_id=request_id)
        ret = next((r for r in old.returns if r.request == request_id), None)
        if ret is None or not ret.exchange:
            raise InvalidValue("request_id", request_id, "the id of an exchange of this order")
        new = self._place_exchange(old, ret, new_lines, payment)
        return old, new

    def _place_exchange(
        self, old: Order, ret: Return, lines: Sequence[OrderLine], payment: dict[str, Any]
    ) -> Order:
        """The exchange's new order, placed once, then marked with the order it replaces."""
        new = self.place(
            number=ret.exchange,
            customer=old.customer,
            ship_to=old.ship_to,
            lines=list(lines),
            channel=old.channel,
            **payment,
        )
        if new.exchange_for == old.number:
            return new

        def link(order: Order, ctx: Context) -> Order:
            from orderflow.domain._values import replace

            return order if order.exchange_for else replace(order, exchange_for=old.number)

        return self._command(ret.exchange, link, actor="system")
