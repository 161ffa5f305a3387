"""The contract suites, run against orderflow's own fakes and carrier adapters."""

import time

import pytest

from orderflow.adapters import JapanPost, Sagawa, Yamato
from orderflow.domain.address import Address
from orderflow.domain.order import Order, Shipment, ShipmentLine
from orderflow.errors import ProviderError
from orderflow.ports import (
    Accounting,
    BankTransferProvider,
    Carrier,
    FraudScreen,
    KonbiniProvider,
    Notifier,
    OrderStore,
    PaymentGateway,
    PointsProvider,
    PostpayProvider,
)
from orderflow.ports import Warehouse as WarehousePort
from orderflow.testing import (
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
    InMemoryOrderStore,
)
from orderflow.testing.contracts import (
    AccountingContract,
    BankTransferContract,
    CarrierContract,
    FraudScreenContract,
    KonbiniContract,
    NotifierContract,
    OrderStoreContract,
    PaymentGatewayContract,
    PointsContract,
    PostpayContract,
    WarehouseContract,
)
from tests.contract.mutants_authors import unreachable_fake


class TestFakePaymentGateway(PaymentGatewayContract):
    def make_gateway(self) -> PaymentGateway:
        return FakePaymentGateway(decline_tokens=frozenset({"tok_declined"}))

    def good_token(self) -> str:
        return "tok_visa"

    def declined_token(self) -> str:
        return "tok_declined"

    def unreachable_gateway(self) -> PaymentGateway:
        return unreachable_fake()


class TestFakeWarehouse(WarehouseContract):
    def make_warehouse(self) -> WarehousePort:
        return FakeWarehouse("W1")

    def ship_out(self, warehouse: WarehousePort, shipment_id: str) -> None:
        assert isinstance(warehouse, FakeWarehouse)
        warehouse.mark_shipped(shipment_id)

    def instructed_count(self, warehouse: WarehousePort) -> int:
        assert isinstance(warehouse, FakeWarehouse)
        return [method for method, _ in warehouse.work_done].count("instruct")

    def test_a_recalled_id_is_refused_as_a_wms_would(self) -> None:
        """So that the fault campaign sees a shipment id orderflow would use twice."""
        warehouse = FakeWarehouse("W1")
        parcel = Shipment("1-S1", "W1", "yamato", (ShipmentLine("L1", 1),))
        ship_to = Address("150-0001", "東京都", "渋谷区", "1-2-3", "山田 太郎", "03-1234-5678")
        warehouse.instruct(key="1:1", order_number="1", shipment=parcel, ship_to=ship_to)
        assert warehouse.recall(key="1:2", shipment_id="1-S1") is True
        with pytest.raises(ProviderError, match="recalled"):
            warehouse.instruct(key="1:3", order_number="1", shipment=parcel, ship_to=ship_to)
        assert "1-S1" not in warehouse.instructed


class TestFakeAccounting(AccountingContract):
    def make_accounting(self) -> Accounting:
        return FakeAccounting()

    def posted_count(self, accounting: Accounting) -> int:
        assert isinstance(accounting, FakeAccounting)
        return len(accounting.entries)


class TestFakeNotifier(NotifierContract):
    def make_notifier(self) -> Notifier:
        return FakeNotifier()

    def sent_count(self, notifier: Notifier) -> int:
        assert isinstance(notifier, FakeNotifier)
        return len(notifier.sent)


class TestInMemoryOrderStore(OrderStoreContract):
    def make_store(self) -> OrderStore:
        return InMemoryOrderStore()


class _YieldingStore(InMemoryOrderStore):
    """An InMemoryOrderStore that lets other threads run between a read and a write."""

    def get(self, number: str) -> Order:
        order = super().get(number)
        time.sleep(0.0001)
        return order


class TestInMemoryOrderStoreWithThreadSwitches(OrderStoreContract):
    """The contract again, with a thread switch between the version check and the write."""

    def make_store(self) -> OrderStore:
        return _YieldingStore()


class TestFakeCarrier(CarrierContract):
    def make_carrier(self) -> Carrier:
        return FakeCarrier()

    def valid_numbers(self) -> list[str]:
        return ["12345678", "123456789012"]

    def invalid_numbers(self) -> list[str]:
        return ["1234", "ABCDEFGHIJ"]


class TestYamato(CarrierContract):
    def make_carrier(self) -> Carrier:
        return Yamato()

    def valid_numbers(self) -> list[str]:
        return ["1234-5678-9013", "445566778812", "2000-0000-0001"]

    def invalid_numbers(self) -> list[str]:
        return ["1234-5678-9014", "12345678901", "1234567890123", "ABCD-EFGH-IJKL"]


class TestSagawa(TestYamato):
    def make_carrier(self) -> Carrier:
        return Sagawa()


class TestJapanPost(CarrierContract):
    def make_carrier(self) -> Carrier:
        return JapanPost()

    def valid_numbers(self) -> list[str]:
        return ["1234-5678-9013", "1311-2383-852", "EE123456785JP"]

    def invalid_numbers(self) -> list[str]:
        return ["1234-5678-9014", "EE123456784JP", "123"]


class TestFakeFraudScreen(FraudScreenContract):
    def make_screen(self) -> FraudScreen:
        return FakeFraudScreen()


class TestFakePostpay(PostpayContract):
    def make_provider(self) -> PostpayProvider:
        return FakePostpay()


class TestFakeBank(BankTransferContract):
    def make_bank(self) -> BankTransferProvider:
        return FakeBank(pool_size=3)


class TestFakeKonbini(KonbiniContract):
    def make_konbini(self) -> KonbiniProvider:
        return FakeKonbini()


class TestFakeAmazonPay(TestFakePaymentGateway):
    """Amazon Pay is a PaymentGateway too: the same suite, another instance."""


class TestFakePoints(PointsContract):
    def make_points(self, balances: dict[str, int]) -> PointsProvider:
        return FakePoints(balances)


def test_the_fake_inventory_reads_stock_levels_as_the_sql_ones_do() -> None:
    inventory = FakeInventory({("W1", "TEA"): 5})
    assert inventory.reserve(key="1:1", warehouse="W1", sku="TEA", quantity=2) == 2
    level = inventory.stock("W1", "TEA")
    assert (level.on_hand, level.reserved, level.available) == (5, 2, 3)
    assert inventory.stock("W1", "NONE").on_hand == 0
