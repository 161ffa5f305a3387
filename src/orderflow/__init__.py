"""orderflow: everything that happens to an e-commerce order after checkout (受注処理).

The public API is what this module exports; everything else is private. Start with
:class:`OrderDesk` and the fakes in :mod:`orderflow.testing`::

    from orderflow import OrderDesk, Money, OrderLine
"""

from orderflow.desk import DepositReport, OrderDesk
from orderflow.domain.address import Address, Customer, Prefecture
from orderflow.domain.allocation import AllocationStrategy, plan_allocation
from orderflow.domain.booking import (
    AccountMap,
    JournalEntry,
    JournalLine,
    RecognitionBasis,
    Side,
    sale_entry,
)
from orderflow.domain.deposits import (
    Deposit,
    DepositMatch,
    MatchKind,
    OpenAccount,
    Reconciliation,
    normalize_payer_name,
    payer_search_key,
    reconcile,
)
from orderflow.domain.lifecycle import Context, next_moves
from orderflow.domain.machine import TRANSITIONS, OrderMachine, allowed_moves, mermaid
from orderflow.domain.money import Money, Rounding
from orderflow.domain.order import (
    Allocation,
    Hold,
    Intent,
    Order,
    OrderEvent,
    OrderLine,
    OrderTotals,
    Payment,
    PaymentEntry,
    PaymentMethod,
    PaymentOp,
    PaymentOutcome,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)
from orderflow.domain.payments import DEFAULT_COD_FEES, CodFeeTable, HoldCode, payment_confirmed
from orderflow.domain.status import Move, OrderStatus
from orderflow.domain.tax import PriceMode, TaxBreakdown, TaxLine, TaxRate, TaxRule, compute_tax
from orderflow.notices import Notice
from orderflow.ports import (
    Accounting,
    Authorization,
    BankTransferProvider,
    Carrier,
    Clock,
    CreditDecision,
    CreditStatus,
    FraudResult,
    FraudScreen,
    FraudVerdict,
    Inventory,
    KonbiniProvider,
    KonbiniSlip,
    Notifier,
    OrderStore,
    PaymentGateway,
    PostpayProvider,
    VirtualAccount,
    Warehouse,
)
from orderflow.settings import PostpayDeclined, ShopSettings

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_COD_FEES",
    "TRANSITIONS",
    "AccountMap",
    "Accounting",
    "Address",
    "Allocation",
    "AllocationStrategy",
    "Authorization",
    "BankTransferProvider",
    "Carrier",
    "Clock",
    "CodFeeTable",
    "Context",
    "CreditDecision",
    "CreditStatus",
    "Customer",
    "Deposit",
    "DepositMatch",
    "DepositReport",
    "FraudResult",
    "FraudScreen",
    "FraudVerdict",
    "Hold",
    "HoldCode",
    "Intent",
    "Inventory",
    "JournalEntry",
    "JournalLine",
    "KonbiniProvider",
    "KonbiniSlip",
    "MatchKind",
    "Money",
    "Move",
    "Notice",
    "Notifier",
    "OpenAccount",
    "Order",
    "OrderDesk",
    "OrderEvent",
    "OrderLine",
    "OrderMachine",
    "OrderStatus",
    "OrderStore",
    "OrderTotals",
    "Payment",
    "PaymentEntry",
    "PaymentGateway",
    "PaymentMethod",
    "PaymentOp",
    "PaymentOutcome",
    "PostpayDeclined",
    "PostpayProvider",
    "Prefecture",
    "PriceMode",
    "RecognitionBasis",
    "Reconciliation",
    "Rounding",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "ShopSettings",
    "Side",
    "TaxBreakdown",
    "TaxLine",
    "TaxRate",
    "TaxRule",
    "VirtualAccount",
    "Warehouse",
    "allowed_moves",
    "compute_tax",
    "mermaid",
    "next_moves",
    "normalize_payer_name",
    "payer_search_key",
    "payment_confirmed",
    "plan_allocation",
    "reconcile",
    "sale_entry",
]
