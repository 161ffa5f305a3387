"""The work lists a shop operator opens every day (業務キュー), as facts a store can index.

Each saved order yields a few :class:`QueueFacts` (its status, open hold codes, whether it waits
for a payment, whether it may be instructed, since when a shipment waits for the carrier, since
when effects are pending). A database store keeps them in indexed columns; the in-memory store
reads them off the orders. A :class:`QueueQuery` says which list; :func:`matches` is the one
definition every store must agree with (the store contract checks it).

Lists come back as order numbers in a stable order (ascending number) with keyset paging: give
the last number of a page as ``after`` to get the next.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from orderflow.domain._review_checks import is_hold_code
from orderflow.domain._text import storable
from orderflow.domain.bounds import check_moment, check_span
from orderflow.domain.order import Order, ShipmentStatus
from orderflow.domain.payment import PaymentMethod, PaymentOp
from orderflow.domain.payments import PAYMENT_WAITS
from orderflow.domain.payments.ledger import relied_on, relied_on_until
from orderflow.domain.status import OrderStatus
from orderflow.domain.tracking import TrackingStatus
from orderflow.errors import InvalidValue

__all__ = [
    "ACCOUNT_INDEX",
    "ANY_SKU",
    "DEPOSIT_INDEX",
    "MAX_PAGE",
    "REFUND_INDEX",
    "WAITING_INDEX",
    "Queue",
    "QueueFacts",
    "QueueQuery",
    "check_claim",
    "check_page",
    "deadline_at",
    "matches",
    "open_account",
    "queue_facts",
    "skus_waiting",
    "tracking_keys",
]

MAX_PAGE = 10_000
"""The longest page a work list returns."""

_WAITS = frozenset(PAYMENT_WAITS)
_INSTRUCTED = "instruct_shipping"
_AUTHORIZATION_DAYS = 30
"""How long an authorization recorded without its ``expires_at`` holds, for the lists (the
default of ``ShopSettings.authorization_days``: orderflow writes every new one down)."""


class Queue(enum.Enum):
    """Which work list."""

    STATUS = "status"
    """Orders in one status (受注ステータス別)."""
    HELD = "held"
    """Orders with an open hold, of one code or any (保留中)."""
    AWAITING_PAYMENT = "awaiting_payment"
    """Orders held waiting for a payment (入金待ち, 与信審査中 …), of one method or any."""
    READY_TO_INSTRUCT = "ready_to_instruct"
    """引当済, no open hold, nothing pending, no lapsed card authorization: the warehouse can be
    told to ship (出荷指示待ち)."""
    NOT_SHIPPED = "not_shipped"
    """A shipment instructed at or before a time and still not with the carrier (出荷遅延)."""
    STUCK = "stuck"
    """Effects pending with no progress since a time (滞留): a provider is not answering."""
    POINTS_DUE = "points_due"
    """Points (or their confirmation) due at or before a time (ポイント付与待ち)."""
    BOOKED_SINCE = "booked_since"
    """Booked orders (計上済) that last changed at or after a time: those whose journal entries
    may fall on or after it (仕訳出力: a month's export reads the month's, not every booked
    order; one booked long ago with a return this month is on it)."""
    DEADLINES = "deadlines"
    """Open orders with a clock running out at or before a time (期限管理): a konbini number's
    payment deadline, the expiry of the card authorization the payment relies on, a parcel
    持戻り since. The timed sweeps read this list, not every open order."""


@attrs.frozen(slots=True)
class QueueFacts:
    """What the queues need to know of one order; a store indexes these."""

    status: OrderStatus
    """The order's status, for the list by status."""
    hold_codes: tuple[str, ...]
    """Codes of the open holds, sorted, without repeats."""
    awaiting_method: PaymentMethod | None
    """The payment method when an open hold waits for a payment, else None."""
    ready_to_instruct: bool
    """引当済 with no open hold and no pending effect: the warehouse can be told to ship."""
    instructed_at: datetime | None
    """When the oldest shipment still waiting for the carrier was instructed, else None."""
    pending_since: datetime | None
    """When the order last made progress, if effects are pending; else None."""
    points_due_at: datetime | None = None
    """When the order's points (or their confirmation) fall due, else None."""
    payment_lapses_at: datetime | None = None
    """For an order ready to instruct: when the card authorization its payment relies on lapses
    (from then on it is off the ready list until the re-authorization sweep renews it); None:
    nothing lapses."""
    deadline_at: datetime | None = None
    """For an open order: the earliest of its clocks (:func:`deadline_at`); None: none runs."""
    booked_changed_at: datetime | None = None
    """For a booked order: when it last changed (its newest event); every journal entry it
    posted is dated on or before that day. None: not booked."""


