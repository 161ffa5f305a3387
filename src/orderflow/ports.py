"""The ports: one ``typing.Protocol`` per outside system the desk talks to.

An adapter implements one port for one provider (a payment gateway, a warehouse system, a carrier,
an accounting product). Rules every adapter must keep, proved by the contract suites in
:mod:`orderflow.testing.contracts`:

- **Idempotent under the key.** Every call that moves money, stock, a parcel or a journal entry
  takes ``key``. A second call with the same key must not do the work again: it returns the first
  call's answer (or raises the first call's refusal). The desk makes the key from the order number
  and the step, records it before the call, and reuses it on every retry.
- **Refusals are errors from** :mod:`orderflow.errors`: :class:`~orderflow.errors.PaymentDeclined`
  for a refusal the customer must hear about, :class:`~orderflow.errors.ProviderTimeout` when the
  outcome is unknown (the desk will retry with the same key), another
  :class:`~orderflow.errors.ProviderError` for anything else. Never a bare exception.
- **Money is** :class:`~orderflow.domain.money.Money`, never a float; times are aware UTC datetimes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

import attrs

from orderflow.domain.address import Address, Customer
from orderflow.domain.booking import JournalEntry
from orderflow.domain.money import Money
from orderflow.domain.order import Order, Shipment
from orderflow.domain.purchasing import PurchaseOrder
from orderflow.domain.queues import QueueQuery
from orderflow.domain.tracking import CarrierEvent
from orderflow.notices import Notice

__all__ = [
    "Accounting",
    "Authorization",
    "BankTransferProvider",
    "Carrier",
    "CarrierEvents",
    "Clock",
    "CreditDecision",
    "CreditStatus",
    "FraudResult",
    "FraudScreen",
    "FraudVerdict",
    "Inventory",
    "KonbiniProvider",
    "KonbiniSlip",
    "Notice",
    "Notifier",
    "OrderStore",
    "PaymentGateway",
    "PendingClaims",
    "PointsProvider",
    "PostpayProvider",
    "PurchaseOrderStore",
    "Supplier",
    "SystemClock",
    "TrackingLookup",
    "VirtualAccount",
    "Warehouse",
    "WorkLists",
]


@attrs.frozen(slots=True)
class Authorization:
    """A successful authorization (オーソリ): the provider's reference and when it lapses."""

    reference: str
    amount: Money
    expires_at: datetime | None = None


@runtime_checkable
class PaymentGateway(Protocol):
    """A card-style payment provider: authorize at order, capture at shipping, void, refund."""

    def authorize(
        self, *, key: str, order_number: str, amount: Money, token: str | None
    ) -> Authorization:
        """Hold ``amount`` on the customer's card (stored as ``token``) for ``order_number``.

        Raises :class:`~orderflow.errors.PaymentDeclined` when the card is refused. Same key, same
        answer: a retry must not hold the money twice.
        """
        ...

    def capture(self, *, key: str, authorization: str, amount: Money) -> str:
        """Turn (part of) an authorization into a sale (売上確定); returns the capture reference.

        ``amount`` never exceeds what is authorized and not yet captured.
        """
        ...

    def void(self, *, key: str, authorization: str, amount: Money) -> str:
        """Give back an authorization that will not be captured; returns a reference."""
        ...

    def refund(self, *, key: str, capture: str, amount: Money) -> str:
        """Pay back (part of) a capture; returns the refund reference."""
        ...


