"""orderflow: everything that happens to an e-commerce order after checkout (受注処理).

The public API is what this module exports; everything else is private. Start with
:class:`OrderDesk` and the fakes in :mod:`orderflow.testing`::

    from orderflow import OrderDesk, Money, OrderLine

orderflow logs on the loggers ``orderflow.desk`` (what a sweep leaves pending) and
``orderflow.stores`` (what a store found when opening its tables); like every library it adds
only a ``NullHandler``: the application decides where the records go.
"""

import logging

from orderflow.desk import CarrierEventReport, DepositReport, OrderDesk
from orderflow.domain.address import Address, Customer, Prefecture
from orderflow.domain.allocation import AllocationPlanner, AllocationStrategy, plan_allocation
from orderflow.domain.booking import (
    AccountMap,
    JournalEntry,
    JournalLine,
    RecognitionBasis,
    Side,
    sale_entry,
)
from orderflow.domain.changes import (
    DELIVERY_SLOTS,
    ChangePreview,
    OrderChange,
    apply_change,
    points_to_grant,
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
from orderflow.domain.goodwill import goodwill_entry, goodwill_share
from orderflow.domain.journal import posted_entries
from orderflow.domain.lifecycle import Context
from orderflow.domain.machine import TRANSITIONS, OrderMachine, allowed_moves, mermaid
from orderflow.domain.money import Money, Rounding
from orderflow.domain.moves import next_moves
from orderflow.domain.order import (
    Allocation,
    Hold,
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
from orderflow.domain.points import points_earned
from orderflow.domain.policy import CancelPolicy, ChangePolicy, Channel, Grant, Party, Requester
from orderflow.domain.queues import Queue, QueueQuery
from orderflow.domain.refunds import RefundShare, refund_share, return_entry
from orderflow.domain.returns import (
    Disposition,
    Return,
    ReturnLine,
    ReturnPolicy,
    ReturnReason,
    ReturnStatus,
)
from orderflow.domain.review import (
    DEFAULT_ISLAND_PREFIXES,
    Blacklist,
    BlacklistRule,
    DuplicateRule,
    Finding,
    IslandTable,
    QuantityRule,
    RemarksRule,
    RemoteIslandRule,
    ReviewContext,
    ReviewRule,
    ShippingFeeTable,
    VariantRule,
    apply_findings,
    default_rules,
    default_shipping_fees,
    normalize_address,
    review,
)
from orderflow.domain.split import split_order
from orderflow.domain.status import Move, OrderStatus
from orderflow.domain.tax import PriceMode, TaxBreakdown, TaxLine, TaxRate, TaxRule, compute_tax
from orderflow.domain.tracking import CarrierEvent, TrackingStatus
from orderflow.notices import Notice
from orderflow.ports import (
    Accounting,
    Authorization,
    BankTransferProvider,
    Carrier,
    CarrierEvents,
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
    PendingClaims,
    PointsProvider,
    PostpayProvider,
    SystemClock,
    TrackingLookup,
    VirtualAccount,
    Warehouse,
    WorkLists,
)
from orderflow.settings import (
    Clawback,
    CodSplit,
    GrantAt,
    PartialPayment,
    PointsGrant,
    PostpayDeclined,
    ShopSettings,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_COD_FEES",
    "DEFAULT_ISLAND_PREFIXES",
    "DELIVERY_SLOTS",
    "TRANSITIONS",
    "AccountMap",
    "Accounting",
    "Address",
    "Allocation",
    "AllocationPlanner",
    "AllocationStrategy",
    "Authorization",
    "BankTransferProvider",
    "Blacklist",
    "BlacklistRule",
    "CancelPolicy",
    "Carrier",
    "CarrierEvent",
    "CarrierEventReport",
    "CarrierEvents",
    "ChangePolicy",
    "ChangePreview",
    "Channel",
    "Clawback",
    "Clock",
    "CodFeeTable",
    "CodSplit",
    "Context",
    "CreditDecision",
    "CreditStatus",
    "Customer",
    "Deposit",
    "DepositMatch",
    "DepositReport",
    "Disposition",
    "DuplicateRule",
    "Finding",
    "FraudResult",
    "FraudScreen",
    "FraudVerdict",
    "Grant",
    "GrantAt",
    "Hold",
    "HoldCode",
    "Inventory",
    "IslandTable",
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
    "OrderChange",
    "OrderDesk",
    "OrderEvent",
    "OrderLine",
    "OrderMachine",
    "OrderStatus",
    "OrderStore",
    "OrderTotals",
    "PartialPayment",
    "Party",
    "Payment",
    "PaymentEntry",
    "PaymentGateway",
    "PaymentMethod",
    "PaymentOp",
    "PaymentOutcome",
    "PendingClaims",
    "PointsGrant",
    "PointsProvider",
    "PostpayDeclined",
    "PostpayProvider",
    "Prefecture",
    "PriceMode",
    "QuantityRule",
    "Queue",
    "QueueQuery",
    "RecognitionBasis",
    "Reconciliation",
    "RefundShare",
    "RemarksRule",
    "RemoteIslandRule",
    "Requester",
    "Return",
    "ReturnLine",
    "ReturnPolicy",
    "ReturnReason",
    "ReturnStatus",
    "ReviewContext",
    "ReviewRule",
    "Rounding",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "ShippingFeeTable",
    "ShopSettings",
    "Side",
    "SystemClock",
    "TaxBreakdown",
    "TaxLine",
    "TaxRate",
    "TaxRule",
    "TrackingLookup",
    "TrackingStatus",
    "VariantRule",
    "VirtualAccount",
    "Warehouse",
    "WorkLists",
    "allowed_moves",
    "apply_change",
    "apply_findings",
    "compute_tax",
    "default_rules",
    "default_shipping_fees",
    "goodwill_entry",
    "goodwill_share",
    "mermaid",
    "next_moves",
    "normalize_address",
    "normalize_payer_name",
    "payer_search_key",
    "payment_confirmed",
    "plan_allocation",
    "points_earned",
    "points_to_grant",
    "posted_entries",
    "reconcile",
    "refund_share",
    "return_entry",
    "review",
    "sale_entry",
    "split_order",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