def queue_facts(order: Order) -> QueueFacts:
    """The queue facts of ``order`` (pure: the same order gives the same facts)."""
    codes = tuple(sorted({hold.code for hold in order.holds if hold.cleared_at is None}))
    status = order.status
    waiting = not status.is_final and any(code in _WAITS for code in codes)
    ready = status is OrderStatus.ALLOCATED and not codes and not order.outbox
    return QueueFacts(
        status=status,
        hold_codes=codes,
        awaiting_method=order.payment.method if waiting else None,
        ready_to_instruct=ready,
        instructed_at=_instructed_at(order),
        pending_since=_last_progress(order) if order.outbox else None,
        points_due_at=order.points_due_at,
        payment_lapses_at=relied_on_until(order.payment, _AUTHORIZATION_DAYS) if ready else None,
        deadline_at=deadline_at(order),
        booked_changed_at=_last_progress(order) if status is OrderStatus.BOOKED else None,
    )


def deadline_at(order: Order) -> datetime | None:
    """The earliest clock of an open order, for the timed sweeps' list (期限管理).

    The clocks: the konbini number's payment deadline, the expiry of the card authorization its
    payment relies on (when it was given, if the provider said no expiry: the list may only be
    early, never late), and since when a parcel has been 持戻り. A sweep reads the orders whose
    clock is at or before its moment (plus how far ahead it looks) and judges each by its rule;
    the shop's settings only ever move a rule's moment later than its clock. None: a final
    order, or no clock runs.
    """
    if order.status.is_final:
        return None
    payment = order.payment
    clocks = [
        s.tracked_at
        for s in order.shipments
        if s.status is ShipmentStatus.SHIPPED
        and s.tracking is TrackingStatus.ABSENT
        and s.tracked_at is not None
    ]
    if payment.method is PaymentMethod.KONBINI:
        deadline = payment.instruction("deadline")
        if deadline is not None:
            clocks.append(datetime.fromisoformat(deadline))
    life = relied_on(payment, 0)  # no expiry written down: from when it was given
    if life is not None:
        clocks.append(life[1])
    return min(clocks, default=None)


DEPOSIT_INDEX = "振込入金"
"""The index's "carrier" under which stores file the references of the bank deposits an order
received: ``orders_by_tracking(DEPOSIT_INDEX, reference)`` finds the order a deposit went to,
open or closed, so that no deposit is counted on two orders (no carrier code is Japanese)."""


ACCOUNT_INDEX = "振込口座"
"""The index's "carrier" under which stores file the virtual account an open bank-transfer order
holds now (バーチャル口座): ``orders_by_tracking(ACCOUNT_INDEX, account)`` finds the orders a
deposit to that account may belong to, without reading every open order."""


WAITING_INDEX = "入荷待ち"
"""The index's "carrier" under which stores file each SKU an order waits for (未引当, 中途引当,
分納; a set line: its components): ``orders_by_tracking(WAITING_INDEX, sku)`` finds the orders a
receipt of the SKU may serve, without reading every open order. An order with a line of an
older document (no recipe kept, so its components depend on the shop's sets now) is filed under
:data:`ANY_SKU` too."""

ANY_SKU = "*"
"""The SKU under which an order waiting for units it cannot name is filed (see above)."""

_WAITING = frozenset((OrderStatus.UNALLOCATED, OrderStatus.PARTIALLY_ALLOCATED))


REFUND_INDEX = ("返金待ち", "振込")
"""The index key under which stores file the orders that owe money back by transfer and have not
transferred it all (``Payment.refund_to_transfer``): ``orders_by_tracking(*REFUND_INDEX)``."""


def tracking_keys(order: Order) -> tuple[tuple[str, str], ...]:
    """What stores index, sorted, to find orders by a number written on them.

    (carrier, tracking number) of each shipment with a number, and (:data:`DEPOSIT_INDEX`,
    reference) of each bank deposit the order received; :data:`REFUND_INDEX` while it owes money
    back by transfer; (:data:`ACCOUNT_INDEX`, account) while it is open and holds a virtual
    account (not closed); (:data:`WAITING_INDEX`, sku) of each SKU it waits for.
    """
    keys = {(s.carrier, s.tracking_number) for s in order.shipments if s.tracking_number}
    deposit = f"{order.number}:deposit:"
    owes = False
    for entry in order.payment.ledger:  # one pass; a store indexes on every save
        if entry.op is PaymentOp.RECEIVE and entry.key.startswith(deposit):
            keys.add((DEPOSIT_INDEX, entry.reference))
        elif entry.op is PaymentOp.REFUND_OWED:
            owes = True
    if owes and order.payment.refund_to_transfer.amount:
        keys.add(REFUND_INDEX)
    account = open_account(order)
    if account is not None:
        keys.add((ACCOUNT_INDEX, account))
    keys.update((WAITING_INDEX, sku) for sku in skus_waiting(order))
    return tuple(sorted(keys))


