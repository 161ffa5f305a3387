"""The suites fail adapters broken as a plugin author might break them, each with a message.

Not thread-safe (the key checked, the work done and the answer kept in three steps), answering
the wrong type, raising a foreign exception for a reference it does not know, doing the work
again for a repeated key while answering the first answer.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orderflow.ports import PaymentGateway
from orderflow.testing import (
    FakeAccounting,
    FakeBank,
    FakeKonbini,
    FakeNotifier,
    FakePaymentGateway,
    FakePoints,
    FakePostpay,
    FakeWarehouse,
)
from tests.contract.mutants import assert_fails, failed_checks
from tests.contract.mutants_authors import (
    AgainWarehouse,
    FloatAvailableInventory,
    FloatRevokePoints,
    LibraryTimeoutGateway,
    LookupErrorGateway,
    NoReferenceAccounting,
    NoReferenceWarehouse,
    NumberReferenceGateway,
    OverdrawingRacePoints,
    ReceivingTwiceInventory,
    SharedAccountBank,
    TextAnswersPostpay,
    racy,
    unreachable_fake,
)
from tests.contract.test_contract_mutants import (
    accounting_suite,
    inventory_suite,
    notifier_suite,
    warehouse_suite,
)
from tests.contract.test_contract_mutants_payments import (
    bank_suite,
    gateway_suite,
    konbini_suite,
    points_suite,
    postpay_suite,
)

MUTANTS: list[tuple[str, type, str]] = [
    (
        "warehouse: not thread-safe",
        warehouse_suite(racy(FakeWarehouse)),
        "test_the_same_key_from_many_threads_is_one_instruction",
    ),
    (
        "warehouse: instructs again, answering the first reference",
        warehouse_suite(AgainWarehouse),
        "test_instruct_is_idempotent_under_its_key",
    ),
    (
        "warehouse: no reference",
        warehouse_suite(NoReferenceWarehouse),
        "test_instruct_is_idempotent_under_its_key",
    ),
    (
        "accounting: not thread-safe",
        accounting_suite(racy(FakeAccounting)),
        "test_the_same_key_from_many_threads_is_posted_once",
    ),
    (
        "accounting: no reference",
        accounting_suite(NoReferenceAccounting),
        "test_post_once_per_key",
    ),
    (
        "notifier: not thread-safe",
        notifier_suite(racy(FakeNotifier)),
        "test_the_same_key_from_many_threads_is_sent_once",
    ),
    (
        "gateway: not thread-safe",
        gateway_suite(racy(FakePaymentGateway)),
        "test_the_same_authorize_key_from_many_threads_is_one_authorization",
    ),
    (
        "gateway: references that are not texts",
        gateway_suite(NumberReferenceGateway),
        "test_every_reference_is_a_text",
    ),
    (
        "gateway: a KeyError for an unknown reference",
        gateway_suite(LookupErrorGateway),
        "test_an_unknown_reference_is_refused_with_provider_error",
    ),
    (
        "postpay: not thread-safe",
        postpay_suite(racy(FakePostpay)),
        "test_the_same_key_from_many_threads_is_one_claim",
    ),
    (
        "postpay: amend answers a text",
        postpay_suite(TextAnswersPostpay),
        "test_amend_then_report_then_no_more_amend",
    ),
    (
        "bank: not thread-safe",
        bank_suite(racy(FakeBank)),
        "test_the_same_key_from_many_threads_is_one_account",
    ),
    (
        "bank: racing orders share an account",
        bank_suite(SharedAccountBank),
        "test_orders_racing_never_share_an_account",
    ),
    (
        "konbini: not thread-safe",
        konbini_suite(racy(FakeKonbini)),
        "test_the_same_key_from_many_threads_is_one_number",
    ),
    (
        "points: not thread-safe",
        points_suite(racy(FakePoints)),
        "test_the_same_key_from_many_threads_is_done_once",
    ),
    (
        "points: racing redeems overdraw",
        points_suite(OverdrawingRacePoints),
        "test_redeems_racing_never_overdraw",
    ),
    (
        "points: revoke answers a float",
        points_suite(FloatRevokePoints),
        "test_revoke_takes_what_is_there_never_below_zero",
    ),
    (
        "inventory: available answers a float",
        inventory_suite(FloatAvailableInventory),
        "test_reserve_never_more_than_available",
    ),
    (
        "inventory: receives again for a repeated key",
        inventory_suite(ReceivingTwiceInventory),
        "test_receive_is_once_per_key",
    ),
]


def gateway_unreachable_suite(unreachable: Callable[[], PaymentGateway]) -> type:
    class Suite(gateway_suite(FakePaymentGateway)):  # type: ignore[misc]
        def unreachable_gateway(self) -> PaymentGateway:
            return unreachable()

    return Suite


MUTANTS.append(
    (
        "gateway: its HTTP library's time-out let through",
        gateway_unreachable_suite(LibraryTimeoutGateway),
        "test_no_answer_is_a_provider_timeout",
    )
)


def test_the_gateway_suite_passes_a_gateway_that_times_out_as_provider_timeout() -> None:
    assert failed_checks(gateway_unreachable_suite(unreachable_fake)) == []


@pytest.mark.parametrize(("name", "suite", "check"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_the_suite_fails_the_mutant(name: str, suite: type, check: str) -> None:
    assert_fails(name, suite, check)
