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
    again,
    failed_checks,
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
    (
        "gateway: work done again",
        gateway_suite(again(FakePaymentGateway)),
        "test_authorize_is_idempotent_under_its_key",
    ),
    (
        "gateway: reused key answered",
        gateway_suite(lenient(FakePaymentGateway)),
        "test_a_key_reused_for_another_request_is_refused_and_moves_nothing",
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
    (
        "points: reused key answered",
        points_suite(lenient(FakePoints)),
        "test_a_key_reused_for_another_request_is_refused_and_moves_nothing",
    ),
    (
        "points: repeated key refused",
        points_suite(refusing(FakePoints)),
        "test_redeem_and_restore_once_per_key",
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
    failed = failed_checks(suite)
    assert check in failed, f"{name}: {check} passed (failed: {failed})"