def skus_waiting(order: Order) -> set[str]:
    """The SKUs ``order`` waits for (未引当, 中途引当, or 出荷指示済 with units missing).

    On hold or not; :data:`ANY_SKU` too for a line whose components it does not know (an older
    document's: no recipe kept).
    """
    status = order.status
    if status not in _WAITING and status is not OrderStatus.SHIPPING_INSTRUCTED:
        return set()
    missing = order.unallocated()
    skus: set[str] = set()
    for line in order.lines:
        if not missing.get(line.line_id):
            continue
        if line.recipe is None:
            skus.update((line.sku, ANY_SKU))
        else:
            skus.update(sku for sku, _ in line.recipe or ((line.sku, 1),))
    return skus


def open_account(order: Order) -> str | None:
    """The virtual account whose deposits go to ``order`` now, if any.

    An open bank-transfer order's current account, unless closed (an order change gave it a
    new one).
    """
    payment = order.payment
    if payment.method is not PaymentMethod.BANK_TRANSFER or order.status.is_final:
        return None
    account = payment.instruction("account")
    return None if account is None or account in payment.closed else account


def _instructed_at(order: Order) -> datetime | None:
    if order.status.is_final or not any(
        s.status is ShipmentStatus.INSTRUCTED for s in order.shipments
    ):
        return None
    for event in reversed(order.history):  # the instruction that sent the waiting shipments
        if event.name == _INSTRUCTED:
            return event.at
    return order.placed_at


def _last_progress(order: Order) -> datetime:
    return order.history[-1].at if order.history else order.placed_at


@attrs.frozen(slots=True)
class QueueQuery:
    """One work list; build it with the class methods (``QueueQuery.held("fraud_review")``)."""

    queue: Queue
    """Which work list."""
    status: OrderStatus | None = None
    """For the list by status: the status; ``None`` for the other lists."""
    hold_code: str | None = None
    """For the held list: only holds of this code; ``None``: any open hold."""
    method: PaymentMethod | None = None
    """For the awaiting-payment list: only this payment method; ``None``: any."""
    before: datetime | None = None
    """For the lists by time (not shipped, stuck, points due, deadlines): at or before this;
    for the booked list, at or after it. For the ready list: the moment it is read as of (a
    card authorization lapsed by then keeps its order off it); ``None``: now, by the reader's
    clock (the desk's, or a store's wall clock)."""

    def __attrs_post_init__(self) -> None:
        """Refuse a query built by hand that no list answers (InvalidValue naming the field)."""
        queue = self.queue
        if not isinstance(queue, Queue):
            raise InvalidValue("queue", queue, "a Queue (or build it: QueueQuery.held(), …)")
        if queue is Queue.STATUS and not isinstance(self.status, OrderStatus):
            raise InvalidValue("status", self.status, "an OrderStatus")
        code = self.hold_code
        if queue is Queue.HELD and code is not None and (not isinstance(code, str) or not code):
            raise InvalidValue("hold_code", code, "a hold code such as 'fraud_review', or None")
        method = self.method
        if queue is Queue.AWAITING_PAYMENT and not isinstance(method, PaymentMethod | None):
            raise InvalidValue("method", method, "a PaymentMethod or None")
        if queue in _BY_TIME or self.before is not None:
            _aware(self.before, "before")

    @classmethod
    def by_status(cls, status: OrderStatus) -> QueueQuery:
        """Orders in ``status``."""
        if not isinstance(status, OrderStatus):
            raise InvalidValue("status", status, "an OrderStatus")
        return cls(Queue.STATUS, status=status)

    @classmethod
    def held(cls, code: str | None = None) -> QueueQuery:
        """Orders with an open hold (of ``code``, when given)."""
        if code is not None and not is_hold_code(code):  # what desk.raise_hold takes
            raise InvalidValue(
                "code",
                code,
                "a hold code such as 'fraud_review' (a non-empty text of at most 100 "
                "characters, whole Unicode without NUL), or None",
            )
        return cls(Queue.HELD, hold_code=code)

    @classmethod
    def awaiting_payment(cls, method: PaymentMethod | None = None) -> QueueQuery:
        """Orders held for a payment (of ``method``, when given)."""
        if method is not None and not isinstance(method, PaymentMethod):
            raise InvalidValue("method", method, "a PaymentMethod or None")
        return cls(Queue.AWAITING_PAYMENT, method=method)

    @classmethod
    def ready_to_instruct(cls, at: datetime | None = None) -> QueueQuery:
        """Allocated orders with no open hold, nothing pending and no lapsed authorization.

        ``at``: the moment an authorization must not have lapsed by; ``None`` (usual): now, as
        the desk's clock says (``desk.queue``), or a store's wall clock when asked directly.
        """
        if at is None:
            return cls(Queue.READY_TO_INSTRUCT)
        return cls(Queue.READY_TO_INSTRUCT, before=_aware(at, "at"))

    def as_of(self, now: datetime) -> QueueQuery:
        """The query with ``now`` for the "now" it left open (the ready list's ``at``)."""
        if self.queue is not Queue.READY_TO_INSTRUCT or self.before is not None:
            return self
        return attrs.evolve(self, before=_aware(now, "now"))

    @classmethod
    def not_shipped(cls, instructed_before: datetime) -> QueueQuery:
        """Orders with a shipment instructed at or before ``instructed_before``, not shipped."""
        return cls(Queue.NOT_SHIPPED, before=_aware(instructed_before, "instructed_before"))

    @classmethod
    def points_due(cls, by: datetime) -> QueueQuery:
        """Orders whose points (or their confirmation) fall due at or before ``by``."""
        return cls(Queue.POINTS_DUE, before=_aware(by, "by"))

    @classmethod
    def booked_since(cls, since: datetime) -> QueueQuery:
        """Booked orders that last changed at or after ``since`` (entries dated from then on)."""
        return cls(Queue.BOOKED_SINCE, before=_aware(since, "since"))

    @classmethod
    def deadlines(cls, by: datetime) -> QueueQuery:
        """Open orders with a clock (:func:`deadline_at`) at or before ``by`` (期限管理)."""
        return cls(Queue.DEADLINES, before=_aware(by, "by"))

    @classmethod
    def stuck(cls, idle_since: datetime) -> QueueQuery:
        """Orders with pending effects and no progress since ``idle_since`` (or before)."""
        return cls(Queue.STUCK, before=_aware(idle_since, "idle_since"))


