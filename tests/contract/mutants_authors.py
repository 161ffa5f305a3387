"""Broken adapters as a plugin author might write them, each wrong in one way the suites must see.

:func:`racy` takes any fake's lock away (check the key, work, record the answer: three steps
another thread falls between); the classes answer the wrong type, raise a foreign exception, or
do the work again while answering the first answer. ``test_contract_mutants_authors.py`` runs
each through its port's suite and asserts the check meant for it fails.
"""

from __future__ import annotations

import threading
import time
from typing import Any, TypeVar, cast

from orderflow.domain.address import Address
from orderflow.domain.booking import JournalEntry
from orderflow.domain.money import Money
from orderflow.domain.order import Shipment
from orderflow.errors import ProviderError
from orderflow.ports import CreditDecision, VirtualAccount
from orderflow.testing import (
    FakeAccounting,
    FakeBank,
    FakeInventory,
    FakePaymentGateway,
    FakePoints,
    FakePostpay,
    FakeWarehouse,
    Fault,
)
from orderflow.testing.fakes import _Fake

F = TypeVar("F", bound=_Fake)

WINDOW = 0.005
"""Seconds between a racy adapter's check and its record: the window another thread falls in."""
MEETING = 2.0
"""Seconds a racy adapter called from several threads waits, after its check, for another
thread to pass the check too: on a loaded machine the others may not run within ``WINDOW``
(the race then never happened and the suite rightly saw nothing)."""

_MET = threading.Condition()
_inside: dict[int, int] = {}


def _meet(fake: object) -> None:
    """Let another thread catch up between the check and the work (threads running only)."""
    time.sleep(WINDOW)
    if threading.active_count() < 2:
        return
    with _MET:
        _inside[id(fake)] = _inside.get(id(fake), 0) + 1
        _MET.notify_all()
        _MET.wait_for(lambda: _inside[id(fake)] >= 2, timeout=MEETING)


def racy(fake: type[F]) -> type[F]:
    """``fake`` without its lock: the key is checked, the work done and the answer kept apart."""

    class Racy(fake):  # type: ignore[valid-type,misc]
        def _run(self, method: str, key: str, request: tuple[Any, ...], work: Any) -> Any:
            replayed = self._replay(method, key, request)
            if replayed is None:
                _meet(self)
                try:
                    replayed = (work(), None)
                    self.work_done.append((method, key))
                except ProviderError as refused:
                    replayed = (None, refused)
                self._answers[key] = (request, *replayed)
            result, error = replayed
            if error is not None:
                raise error
            return result

    return cast(type[F], Racy)


class AgainWarehouse(FakeWarehouse):
    """Sends the instruction again for a repeated key (a second parcel), answering the first."""

    def instruct(self, *, key: str, order_number: str, shipment: Shipment, ship_to: Address) -> str:
        with self._lock:
            first = key in self._answers
        answer = super().instruct(
            key=key, order_number=order_number, shipment=shipment, ship_to=ship_to
        )
        if first:
            self.work_done.append(("instruct", key))
        return answer


class NoReferenceWarehouse(FakeWarehouse):
    def instruct(self, *, key: str, order_number: str, shipment: Shipment, ship_to: Address) -> str:
        super().instruct(key=key, order_number=order_number, shipment=shipment, ship_to=ship_to)
        return None  # type: ignore[return-value]


class NoReferenceAccounting(FakeAccounting):
    def post(self, *, key: str, entry: JournalEntry) -> str:
        super().post(key=key, entry=entry)
        return None  # type: ignore[return-value]


class NumberReferenceGateway(FakePaymentGateway):
    """Answers its refunds' and voids' ids as numbers, not the texts the port promises."""

    def refund(self, *, key: str, capture: str, amount: Money) -> str:
        return len(super().refund(key=key, capture=capture, amount=amount))  # type: ignore[return-value]

    def void(self, *, key: str, authorization: str, amount: Money) -> str:
        super().void(key=key, authorization=authorization, amount=amount)
        return None  # type: ignore[return-value]


class LookupErrorGateway(FakePaymentGateway):
    """Looks an authorization or capture up in a dict: an unknown one is a ``KeyError``."""

    def capture(self, *, key: str, authorization: str, amount: Money) -> str:
        if authorization not in self.authorizations:
            raise KeyError(authorization)
        return super().capture(key=key, authorization=authorization, amount=amount)

    def void(self, *, key: str, authorization: str, amount: Money) -> str:
        if authorization not in self.authorizations:
            raise KeyError(authorization)
        return super().void(key=key, authorization=authorization, amount=amount)

    def refund(self, *, key: str, capture: str, amount: Money) -> str:
        if capture not in self.captures:
            raise KeyError(capture)
        return super().refund(key=key, capture=capture, amount=amount)


class TextAnswersPostpay(FakePostpay):
    def amend(self, *, key: str, reference: str, amount: Money) -> CreditDecision:
        return super().amend(key=key, reference=reference, amount=amount).status.value  # type: ignore[return-value]


class FloatRevokePoints(FakePoints):
    def revoke(self, *, key: str, customer_id: str, points: int, order_number: str) -> int:
        return float(  # type: ignore[return-value]
            super().revoke(
                key=key, customer_id=customer_id, points=points, order_number=order_number
            )
        )


class OverdrawingRacePoints(FakePoints):
    """Checks the balance, then takes the points, with no lock between: racing redeems overdraw."""

    def redeem(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        balance = self.balances.get(customer_id, 0)
        if points > balance:
            raise ProviderError(f"{customer_id} has {balance} points, not {points}")
        time.sleep(WINDOW)
        self.balances[customer_id] = self.balances.get(customer_id, 0) - points


class SharedAccountBank(FakeBank):
    """Takes the first free number, then marks it taken: racing orders get the same account."""

    def issue_account(self, *, key: str, order_number: str, amount: Money) -> VirtualAccount:
        with self._lock:
            replayed = self._replay("issue_account", key, (order_number, amount))
        if replayed is not None:
            return cast(VirtualAccount, replayed[0])
        number = self.free[0]
        time.sleep(WINDOW)
        account = VirtualAccount("0009", "銀行", self.branch_code, "本店", number, "ｼｮｯﾌﾟ")
        with self._lock:
            if number in self.free:
                self.free.remove(number)
            self.held[account.account] = order_number
            self._answers[key] = ((order_number, amount), account, None)
        return account


class ReceivingTwiceInventory(FakeInventory):
    """Receives again for a repeated key: a return restocked twice."""

    def receive(
        self, warehouse: str, sku: str, quantity: int, *, key: str | None = None, reason: str = ""
    ) -> None:
        self.put(warehouse, sku, quantity)


class LibraryTimeoutGateway(FakePaymentGateway):
    """Lets its HTTP library's time-out through (``TimeoutError`` here, ``requests``' in life)."""

    def authorize(self, **request: Any) -> Any:
        raise TimeoutError("HTTPSConnectionPool: read timed out (read timeout=10)")

    capture = void = refund = authorize


def unreachable_fake() -> FakePaymentGateway:
    """orderflow's fake gateway, every call of which times out as ``ProviderTimeout``."""
    gateway = FakePaymentGateway()
    for method in ("authorize", "capture", "void", "refund"):
        gateway.fail_next(method, Fault.TIMEOUT_BEFORE)
    return gateway


class FloatAvailableInventory(FakeInventory):
    """Answers what is available as a float (a database's NUMERIC read as a float)."""

    def available(self, warehouse: str, sku: str) -> int:
        return float(super().available(warehouse, sku))  # type: ignore[return-value]
