"""The executor: the one place that calls the ports (外部呼び出し).

It performs an order's pending effects in order, each with its idempotency key, and folds each
answer back through the pure domain (:func:`orderflow.domain.answers.fold`), which may queue
follow-up effects. The order is saved once when the outbox is empty (or when a call times out,
with what was answered so far; and after a refusal, before what follows it). A crash in between
loses nothing: the effects stay on the saved order and are performed again with the same keys,
and the providers answer a repeated key with their first answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from typing import Any, TypeVar

from orderflow.app._ask import ask, checked_answer
from orderflow.app._dropship_executor import DropShipExecutor
from orderflow.app._payment_executor import PaymentPerformers, wired
from orderflow.app._stock_executor import StockPerformers
from orderflow.app._wiring import Ports
from orderflow.app.perform_returns import perform_restock
from orderflow.domain._text import storable_text
from orderflow.domain._values import replace
from orderflow.domain.answers import MAX_ATTEMPTS, asked_together, fold
from orderflow.domain.effects import (
    Authorize,
    Capture,
    CheckCredit,
    CheckStock,
    Commit,
    ConfirmPoints,
    CreatePart,
    Done,
    Effect,
    GrantPoints,
    Instruct,
    IssueAccount,
    IssueKonbini,
    Notify,
    PostJournal,
    PostpayAmend,
    PostpayCancel,
    PostpayRegister,
    PostpayReport,
    Recall,
    RedeemPoints,
    Refund,
    Refused,
    Release,
    ReleaseAccount,
    Reserve,
    Restock,
    RestorePoints,
    RevokePoints,
    Screen,
    Void,
    WithdrawKonbini,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.order import DROP_SHIP, Order
from orderflow.domain.rules import Rules
from orderflow.domain.tracking import CarrierEvent
from orderflow.errors import (
    ConcurrencyError,
    DuplicateOrder,
    InvalidValue,
    OrderflowError,
    OrderNotFound,
    PaymentDeclined,
    ProviderError,
    ProviderTimeout,
)
from orderflow.notices import Notice, summarize
from orderflow.notices.parcels import box_facts
from orderflow.ports import (
    Carrier,
    PendingClaims,
    TrackingLookup,
    WorkLists,
)

RACE_TRIES = 3
"""Attempts at a step that another worker may win: a drive's saves, a new order's decision."""

POLL_LIMIT = 100_000
"""The most events one poll of the carrier feeds may answer (``desk.carrier_events``'s batch)."""

__all__ = ["Executor", "Ports"]


Perform = Callable[["Executor", Order, Any], object]

R = TypeVar("R")


def _read(port: str, method: str, call: Callable[[], R]) -> R:
    """A port's call the desk makes outside an effect (a read, ``desk.receive``'s receipt).

    orderflow's own errors pass (a ``ProviderTimeout`` stays one); anything else the adapter
    raises becomes a ``ProviderError`` naming the port, the method and the class of what it
    raised (its message, which may hold anything, is the chained cause), as every error
    orderflow raises is an ``OrderflowError``.
    """
    try:
        return call()
    except OrderflowError:
        raise
    except Exception as failed:  # the shop's adapter: any error is the port's failure
        name = type(failed).__name__
        raise ProviderError(f"{port} failed in {method} ({name})") from failed


class Executor(DropShipExecutor, PaymentPerformers, StockPerformers):
    """Performs pending effects through the ports and folds the answers; saves the order."""

    def __init__(self, ports: Ports, rules: Rules) -> None:
        self.ports = ports
        self.rules = rules
        self._looked_at: object = None
        self._looks_up = False

    # -- the store and the clock -------------------------------------------------------------

    def now(self) -> datetime:
        """The clock's now (aware UTC)."""
        return self.ports.clock.now()

    def load(self, number: str) -> Order:
        """The stored order ``number`` (``OrderNotFound`` if there is none)."""
        return self.ports.store.get(number)

    def find(self, number: str) -> Order | None:
        """The stored order ``number``, or None."""
        try:
            return self.ports.store.get(number)
        except OrderNotFound:
            return None

    def add(self, order: Order) -> Order:
        """Store a new order (``DuplicateOrder`` if the number is taken)."""
        self.ports.store.add(order)
        return order

    def pending(self) -> list[Order]:
        """The orders with pending effects."""
        return list(self.ports.store.pending())

    def claim_pending(self, lease: timedelta, limit: int) -> list[str]:
        """Pending orders this worker may finish.

        Claimed for ``lease`` where the store can (:class:`~orderflow.ports.PendingClaims`),
        else every pending order.
        """
        store = self.ports.store
        if isinstance(store, PendingClaims):
            return store.claim_pending(now=self.now(), lease=lease, limit=limit)
        return [order.number for order in store.pending()]

    def release_claim(self, number: str) -> None:
        """Give a claimed order back (a no-op on a store that does not claim)."""
        store = self.ports.store
        if isinstance(store, PendingClaims):
            store.release_claim(number)

    def work_lists(self) -> WorkLists:
        """The store, as the answerer of work lists (``InvalidValue`` if it is not one)."""
        store = self.ports.store
        if not isinstance(store, WorkLists):
            raise InvalidValue(
                "store", type(store).__name__, "a store with queue() and count() (WorkLists)"
            )
        return store

    def open_orders(self) -> Iterator[Order]:
        """The orders not in a final status, as the store gives them.

        The SQL stores read them a page at a time: ``list()`` them to go through them twice.
        """
        return iter(self.ports.store.open_orders())

    def orders_of_customer(self, customer_id: str, since: datetime) -> list[Order]:
        """The customer's orders placed since ``since``."""
        return list(self.ports.store.orders_of_customer(customer_id, since))

    def can_look_up_tracking(self) -> bool:
        """Whether the store finds orders by tracking number (a ``TrackingLookup``)."""
        store = self.ports.store
        if store is not self._looked_at:  # a protocol's isinstance is slow: once per store
            self._looked_at, self._looks_up = store, isinstance(store, TrackingLookup)
        return self._looks_up

    def orders_by_tracking(self, carrier: str, tracking_number: str) -> list[str]:
        """Order numbers holding (carrier, tracking number) (the store must be a TrackingLookup)."""
        store = self.ports.store
        if not isinstance(store, TrackingLookup):
            raise InvalidValue(
                "store",
                type(store).__name__,
                "a store with orders_by_tracking() (TrackingLookup)",
            )
        return store.orders_by_tracking(carrier, tracking_number)

    def orders_indexed(self, key: str, value: str) -> list[str] | None:
        """Numbers of the orders, open or closed, the store indexed under (``key``, ``value``).

        The index of tracking numbers, which also files deposits received
        (``DEPOSIT_INDEX``) and refunds still to transfer (``REFUND_INDEX``). None when the
        store keeps no index (it is not a TrackingLookup): then only the open orders can be
        asked.
        """
        store = self.ports.store
        if not isinstance(store, TrackingLookup):
            return None
        return store.orders_by_tracking(key, value)

    # -- queries (reads that change nothing outside) --------------------------------------------

    def poll_carrier_events(self, since: datetime) -> list[CarrierEvent]:
        """Every wired carrier feed's events since ``since``, at most :data:`POLL_LIMIT` in all.

        A feed answering more (an endless pager) is read no further than one past the limit and
        refused with a ``ProviderError``.

        A feed that fails raises its ``ProviderError``; anything else it raises (an adapter's
        bug, a dropped connection) becomes one, naming the feed and the class of what it raised
        (its message, which may hold anything, is the chained cause).
        """
        events: list[CarrierEvent] = []
        for code in sorted(self.ports.carrier_feeds):
            room = POLL_LIMIT + 1 - len(events)  # one more than the limit is enough to refuse
            try:
                events.extend(islice(self.ports.carrier_feeds[code].poll(since), room))
            except OrderflowError:
                raise
            except Exception as failed:  # the shop's adapter: any error is the feed's failure
                name = type(failed).__name__
                raise ProviderError(f"carrier feed {code!r} failed ({name})") from failed
            if len(events) > POLL_LIMIT:
                raise ProviderError(
                    f"carrier feed {code!r} answered more than {POLL_LIMIT} events: "
                    "poll a shorter span"
                )
        return events

    def tracking(self, carrier_code: str, number: str | None) -> tuple[str | None, str, bool]:
        """The carrier's form of ``number`` (None if it is not one), its page, and tracking at all.

        Carriers are adapters without I/O, but they are ports: read here like the others.
        """
        carrier = self.ports.carriers[carrier_code]
        return _read(
            f"carrier {carrier_code!r}",
            "a tracking number's check",
            partial(_tracking, carrier, number),
        )

    def knows(self, sku: str) -> bool:
        """Whether the inventory knows ``sku``."""
        return _read("inventory", "knows", partial(self.ports.inventory.knows, sku))

    def receive_stock(
        self, warehouse: str, sku: str, quantity: int, *, key: str, reason: str
    ) -> None:
        """入荷 into the inventory, once per ``key`` (the inventory must offer ``receive``)."""
        receive = getattr(self.ports.inventory, "receive", None)
        if not callable(receive):
            raise InvalidValue(
                "inventory",
                type(self.ports.inventory).__name__,
                "an inventory with receive(warehouse, sku, quantity, key=, reason=)",
            )
        receive(warehouse, sku, quantity, key=key, reason=reason)

    def available(self, warehouse: str, sku: str) -> int:
        """Units of ``sku`` available in ``warehouse``."""
        return _read(
            "inventory", "available", partial(self.ports.inventory.available, warehouse, sku)
        )

    def receive_now(
        self, warehouse: str, sku: str, quantity: int, *, key: str, reason: str
    ) -> None:
        """``desk.receive``'s 入荷, made by the command itself (not an effect).

        As :meth:`receive_stock`; an adapter's own exception is a ``ProviderError`` naming it.
        """
        _read(
            "inventory",
            "receive",
            partial(self.receive_stock, warehouse, sku, quantity, key=key, reason=reason),
        )

    # -- saving ----------------------------------------------------------------------------

    def save(self, stored: Order, new: Order) -> Order:
        """Save ``new`` over ``stored`` (version checked); returns what was saved."""
        if new is stored:
            return stored
        saved = (
            new if new.version == stored.version + 1 else replace(new, version=stored.version + 1)
        )
        self.ports.store.save(saved, expected_version=stored.version)
        return saved

    # -- driving -----------------------------------------------------------------------------

    def drive(self, order: Order) -> Order:
        """Perform ``order``'s pending effects (it must be as stored); returns it saved.

        Another worker may be finishing the same effects at the same moment (a sweep, or a
        command that found them pending): both ask under the same keys and get the same answers
        (a port answers a repeated key with its first answer, a refusal included),
        and whichever saves second loses the version check. The loser reloads the order and
        finishes what is still pending, so a command whose effects someone else completed
        returns the order as stored instead of failing. After :data:`RACE_TRIES` lost saves in
        a row the last ``ConcurrencyError`` is raised.
        """
        for _ in range(RACE_TRIES - 1):
            try:
                return self._drive(order)
            except ConcurrencyError:
                order = self.load(order.number)
                if not order.outbox:
                    return order
        return self._drive(order)

    def _drive(self, order: Order) -> Order:
        start = order
        ctx = Context(self.ports.clock.now(), "system")
        while order.outbox:
            for effect, answer in self._ask_next(order, partial(self.save, start, order)):
                order = fold(order, effect, answer, ctx, self.rules, start.version + 1)
            if effect.query and order.outbox:
                start = order = self.save(start, order)  # keep what was decided from the read
                continue
            if isinstance(answer, Refused) and effect.obligation and effect.attempt >= MAX_ATTEMPTS:
                break  # a person is called (the order is held); the effect stays pending
            if isinstance(answer, Refused) and order.outbox:
                # A provider need not refuse a key again (a transient refusal): record what
                # follows (a retry under a new key …) before doing it, or a death before the
                # last save would send the refused key again, and the work would be done twice.
                start = order = self.save(start, order)
        return self.save(start, order)

    def _ask_next(
        self, order: Order, checkpoint: Callable[[], object]
    ) -> list[tuple[Effect, Done | Refused]]:
        """The next pending effect with its answer; or each stock move asked with it, answered.

        Stock moves an order makes together are asked in one call where the inventory takes
        them (:meth:`ask_together`): each made, up to the first refused.
        """
        together = asked_together(order, self.rules)
        if together:
            answered = self.ask_together(order.number, together, checkpoint)
            if answered is not None:
                return list(answered)
        effect = order.outbox[0]
        return [(effect, ask(order.number, effect, self.perform, order, checkpoint))]

    def perform(self, order: Order, effect: Effect) -> Done | Refused:
        """Make the one call ``effect`` asks for; a refusal is an answer, a time-out is not."""
        try:
            value = _PERFORM[type(effect)](self, order, effect)
        except ProviderTimeout:
            raise
        except PaymentDeclined as declined:
            return Refused(storable_text(declined.code), storable_text(declined.reason))
        except ProviderError as refused:
            return Refused("refused", storable_text(str(refused)))
        return Done(checked_answer(effect, value))  # another type: the adapter's bug, a crash

    # -- one function per effect -------------------------------------------------------------

    def _create_part(self, order: Order, e: CreatePart) -> object:
        assert e.part is not None
        store = self.ports.store
        try:
            store.add(e.part)
        except DuplicateOrder:
            if store.get(e.part.number).split_from != order.number:
                raise ProviderError(f"order {e.part.number} exists and is not a part") from None
        part = store.get(e.part.number)
        if part.outbox:
            self.drive(part)  # the part opens its payment before the parent closes its own
        return e.part.number

    def _instruct(self, order: Order, e: Instruct) -> object:
        assert e.shipment is not None and e.ship_to is not None
        if e.shipment.warehouse.startswith(DROP_SHIP):
            return self._instruct_direct(order, e)
        return self.ports.warehouses[e.shipment.warehouse].instruct(
            key=e.key, order_number=order.number, shipment=e.shipment, ship_to=e.ship_to
        )

    def _recall(self, order: Order, e: Recall) -> object:
        if e.warehouse.startswith(DROP_SHIP):
            return self._recall_direct(order, e)
        return self.ports.warehouses[e.warehouse].recall(key=e.key, shipment_id=e.shipment_id)

    def _redeem(self, order: Order, e: RedeemPoints) -> object:
        wired(self.ports.points, "a points system").redeem(
            key=e.key, customer_id=order.customer.id, points=e.points, order_number=order.number
        )
        return None

    def _restore(self, order: Order, e: RestorePoints) -> object:
        wired(self.ports.points, "a points system").restore(
            key=e.key, customer_id=order.customer.id, points=e.points, order_number=order.number
        )
        return None

    def _grant_points(self, order: Order, e: GrantPoints) -> object:
        wired(self.ports.points, "a points system").grant(
            key=e.key,
            customer_id=order.customer.id,
            points=e.points,
            order_number=order.number,
            provisional=e.provisional,
        )
        return None

    def _confirm_points(self, order: Order, e: ConfirmPoints) -> object:
        wired(self.ports.points, "a points system").confirm(
            key=e.key, customer_id=order.customer.id, points=e.points, order_number=order.number
        )
        return None

    def _revoke_points(self, order: Order, e: RevokePoints) -> object:
        return wired(self.ports.points, "a points system").revoke(
            key=e.key, customer_id=order.customer.id, points=e.points, order_number=order.number
        )

    def _post_journal(self, order: Order, e: PostJournal) -> object:
        assert e.entry is not None
        return self.ports.accounting.post(key=e.key, entry=e.entry)

    def _notify(self, order: Order, e: Notify) -> object:
        settings = self.rules.settings
        notice = Notice(
            e.notice,
            order.number,
            order.customer.email,
            settings.locale,
            (("name", order.customer.name), *e.facts, *box_facts(order, e, self.find)),
            settings.zone,
            order=summarize(order, settings),
            shop=settings.shop,
            templates=settings.notice_templates,
        )
        self.ports.notifier.send(key=e.key, notice=notice)
        return None


_PERFORM: dict[type[Effect], Perform] = {
    CheckStock: Executor._check_stock,
    CreatePart: Executor._create_part,
    Reserve: Executor._reserve,
    Release: Executor._release,
    Commit: Executor._commit,
    Instruct: Executor._instruct,
    Recall: Executor._recall,
    Screen: Executor._screen,
    Authorize: Executor._authorize,
    Capture: Executor._capture,
    Void: Executor._void,
    Refund: Executor._refund,
    PostpayRegister: Executor._postpay_register,
    CheckCredit: Executor._check_credit,
    PostpayAmend: Executor._postpay_amend,
    PostpayReport: Executor._postpay_report,
    PostpayCancel: Executor._postpay_cancel,
    IssueAccount: Executor._issue_account,
    ReleaseAccount: Executor._release_account,
    IssueKonbini: Executor._issue_konbini,
    WithdrawKonbini: Executor._withdraw_konbini,
    RedeemPoints: Executor._redeem,
    RestorePoints: Executor._restore,
    GrantPoints: Executor._grant_points,
    ConfirmPoints: Executor._confirm_points,
    RevokePoints: Executor._revoke_points,
    PostJournal: Executor._post_journal,
    Notify: Executor._notify,
    Restock: perform_restock,
}


def _tracking(carrier: Carrier, number: str | None) -> tuple[str | None, str, bool]:
    """:meth:`Executor.tracking`'s calls of the carrier adapter."""
    if number is None:
        return None, "", carrier.has_tracking
    normalize = getattr(carrier, "normalize", None)
    checked = normalize(number) if callable(normalize) else number
    if not isinstance(checked, str) or not carrier.validate_tracking_number(checked):
        return None, "", carrier.has_tracking
    return checked, carrier.tracking_url(checked), carrier.has_tracking
