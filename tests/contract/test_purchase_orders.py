"""The purchasing contracts against the fakes, SQLite (a file) and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orderflow.ports import PurchaseOrderStore, Supplier
from orderflow.stores import PostgresPurchaseOrderStore, SQLitePurchaseOrderStore
from orderflow.testing import FakeSupplier, InMemoryPurchaseOrderStore
from orderflow.testing.purchasing_contracts import PurchaseOrderStoreContract, SupplierContract
from tests.postgres import new_database


class TestFakeSupplier(SupplierContract):
    def make_supplier(self) -> Supplier:
        return FakeSupplier()

    def dispatch(self, supplier: Supplier, reference: str) -> None:
        assert isinstance(supplier, FakeSupplier)
        supplier.mark_dispatched(reference)


class TestInMemoryPurchaseOrderStore(PurchaseOrderStoreContract):
    def make_store(self) -> PurchaseOrderStore:
        return InMemoryPurchaseOrderStore()


class TestSQLitePurchaseOrderStore(PurchaseOrderStoreContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> Iterator[None]:
        self.folder = tmp_path
        self.opened: list[SQLitePurchaseOrderStore] = []
        yield
        for store in self.opened:
            store.close()

    def make_store(self) -> PurchaseOrderStore:
        store = SQLitePurchaseOrderStore(self.folder / f"po{len(self.opened)}.sqlite3")
        self.opened.append(store)
        return store


@pytest.mark.postgres
class TestPostgresPurchaseOrderStore(PurchaseOrderStoreContract):
    @pytest.fixture(autouse=True)
    def _server(self, postgres_uri: str) -> Iterator[None]:
        self.uri = postgres_uri
        self.opened: list[PostgresPurchaseOrderStore] = []
        yield
        for store in self.opened:
            store.close()

    def make_store(self) -> PurchaseOrderStore:
        store = PostgresPurchaseOrderStore(new_database(self.uri))
        self.opened.append(store)
        return store
