"""Broken adapters for the contract mutants test: orderflow's fakes with one thing done wrong.

``again``, ``lenient`` and ``refusing`` get any fake's idempotency key wrong; the classes below
each break one promise of one port. ``tests/contract/test_contract_mutants.py`` runs each through
its port's suite and asserts the suite fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

import attrs
import pytest

from orderflow.domain.order import Order
from orderflow.domain.queues import REFUND_INDEX, WAITING_INDEX, QueueQuery, matches, queue_facts
from orderflow.errors import ProviderError
from orderflow.ports import Authorization, KonbiniSlip, StockMove
from orderflow.testing import (
    FakeAccounting,
    FakeBank,
    FakeCarrier,
    FakeInventory,
    FakeKonbini,
    FakePaymentGateway,
    FakePoints,
    FakePostpay,
    FakeWarehouse,
    InMemoryOrderStore,
)
from orderflow.testing.fakes import _Fake

F = TypeVar("F", bound=_Fake)


def failed_checks(suite: type) -> list[str]:
    """Run every check of ``suite`` on a fresh instance, as pytest would; the names that failed."""
    failed = []
    for name in sorted(n for n in dir(suite) if n.startswith("test_")):
        try:
            getattr(suite(), name)()
        except pytest.skip.Exception:
            continue
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # an assertion, pytest.fail, a Hypothesis report (a group)
            failed.append(name)
    return failed


def assert_fails(name: str, suite: type, check: str) -> None:
    """``check`` of ``suite`` (built on the mutant ``name``) fails: the suite catches it."""
    failed = failed_checks(suite)
    assert check in failed, f"{name}: {check} passed (failed: {failed})"


# -- three ways of getting the idempotency key wrong, for any fake --------------------------------


def again(fake: type[F]) -> type[F]:
    """``fake`` doing the work again for a repeated key (and answering the new work's answer)."""

    class Again(fake):  # type: ignore[valid-type,misc]
        def _replay(self, method: str, key: str, request: tuple[Any, ...]) -> Any:
            return None

    return cast(type[F], Again)


def lenient(fake: type[F]) -> type[F]:
    """``fake`` answering a key reused for another request with the first answer, silently."""

    class Lenient(fake):  # type: ignore[valid-type,misc]
        def _replay(self, method: str, key: str, request: tuple[Any, ...]) -> Any:
            if key not in self._answers:
                return None
            _, result, error = self._answers[key]
            return result, error

    return cast(type[F], Lenient)


def refusing(fake: type[F]) -> type[F]:
    """``fake`` refusing a repeated key (``ProviderError``: "already done") instead of replaying."""

    class Refusing(fake):  # type: ignore[valid-type,misc]
        def _replay(self, method: str, key: str, request: tuple[Any, ...]) -> Any:
            if key in self._answers:
                raise ProviderError(f"{method}: key {key} was already used")
            return None

    return cast(type[F], Refusing)


# -- mutants of one port each ---------------------------------------------------------------------


class OversellingInventory(FakeInventory):
    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        def work() -> int:
            self.reserved[(warehouse, sku)] = self.reserved.get((warehouse, sku), 0) + quantity
            return quantity

        return self._run("reserve", key, (warehouse, sku, quantity), work)


class FloatInventory(FakeInventory):
    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        return float(super().reserve(key=key, warehouse=warehouse, sku=sku, quantity=quantity))  # type: ignore[return-value]


class UncheckedInventory(FakeInventory):
    """Takes any quantity: a negative reservation makes stock out of nothing."""

    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        def work() -> int:
            got = min(quantity, self.available(warehouse, sku))
            self.reserved[(warehouse, sku)] = self.reserved.get((warehouse, sku), 0) + got
            return got

        return self._run("reserve", key, (warehouse, sku, quantity), work)


class CommitKeepingStock(FakeInventory):
    def commit(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        self.release(key=key, warehouse=warehouse, sku=sku, quantity=quantity)


class LateRecallWarehouse(FakeWarehouse):
    def recall(self, *, key: str, shipment_id: str) -> bool:
        self.left.discard(shipment_id)
        return super().recall(key=key, shipment_id=shipment_id)


class ForgetfulRecallWarehouse(FakeWarehouse):
    """Recalls without its key: a repeated recall finds nothing instructed and refuses."""

    def recall(self, *, key: str, shipment_id: str) -> bool:
        with self._lock:
            if shipment_id in self.left:
                return False
            if shipment_id not in self.instructed:
                raise ProviderError(f"no instruction {shipment_id} to recall")
            self.instructed.pop(shipment_id)
            self.recalled.add(shipment_id)
            return True


class NaiveExpiryGateway(FakePaymentGateway):
    def authorize(
        self, *, key: str, order_number: str, amount: Any, token: str | None
    ) -> Authorization:
        auth = super().authorize(key=key, order_number=order_number, amount=amount, token=token)
        assert auth.expires_at is not None
        return Authorization(auth.reference, auth.amount, auth.expires_at.replace(tzinfo=None))


class FloatAmountGateway(FakePaymentGateway):
    def authorize(
        self, *, key: str, order_number: str, amount: Any, token: str | None
    ) -> Authorization:
        auth = super().authorize(key=key, order_number=order_number, amount=amount, token=token)
        return Authorization(auth.reference, float(auth.amount.amount), auth.expires_at)  # type: ignore[arg-type]


class NaiveDeadlineKonbini(FakeKonbini):
    def issue(self, *, key: str, order_number: str, amount: Any, deadline: datetime) -> KonbiniSlip:
        slip = super().issue(key=key, order_number=order_number, amount=amount, deadline=deadline)
        return KonbiniSlip(slip.payment_number, slip.deadline.replace(tzinfo=None), slip.url)


class LateDeadlineKonbini(FakeKonbini):
    def issue(self, *, key: str, order_number: str, amount: Any, deadline: datetime) -> KonbiniSlip:
        slip = super().issue(key=key, order_number=order_number, amount=amount, deadline=deadline)
        return KonbiniSlip(slip.payment_number, slip.deadline + timedelta(days=1), slip.url)


class RestoringTwicePoints(FakePoints):
    def restore(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        with self._lock:
            self.balances[customer_id] = self.balances.get(customer_id, 0) + points


class OverdrawingPoints(FakePoints):
    def revoke(self, *, key: str, customer_id: str, points: int, order_number: str) -> int:
        def work() -> int:
            self.balances[customer_id] = self.balances.get(customer_id, 0) - points
            return points

        return self._run("revoke", key, (customer_id, points, order_number), work)


class BalanceFirstPoints(FakePoints):
    """Revokes from the spendable balance before the order's provisional points."""

    def revoke(self, *, key: str, customer_id: str, points: int, order_number: str) -> int:
        def work() -> int:
            balance = self.balances.get(customer_id, 0)
            from_balance = min(balance, points)
            self.balances[customer_id] = balance - from_balance
            held = self.provisional.pop((customer_id, order_number), 0)
            from_held = min(held, points - from_balance)
            if held > from_held:
                self.provisional[(customer_id, order_number)] = held - from_held
            return from_balance + from_held

        return self._run("revoke", key, (customer_id, points, order_number), work)


class SpendableProvisionalPoints(FakePoints):
    def grant(
        self, *, key: str, customer_id: str, points: int, order_number: str, provisional: bool
    ) -> None:
        super().grant(
            key=key,
            customer_id=customer_id,
            points=points,
            order_number=order_number,
            provisional=False,
        )


class DoubleReleaseBank(FakeBank):
    def release_account(self, *, key: str, account: str) -> None:
        with self._lock:
            self.held.pop(account, None)
            self.free.insert(0, account.split("-", 1)[1])


class NoHasTrackingCarrier:
    code = "fake"

    def validate_tracking_number(self, number: str) -> bool:
        return FakeCarrier().validate_tracking_number(number)

    def tracking_url(self, number: str) -> str:
        return FakeCarrier().tracking_url(number)


class HttpCarrier(FakeCarrier):
    def tracking_url(self, number: str) -> str:
        return "http://" + super().tracking_url(number).removeprefix("https://")


class UnversionedStore(InMemoryOrderStore):
    def save(self, order: Order, *, expected_version: int) -> None:
        with self._lock:
            current = self.get(order.number)
            super().save(order, expected_version=current.version)


class OutboxLosingStore(InMemoryOrderStore):
    def add(self, order: Order) -> None:
        super().add(attrs.evolve(order, outbox=()))

    def save(self, order: Order, *, expected_version: int) -> None:
        super().save(attrs.evolve(order, outbox=()), expected_version=expected_version)


class HistoryTrimmingStore(InMemoryOrderStore):
    """Keeps the last 20 events of an order's history (a column too short)."""

    def get(self, number: str) -> Order:
        order = super().get(number)
        return attrs.evolve(order, history=order.history[-20:])


class SnapshotListsStore(InMemoryOrderStore):
    """Answers pending, open and customer lists from the orders as they were added."""

    def __init__(self) -> None:
        super().__init__()
        self.added: dict[str, Order] = {}

    def add(self, order: Order) -> None:
        super().add(order)
        self.added[order.number] = order

    def pending(self) -> list[Order]:
        return [o for o in self.added.values() if o.outbox]

    def open_orders(self) -> list[Order]:
        return [o for o in self.added.values() if not o.status.is_final]

    def orders_of_customer(self, customer_id: str, since: datetime) -> list[Order]:
        return [
            o for o in self.added.values() if o.customer.id == customer_id and o.placed_at >= since
        ]


class SnapshotCountStore(InMemoryOrderStore):
    """Counts a work list from the orders as they were added."""

    def __init__(self) -> None:
        super().__init__()
        self.added: dict[str, Order] = {}

    def add(self, order: Order) -> None:
        super().add(order)
        self.added[order.number] = order

    def count(self, query: Any) -> int:
        return sum(1 for o in self.added.values() if matches(queue_facts(o), query))


class LimitlessClaimsStore(InMemoryOrderStore):
    def claim_pending(self, *, now: datetime, lease: timedelta, limit: int = 100) -> list[str]:
        return super().claim_pending(now=now, lease=lease, limit=100)


class UnfiledWaitingStore(InMemoryOrderStore):
    """Finds orders by tracking number, deposit and account, but not by the SKUs they wait for
    (a store written from a list of index keys that left out ``WAITING_INDEX``): a receipt would
    then fill no waiting order."""

    def orders_by_tracking(self, carrier: str, tracking_number: str) -> list[str]:
        if carrier == WAITING_INDEX:
            return []
        return super().orders_by_tracking(carrier, tracking_number)


class UnfiledRefundStore(InMemoryOrderStore):
    """Files every index key but the refunds still to transfer (返金待ち, ``REFUND_INDEX``):
    ``desk.refunds_to_transfer`` would then list none of them."""

    def orders_by_tracking(self, carrier: str, tracking_number: str) -> list[str]:
        if (carrier, tracking_number) == REFUND_INDEX:
            return []
        return super().orders_by_tracking(carrier, tracking_number)


class RecomputingInventory(FakeInventory):
    """Reserves once per key, but answers a repeated key from the stock as it is now."""

    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        with self._lock:
            done = key in self._answers
            got = super().reserve(key=key, warehouse=warehouse, sku=sku, quantity=quantity)
            return min(quantity, self.available(warehouse, sku)) if done else got


class NewReferenceAccounting(FakeAccounting):
    """Posts once per key, but answers a repeated key with a new reference."""

    def post(self, *, key: str, entry: Any) -> str:
        reference = super().post(key=key, entry=entry)
        return f"{reference}-{len(self.calls)}"


class OvercapturingGateway(FakePaymentGateway):
    """Captures whatever is asked, beyond the authorization."""

    def capture(self, *, key: str, authorization: str, amount: Any) -> str:
        def work() -> str:
            return f"CAP-{next(self._ids)}"

        return self._run("capture", key, (authorization, amount), work)


class LateAmendPostpay(FakePostpay):
    """Amends a claim already reported (the customer is billed the old amount)."""

    def amend(self, *, key: str, reference: str, amount: Any) -> Any:
        with self._lock:
            claim = self._claim(reference)
            reported, claim["reported"] = claim["reported"], None
            try:
                return super().amend(key=key, reference=reference, amount=amount)
            finally:
                claim["reported"] = reported


class PagelessStore(InMemoryOrderStore):
    """Answers a work list whole, whatever the limit."""

    def queue(self, query: Any, *, after: str | None = None, limit: int = 100) -> list[str]:
        return super().queue(query, after=after, limit=1000)


class ClearedHoldsStore(InMemoryOrderStore):
    """Lists an order as held by a hold that was cleared (disagrees with ``matches``)."""

    def queue(self, query: Any, *, after: str | None = None, limit: int = 100) -> list[str]:
        numbers = super().queue(query, after=after, limit=limit)
        if query == QueueQuery.held("check"):
            numbers = sorted({*numbers, "S-3"})
        return numbers


class LateReleaseBank(FakeBank):
    """Releases an account whenever asked, a late retry of an old release key too."""

    def release_account(self, *, key: str, account: str) -> None:
        with self._lock:
            if self.held.pop(account, None) is not None:
                self.free.insert(0, account.split("-", 1)[1])


class ForgetfulInventory(FakeInventory):
    """Knows only the SKUs it has on hand: a sold-out product becomes unknown."""

    def knows(self, sku: str) -> bool:
        with self._lock:
            return any(units > 0 for (_, s), units in self.on_hand.items() if s == sku)


class OnAfterRefusalInventory(FakeInventory):
    """A batch that goes on with the moves after a refused one (a commit refused, the next made)."""

    def _each(self, call: Callable[..., Any], moves: Sequence[StockMove]) -> list[Any]:
        answers: list[Any] = []
        for move in moves:
            try:
                answers.append(call(**attrs.asdict(move)))
            except ProviderError as refused:
                answers.append(str(refused))
        return answers


class AmountReferenceGateway(FakePaymentGateway):
    """Names an authorization after its amount: two orders of one amount share it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.named: dict[str, str] = {}

    def authorize(
        self, *, key: str, order_number: str, amount: Any, token: str | None
    ) -> Authorization:
        auth = super().authorize(key=key, order_number=order_number, amount=amount, token=token)
        name = f"AUTH-{amount.amount}"
        self.named.setdefault(name, auth.reference)
        return Authorization(name, auth.amount, auth.expires_at)

    def capture(self, *, key: str, authorization: str, amount: Any) -> str:
        real = self.named.get(authorization, authorization)
        return super().capture(key=key, authorization=real, amount=amount)

    def void(self, *, key: str, authorization: str, amount: Any) -> str:
        real = self.named.get(authorization, authorization)
        return super().void(key=key, authorization=real, amount=amount)


class OneCapturePerAuthorizationGateway(FakePaymentGateway):
    """Names a capture after its authorization: a second partial capture shares it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.named: dict[str, str] = {}

    def capture(self, *, key: str, authorization: str, amount: Any) -> str:
        real = super().capture(key=key, authorization=authorization, amount=amount)
        self.named[f"CAP-{authorization}"] = real  # the latest capture answers to the name
        return f"CAP-{authorization}"

    def refund(self, *, key: str, capture: str, amount: Any) -> str:
        return super().refund(key=key, capture=self.named.get(capture, capture), amount=amount)


class CustomerReferencePostpay(FakePostpay):
    """Names a claim after its customer: two orders of one customer share the first's."""

    def __init__(self) -> None:
        super().__init__()
        self.named: dict[str, str] = {}

    def register(
        self, *, key: str, order_number: str, customer: Any, ship_to: Any, amount: Any
    ) -> Any:
        decision = super().register(
            key=key, order_number=order_number, customer=customer, ship_to=ship_to, amount=amount
        )
        name = f"NP-{customer.id}"
        self.named.setdefault(name, decision.reference)
        return attrs.evolve(decision, reference=name)

    def _claim(self, reference: str) -> dict[str, Any]:
        return super()._claim(self.named.get(reference, reference))


class AmountNumberKonbini(FakeKonbini):
    """Numbers a slip after its amount: two orders of one amount share it."""

    def issue(self, *, key: str, order_number: str, amount: Any, deadline: datetime) -> KonbiniSlip:
        slip = super().issue(key=key, order_number=order_number, amount=amount, deadline=deadline)
        number = f"{int(amount.amount):011d}"
        with self._lock:
            self.slips.setdefault(number, self.slips[slip.payment_number])
        return KonbiniSlip(number, slip.deadline, slip.url)


class ConfirmingAnywayPoints(FakePoints):
    """Confirms by adding the points asked to the balance, provisional or not."""

    def confirm(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        def work() -> None:
            self.provisional.pop((customer_id, order_number), None)
            self.balances[customer_id] = self.balances.get(customer_id, 0) + points

        self._run("confirm", key, (customer_id, points, order_number), work)


def keyed_mutants(
    port: str,
    suite: Callable[[Any], type],
    fake: type,
    *,
    done_again: str,
    reused: str,
    repeated: str,
) -> list[tuple[str, type, str]]:
    """The three key mutants of ``fake`` (:func:`again`, :func:`lenient`, :func:`refusing`) in
    ``suite``, each with the check that must fail for it: (name, suite, check) rows."""
    return [
        (f"{port}: work done again", suite(again(fake)), done_again),
        (f"{port}: reused key answered", suite(lenient(fake)), reused),
        (f"{port}: repeated key refused", suite(refusing(fake)), repeated),
    ]
