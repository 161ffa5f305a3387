"""Test doubles for hosts and adapter authors: in-memory fakes of every port, and contract suites.

Use the fakes in your own tests (like ``structlog.testing``)::

    from orderflow.testing import FakeInventory, FakePaymentGateway, Fault

    gateway = FakePaymentGateway()
    gateway.fail_next("capture", Fault.TIMEOUT_AFTER)
"""

from orderflow.testing.carrier_events import CarrierEventsContract, FakeCarrierEvents
from orderflow.testing.fakes import (
    Call,
    FakeAccounting,
    FakeBank,
    FakeCarrier,
    FakeFraudScreen,
    FakeInventory,
    FakeKonbini,
    FakeNotifier,
    FakePaymentGateway,
    FakePoints,
    FakePostpay,
    FakeWarehouse,
    Fault,
    FixedClock,
    InMemoryOrderStore,
)
from orderflow.testing.purchasing_fakes import FakeSupplier, InMemoryPurchaseOrderStore
from orderflow.testing.shop import FakeShop, desk_on, fake_shop

__all__ = [
    "Call",
    "CarrierEventsContract",
    "FakeAccounting",
    "FakeBank",
    "FakeCarrier",
    "FakeCarrierEvents",
    "FakeFraudScreen",
    "FakeInventory",
    "FakeKonbini",
    "FakeNotifier",
    "FakePaymentGateway",
    "FakePoints",
    "FakePostpay",
    "FakeShop",
    "FakeSupplier",
    "FakeWarehouse",
    "Fault",
    "FixedClock",
    "InMemoryOrderStore",
    "InMemoryPurchaseOrderStore",
    "desk_on",
    "fake_shop",
]
