"""The contract suites fail for broken adapters: each mutant here breaks one promise of its port.

A mutant is one of orderflow's own fakes with one thing done wrong (the work done again for a
repeated key, a key reused for another request answered as the first, a naive datetime, stock
that goes negative, a store that forgets a save…). Each is run through its port's suite, by hand
as pytest would (see docs/adapters.md), and the suite must fail on it: a mutant that passed would
be a broken adapter that a plugin author's suite calls conforming.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest

from orderflow.ports import (
    Accounting,
    Carrier,
    Inventory,
    Notifier,
    OrderStore,
    Warehouse,
)
from orderflow.testing import (
    FakeAccounting,
    FakeInventory,
    FakeNotifier,
    FakeWarehouse,
)
from orderflow.testing.contracts import (
    AccountingContract,
    CarrierContract,
    InventoryContract,
    NotifierContract,
    OrderStoreContract,
    WarehouseContract,
)
from orderflow.testing.fakes import _Fake
from tests.contract.mutants import (
    ClearedHoldsStore,
    CommitKeepingStock,
    FloatInventory,
    ForgetfulInventory,
    ForgetfulRecallWarehouse,
    HistoryTrimmingStore,
    HttpCarrier,
    LateRecallWarehouse,
    LimitlessClaimsStore,
    NewReferenceAccounting,
    NoHasTrackingCarrier,
    OnAfterRefusalInventory,
    OutboxLosingStore,
    OversellingInventory,
    PagelessStore,
    RecomputingInventory,
    SnapshotCountStore,
    SnapshotListsStore,
    UncheckedInventory,
    UnfiledRefundStore,
    UnfiledWaitingStore,
    UnversionedStore,
    assert_fails,
    failed_checks,
    keyed_mutants,
)

# -- the suites, on a fake class given -----------------------------------------------------------


def inventory_suite(cls: Callable[..., Inventory]) -> type:
    class Suite(InventoryContract):
        property_examples = 30

        def make_inventory(self, stock: dict[tuple[str, str], int]) -> Inventory:
            return cls(stock)

    return Suite


def warehouse_suite(cls: Callable[..., Warehouse]) -> type:
    class Suite(WarehouseContract):
        def make_warehouse(self) -> Warehouse:
            return cls("W1")

        def ship_out(self, warehouse: Warehouse, shipment_id: str) -> None:
            assert isinstance(warehouse, FakeWarehouse)
            warehouse.mark_shipped(shipment_id)

        def instructed_count(self, warehouse: Warehouse) -> int:
            assert isinstance(warehouse, FakeWarehouse)
            return [method for method, _ in warehouse.work_done].count("instruct")

    return Suite


def accounting_suite(cls: Callable[[], Accounting]) -> type:
    class Suite(AccountingContract):
        def make_accounting(self) -> Accounting:
            return cls()

        def posted_count(self, accounting: Accounting) -> int:
            assert isinstance(accounting, FakeAccounting)
            return len(accounting.entries)

    return Suite


def notifier_suite(cls: Callable[[], Notifier]) -> type:
    class Suite(NotifierContract):
        def make_notifier(self) -> Notifier:
            return cls()

        def sent_count(self, notifier: Notifier) -> int:
            assert isinstance(notifier, FakeNotifier)
            return len(notifier.sent)

    return Suite


def store_suite(cls: Callable[[], OrderStore]) -> type:
    class Suite(OrderStoreContract):
        threads = 8

        def make_store(self) -> OrderStore:
            return cls()

    return Suite


def carrier_suite(cls: Callable[[], Carrier]) -> type:
    class Suite(CarrierContract):
        def make_carrier(self) -> Carrier:
            return cls()

        def valid_numbers(self) -> list[str]:
            return ["12345678", "123456789012"]

        def invalid_numbers(self) -> list[str]:
            return ["1234", "ABCDEFGHIJ"]

    return Suite


KEYED: list[tuple[str, type[_Fake], Callable[[Any], type]]] = [
    ("inventory", FakeInventory, inventory_suite),
    ("warehouse", FakeWarehouse, warehouse_suite),
    ("accounting", FakeAccounting, accounting_suite),
    ("notifier", FakeNotifier, notifier_suite),
]

MUTANTS: list[tuple[str, type, str]] = [
    *keyed_mutants(
        "inventory",
        inventory_suite,
        FakeInventory,
        done_again="test_reserve_is_idempotent_under_its_key",
        reused="test_a_key_reused_for_another_request_is_refused",
        repeated="test_release_gives_units_back_once",
    ),
    *keyed_mutants(
        "warehouse",
        warehouse_suite,
        FakeWarehouse,
        done_again="test_recall_before_and_after_the_parcel_left",
        reused="test_a_key_reused_for_another_request_is_refused",
        repeated="test_instruct_is_idempotent_under_its_key",
    ),
    *keyed_mutants(
        "accounting",
        accounting_suite,
        FakeAccounting,
        done_again="test_post_once_per_key",
        reused="test_a_key_reused_for_another_entry_is_refused",
        repeated="test_post_once_per_key",
    ),
    *keyed_mutants(
        "notifier",
        notifier_suite,
        FakeNotifier,
        done_again="test_send_once_per_key",
        reused="test_a_key_reused_for_another_notice_is_refused",
        repeated="test_send_once_per_key",
    ),
    (
        "inventory: another answer for a repeated key",
        inventory_suite(RecomputingInventory),
        "test_a_repeated_key_returns_the_first_answer_after_stock_changed",
    ),
    (
        "inventory: oversells",
        inventory_suite(OversellingInventory),
        "test_reserve_never_more_than_available",
    ),
    (
        "inventory: answers a float",
        inventory_suite(FloatInventory),
        "test_reserve_never_more_than_available",
    ),
    (
        "inventory: takes a negative quantity",
        inventory_suite(UncheckedInventory),
        "test_a_quantity_not_a_whole_positive_number_is_refused_and_moves_nothing",
    ),
    (
        "inventory: commit keeps stock on hand",
        inventory_suite(CommitKeepingStock),
        "test_commit_takes_reserved_units_off_stock_once",
    ),
    (
        "warehouse: recalls a parcel that left",
        warehouse_suite(LateRecallWarehouse),
        "test_recall_before_and_after_the_parcel_left",
    ),
    (
        "warehouse: a repeated recall refused",
        warehouse_suite(ForgetfulRecallWarehouse),
        "test_recall_before_and_after_the_parcel_left",
    ),
    (
        "accounting: a new reference for a repeated key",
        accounting_suite(NewReferenceAccounting),
        "test_post_once_per_key",
    ),
    (
        "inventory: a sold-out SKU unknown",
        inventory_suite(ForgetfulInventory),
        "test_a_sold_out_sku_is_still_known",
    ),
    (
        "inventory: a batch goes on after a refused move",
        inventory_suite(OnAfterRefusalInventory),
        "test_a_batch_answers_and_moves_as_its_moves_one_by_one",
    ),
    (
        "carrier: no has_tracking",
        carrier_suite(cast(Any, NoHasTrackingCarrier)),
        "test_valid_numbers_pass",
    ),
    (
        "carrier: an http tracking page",
        carrier_suite(HttpCarrier),
        "test_tracking_url_is_https_and_names_the_number",
    ),
    (
        "store: no version check",
        store_suite(UnversionedStore),
        "test_save_checks_the_version_and_keeps_every_part",
    ),
    (
        "store: loses the outbox",
        store_suite(OutboxLosingStore),
        "test_orders_in_every_status_come_back_equal",
    ),
    (
        "store: another order than saved",
        store_suite(HistoryTrimmingStore),
        "test_orders_in_every_status_come_back_equal",
    ),
    (
        "store: lists as the orders were added",
        store_suite(SnapshotListsStore),
        "test_pending_open_and_of_customer_follow_saves",
    ),
    (
        "store: counts as the orders were added",
        store_suite(SnapshotCountStore),
        "test_work_lists_follow_saves",
    ),
    (
        "store: a work list page beyond its limit",
        store_suite(PagelessStore),
        "test_work_lists_agree_with_the_definition",
    ),
    (
        "store: a work list against matches",
        store_suite(ClearedHoldsStore),
        "test_work_lists_agree_with_the_definition",
    ),
    (
        "store: claims beyond the limit",
        store_suite(LimitlessClaimsStore),
        "test_claims_take_no_more_than_the_limit",
    ),
    (
        "store: orders not found by the SKU they wait for",
        store_suite(UnfiledWaitingStore),
        "test_orders_waiting_for_stock_are_found_by_sku",
    ),
    (
        "store: orders owing a refund by transfer not found under REFUND_INDEX",
        store_suite(UnfiledRefundStore),
        "test_every_index_key_finds_its_orders",
    ),
]


@pytest.mark.parametrize(("port", "fake", "suite"), KEYED, ids=[p for p, _, _ in KEYED])
def test_the_suites_pass_the_fakes(
    port: str, fake: type[_Fake], suite: Callable[[Any], type]
) -> None:
    assert failed_checks(suite(fake)) == []


@pytest.mark.parametrize(("name", "suite", "check"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_the_suite_fails_the_mutant(name: str, suite: type, check: str) -> None:
    assert_fails(name, suite, check)
