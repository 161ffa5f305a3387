import orderflow
import orderflow.testing


def test_the_public_api_is_pinned() -> None:
    assert sorted(orderflow.__all__) == sorted(
        [
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
    )
    for name in orderflow.__all__:
        if name != "TRANSITIONS":  # a mapping: documented in orderflow.domain.machine
            assert getattr(orderflow, name).__doc__, name


def test_the_testing_api_is_pinned() -> None:
    assert sorted(orderflow.testing.__all__) == sorted(
        [
            "Call",
            "FakeAccounting",
            "FakeCarrier",
            "FakeInventory",
            "FakeNotifier",
            "FakePaymentGateway",
            "FakeShop",
            "FakeWarehouse",
            "Fault",
            "FixedClock",
            "InMemoryOrderStore",
            "fake_shop",
        ]
    )
