"""ポイント付与 and ポイント回収: the grant sweep and the clawback a return calls."""

from __future__ import annotations

from datetime import datetime

from orderflow.app.base import DeskBase
from orderflow.domain import points
from orderflow.domain.bounds import check_moment
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import Order
from orderflow.domain.queues import QueueQuery
from orderflow.errors import InvalidValue, OrderflowError

__all__ = ["PointsCommands"]


class PointsCommands(DeskBase):
    """Points granted for what orders earn, and taken back."""

    def grant_points_due(self, now: datetime | None = None, *, batch: int = 500) -> list[Order]:
        """Sweep (run it from any scheduler): grant the points due by ``now``, once per order.

        The shop's ``settings.points_grant`` says when points fall due (``days`` after the
        booking, the last shipment or the delivery); provisional points (仮ポイント) are
        confirmed by the same sweep when their confirmation falls due. An order with an open
        hold waits until the hold is cleared (a delivery in doubt, a parcel lost or sent back,
        a capture refused: a person answers first). An order is granted once:
        the grant is saved with its key before the points system is called, and a crash in
        between is finished by ``resume`` under the same key. One order's trouble never stops
        the sweep. Returns the orders granted or confirmed. The store must answer work lists
        (:class:`~orderflow.ports.WorkLists`).
        """
        moment = self.executor.now() if now is None else check_moment(now, "now")
        if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= 10_000:
            raise InvalidValue("batch", batch, "a whole number from 1 to 10000")
        lists = self.executor.work_lists()
        query = QueueQuery.points_due(moment)
        touched: list[Order] = []
        after: str | None = None
        while True:
            numbers = lists.queue(query, after=after, limit=batch)
            for number in numbers:
                order = self._grant_one(number, moment)
                if order is not None:
                    touched.append(order)
            if len(numbers) < batch:
                return touched
            after = numbers[-1]

    def _grant_one(self, number: str, moment: datetime) -> Order | None:
        """Grant (or confirm) what order ``number`` has due: the order, if this call did it.

        None when it had nothing due (another worker, reading the same list, granted it first)
        or its grant could not be made now (an error: the next sweep tries again).
        """
        acted: list[bool] = []

        def decide(order: Order, ctx: Context) -> Order:
            due = points.grant_due(order, Context(moment, ctx.actor, ctx.reason), self.rules)
            acted.append(due is not order)
            return due

        try:
            order = self._command(number, decide, actor="system", reason="points due")
        except OrderflowError:
            return None
        if not (acted and acted[-1]):
            return None
        if order.points_due_at is not None and order.points_due_at <= moment:
            return None  # still due: nothing was granted by this call
        return order

    def claw_back_points(
        self,
        number: str,
        points_back: int | None = None,
        *,
        reason: str,
        actor: str = "operator",
        request_id: str | None = None,
    ) -> Order:
        """ポイント回収: take back ``points_back`` of the points order ``number`` earned.

        None takes back all that is left. Granted points are revoked from the customer's balance
        (its provisional points first); what the customer already spent is recorded as owed
        (``Order.points_owed``, a ``PointsOwed`` event), never a negative balance, and when the
        shop's ``settings.points_clawback`` is ``DEDUCT_FROM_REFUND`` the next ``refund`` of the
        order pays that many yen less. Before the grant, the grant is lowered instead
        (``points_withheld``). A received return (返品) claws back the points of what came back by
        the same rules. Give a ``request_id`` to make a repeat safe.
        """
        if reason is None or not isinstance(reason, str) or not reason.strip():
            raise InvalidValue("reason", reason, "a non-empty text")

        def decide(order: Order, ctx: Context) -> Order:
            return points.claw_back(order, points_back, ctx, self.rules)

        return self._command(number, decide, actor=actor, reason=reason, request_id=request_id)