_BY_TIME = frozenset(
    (Queue.NOT_SHIPPED, Queue.STUCK, Queue.POINTS_DUE, Queue.DEADLINES, Queue.BOOKED_SINCE)
)


def _aware(value: object, field: str) -> datetime:
    return check_moment(value, field)  # aware, from 1900 to before 9000


def matches(facts: QueueFacts, query: QueueQuery) -> bool:
    """Whether an order with ``facts`` is on the list ``query`` (the definition stores follow).

    The ready list must say as of when (:meth:`QueueQuery.as_of`): a store reads it as of its
    wall clock when the query leaves it open.
    """
    queue = query.queue
    if queue is Queue.STATUS:
        return facts.status is query.status
    if queue is Queue.HELD:
        return bool(facts.hold_codes) and (
            query.hold_code is None or query.hold_code in facts.hold_codes
        )
    if queue is Queue.AWAITING_PAYMENT:
        return facts.awaiting_method is not None and (
            query.method is None or facts.awaiting_method is query.method
        )
    if queue is Queue.READY_TO_INSTRUCT:
        if query.before is None:
            raise InvalidValue("query", query, "a ready list as of a time (query.as_of(now))")
        lapses = facts.payment_lapses_at
        return facts.ready_to_instruct and (lapses is None or lapses > query.before)
    assert query.before is not None
    if queue is Queue.POINTS_DUE:
        return facts.points_due_at is not None and facts.points_due_at <= query.before
    if queue is Queue.DEADLINES:
        return facts.deadline_at is not None and facts.deadline_at <= query.before
    if queue is Queue.BOOKED_SINCE:  # the one list from a time on
        changed = facts.booked_changed_at
        return changed is not None and changed >= query.before
    when = facts.instructed_at if queue is Queue.NOT_SHIPPED else facts.pending_since
    return when is not None and when <= query.before


def check_page(after: object, limit: object) -> None:
    """Refuse a bad page request (``after`` an order number or None, ``limit`` 1..10,000)."""
    if after is not None and (not isinstance(after, str) or not storable(after)):
        raise InvalidValue("after", after, "the last order number of the previous page, or None")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise InvalidValue("limit", limit, f"a whole number from 1 to {MAX_PAGE}")


def check_claim(now: object, lease: object, limit: object) -> None:
    """Refuse a bad claim of pending orders (aware ``now``, positive ``lease``, ``limit`` ≥ 1)."""
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise InvalidValue("now", now, "an aware datetime")
    check_span(lease, "lease", positive=True)  # now + lease stays on the calendar
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise InvalidValue("limit", limit, f"a whole number from 1 to {MAX_PAGE}")