@runtime_checkable
class Inventory(Protocol):
    """Stock per warehouse and SKU (在庫). Reservation must be atomic: stock never goes negative."""

    def knows(self, sku: str) -> bool:
        """Whether ``sku`` is a product the shop stocks."""
        ...

    def available(self, warehouse: str, sku: str) -> int:
        """Units on hand and not reserved (引当可能数), 0 or more."""
        ...

    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        """Reserve up to ``quantity`` units atomically; return how many were reserved (0..quantity).

        Two orders racing for the last unit: one gets it, the other gets 0. Same key, same answer.
        """
        ...

    def release(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """Give ``quantity`` reserved units back to available stock. Same key: done once."""
        ...

    def commit(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """The reserved units left the warehouse: take them off on-hand stock. Done once per key."""
        ...


@runtime_checkable
class Warehouse(Protocol):
    """A warehouse (or its WMS) that ships parcels (出荷指示)."""

    def instruct(self, *, key: str, order_number: str, shipment: Shipment, ship_to: Address) -> str:
        """Tell the warehouse to pick, pack and ship ``shipment``; returns its reference."""
        ...

    def recall(self, *, key: str, shipment_id: str) -> bool:
        """Take an instruction back; False when the parcel already left (too late)."""
        ...


@runtime_checkable
class Carrier(Protocol):
    """A delivery company (配送業者): its tracking-number format and public tracking page."""

    @property
    def code(self) -> str:
        """A short code such as ``yamato``."""
        ...

    @property
    def has_tracking(self) -> bool:
        """False for services without tracking numbers (then shipping needs none)."""
        ...

    def validate_tracking_number(self, number: str) -> bool:
        """Whether ``number`` has this carrier's format (and check digit, where it has one)."""
        ...

    def tracking_url(self, number: str) -> str:
        """The public page where the customer follows the parcel."""
        ...


@runtime_checkable
class CarrierEvents(Protocol):
    """A carrier's tracking feed, polled (荷物追跡): the events recorded since a time.

    An adapter may answer an event more than once, late or out of order (the desk applies each
    once, by the carrier's time). A webhook needs no port: parse its body into
    :class:`~orderflow.domain.tracking.CarrierEvent` values and give them to
    ``desk.carrier_events``.
    """

    def poll(self, since: datetime) -> list[CarrierEvent]:
        """The events the carrier recorded at or after ``since`` (aware), in any order."""
        ...


@runtime_checkable
class Accounting(Protocol):
    """The accounting system (会計システム) that receives journal entries."""

    def post(self, *, key: str, entry: JournalEntry) -> str:
        """Post ``entry``; returns its reference there. Same key: posted once."""
        ...


@runtime_checkable
class Notifier(Protocol):
    """Sends notices to customers (mail, LINE, SMS: the adapter's business)."""

    def send(self, *, key: str, notice: Notice) -> None:
        """Send ``notice``; the same key is sent once."""
        ...


@runtime_checkable
class Clock(Protocol):
    """The time, as an aware UTC datetime (a fake clock makes tests repeatable)."""

    def now(self) -> datetime:
        """Now, in UTC."""
        ...


class SystemClock:
    """The real clock: :meth:`now` is the system's time in UTC (a shop's desk uses this one)."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)


@runtime_checkable
class OrderStore(Protocol):
    """Where the host keeps orders (its own database). Optimistic concurrency on ``version``."""

    def get(self, number: str) -> Order:
        """The order ``number``; raises :class:`~orderflow.errors.OrderNotFound`."""
        ...

    def add(self, order: Order) -> None:
        """Store a new order; raises :class:`~orderflow.errors.DuplicateOrder` if it exists."""
        ...

    def save(self, order: Order, *, expected_version: int) -> None:
        """Replace the stored order, only if its version is still ``expected_version``.

        Raises :class:`~orderflow.errors.ConcurrencyError` otherwise: somebody else changed it.
        """
        ...

    def orders_of_customer(self, customer_id: str, since: datetime) -> Iterable[Order]:
        """The customer's orders placed at or after ``since`` (for the duplicate-order rule)."""
        ...

    def pending(self) -> Iterable[Order]:
        """Every order with pending effects (a non-empty outbox), for ``resume_pending``.

        A database adapter keeps an indexed column (``has_pending``) and answers with one query.
        """
        ...

    def open_orders(self) -> Iterable[Order]:
        """Every order not in a final status (計上済, キャンセル): for sweeps and reconciliation.

        A database adapter answers with one query (``WHERE status NOT IN ('booked', 'cancelled')``)
        and may stream the rows.
        """
        ...


@runtime_checkable
class WorkLists(Protocol):
    """An order store that answers the operator's work lists (業務キュー) with indexed queries.

    ``SQLiteStore``, ``PostgresStore`` and the in-memory store do; the desk's ``queue`` and
    ``queue_counts`` need it. Lists are order numbers ascending; page with ``after``.
    """

    def queue(self, query: QueueQuery, *, after: str | None = None, limit: int = 100) -> list[str]:
        """One page of the list ``query``: at most ``limit`` numbers greater than ``after``."""
        ...

    def count(self, query: QueueQuery) -> int:
        """How many orders are on the list ``query``."""
        ...


@runtime_checkable
class TrackingLookup(Protocol):
    """An order store that finds orders by a shipment's tracking number (an indexed lookup).

    ``SQLiteStore``, ``PostgresStore`` and the in-memory store do; ``desk.carrier_events``
    needs it.
    """

    def orders_by_tracking(self, carrier: str, tracking_number: str) -> list[str]:
        """Numbers of the orders with a shipment of ``carrier`` under ``tracking_number``."""
        ...


@runtime_checkable
class PendingClaims(Protocol):
    """An order store on which workers claim pending orders before finishing them.

    ``resume_pending`` uses it when the store has it, so that many workers (on many hosts, for
    PostgreSQL) share the pending orders without driving the same order at once.
    """

    def claim_pending(self, *, now: datetime, lease: timedelta, limit: int = 100) -> list[str]:
        """Up to ``limit`` pending orders nobody holds, held by the caller until now + lease."""
        ...

    def release_claim(self, number: str) -> None:
        """Give order ``number`` back (the worker is done with it, finished or not)."""
        ...


class FraudVerdict(enum.Enum):
    """What a fraud screen (不正検知) says about an order."""

    ACCEPT = "accept"
    REVIEW = "review"
    """A person must look: the order is held."""
    REJECT = "reject"
    """The order is cancelled, with a notice."""


@attrs.frozen(slots=True)
class FraudResult:
    """A fraud screen's answer."""

    verdict: FraudVerdict
    reason: str = ""


@runtime_checkable
class FraudScreen(Protocol):
    """A fraud-screening service (O-PLUX, ASUKAR, the gateway's own…), asked at order."""

    def screen(
        self, *, key: str, order_number: str, customer: Customer, ship_to: Address, amount: Money
    ) -> FraudResult:
        """Judge the order. Same key, same answer."""
        ...


class CreditStatus(enum.Enum):
    """A 後払い credit check's state (与信結果)."""

    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"
    """Under manual review at the provider: ask again later."""


@attrs.frozen(slots=True)
class CreditDecision:
    """A 後払い provider's answer about one claim."""

    status: CreditStatus
    reference: str
    """The provider's id of the claim (取引ID)."""
    reason: str = ""


@runtime_checkable
class PostpayProvider(Protocol):
    """A 後払い service (NP後払い, atone, Paidy, GMO後払い…): it bills the customer after shipping.

    Carrier codes are the adapter's business: ``report_shipment`` receives orderflow's carrier
    code (``yamato``) and the adapter maps it to its provider's code.
    """

    def register(
        self, *, key: str, order_number: str, customer: Customer, ship_to: Address, amount: Money
    ) -> CreditDecision:
        """Register the claim and run the real-time credit check (リアルタイム与信)."""
        ...

    def decision(self, reference: str) -> CreditDecision:
        """The claim's current decision (for a pending review)."""
        ...

    def amend(self, *, key: str, reference: str, amount: Money) -> CreditDecision:
        """Change the claim's amount before the shipment report (it may be checked again)."""
        ...

    def report_shipment(
        self, *, key: str, reference: str, carrier: str, tracking_number: str
    ) -> str:
        """Report the shipment (出荷報告): this is what makes the claim billable; a reference."""
        ...

    def cancel(self, *, key: str, reference: str) -> None:
        """Cancel the claim (before or after the shipment report)."""
        ...


@attrs.frozen(slots=True)
class VirtualAccount:
    """A virtual account (バーチャル口座) issued to one order for its bank transfer."""

    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_number: str
    holder: str
    account_type: str = "普通"

    @property
    def account(self) -> str:
        """``<branch code>-<account number>``: how deposits name the account."""
        return f"{self.branch_code}-{self.account_number}"


@runtime_checkable
class BankTransferProvider(Protocol):
    """The bank (or payment company) that issues virtual accounts; numbers are reused."""

    def issue_account(self, *, key: str, order_number: str, amount: Money) -> VirtualAccount:
        """Give the order a virtual account that no other open order holds. Same key, same one."""
        ...

    def release_account(self, *, key: str, account: str) -> None:
        """Hand the account back for reuse (the order is paid or cancelled)."""
        ...


@attrs.frozen(slots=True)
class KonbiniSlip:
    """A convenience-store payment number (払込票番号) and its deadline."""

    payment_number: str
    deadline: datetime
    url: str = ""
    """Where the customer sees the slip (for stores that need a barcode)."""


@runtime_checkable
class KonbiniProvider(Protocol):
    """A convenience-store payment service (コンビニ決済): numbers with a deadline."""

    def issue(
        self, *, key: str, order_number: str, amount: Money, deadline: datetime
    ) -> KonbiniSlip:
        """Issue a payment number valid until ``deadline``. Same key, same number."""
        ...

    def cancel(self, *, key: str, payment_number: str) -> None:
        """Withdraw an unpaid number."""
        ...


@runtime_checkable
class PointsProvider(Protocol):
    """The shop's loyalty points (ポイント): spent, given back, granted and taken back.

    Points used are a price reduction, given back on cancel; points an order earns are granted
    (provisional 仮ポイント confirmed later) and taken back on a return.
    A balance never goes negative: ``revoke`` takes what is there and says how much.
    """

    def redeem(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        """Take ``points`` from the customer's balance; a ProviderError if they lack them."""
        ...

    def restore(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        """Give ``points`` back to the customer's balance."""
        ...

    def grant(
        self, *, key: str, customer_id: str, points: int, order_number: str, provisional: bool
    ) -> None:
        """ポイント付与: add ``points`` earned by ``order_number``. Same key: granted once.

        Provisional ones (仮ポイント) are kept apart, not spendable, until :meth:`confirm`.
        """
        ...

    def confirm(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        """仮ポイント確定: make ``order_number``'s provisional points spendable. Once per key."""
        ...

    def revoke(self, *, key: str, customer_id: str, points: int, order_number: str) -> int:
        """ポイント回収: take back up to ``points`` granted for ``order_number``; how many taken.

        The order's provisional points go first, then the balance, never below zero.
        """


@runtime_checkable
class Supplier(Protocol):
    """A supplier (仕入先) taking purchase orders (発注) by EDI, fax or e-mail (the adapter's)."""

    def send(self, *, key: str, purchase_order: PurchaseOrder) -> str:
        """Send the purchase order; returns the supplier's reference. Same key, same answer."""
        ...

    def cancel(self, *, key: str, reference: str, lines: tuple[tuple[str, int], ...]) -> bool:
        """Take back ``lines`` ((line id, units), …) of a sent order; False if it is too late."""
        ...


@runtime_checkable
class PurchaseOrderStore(Protocol):
    """Purchase orders (発注) by number, each saved with its pending effects, version-checked."""

    def get(self, number: str) -> PurchaseOrder:
        """The purchase order ``number``; raises :class:`~orderflow.errors.OrderNotFound`."""
        ...

    def add(self, po: PurchaseOrder) -> None:
        """Store a new purchase order; :class:`~orderflow.errors.DuplicateOrder` if it exists."""
        ...

    def save(self, po: PurchaseOrder, *, expected_version: int) -> None:
        """Replace it if its version is still ``expected_version`` (else ``ConcurrencyError``)."""
        ...

    def open_purchase_orders(self, supplier: str | None = None) -> Iterable[PurchaseOrder]:
        """Purchase orders not received nor cancelled (of ``supplier`` when given), by number."""
        ...

    def pending(self) -> Iterable[PurchaseOrder]:
        """Purchase orders with pending effects."""
        ...
