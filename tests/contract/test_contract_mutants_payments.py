"""The payment ports' suites fail for broken adapters: the gateway, the fraud screen, 後払い,
bank transfer, konbini and points, each on mutants of its fake (see test_contract_mutants.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from orderflow.ports import (
    BankTransferProvider,
    FraudScreen,
    KonbiniProvider,
    PaymentGateway,
    PointsProvider,
    PostpayProvider,
)
from orderflow.testing import (
    FakeBank,
    FakeFraudScreen,
    FakeKonbini,
    FakePaymentGateway,
    FakePoints,
    FakePostpay,
)
from orderflow.testing.contracts import (
    BankTransferContract,
    FraudScreenContract,
    KonbiniContract,
    PaymentGatewayContract,
    PointsContract,
    PostpayContract,
)
from orderflow.testing.fakes import _Fake
from tests.contract.mutants import (
    AmountNumberKonbini,
    AmountReferenceGateway,
    BalanceFirstPoints,
    ConfirmingAnywayPoints,
    CustomerReferencePostpay,
    DoubleReleaseBank,
    FloatAmountGateway,
    LateAmendPostpay,
    LateDeadlineKonbini,
    LateReleaseBank,
    NaiveDeadlineKonbini,
    NaiveExpiryGateway,
    OneCapturePerAuthorizationGateway,
    OvercapturingGateway,
    OverdrawingPoints,
    RestoringTwicePoints,
    SpendableProvisionalPoints,
    assert_fails,
    failed_checks,
    keyed_mutants,
    lenient,
    refusing,
)

# -- the suites, on a fake class given -----------------------------------------------------------


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


KEYED: list[tuple[str, type[_Fake], Callable[[Any], type]]] = [
    ("gateway", FakePaymentGateway, gateway_suite),
    ("screen", FakeFraudScreen, screen_suite),
    ("postpay", FakePostpay, postpay_suite),
    ("bank", FakeBank, bank_suite),
    ("konbini", FakeKonbini, konbini_suite),
    ("points", FakePoints, points_suite),
]

MUTANTS: list[tuple[str, type, str]] = [
    *keyed_mutants(
        "gateway",
        gateway_suite,
        FakePaymentGateway,
        done_again="test_authorize_is_idempotent_under_its_key",
        reused="test_a_key_reused_for_another_request_is_refused_and_moves_nothing",
        repeated="test_capture_up_to_the_authorization_once_per_key",
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
    *keyed_mutants(
        "postpay",
        postpay_suite,
        FakePostpay,
        done_again="test_register_is_idempotent_under_its_key",
        reused="test_a_key_reused_for_another_claim_is_refused",
        repeated="test_cancel_once_per_key",
    ),
    *keyed_mutants(
        "bank",
        bank_suite,
        FakeBank,
        done_again="test_two_open_orders_never_hold_the_same_account",
        reused="test_a_key_reused_for_another_order_is_refused",
        repeated="test_a_released_account_can_be_issued_again",
    ),
    *keyed_mutants(
        "konbini",
        konbini_suite,
        FakeKonbini,
        done_again="test_issue_is_idempotent_and_keeps_the_deadline",
        reused="test_a_key_reused_for_another_amount_is_refused",
        repeated="test_issue_is_idempotent_and_keeps_the_deadline",
    ),
    *keyed_mutants(
        "points",
        points_suite,
        FakePoints,
        done_again="test_grant_confirm_and_revoke_once_per_key",
        reused="test_a_key_reused_for_another_request_is_refused_and_moves_nothing",
        repeated="test_redeem_and_restore_once_per_key",
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
        "gateway: one reference for two orders",
        gateway_suite(AmountReferenceGateway),
        "test_two_orders_have_two_authorizations",
    ),
    (
        "gateway: one reference for two captures",
        gateway_suite(OneCapturePerAuthorizationGateway),
        "test_a_key_reused_for_another_request_is_refused_and_moves_nothing",
    ),
    (
        "postpay: one claim for two orders",
        postpay_suite(CustomerReferencePostpay),
        "test_two_orders_have_two_claims",
    ),
    (
        "konbini: one number for two orders",
        konbini_suite(AmountNumberKonbini),
        "test_two_orders_have_two_payment_numbers",
    ),
    (
        "points: confirms points not held",
        points_suite(ConfirmingAnywayPoints),
        "test_confirm_makes_only_the_orders_provisional_points_spendable",
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
