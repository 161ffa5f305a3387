"""The contract suites fail for broken adapters: each mutant here breaks one promise of its port.

A mutant is one of orderflow's own fakes with one thing done wrong (the work done again for a
repeated key, a key reused for another request answered as the first, a naive datetime, stock
that goes negative, a store that forgets a save…). Each is run through its port's suite, by hand
as pytest would (see docs/adapters.md), and the suite must fail on it: a mutant that passed would
be a broken adapter that a plugin author's suite calls conforming.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import pytest

from orderflow.ports import (
    Accounting,
    BankTransferProvider,
    Carrier,
    FraudScreen,
    Inventory,
    KonbiniProvider,
    Notifier,
    OrderStore,
    PaymentGateway,
    PointsProvider,
    PostpayProvider,
    Warehouse,
)
from orderflow.testing import (
    FakeAccounting,
    FakeBank,
    FakeFraudScreen,
    FakeInventory,
    FakeKonbini,
    FakeNotifier,
    FakePaymentGateway,
    FakePoints,
    FakePostpay,
    FakeWarehouse,
)
from orderflow.testing.contracts import (
    AccountingContract,
    BankTransferContract,
    CarrierContract,
    FraudScreenContract,
    InventoryContract,
    KonbiniContract,
    NotifierContract,
    OrderStoreContract,
    PaymentGatewayContract,
    PointsContract,
    PostpayContract,
    WarehouseContract,
)
from orderflow.testing.fakes import _Fake
from tests.contract.mutants import (
    BalanceFirstPoints,
    ClearedHoldsStore,
    CommitKeepingStock,
    DoubleReleaseBank,
    FloatAmountGateway,
    FloatInventory,
    ForgetfulRecallWarehouse,
    HistoryTrimmingStore,
    HttpCarrier,
    LateAmendPostpay,
    LateDeadlineKonbini,
    LateRecallWarehouse,
    LateReleaseBank,
    LimitlessClaimsStore,
    NaiveDeadlineKonbini,
    NaiveExpiryGateway,
    NewReferenceAccounting,
    NoHasTrackingCarrier,
    OutboxLosingStore,
    OvercapturingGateway,
    OverdrawingPoints,
    OversellingInventory,
    PagelessStore,
    RecomputingInventory,
    RestoringTwicePoints,
    SnapshotCountStore,
    SnapshotListsStore,
    SpendableProvisionalPoints,
    UncheckedInventory,
    UnversionedStore,
    again,
    failed_checks,
    lenient,
    refusing,
)

F = TypeVar("F", bound=_Fake)


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


def gateway_suite(cls: Callable[..., PaymentGateway]) -> type:
    class Suite(PaymentGatewayContract):
        def make_gateway(self) -> PaymentGateway:
            return cls(decline_tokens=frozenset({"tok_declined"}))

        def good_token(self) -> str:
            return "tok_visa"

        def declined_token(self) -> str:
            return "tok_declined"

    return Suite


def screen_suite(cls: Callable[[], FraudScreen]) -> type:
    class Suite(FraudScreenContract):
        def make_screen(self) -> FraudScreen:
            return cls()

    return Suite


def postpay_suite(cls: Callable[[], PostpayProvider]) -> type:
    class Suite(PostpayContract):
        def make_provider(self) -> PostpayProvider:
            return cls()

    return Suite


def bank_suite(cls: Callable[..., BankTransferProvider]) -> type:
    class Suite(BankTransferContract):
        def make_bank(self) -> BankTransferProvider:
            return cls(pool_size=3)

    return Suite


def konbini_suite(cls: Callable[[], KonbiniProvider]) -> type:
    class Suite(KonbiniContract):
        def make_konbini(self) -> KonbiniProvider:
            return cls()

    return Suite


def points_suite(cls: Callable[..., PointsProvider]) -> type:
    class Suite(PointsContract):
        def make_points(self, balances: dict[str, int]) -> PointsProvider:
            return cls(balances)

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
    ("gateway", FakePaymentGateway, gateway_suite),
    ("screen", FakeFraudScreen, screen_suite),
    ("postpay", FakePostpay, postpay_suite),
    ("bank", FakeBank, bank_suite),
    ("konbini", FakeKonbini, konbini_suite),
    ("points", FakePoints, points_suite),
]


K = "test_a_key_reused_for_another_request_is_refused"
MUTANTS: list[tuple[str, type, str]] = [
    # the three ways of getting the key wrong, on every port with keys
    (
        "inventory: work done again",
        inventory_suite(again(FakeInventory)),
        "test_reserve_is_idempotent_under_its_key",
    ),
    ("inventory: reused key answered", inventory_suite(lenient(FakeInventory)), K),
    (
        "inventory: repeated key refused",
        inventory_suite(refusing(FakeInventory)),
        "test_release_gives_units_back_once",
    ),
    (
        "warehouse: work done again",
        warehouse_suite(again(FakeWarehouse)),
        "test_recall_before_and_after_the_parcel_left",
    ),
    ("warehouse: reused key answered", warehouse_suite(lenient(FakeWarehouse)), K),
    (
        "warehouse: repeated key refused",
        warehouse_suite(refusing(FakeWarehouse)),
        "test_instruct_is_idempotent_under_its_key",
    ),
    (
        "accounting: work done again",
        accounting_suite(again(FakeAccounting)),
        "test_post_once_per_key",
    ),
    (
        "accounting: reused key answered",
        accounting_suite(lenient(FakeAccounting)),
        "test_a_key_reused_for_another_entry_is_refused",
    ),
    (
        "accounting: repeated key refused",
        accounting_suite(refusing(FakeAccounting)),
        "test_post_once_per_key",
    ),
    ("notifier: work done again", notifier_suite(again(FakeNotifier)), "test_send_once_per_key"),
    (
        "notifier: reused key answered",
        notifier_suite(lenient(FakeNotifier)),
        "test_a_key_reused_for_another_notice_is_refused",
    ),
    (
        "notifier: repeated key refused",
        notifier_suite(refusing(FakeNotifier)),
        "test_send_once_per_key",
    ),
    (
        "gateway: work done again",
        gateway_suite(again(FakePaymentGateway)),
        "test_authorize_is_idempotent_under_its_key",
    ),
    (
        "gateway: reused key answered",
        gateway_suite(lenient(FakePaymentGateway)),
        K + "_and_moves_nothing",
    ),
    (
        "gateway: repeated key refused",
        gateway_suite(refusing(FakePaymentGateway)),
        "test_capture_up_to_the_authorization_once_per_key",
    ),
    (
        "screen: reused key answered",
        screen_suite(lenient(FakeFraudScreen)),
        "test_a_key_reused_for_another_order_is_refused",
    ),
    (
        "screen: repeated key refused",
        screen_suite(refusing(FakeFraudScreen)),
        "test_screen_answers_a_verdict_and_the_same_for_the_same_key",
    ),
    (
        "postpay: work done again",
        postpay_suite(again(FakePostpay)),
        "test_register_is_idempotent_under_its_key",
    ),
    (
        "postpay: reused key answered",
        postpay_suite(lenient(FakePostpay)),
        "test_a_key_reused_for_another_claim_is_refused",
    ),
    (
        "postpay: repeated key refused",
        postpay_suite(refusing(FakePostpay)),
        "test_cancel_once_per_key",
    ),
    (
        "bank: work done again",
        bank_suite(again(FakeBank)),
        "test_two_open_orders_never_hold_the_same_account",
    ),
    (
        "bank: reused key answered",
        bank_suite(lenient(FakeBank)),
        "test_a_key_reused_for_another_order_is_refused",
    ),
    (
        "bank: repeated key refused",
        bank_suite(refusing(FakeBank)),
        "test_a_released_account_can_be_issued_again",
    ),
    (
        "konbini: work done again",
        konbini_suite(again(FakeKonbini)),
        "test_issue_is_idempotent_and_keeps_the_deadline",
    ),
    (
        "konbini: reused key answered",
        konbini_suite(lenient(FakeKonbini)),
        "test_a_key_reused_for_another_amount_is_refused",
    ),
    (
        "konbini: repeated key refused",
        konbini_suite(refusing(FakeKonbini)),
        "test_issue_is_idempotent_and_keeps_the_deadline",
    ),
    (
        "points: work done again",
        points_suite(again(FakePoints)),
        "test_grant_confirm_and_revoke_once_per_key",
    ),
    ("points: reused key answered", points_suite(lenient(FakePoints)), K + "_and_moves_nothing"),
    (
        "points: repeated key refused",
        points_suite(refusing(FakePoints)),
        "test_redeem_and_restore_once_per_key",
    ),
    # one promise of one port each
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
        "gateway: naive expires_at",
        gateway_suite(NaiveExpiryGateway),
        "test_authorize_returns_the_amount_and_a_reference",
    ),
    (
        "gateway: float amount",
        gateway_suite(FloatAmountGateway),
        "test_authorize_returns_the_amount_and_a_reference",
    ),
    (
        "gateway: captures beyond the authorization",
        gateway_suite(OvercapturingGateway),
        "test_capture_up_to_the_authorization_once_per_key",
    ),
    (
        "postpay: amends a reported claim",
        postpay_suite(LateAmendPostpay),
        "test_amend_then_report_then_no_more_amend",
    ),
    (
        "konbini: naive deadline",
        konbini_suite(NaiveDeadlineKonbini),
        "test_issue_is_idempotent_and_keeps_the_deadline",
    ),
    (
        "konbini: a later deadline",
        konbini_suite(LateDeadlineKonbini),
        "test_issue_is_idempotent_and_keeps_the_deadline",
    ),
    (
        "points: restores twice",
        points_suite(RestoringTwicePoints),
        "test_redeem_and_restore_once_per_key",
    ),
    (
        "points: revokes below zero",
        points_suite(OverdrawingPoints),
        "test_revoke_takes_what_is_there_never_below_zero",
    ),
    (
        "points: revokes the balance first",
        points_suite(BalanceFirstPoints),
        "test_revoke_takes_the_orders_provisional_points_first",
    ),
    (
        "points: provisional points spendable",
        points_suite(SpendableProvisionalPoints),
        "test_grant_confirm_and_revoke_once_per_key",
    ),
    (
        "bank: a release done twice",
        bank_suite(DoubleReleaseBank),
        "test_a_released_account_can_be_issued_again",
    ),
    (
        "bank: a late retry of a release frees another order's account",
        bank_suite(LateReleaseBank),
        "test_a_released_account_can_be_issued_again",
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
]


@pytest.mark.parametrize(("port", "fake", "suite"), KEYED, ids=[p for p, _, _ in KEYED])
def test_the_suites_pass_the_fakes(
    port: str, fake: type[_Fake], suite: Callable[[Any], type]
) -> None:
    assert failed_checks(suite(fake)) == []


@pytest.mark.parametrize(("name", "suite", "check"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_the_suite_fails_the_mutant(name: str, suite: type, check: str) -> None:
    failed = failed_checks(suite)
    assert check in failed, f"{name}: {check} passed (failed: {failed})"
