"""How a command talks to the outside world: keys recorded first, calls, one save at the end.

:class:`Runner` is shared by the desk and the cashier. A command

1. computes its result with the pure domain (bad input raises here, before anything happens);
2. :meth:`Runner.begin` records the idempotency key of each call it is about to make (and, for
   money, a ``REQUESTED`` ledger entry) and saves the order *before* any call;
3. makes the calls with :meth:`Runner.call` (a time-out becomes :class:`OutcomeUnknown`, and a
   money call's ledger entry is saved as ``UNKNOWN``);
4. :meth:`Runner.finish` saves the result with the finished keys forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import Order, PaymentEntry, PaymentOp, PaymentOutcome
from orderflow.errors import OrderNotFound, OutcomeUnknown, ProviderError, ProviderTimeout
from orderflow.notices import Notice
from orderflow.ports import Clock, Notifier, OrderStore
from orderflow.settings import ShopSettings

T = TypeVar("T")

Steps = Mapping[str, Mapping[str, str]]
"""step name → the request's parameters, recorded with the step's key."""


class Runner:
    """The store, clock, notifier and settings, and the four moves of every command."""

    def __init__(
        self, store: OrderStore, clock: Clock, notifier: Notifier, settings: ShopSettings
    ) -> None:
        self.store = store
        self.clock = clock
        self.notifier = notifier
        self.settings = settings

    def ctx(self, actor: str, reason: str = "") -> Context:
        """The context of a command done now by ``actor``."""
        return Context(self.clock.now(), actor, reason)

    def record(
        self,
        order: Order,
        steps: Steps | Iterable[str],
        requests: Sequence[tuple[str, PaymentOp, Money]] = (),
    ) -> tuple[Order, dict[str, str]]:
        """The order with the keys of the calls about to be made recorded (not saved yet).

        ``requests`` are (step, op, amount) of the money calls among the steps: each gets a
        ``REQUESTED`` ledger entry under the step's key.
        """
        recorded, keys = lifecycle.record_intents(order, steps)
        if requests:
            at = self.clock.now()
            ledger = list(recorded.payment.ledger)
            known = {e.key for e in ledger}
            for step, op, amount in requests:
                if keys[step] not in known:
                    ledger.append(
                        PaymentEntry(op, amount, keys[step], PaymentOutcome.REQUESTED, at)
                    )
            if len(ledger) != len(recorded.payment.ledger):
                payment = replace(recorded.payment, ledger=tuple(ledger))
                version = recorded.version + (recorded is order)
                recorded = replace(recorded, payment=payment, version=version)
        return recorded, keys

    def begin(
        self,
        order: Order,
        steps: Steps | Iterable[str],
        requests: Sequence[tuple[str, PaymentOp, Money]] = (),
    ) -> tuple[Order, dict[str, str]]:
        """Record the keys of the calls about to be made and save them before any call."""
        recorded, keys = self.record(order, steps, requests)
        if recorded is not order:
            self.store.save(recorded, expected_version=order.version)
        return recorded, keys

    def call(self, order: Order, step: str, key: str, fn: Callable[..., T], **kwargs: object) -> T:
        """Make one keyed call; a time-out raises :class:`OutcomeUnknown` naming step and key.

        If the step has a ledger entry, the time-out is saved on it as ``UNKNOWN``.
        """
        try:
            return fn(key=key, **kwargs)
        except ProviderTimeout as timeout:
            self._mark_unknown(order.number, key)
            raise OutcomeUnknown(order.number, step, key) from timeout

    def _mark_unknown(self, number: str, key: str) -> None:
        try:
            current = self.store.get(number)
        except OrderNotFound:
            return  # a split part not stored yet: its parent holds the key

        entry = current.payment.entry(key)
        if entry is None or entry.outcome is not PaymentOutcome.REQUESTED:
            return
        unknown = replace(entry, outcome=PaymentOutcome.UNKNOWN, at=self.clock.now())
        marked, _ = lifecycle.record_payment(current, unknown, self.ctx("system"))
        self.store.save(marked, expected_version=current.version)

    def finish(self, base: Order, result: Order, steps: Iterable[str] = ()) -> Order:
        """Save ``result`` (computed from the order ``base`` was recorded from) after ``base``."""
        done = set(steps)
        if not done and result.intents is base.intents and result.version > base.version:
            self.store.save(result, expected_version=base.version)
            return result
        ledger = result.payment.ledger
        if base.payment.ledger is not ledger:
            ledger = _merge_ledgers(base.payment.ledger, ledger)
        final = replace(
            result,
            intents=tuple(i for i in base.intents if i.step not in done) if done else base.intents,
            payment=result.payment
            if ledger is result.payment.ledger
            else replace(result.payment, ledger=ledger),
            version=max(result.version, base.version + 1),
        )
        self.store.save(final, expected_version=base.version)
        return final

    def notify(self, order: Order, kind: str, ctx: Context, step: str, **facts: object) -> Order:
        """Send a notice; a failure is recorded on the order, never stops the flow."""
        notice = Notice(
            kind,
            order.number,
            order.customer.email,
            self.settings.locale,
            (("name", order.customer.name), *facts.items()),
            self.settings.zone,
        )
        try:
            self.notifier.send(key=f"{order.number}:notice:{step}", notice=notice)
        except ProviderError as failure:
            failed, _ = lifecycle.record_fact(
                order, ctx, "notice_failed", details={"kind": kind, "error": str(failure)}
            )
            return failed
        return order


def _merge_ledgers(
    recorded: tuple[PaymentEntry, ...], result: tuple[PaymentEntry, ...]
) -> tuple[PaymentEntry, ...]:
    """The recorded ledger (with its ``REQUESTED`` entries) updated by the result's outcomes."""
    by_key = {e.key: e for e in result}
    merged = [by_key.pop(e.key, e) for e in recorded]
    merged.extend(by_key.values())
    return tuple(merged)
