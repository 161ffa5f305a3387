"""The purchasing and carrier-feed suites fail for broken adapters (see test_contract_mutants)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from orderflow.domain.purchasing import PurchaseOrder
from orderflow.domain.tracking import CarrierEvent, TrackingStatus
from orderflow.ports import CarrierEvents, PurchaseOrderStore, Supplier
from orderflow.testing import FakeCarrierEvents, FakeSupplier, InMemoryPurchaseOrderStore
from orderflow.testing.carrier_events import CarrierEventsContract
from orderflow.testing.purchasing_contracts import PurchaseOrderStoreContract, SupplierContract
from tests.contract.mutants import assert_fails, failed_checks, keyed_mutants


def supplier_suite(cls: Callable[[], Supplier]) -> type:
    class Suite(SupplierContract):
        def make_supplier(self) -> Supplier:
            return cls()

        def dispatch(self, supplier: Supplier, reference: str) -> None:
            assert isinstance(supplier, FakeSupplier)
            supplier.mark_dispatched(reference)

    return Suite


def po_store_suite(cls: Callable[[], PurchaseOrderStore]) -> type:
    class Suite(PurchaseOrderStoreContract):
        def make_store(self) -> PurchaseOrderStore:
            return cls()

    return Suite


SINCE = CarrierEventsContract.since


def feed_suite(cls: Callable[[list[CarrierEvent]], CarrierEvents]) -> type:
    class Suite(CarrierEventsContract):
        def make_feed(self) -> CarrierEvents:
            return cls(
                [
                    CarrierEvent(
                        "yamato",
                        "123456789013",
                        TrackingStatus.IN_TRANSIT,
                        SINCE + timedelta(hours=1),
                        "e1",
                    ),
                    CarrierEvent(
                        "yamato",
                        "123456789013",
                        TrackingStatus.DELIVERED,
                        SINCE + timedelta(hours=5),
                        "e2",
                    ),
                ]
            )

    return Suite


class LateCancelSupplier(FakeSupplier):
    """Takes lines back even after the goods left."""

    def cancel(self, *, key: str, reference: str, lines: tuple[tuple[str, int], ...]) -> bool:
        with self._lock:
            self.dispatched.discard(reference)
            return super().cancel(key=key, reference=reference, lines=lines)


class AddedPendingStore(InMemoryPurchaseOrderStore):
    """Answers ``pending`` from the purchase orders as they were added."""

    def __init__(self) -> None:
        super().__init__()
        self.added: dict[str, PurchaseOrder] = {}

    def add(self, po: PurchaseOrder) -> None:
        super().add(po)
        self.added[po.number] = po

    def pending(self) -> list[PurchaseOrder]:
        return [po for _, po in sorted(self.added.items()) if po.outbox]


class AfterOnlyFeed(FakeCarrierEvents):
    """Answers the events after ``since``, not at it."""

    def poll(self, since: Any) -> list[CarrierEvent]:
        return [e for e in super().poll(since) if e.at > since]


MUTANTS: list[tuple[str, type, str]] = [
    *keyed_mutants(
        "supplier",
        supplier_suite,
        FakeSupplier,
        done_again="test_send_is_idempotent_under_its_key",
        reused="test_a_key_reused_for_another_request_is_refused",
        repeated="test_send_is_idempotent_under_its_key",
    ),
    (
        "supplier: cancels after the goods left",
        supplier_suite(LateCancelSupplier),
        "test_a_cancel_after_the_goods_left_is_too_late",
    ),
    (
        "purchase-order store: pending as added",
        po_store_suite(AddedPendingStore),
        "test_pending_follows_saves",
    ),
    (
        "carrier feed: after since, not at it",
        feed_suite(AfterOnlyFeed),
        "test_a_later_since_gives_fewer",
    ),
]


def test_the_suites_pass_the_fakes() -> None:
    for suite in (
        supplier_suite(FakeSupplier),
        po_store_suite(InMemoryPurchaseOrderStore),
        feed_suite(FakeCarrierEvents),
    ):
        assert failed_checks(suite) == []


@pytest.mark.parametrize(("name", "suite", "check"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_the_suite_fails_the_mutant(name: str, suite: type, check: str) -> None:
    assert_fails(name, suite, check)
