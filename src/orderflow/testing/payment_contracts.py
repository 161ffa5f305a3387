"""Contract suites of the payment ports (and points): subclass one to prove an adapter.

See :mod:`orderflow.testing.contracts` for how the suites work.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from orderflow.domain.address import Customer
from orderflow.domain.money import Money
from orderflow.errors import (
    PaymentDeclined,
    ProviderError,
    ProviderTimeout,
)
from orderflow.ports import (
    BankTransferProvider,
    CreditStatus,
    FraudScreen,
    FraudVerdict,
    KonbiniProvider,
    PaymentGateway,
    PostpayProvider,
)
from orderflow.testing._contract_tools import _address

__all__ = [
    "BankTransferContract",
    "FraudScreenContract",
    "KonbiniContract",
    "PaymentGatewayContract",
    "PointsContract",
    "PostpayContract",
]


class PaymentGatewayContract:
    """What every :class:`~orderflow.ports.PaymentGateway` must do."""

    def make_gateway(self) -> PaymentGateway:
        """A fresh gateway (a sandbox account for a real provider)."""
        raise NotImplementedError

    def good_token(self) -> str:
        """A card token the gateway authorizes."""
        raise NotImplementedError

    def declined_token(self) -> str:
        """A card token the gateway declines."""
        raise NotImplementedError

    def test_authorize_returns_the_amount_and_a_reference(self) -> None:
        gateway = self.make_gateway()
        auth = gateway.authorize(
            key="c-1:authorize", order_number="c-1", amount=Money.yen(1000), token=self.good_token()
        )
        assert auth.reference
        assert auth.amount == Money.yen(1000)
        expires = auth.expires_at  # None, or an aware time (a naive one lapses at the wrong hour)
        assert expires is None or (
            isinstance(expires, datetime) and expires.utcoffset() is not None
        )

    def test_authorize_is_idempotent_under_its_key(self) -> None:
        gateway = self.make_gateway()
        args = {"order_number": "c-2", "amount": Money.yen(500), "token": self.good_token()}
        first = gateway.authorize(key="c-2:authorize", **args)  # type: ignore[arg-type]
        second = gateway.authorize(key="c-2:authorize", **args)  # type: ignore[arg-type]
        assert first.reference == second.reference

    def test_one_key_asked_twice_at_once_is_one_answer_or_a_time_out(self) -> None:
        """A command and a sweep may send one key at the same moment (never a refusal)."""
        gateway = self.make_gateway()
        auth = gateway.authorize(
            key="c-9:authorize", order_number="c-9", amount=Money.yen(700), token=self.good_token()
        )
        start = threading.Barrier(2)
        answers: list[object] = []

        def capture() -> None:
            start.wait(timeout=30)
            try:
                answers.append(
                    gateway.capture(key="c-9:1", authorization=auth.reference, amount=auth.amount)
                )
            except ProviderTimeout:
                answers.append("time-out")  # in flight: asked again later under the same key
            except Exception as refused:  # a refusal would record a capture that happened
                answers.append(refused)

        both = [threading.Thread(target=capture) for _ in range(2)]
        for thread in both:
            thread.start()
        for thread in both:
            thread.join(timeout=60)
        captured = [a for a in answers if a != "time-out"]
        assert len(answers) == 2 and captured, answers
        assert all(a == captured[0] and isinstance(a, str) for a in captured), answers
        again = gateway.capture(key="c-9:1", authorization=auth.reference, amount=auth.amount)
        assert again == captured[0]

    def test_a_key_reused_for_another_request_is_refused_and_moves_nothing(self) -> None:
        gateway = self.make_gateway()
        auth = gateway.authorize(
            key="c-7:authorize", order_number="c-7", amount=Money.yen(800), token=self.good_token()
        )
        with pytest.raises(ProviderError, match="c-7:authorize"):
            gateway.authorize(
                key="c-7:authorize",
                order_number="c-7",
                amount=Money.yen(900),
                token=self.good_token(),
            )
        first = gateway.capture(
            key="c-7:capture", authorization=auth.reference, amount=Money.yen(300)
        )
        with pytest.raises(ProviderError, match="c-7:capture"):
            gateway.capture(key="c-7:capture", authorization=auth.reference, amount=Money.yen(400))
        # 300 of the 800 were captured once: 500 are left
        second = gateway.capture(
            key="c-7:capture-2", authorization=auth.reference, amount=Money.yen(500)
        )
        assert first != second  # each capture its own reference, for its refunds

    def test_two_orders_have_two_authorizations(self) -> None:
        gateway = self.make_gateway()
        one, two = (
            gateway.authorize(
                key=f"{n}:authorize", order_number=n, amount=Money.yen(500), token=self.good_token()
            )
            for n in ("c-10", "c-11")
        )
        assert one.reference != two.reference
        gateway.void(key="c-10:void", authorization=one.reference, amount=one.amount)
        gateway.capture(key="c-11:capture", authorization=two.reference, amount=two.amount)

    def test_a_declined_card_raises_payment_declined(self) -> None:
        gateway = self.make_gateway()
        with pytest.raises(PaymentDeclined):
            gateway.authorize(
                key="c-3:authorize",
                order_number="c-3",
                amount=Money.yen(500),
                token=self.declined_token(),
            )

    def test_capture_up_to_the_authorization_once_per_key(self) -> None:
        gateway = self.make_gateway()
        auth = gateway.authorize(
            key="c-4:authorize", order_number="c-4", amount=Money.yen(800), token=self.good_token()
        )
        first = gateway.capture(key="c-4:capture", authorization=auth.reference, amount=auth.amount)
        again = gateway.capture(key="c-4:capture", authorization=auth.reference, amount=auth.amount)
        assert first == again
        with pytest.raises(ProviderError):
            gateway.capture(key="c-4:capture-2", authorization=auth.reference, amount=auth.amount)

    def test_void_then_capture_is_refused(self) -> None:
        gateway = self.make_gateway()
        auth = gateway.authorize(
            key="c-5:authorize", order_number="c-5", amount=Money.yen(300), token=self.good_token()
        )
        gateway.void(key="c-5:void", authorization=auth.reference, amount=auth.amount)
        gateway.void(key="c-5:void", authorization=auth.reference, amount=auth.amount)
        with pytest.raises(ProviderError):
            gateway.capture(key="c-5:capture", authorization=auth.reference, amount=auth.amount)

    def test_refund_no_more_than_captured(self) -> None:
        gateway = self.make_gateway()
        auth = gateway.authorize(
            key="c-6:authorize", order_number="c-6", amount=Money.yen(900), token=self.good_token()
        )
        capture = gateway.capture(
            key="c-6:capture", authorization=auth.reference, amount=auth.amount
        )
        gateway.refund(key="c-6:refund-1", capture=capture, amount=Money.yen(400))
        gateway.refund(key="c-6:refund-1", capture=capture, amount=Money.yen(400))
        gateway.refund(key="c-6:refund-2", capture=capture, amount=Money.yen(500))
        with pytest.raises(ProviderError):
            gateway.refund(key="c-6:refund-3", capture=capture, amount=Money.yen(1))


def _customer() -> Customer:
    return Customer("C-contract", "契約 太郎", "contract@example.jp")


class FraudScreenContract:
    """What every :class:`~orderflow.ports.FraudScreen` must do."""

    def make_screen(self) -> FraudScreen:
        """The fraud screen adapter."""
        raise NotImplementedError

    def test_screen_answers_a_verdict_and_the_same_for_the_same_key(self) -> None:
        screen = self.make_screen()
        first = screen.screen(
            key="f-1:fraud",
            order_number="f-1",
            customer=_customer(),
            ship_to=_address(),
            amount=Money.yen(5000),
        )
        again = screen.screen(
            key="f-1:fraud",
            order_number="f-1",
            customer=_customer(),
            ship_to=_address(),
            amount=Money.yen(5000),
        )
        assert isinstance(first.verdict, FraudVerdict)
        assert first == again

    def test_a_key_reused_for_another_order_is_refused(self) -> None:
        screen = self.make_screen()
        request = {"customer": _customer(), "ship_to": _address(), "amount": Money.yen(5000)}
        screen.screen(key="f-2:fraud", order_number="f-2", **request)  # type: ignore[arg-type]
        with pytest.raises(ProviderError, match="f-2:fraud"):
            screen.screen(key="f-2:fraud", order_number="f-3", **request)  # type: ignore[arg-type]


class PostpayContract:
    """What every :class:`~orderflow.ports.PostpayProvider` must do."""

    def make_provider(self) -> PostpayProvider:
        """The 後払い adapter (a sandbox shop for a real provider)."""
        raise NotImplementedError

    def carrier(self) -> str:
        """An orderflow carrier code the provider knows (``yamato``)."""
        return "yamato"

    def register(self, provider: PostpayProvider, number: str, amount: int = 3000) -> str:
        """Register an approved claim for ``number``; its reference."""
        decision = provider.register(
            key=f"{number}:postpay:register",
            order_number=number,
            customer=_customer(),
            ship_to=_address(),
            amount=Money.yen(amount),
        )
        assert decision.status is CreditStatus.APPROVED, "use a customer the sandbox approves"
        return decision.reference

    def test_register_is_idempotent_under_its_key(self) -> None:
        provider = self.make_provider()
        assert self.register(provider, "p-1") == self.register(provider, "p-1")

    def test_a_key_reused_for_another_claim_is_refused(self) -> None:
        provider = self.make_provider()
        self.register(provider, "p-5", amount=3000)
        with pytest.raises(ProviderError, match="p-5:postpay:register"):
            provider.register(
                key="p-5:postpay:register",
                order_number="p-5",
                customer=_customer(),
                ship_to=_address(),
                amount=Money.yen(4000),
            )

    def test_two_orders_have_two_claims(self) -> None:
        provider = self.make_provider()
        one, two = self.register(provider, "p-6"), self.register(provider, "p-7")
        assert one != two
        provider.cancel(key="p-6:cancel", reference=one)
        report = {"carrier": self.carrier(), "tracking_number": "123456789013"}
        provider.report_shipment(key="p-7:report", reference=two, **report)

    def test_decision_of_a_registered_claim(self) -> None:
        provider = self.make_provider()
        reference = self.register(provider, "p-2")
        assert provider.decision(reference).status is CreditStatus.APPROVED

    def test_amend_then_report_then_no_more_amend(self) -> None:
        provider = self.make_provider()
        reference = self.register(provider, "p-3")
        provider.amend(key="p-3:amend:1", reference=reference, amount=Money.yen(2500))
        report = {
            "reference": reference,
            "carrier": self.carrier(),
            "tracking_number": "123456789013",
        }
        first = provider.report_shipment(key="p-3:report", **report)
        again = provider.report_shipment(key="p-3:report", **report)
        assert first == again
        with pytest.raises(ProviderError):
            provider.amend(key="p-3:amend:2", reference=reference, amount=Money.yen(2000))

    def test_cancel_once_per_key(self) -> None:
        provider = self.make_provider()
        reference = self.register(provider, "p-4")
        provider.cancel(key="p-4:cancel", reference=reference)
        provider.cancel(key="p-4:cancel", reference=reference)


class BankTransferContract:
    """What every :class:`~orderflow.ports.BankTransferProvider` must do."""

    def make_bank(self) -> BankTransferProvider:
        """The virtual-account adapter."""
        raise NotImplementedError

    def test_two_open_orders_never_hold_the_same_account(self) -> None:
        bank = self.make_bank()
        first = bank.issue_account(key="b-1:bank:issue", order_number="b-1", amount=Money.yen(1))
        again = bank.issue_account(key="b-1:bank:issue", order_number="b-1", amount=Money.yen(1))
        second = bank.issue_account(key="b-2:bank:issue", order_number="b-2", amount=Money.yen(1))
        assert first == again
        assert first.account != second.account

    def test_a_key_reused_for_another_order_is_refused(self) -> None:
        bank = self.make_bank()
        bank.issue_account(key="b-6:bank:issue", order_number="b-6", amount=Money.yen(1))
        with pytest.raises(ProviderError, match="b-6:bank:issue"):
            bank.issue_account(key="b-6:bank:issue", order_number="b-7", amount=Money.yen(1))

    def test_a_released_account_can_be_issued_again(self) -> None:
        bank = self.make_bank()
        first = bank.issue_account(key="b-3:bank:issue", order_number="b-3", amount=Money.yen(1))
        bank.release_account(key="b-3:bank:release", account=first.account)
        bank.release_account(key="b-3:bank:release", account=first.account)
        held = [
            bank.issue_account(key=f"b-{n}:bank:issue", order_number=f"b-{n}", amount=Money.yen(1))
            for n in (4, 5)
        ]
        assert len({a.account for a in held}) == len(held)
        # a late retry of the first release moves nothing: the accounts stay their orders'
        bank.release_account(key="b-3:bank:release", account=first.account)
        more = bank.issue_account(key="b-8:bank:issue", order_number="b-8", amount=Money.yen(1))
        assert more.account not in {a.account for a in held}


class KonbiniContract:
    """What every :class:`~orderflow.ports.KonbiniProvider` must do."""

    def make_konbini(self) -> KonbiniProvider:
        """The konbini adapter."""
        raise NotImplementedError

    def test_issue_is_idempotent_and_keeps_the_deadline(self) -> None:
        konbini = self.make_konbini()
        deadline = datetime(2026, 11, 29, tzinfo=UTC)
        request = {"order_number": "k-1", "amount": Money.yen(3000), "deadline": deadline}
        first = konbini.issue(key="k-1:konbini:issue", **request)  # type: ignore[arg-type]
        again = konbini.issue(key="k-1:konbini:issue", **request)  # type: ignore[arg-type]
        assert first == again
        assert first.payment_number
        assert first.deadline <= deadline
        konbini.cancel(key="k-1:konbini:cancel", payment_number=first.payment_number)
        konbini.cancel(key="k-1:konbini:cancel", payment_number=first.payment_number)

    def test_two_orders_have_two_payment_numbers(self) -> None:
        konbini = self.make_konbini()
        deadline = datetime(2026, 11, 29, tzinfo=UTC)
        one, two = (
            konbini.issue(
                key=f"{n}:konbini:issue", order_number=n, amount=Money.yen(3000), deadline=deadline
            )
            for n in ("k-3", "k-4")
        )
        assert one.payment_number != two.payment_number

    def test_a_key_reused_for_another_amount_is_refused(self) -> None:
        konbini = self.make_konbini()
        deadline = datetime(2026, 11, 29, tzinfo=UTC)
        konbini.issue(
            key="k-2:konbini:issue", order_number="k-2", amount=Money.yen(3000), deadline=deadline
        )
        with pytest.raises(ProviderError, match="k-2:konbini:issue"):
            konbini.issue(
                key="k-2:konbini:issue",
                order_number="k-2",
                amount=Money.yen(3500),
                deadline=deadline,
            )


# The points suite lives in its own module; it is part of this one's public face.
from orderflow.testing.points_contracts import PointsContract  # noqa: E402
