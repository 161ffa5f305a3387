"""orderflow: everything that happens to an e-commerce order after checkout (受注処理).

The public API is what this module exports; everything else is private. Start with
:class:`OrderDesk` and the fakes in :mod:`orderflow.testing`::

    from orderflow import OrderDesk, Money, OrderLine
"""

from orderflow.desk import OrderDesk
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
from orderflow.domain.status import Move, OrderStatus
from orderflow.domain.tax import PriceMode, TaxBreakdown, TaxLine, TaxRate, TaxRule, compute_tax
from orderflow.notices import Notice
from orderflow.ports import (
    Accounting,
    Authorization,
    Carrier,
    Clock,
    Inventory,
    Notifier,
    OrderStore,
    PaymentGateway,
    Warehouse,
)
from orderflow.settings import ShopSettings

__version__ = "0.1.0"

__all__ = [
    "TRANSITIONS",
    "AccountMap",
    "Accounting",
    "Address",
    "Allocation",
    "AllocationStrategy",
    "Authorization",
    "Carrier",
    "Clock",
    "Context",
    "Customer",
    "Hold",
    "Intent",
    "Inventory",
    "JournalEntry",
    "JournalLine",
    "Money",
    "Move",
    "Notice",
    "Notifier",
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
    "Prefecture",
    "PriceMode",
    "RecognitionBasis",
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
    "Warehouse",
    "allowed_moves",
    "compute_tax",
    "mermaid",
    "next_moves",
    "plan_allocation",
    "sale_entry",
]
