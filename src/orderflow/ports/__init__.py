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

from orderflow.notices import Notice
from orderflow.ports._goods import (
    Accounting,
    Carrier,
    CarrierEvents,
    Inventory,
    Notifier,
    PurchaseOrderStore,
    StockBatches,
    StockMove,
    Supplier,
    Warehouse,
)
from orderflow.ports._payments import (
    Authorization,
    BankTransferProvider,
    CreditDecision,
    CreditStatus,
    FraudResult,
    FraudScreen,
    FraudVerdict,
    KonbiniProvider,
    KonbiniSlip,
    PaymentGateway,
    PointsProvider,
    PostpayProvider,
    VirtualAccount,
)
from orderflow.ports._records import (
    Clock,
    OrderStore,
    PendingClaims,
    SystemClock,
    TrackingLookup,
    WorkLists,
)

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
    "StockBatches",
    "StockMove",
    "Supplier",
    "SystemClock",
    "TrackingLookup",
    "VirtualAccount",
    "Warehouse",
    "WorkLists",
]
