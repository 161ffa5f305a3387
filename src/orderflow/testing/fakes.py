"""In-memory fakes of every port: deterministic, recording every call, and able to fail on purpose.

Each fake keeps the port's promises (idempotent under the key, atomic stock) so that a host's own
tests can run whole flows without any provider. Tell one to misbehave with :meth:`fail_next`:

- :attr:`Fault.DECLINE` — refuse the request (a card decline, a warehouse refusal);
- :attr:`Fault.TIMEOUT_BEFORE` — time out without doing the work;
- :attr:`Fault.TIMEOUT_AFTER` — do the work, then time out (the caller can't know it was done);
- :attr:`Fault.DUPLICATE` — receive the same request twice (as a network retry would deliver it).

Every fake is thread-safe: one re-entrant lock per fake guards its state, and a request (the check
of its key, its work and the recorded answer) runs whole under it, so that a reservation checks and
takes stock in one step and a key does its work once, whichever threads race.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar, cast

import attrs

from orderflow.domain.address import Address
from orderflow.domain.booking import JournalEntry
from orderflow.domain.bounds import EARLIEST, LATEST, check_moment, check_units
from orderflow.domain.order import Shipment
from orderflow.errors import (
    InvalidValue,
    KeyReused,
    ProviderError,
    ProviderTimeout,
)
from orderflow.notices import Notice
from orderflow.ports import StockMove
from orderflow.stores._inventory import StockLevel
from orderflow.stores._stock_requests import check_moves, one_by_one

__all__ = [
    "Call",
    "FakeAccounting",
    "FakeBank",
    "FakeCarrier",
    "FakeFraudScreen",
    "FakeInventory",
    "FakeKonbini",
    "FakeNotifier",
    "FakePaymentGateway",
    "FakePoints",
    "FakePostpay",
    "FakeWarehouse",
    "Fault",
    "FixedClock",
    "InMemoryOrderStore",
]

T = TypeVar("T")


class Fault(enum.Enum):
    """A failure a fake can be told to produce on its next call."""

    DECLINE = "decline"
    TIMEOUT_BEFORE = "timeout_before"
    TIMEOUT_AFTER = "timeout_after"
    DUPLICATE = "duplicate"


Describe = Callable[[str, tuple[Any, ...]], str]
"""(method, request) → the request as a repr or an error shows it."""


@attrs.frozen(slots=True, repr=False)
class Call:
    """One call a fake received: the method, its key (if any) and its arguments.

    Its repr shows the request as the fake describes it in an error, a card token masked
    (``tok_****``): a failed ``assert gateway.calls == [...]`` prints it.
    """

    method: str
    key: str | None
    request: tuple[Any, ...]
    """The request's arguments, in the order of the method's signature (whole)."""
    describe: Describe | None = attrs.field(default=None, kw_only=True, eq=False)
    """How the fake shows a request (personal data masked), when its repr would not; called
    only when the call is shown (recording a call stays cheap)."""

    def __repr__(self) -> str:
        describe = self.describe
        request = repr(self.request) if describe is None else describe(self.method, self.request)
        return f"Call(method={self.method!r}, key={self.key!r}, request={request})"


class _Fake:
    """Call recording, fault injection and idempotency by key, shared by every fake."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        """Guards every piece of the fake's state; held for a whole request."""
        self.calls: list[Call] = []
        self._faults: dict[str, list[Fault]] = {}
        self._answers: dict[str, tuple[tuple[Any, ...], Any, BaseException | None]] = {}
        self.work_done: list[tuple[str, str]] = []
        """(method, key) for every request whose work was actually done: at most once per key."""

    def fail_next(self, method: str, fault: Fault, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``fault``."""
        if not callable(getattr(self, method, None)):
            raise InvalidValue("method", method, f"a method of {type(self).__name__}")
        with self._lock:
            self._faults.setdefault(method, []).extend([fault] * times)

    def clear_faults(self) -> None:
        """Forget every fault still waiting (the provider is working again)."""
        with self._lock:
            self._faults.clear()

    def calls_to(self, method: str) -> list[Call]:
        """The recorded calls of ``method``, in order."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def _fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            return queue.pop(0) if queue else None

    def _refusal(self, method: str) -> ProviderError:
        """The error this fake raises when told to :attr:`Fault.DECLINE` a call of ``method``."""
        return ProviderError(f"{type(self).__name__}.{method}: refused on purpose")

    def _run(self, method: str, key: str, request: tuple[Any, ...], work: Callable[[], T]) -> T:
        """Do ``work`` once per key, replaying the first answer for a repeated key.

        The whole request runs under the fake's lock: no other request of this fake interleaves.
        """
        with self._lock:
            self.calls.append(Call(method, key, request, describe=type(self)._describer))
            queue = self._faults.get(method)
            fault = queue.pop(0) if queue else None
            if fault is Fault.TIMEOUT_BEFORE:
                raise ProviderTimeout(f"{type(self).__name__}.{method}: no answer (key {key})")
            answer = self._replay(method, key, request)
            if answer is None:
                if fault is Fault.DECLINE:
                    answer = (None, self._refusal(method))
                else:
                    try:
                        answer = (work(), None)
                        self.work_done.append((method, key))
                    except ProviderError as refused:
                        answer = (None, refused)
                self._answers[key] = (request, *answer)
            if fault is Fault.DUPLICATE:
                answer = self._replay(method, key, request) or answer
            if fault is Fault.TIMEOUT_AFTER:
                raise ProviderTimeout(
                    f"{type(self).__name__}.{method}: done, but no answer ({key})"
                )
            result, error = answer
            if error is not None:
                raise error
            return cast(T, result)

    def _replay(
        self, method: str, key: str, request: tuple[Any, ...]
    ) -> tuple[Any, BaseException | None] | None:
        if key not in self._answers:
            return None
        first_request, result, error = self._answers[key]
        if first_request != request:
            raise KeyReused(
                f"{type(self).__name__}.{method}: idempotency key {key!r} was first used for "
                f"another request {self._describe(method, first_request)}",
                key=key,
            )
        return result, error

    _describer: ClassVar[Describe | None] = None
    """How this fake shows a request whose repr would tell personal data (None: its repr)."""

    def _describe(self, method: str, request: tuple[Any, ...]) -> str:
        """The request as an error message shows it (personal data masked)."""
        describe = type(self)._describer
        return repr(request) if describe is None else describe(method, request)


class FakeInventory(_Fake):
    """Stock per (warehouse, SKU): on hand and reserved; available = on hand − reserved ≥ 0."""

    def __init__(self, stock: dict[tuple[str, str], int] | None = None) -> None:
        super().__init__()
        self.on_hand: dict[tuple[str, str], int] = dict(stock or {})
        self.reserved: dict[tuple[str, str], int] = {}
        self.skus: set[str] = {sku for _, sku in self.on_hand}

    def put(self, warehouse: str, sku: str, quantity: int) -> None:
        """Receive ``quantity`` units (入荷) into ``warehouse``."""
        if quantity < 0:
            raise InvalidValue("quantity", quantity, "0 or more units")
        with self._lock:
            self.on_hand[(warehouse, sku)] = self.on_hand.get((warehouse, sku), 0) + quantity
            self.skus.add(sku)

    def receive(
        self, warehouse: str, sku: str, quantity: int, *, key: str | None = None, reason: str = ""
    ) -> None:
        """入荷 of ``quantity`` units, once per ``key`` (a repeated receipt adds nothing).

        ``quantity`` is 1 to :data:`~orderflow.domain.bounds.MAX_UNITS`, as for every move here.
        """
        check_units(quantity, "quantity")
        if key is None:
            self.put(warehouse, sku, quantity)
            return
        self._run(
            "receive", key, (warehouse, sku, quantity), lambda: self.put(warehouse, sku, quantity)
        )

    def knows(self, sku: str) -> bool:
        """Whether ``sku`` was ever put in stock."""
        with self._lock:
            return sku in self.skus

    def available(self, warehouse: str, sku: str) -> int:
        """On hand less reserved."""
        key = (warehouse, sku)
        with self._lock:
            return self.on_hand.get(key, 0) - self.reserved.get(key, 0)

    def stock(self, warehouse: str, sku: str) -> StockLevel:
        """On hand and reserved units of ``sku`` in ``warehouse``, as the SQL inventories say."""
        key = (warehouse, sku)
        with self._lock:
            return StockLevel(self.on_hand.get(key, 0), self.reserved.get(key, 0))

    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        """Reserve up to ``quantity``; returns what was reserved.

        Atomic: what is available is checked and taken under the lock, in one step.
        """
        check_units(quantity, "quantity")

        def work() -> int:
            got = max(0, min(quantity, self.available(warehouse, sku)))
            self.reserved[(warehouse, sku)] = self.reserved.get((warehouse, sku), 0) + got
            return got

        return self._run("reserve", key, (warehouse, sku, quantity), work)

    def release(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """Give reserved units back."""
        check_units(quantity, "quantity")

        def work() -> None:
            held = self.reserved.get((warehouse, sku), 0)
            if quantity > held:
                raise ProviderError(f"release {quantity} of {sku}@{warehouse}: only {held} held")
            self.reserved[(warehouse, sku)] = held - quantity

        self._run("release", key, (warehouse, sku, quantity), work)

    def commit(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """Reserved units left the warehouse."""
        check_units(quantity, "quantity")

        def work() -> None:
            held = self.reserved.get((warehouse, sku), 0)
            if quantity > held:
                raise ProviderError(f"commit {quantity} of {sku}@{warehouse}: only {held} held")
            self.reserved[(warehouse, sku)] = held - quantity
            self.on_hand[(warehouse, sku)] -= quantity

        self._run("commit", key, (warehouse, sku, quantity), work)

    # -- StockBatches: each move as its own call, in order (faults and keys per move) -----------

    def reserve_many(self, moves: Sequence[StockMove]) -> list[int | str]:
        """:meth:`reserve` of each move, in order (:class:`~orderflow.ports.StockBatches`)."""
        return self._each(self.reserve, moves)

    def release_many(self, moves: Sequence[StockMove]) -> list[str | None]:
        """:meth:`release` of each move, in order, up to the first refused (its text)."""
        return self._each(self.release, moves)

    def commit_many(self, moves: Sequence[StockMove]) -> list[str | None]:
        """:meth:`commit` of each move, in order, up to the first refused (its text)."""
        return self._each(self.commit, moves)

    def _each(self, call: Callable[..., T], moves: Sequence[StockMove]) -> list[T | str]:
        """``call`` for each move, under the lock; a refusal's text ends the list."""
        check_moves(moves, lambda move: check_units(move.quantity, "quantity"))  # as a call's
        with self._lock:
            return one_by_one(call, moves)


class FakeWarehouse(_Fake):
    """A warehouse taking shipping instructions; :meth:`mark_shipped` makes a recall too late."""

    def __init__(self, code: str = "TOKYO") -> None:
        super().__init__()
        self.code = code
        self.instructed: dict[str, Shipment] = {}
        self.recalled: set[str] = set()
        self.left: set[str] = set()

    def instruct(self, *, key: str, order_number: str, shipment: Shipment, ship_to: Address) -> str:
        """Accept the instruction; returns a picking reference.

        A shipment id recalled before is refused (``ProviderError``), as a WMS keeps a cancelled
        instruction under its id: orderflow gives a re-instructed shipment a new id.
        """

        def work() -> str:
            if shipment.shipment_id in self.recalled:
                raise ProviderError(f"shipment {shipment.shipment_id} was recalled: a new id")
            self.instructed[shipment.shipment_id] = shipment
            return f"PICK-{shipment.shipment_id}"

        return self._run(
            "instruct",
            key,
            (order_number, shipment.shipment_id),
            work,
        )

    def recall(self, *, key: str, shipment_id: str) -> bool:
        """Take the instruction back unless the parcel left."""

        def work() -> bool:
            if shipment_id in self.left:
                return False
            self.recalled.add(shipment_id)
            self.instructed.pop(shipment_id, None)
            return True

        return self._run("recall", key, (shipment_id,), work)

    def mark_shipped(self, shipment_id: str) -> None:
        """The parcel left the warehouse (a recall now fails)."""
        with self._lock:
            self.left.add(shipment_id)


class FakeCarrier:
    """A carrier whose tracking numbers are 8-14 digits; tracking pages on example.com."""

    def __init__(self, code: str = "fake", *, has_tracking: bool = True) -> None:
        self.code = code
        self.has_tracking = has_tracking

    def validate_tracking_number(self, number: str) -> bool:
        """8 to 14 digits."""
        return number.isascii() and number.isdigit() and 8 <= len(number) <= 14

    def tracking_url(self, number: str) -> str:
        """A made-up public tracking page."""
        return f"https://tracking.example.com/{self.code}/{number}"


class FakeAccounting(_Fake):
    """An accounting system that keeps posted entries in a list."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[tuple[str, JournalEntry]] = []

    def post(self, *, key: str, entry: JournalEntry) -> str:
        """Keep ``entry``; returns ``J-<n>``."""

        def work() -> str:
            reference = f"J-{len(self.entries) + 1}"
            self.entries.append((reference, entry))
            return reference

        return self._run("post", key, (entry,), work)


class FakeNotifier(_Fake):
    """Keeps every notice it is asked to send (once per key)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Notice] = []

    def send(self, *, key: str, notice: Notice) -> None:
        """Keep ``notice``."""
        self._run(
            "send",
            key,
            (notice,),
            lambda: self.sent.append(notice),
        )


class FixedClock:
    """A clock that stands still until told to move, and never moves back.

    ``advance`` moves it on by a span, ``set`` to a moment (a suite on the wall clock:
    ``clock.set(datetime.now(UTC))``). Going back is refused: an order's history, its deadlines
    and the lapse of its authorizations all read the shop's time as running forward.
    """

    def __init__(self, start: datetime | None = None) -> None:
        """Standing at ``start``: an aware datetime in any zone, kept in UTC.

        None: 2026-11-22 00:00 UTC. Anything else is an ``InvalidValue`` naming ``start``.
        """
        self._lock = threading.Lock()
        self._now = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
        if start is not None:
            self._now = _utc(start, "start")

    def now(self) -> datetime:
        """The time it was set to."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (0 or more, a ``timedelta``); returns the new time."""
        if not isinstance(delta, timedelta) or delta < timedelta(0):
            expected = "a timedelta of 0 or more (the clock never goes back)"
            raise InvalidValue("delta", delta, expected)
        with self._lock:
            self._now += delta
            return self._now

    def set(self, when: datetime) -> datetime:
        """Move forward to ``when``, an aware datetime in any zone (kept in UTC); returns it.

        ``when`` may be the time it shows already (nothing moves), never before it
        (``InvalidValue`` naming ``when``); a naive datetime is refused, its zone unknown.
        """
        moment = _utc(when, "when")
        with self._lock:
            if moment < self._now:
                expected = f"{_MOMENT}, not before the clock's time (it never goes back)"
                raise InvalidValue("when", when, f"{expected}: {self._now.isoformat()} or later")
            self._now = moment
            return moment


_MOMENT = f"an aware datetime from {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d}"


def _utc(moment: object, field: str) -> datetime:
    """``moment`` (an aware datetime in the years orderflow takes) in UTC, or InvalidValue."""
    try:
        return check_moment(moment, field).astimezone(UTC)
    except (InvalidValue, ValueError, OverflowError):
        raise InvalidValue(field, moment, _MOMENT) from None


# The payment fakes and the order store live in their own modules; they are part of this one's
# public face.
from orderflow.testing.memory_store import InMemoryOrderStore  # noqa: E402
from orderflow.testing.payment_fakes import (  # noqa: E402
    FakeBank,
    FakeFraudScreen,
    FakeKonbini,
    FakePaymentGateway,
    FakePoints,
    FakePostpay,
)
