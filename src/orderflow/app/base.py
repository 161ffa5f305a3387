"""What every command of the desk shares: loading, finishing the outbox, deciding, saving."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from orderflow.app._inputs import check_number, check_text
from orderflow.app._wiring import Ports, by_code
from orderflow.app.executor import RACE_TRIES, Executor
from orderflow.domain._values import replace
from orderflow.domain.bounds import LATEST, check_span
from orderflow.domain.lifecycle import Context
from orderflow.domain.machine import allowed_moves
from orderflow.domain.moves import offered
from orderflow.domain.order import Order, OrderEvent, OrderTotals
from orderflow.domain.payment import PaymentMethod
from orderflow.domain.payments import payment_confirmed
from orderflow.domain.policy import Requester
from orderflow.domain.queues import QueueQuery, queue_facts
from orderflow.domain.review import ReviewRule, check_rules, default_rules
from orderflow.domain.review_tables import RECENT_SPAN
from orderflow.domain.rules import Rules
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import (
    CodecError,
    ConcurrencyError,
    DuplicateOrder,
    EffectsPending,
    InvalidValue,
    MoveNotAllowed,
    OrderflowError,
    PaymentDeclined,
)
from orderflow.ports import (
    Accounting,
    BankTransferProvider,
    Carrier,
    CarrierEvents,
    Clock,
    FraudScreen,
    Inventory,
    KonbiniProvider,
    Notifier,
    OrderStore,
    PaymentGateway,
    PointsProvider,
    PostpayProvider,
    PurchaseOrderStore,
    Supplier,
    Warehouse,
)
from orderflow.settings import ShopSettings

__all__ = ["DeskBase", "decided_again", "refund_refused"]

_KEPT_REQUESTS = 64
"""How many request ids an order remembers (the newest)."""


def refund_refused(order: Order) -> PaymentDeclined:
    """The error a refused refund raises, saying what became of the money by the method."""
    if order.payment.method is PaymentMethod.POSTPAY:
        text = (
            "the 後払い service would not bill the rest: the refund was not made "
            "(settle it with the customer another way)"
        )
    else:
        text = (
            "the provider refused the refund: it is owed back by bank transfer now (the order "
            "is held refund_failed until a person has paid it; see desk.refunds_to_transfer)"
        )
    return PaymentDeclined(text, code="refund_refused")


T = TypeVar("T")

log = logging.getLogger("orderflow.desk")
"""Where the desk tells what a sweep could not finish (order number, error class, message)."""


def decided_again(attempt: Callable[[], T]) -> T:
    """``attempt()``, run again when another request stored the same thing first.

    For the commands that create an order (place, exchange): an attempt that loses the race to
    store it (``DuplicateOrder``, ``ConcurrencyError``) decides again on what the other stored,
    where the same request is a repeat and any other one a ``DuplicateOrder``. Nothing outside
    was called before the lost save. Up to :data:`RACE_TRIES` attempts; the last one's error
    is raised.
    """
    for _ in range(RACE_TRIES - 1):
        try:
            return attempt()
        except (DuplicateOrder, ConcurrencyError):
            continue
    return attempt()


def _give_up(numbers: list[str], held: list[str], tried: set[str]) -> None:
    """Leave ``numbers`` untried, not given back: their claims lapsed (another's may follow)."""
    for number in numbers:
        held.remove(number)
        tried.discard(number)


class DeskBase:
    """The desk's wiring and the three beats every command shares (load, decide, do)."""

    def __init__(
        self,
        *,
        store: OrderStore,
        inventory: Inventory,
        warehouses: Mapping[str, Warehouse],
        carriers: Mapping[str, Carrier],
        accounting: Accounting,
        notifier: Notifier,
        clock: Clock,
        gateway: PaymentGateway | None = None,
        amazon_pay: PaymentGateway | None = None,
        fraud: FraudScreen | None = None,
        postpay: PostpayProvider | None = None,
        bank: BankTransferProvider | None = None,
        konbini: KonbiniProvider | None = None,
        points: PointsProvider | None = None,
        suppliers: Mapping[str, Supplier] | None = None,
        purchase_orders: PurchaseOrderStore | None = None,
        review: Sequence[ReviewRule] | None = None,
        settings: ShopSettings | None = None,
        carrier_feeds: Mapping[str, CarrierEvents] | None = None,
    ) -> None:
        self.settings = settings or ShopSettings()
        warehouses, carriers = by_code(warehouses, "warehouses"), by_code(carriers, "carriers")
        missing = [w for w in self.settings.warehouses if w not in warehouses]
        if missing:
            raise InvalidValue(
                "warehouses",
                ", ".join(map(str, sorted(warehouses, key=str))) or "none",
                f"a port for each code of ShopSettings.warehouses {list(self.settings.warehouses)}"
                f" (missing: {', '.join(missing)}); name other warehouses with"
                " settings=ShopSettings(warehouses=(...))",
            )
        if self.settings.carrier not in carriers:
            raise InvalidValue(
                "carriers",
                ", ".join(map(str, sorted(carriers, key=str))) or "none",
                f"a port for ShopSettings.carrier {self.settings.carrier!r}: name it as"
                f" carriers={{{self.settings.carrier!r}: ...}}, or choose another carrier with"
                " settings=ShopSettings(carrier=...)",
            )
        self.store = store
        self.clock = clock
        self.carriers = dict(carriers)
        self.rules = Rules(
            self.settings,
            screen_cards=fraud is not None,
            points=points is not None,
            review=check_rules(
                review if review is not None else default_rules(fees=self.settings.shipping_fees)
            ),
        )
        self.ports = Ports(
            store=store,
            inventory=inventory,
            warehouses=dict(warehouses),
            carriers=self.carriers,
            accounting=accounting,
            notifier=notifier,
            clock=clock,
            gateway=gateway,
            amazon_pay=amazon_pay,
            fraud=fraud,
            postpay=postpay,
            bank=bank,
            konbini=konbini,
            points=points,
            carrier_feeds=by_code(carrier_feeds, "carrier_feeds"),
            suppliers=by_code(suppliers, "suppliers"),
            purchase_orders=purchase_orders,
        )
        self.executor = Executor(self.ports, self.rules)

    @property
    def review_rules(self) -> tuple[ReviewRule, ...]:
        """The rules of the order review (注文確認); assign to replace them."""
        return self.rules.review

    @review_rules.setter
    def review_rules(self, rules: Sequence[ReviewRule]) -> None:
        self.rules = replace(self.rules, review=check_rules(rules))
        self.executor.rules = self.rules

    # -- reading -------------------------------------------------------------------------

    def now(self) -> datetime:
        """The desk's time: its clock's now (aware UTC), as every command and work list reads it."""
        return self.executor.now()

    def get(self, number: str) -> Order:
        """The stored order ``number`` (as it is, pending effects included)."""
        return self.executor.load(check_number(number))

    def totals(self, order: Order) -> OrderTotals:
        """The order's totals under the shop's tax rule (give the order, as ``get`` returns it)."""
        if not isinstance(order, Order):
            raise InvalidValue("order", order, "an Order (desk.get(number))")
        return order.totals(self.settings.tax)

    def payment_confirmed(self, order: Order) -> bool:
        """Whether the payment allows shipping now (see :mod:`orderflow.domain.payments`)."""
        if not isinstance(order, Order):
            raise InvalidValue("order", order, "an Order (desk.get(number))")
        return payment_confirmed(
            order.payment,
            self.totals(order).total,
            self.executor.now(),
            self.settings.authorization_days,
        )

    def next_moves(self, number: str, *, requester: Requester | None = None) -> tuple[Move, ...]:
        """The moves order ``number`` may make now.

        :func:`~orderflow.domain.moves.next_moves` of the stored order, less 出荷指示 while
        the payment is not confirmed at the desk's clock (an authorization that has lapsed).
        Without a ``requester``, the shop's own moves; with one (``Requester.customer()`` for
        my page), only what the commands would take from them: a customer is offered キャンセル
        alone, and only while the shop's ``cancel_policy`` lets them cancel.
        """
        from orderflow.domain.moves import next_moves

        order = self.get(number)
        moves = next_moves(order, requester=requester, cancel_policy=self.settings.cancel_policy)
        if Move.INSTRUCT_SHIPPING in moves and not self.payment_confirmed(order):
            return tuple(m for m in moves if m is not Move.INSTRUCT_SHIPPING)
        return moves

    # -- finishing -------------------------------------------------------------------------

    def resume(self, number: str) -> Order:
        """Perform order ``number``'s pending effects (after a time-out or a crash), same keys.

        Returns the order; an effect a provider still refuses stays pending (its hold says so).
        """
        order = self.executor.load(check_number(number))
        return self.executor.drive(order) if order.outbox else order

    def resume_pending(
        self,
        *,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 100,
        each: Callable[[str], object] | None = None,
        older_than: timedelta = timedelta(0),
    ) -> list[Order]:
        """Sweep: finish every order with pending effects; returns the orders finished.

        Run it from cron or a worker loop, from as many workers as you like. On a store that
        claims (``SQLiteStore``, ``PostgresStore``) each worker takes ``batch`` orders at a time
        for ``lease``, so that two workers do not drive the same order (an order whose lease ran
        out before the worker came to it is claimed again first); elsewhere a worker that loses
        a save to another finishing the same order reloads it and finishes what is left
        (see :meth:`~orderflow.app.executor.Executor.drive`). One whose provider still does not
        answer stays pending for the next sweep, with a warning on the logger ``orderflow.desk``.
        ``each`` is called with every order number tried, after it is (a progress bar counts
        them).
        ``older_than`` leaves alone the orders whose last step is younger than that: a command
        running in a web worker performs its own effects right after saving them, and a sweep
        taking the same order at that moment would ask the providers the same keys at the same
        time (a provider answers such a twin request with "in progress": the command then
        raises ``OutcomeUnknown``). ``timedelta(minutes=1)`` suits a sweep run beside web
        workers; 0 (the default) takes every order with pending effects.
        ``lease`` is above 0 and at most ten years; ``batch`` a whole number from 1 to 10,000;
        ``older_than`` 0 or more.
        """
        check_span(lease, "lease", positive=True)
        check_span(older_than, "older_than")
        settled = self.executor.now() - older_than
        if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= 10_000:
            raise InvalidValue("batch", batch, "a whole number from 1 to 10000")
        done: list[Order] = []
        held: list[str] = []  # claimed in this sweep: kept until it ends, so tried only once
        tried: set[str] = set()
        try:
            while True:
                lapses = self.executor.now() + lease  # when this round's claims run out
                numbers = self.executor.claim_pending(lease, batch)
                fresh = [n for n in numbers if n not in tried]  # a store without claims repeats
                if not fresh:
                    return done
                held.extend(fresh)
                tried.update(fresh)
                for at, number in enumerate(fresh):
                    if at and self.executor.now() >= lapses:  # another worker may hold the rest
                        _give_up(fresh[at:], held, tried)  # claimed again if nobody took them
                        break
                    try:
                        finished = self._resume_settled(number, settled, bool(older_than))
                        if finished is None:
                            continue  # its command may still be performing them
                    except OrderflowError as stopped:  # a race, a time-out, an adapter crash
                        racing = isinstance(stopped, ConcurrencyError)  # normal: debug
                        level = logging.DEBUG if racing else logging.WARNING
                        name = type(stopped).__name__
                        log.log(level, "order %s left pending: %s: %s", number, name, stopped)
                        continue
                    finally:
                        if each is not None:
                            each(number)
                    if not finished.outbox:
                        done.append(finished)
        finally:
            self._release_claims(held)

    def _resume_settled(self, number: str, settled: datetime, young: bool) -> Order | None:
        """:meth:`resume` ``number``; None (untouched) if ``young`` and moved after ``settled``."""
        order = self.executor.load(number)
        if not order.outbox:
            return order
        if young and (queue_facts(order).pending_since or settled) > settled:
            return None
        return self.resume(number)

    def _release_claims(self, numbers: list[str]) -> None:
        """Give back every claim of a sweep; one that cannot be given back lapses with its lease.

        The work is done and saved: a claim the store cannot take back now (the database went
        away) is logged, and another worker takes the order when its lease runs out.
        """
        for number in numbers:
            try:
                self.executor.release_claim(number)
            except OrderflowError as error:
                log.warning("order %s: claim not given back: %s", number, error)

    def _orders_due(self, by: datetime) -> Iterator[Order]:
        """The open orders a timed sweep judges at ``by``: those with a clock at or before it.

        Read off the deadlines list (``QueueQuery.deadlines``): see :meth:`_orders_listed`.
        """
        by = min(by, LATEST - timedelta(microseconds=1))  # looking ahead from the calendar's end
        return self._orders_listed(QueueQuery.deadlines(by))

    def _orders_listed(self, query: QueueQuery) -> Iterator[Order]:
        """The orders of a work list, a page at a time, for a sweep to judge.

        A store that answers no work lists: every open order (the sweep's rule sorts them). An
        order gone since the page was read is skipped, and so is one whose stored document this
        orderflow cannot read (a newer orderflow wrote it, or a migration is missing): logged as
        a warning, so that one order never stops the sweep of all the others.
        """
        try:
            lists = self.executor.work_lists()
        except InvalidValue:  # a store of the shop's own without work lists
            yield from self.executor.open_orders()
            return
        after = None
        while numbers := lists.queue(query, after=after, limit=500):
            for number in numbers:
                try:
                    order = self.executor.find(number)
                except CodecError as unreadable:
                    log.warning("order %s skipped: CodecError: %s", number, unreadable)
                    continue
                if order is not None:
                    yield order
            after = numbers[-1]

    def _orders_filed(self, index: str, values: Iterable[str]) -> Iterator[Order]:
        """The orders the store filed under (``index``, value) for any of ``values``, by number.

        Read off its index (``TrackingLookup``: ``ACCOUNT_INDEX``, ``WAITING_INDEX`` …); a store
        without the index: every open order, for the caller's rule to sort. An order gone since
        is skipped.
        """
        numbers: set[str] = set()
        for value in values:
            filed = self.executor.orders_indexed(index, value)
            if filed is None:  # a store without the index
                yield from self.executor.open_orders()
                return
            numbers.update(filed)
        for number in sorted(numbers):
            order = self.executor.find(number)
            if order is not None:
                yield order

    # -- work lists (業務キュー) ----------------------------------------------------------------

    def queue(self, query: QueueQuery, *, after: str | None = None, limit: int = 100) -> list[str]:
        """One page of a work list: order numbers ascending (give the last one as ``after``).

        ``desk.queue(QueueQuery.held("fraud_review"))``; the store must answer work lists
        (:class:`~orderflow.ports.WorkLists`: the SQL stores and the in-memory one do). The
        ready list is read as of the desk's clock unless the query says when.
        """
        if isinstance(query, QueueQuery):
            query = query.as_of(self.executor.now())
        return self.executor.work_lists().queue(query, after=after, limit=limit)

    def queue_counts(
        self,
        *,
        not_shipped_after: timedelta = timedelta(hours=24),
        stuck_after: timedelta = timedelta(minutes=15),
    ) -> dict[str, int]:
        """How many orders are on each work list now (what an operator's dashboard shows).

        Keys: ``status:<status>`` for each status, ``held``, ``awaiting_payment`` and
        ``awaiting_payment:<method>``, ``ready_to_instruct``, ``not_shipped`` (instructed more
        than ``not_shipped_after`` ago) and ``stuck`` (effects pending, no progress for
        ``stuck_after``).
        """
        check_span(not_shipped_after, "not_shipped_after")  # 0 to ten years
        check_span(stuck_after, "stuck_after")
        lists = self.executor.work_lists()
        now = self.executor.now()
        counts = {f"status:{s.value}": lists.count(QueueQuery.by_status(s)) for s in OrderStatus}
        counts["held"] = lists.count(QueueQuery.held())
        counts["awaiting_payment"] = lists.count(QueueQuery.awaiting_payment())
        for method in PaymentMethod:
            counts[f"awaiting_payment:{method.value}"] = lists.count(
                QueueQuery.awaiting_payment(method)
            )
        counts["ready_to_instruct"] = lists.count(QueueQuery.ready_to_instruct(now))
        counts["not_shipped"] = lists.count(QueueQuery.not_shipped(now - not_shipped_after))
        counts["stuck"] = lists.count(QueueQuery.stuck(now - stuck_after))
        return counts

    # -- the three beats ---------------------------------------------------------------------

    def _ctx(self, actor: str, reason: str = "") -> Context:
        check_text(actor, "actor", required=True, limit=200)
        check_text(reason, "reason", limit=1000, breaks=True)
        return Context(self.executor.now(), actor, reason)

    def _current(self, number: str) -> Order:
        """The stored order with its outbox driven to the end (every command starts so).

        An effect a provider keeps refusing stops the order: :class:`EffectsPending`.
        """
        order = self.executor.load(number)
        if order.outbox:
            order = self.executor.drive(order)
            if order.outbox:
                raise EffectsPending(number, order.outbox[0].kind)
        return order

    def _command(
        self,
        number: str,
        decide: Callable[[Order, Context], Order],
        *,
        actor: str,
        reason: str = "",
        request_id: str | None = None,
    ) -> Order:
        """Load (finishing what is pending), decide, save with the effects, perform them."""
        check_number(number)
        ctx = self._ctx(actor, reason)
        if request_id is not None:
            check_text(request_id, "request_id", required=True, limit=200)
        order = self._current(number)
        if request_id is not None and request_id in order.requests:
            return order
        try:
            decided = decide(order, ctx)
        except MoveNotAllowed as refused:
            codes = [h.code for h in order.open_holds]
            if type(refused) is not MoveNotAllowed or refused.holds or not codes:
                raise
            # the status has not moved on because of a hold: say so
            raise MoveNotAllowed(
                refused.order_number,
                refused.status,
                refused.move,
                refused.allowed,
                codes,
                instead=refused.instead,
            ) from None
        if decided is order:
            return order
        if request_id is not None:
            decided = replace(decided, requests=(*order.requests, request_id)[-_KEPT_REQUESTS:])
        saved = self.executor.save(order, decided)
        try:
            return self.executor.drive(saved)
        except ConcurrencyError as lost:  # decided and saved: only its answers lost the races
            raise ConcurrencyError(lost.number, lost.expected, lost.actual, saved=True) from lost

    def _cancelled(self, order: Order) -> None:
        """A command cancelled ``order``: what else must follow (purchase orders overrides it)."""

    def _require(self, order: Order, move: Move) -> None:
        if move not in allowed_moves(order.status):  # the refusal lists what next_moves offers
            raise MoveNotAllowed(order.number, order.status.name, move.value, offered(order))

    def _recent(self, order: Order) -> list[Order]:
        since = order.placed_at - RECENT_SPAN
        return self.executor.orders_of_customer(order.customer.id, since)

    @staticmethod
    def _after(order: Order, marker: type[OrderEvent]) -> list[type[OrderEvent]]:
        """Kinds of the events after the last ``marker`` (what a command led to)."""
        history = order.history
        for index in range(len(history) - 1, -1, -1):
            if isinstance(history[index], marker):
                return [type(e) for e in history[index + 1 :]]
        return []
