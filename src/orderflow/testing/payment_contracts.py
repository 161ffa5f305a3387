"""Contract suites of the payment ports (and points): subclass one to prove an adapter.

See :mod:`orderflow.testing.contracts` for how the suites work.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orderflow.domain.address import Customer
from orderflow.domain.money import Money
from orderflow.errors import (
    ProviderError,
)
from orderflow.ports import (
    BankTransferProvider,
    CreditDecision,
    CreditStatus,
    FraudScreen,
    FraudVerdict,
    KonbiniProvider,
    KonbiniSlip,
    PostpayProvider,
    VirtualAccount,
)
from orderflow.testing._contract_tools import _address, _one_answer, _race, _reference
from orderflow.testing._gateway_contracts import PaymentGatewayContract

__all__ = [
    "BankTransferContract",
    "FraudScreenContract",
    "KonbiniContract",
    "PaymentGatewayContract",
    "PointsContract",
    "PostpayContract",
]


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

    same_key_threads = 8
    """Threads sending one key at once (a command and a sweep may)."""

    def test_the_same_key_from_many_threads_is_one_claim(self) -> None:
        provider = self.make_provider()
        request = {"customer": _customer(), "ship_to": _address(), "amount": Money.yen(3000)}
        decision = _one_answer(
            self.same_key_threads,
            lambda: provider.register(key="p-8:postpay:register", order_number="p-8", **request),  # type: ignore[arg-type]
            "register",
        )
        assert isinstance(decision, CreditDecision), (
            f"register must answer a CreditDecision: {decision!r}"
        )

    def test_decision_of_a_registered_claim(self) -> None:
        provider = self.make_provider()
        reference = self.register(provider, "p-2")
        assert provider.decision(reference).status is CreditStatus.APPROVED

    def test_amend_then_report_then_no_more_amend(self) -> None:
        provider = self.make_provider()
        reference = self.register(provider, "p-3")
        amended = provider.amend(key="p-3:amend:1", reference=reference, amount=Money.yen(2500))
        assert isinstance(amended, CreditDecision), (
            f"amend must answer a CreditDecision: {amended!r}"
        )
        report = {
            "reference": reference,
            "carrier": self.carrier(),
            "tracking_number": "123456789013",
        }
        first = _reference(provider.report_shipment(key="p-3:report", **report), "report_shipment")
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

    same_key_threads = 8
    """Threads sending one key at once (a command and a sweep may)."""

    def test_the_same_key_from_many_threads_is_one_account(self) -> None:
        bank = self.make_bank()
        account = _one_answer(
            self.same_key_threads,
            lambda: bank.issue_account(
                key="b-9:bank:issue", order_number="b-9", amount=Money.yen(1)
            ),
            "issue_account",
        )
        assert isinstance(account, VirtualAccount), (
            f"issue_account must answer a VirtualAccount: {account!r}"
        )

    def test_orders_racing_never_share_an_account(self) -> None:
        bank = self.make_bank()
        issued = _race(
            3,
            lambda n: bank.issue_account(
                key=f"b-{20 + n}:bank:issue", order_number=f"b-{20 + n}", amount=Money.yen(1)
            ),
        )
        accounts = [a.account for a in issued if isinstance(a, VirtualAccount)]
        assert len(accounts) == 3, f"three orders at once must each get an account: {issued!r}"
        assert len(set(accounts)) == 3, (
            f"three orders at once got the accounts {accounts}: taking a free account must be "
            "atomic, or two open orders share one and a transfer pays the wrong order"
        )

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

    same_key_threads = 8
    """Threads sending one key at once (a command and a sweep may)."""

    def test_the_same_key_from_many_threads_is_one_number(self) -> None:
        konbini = self.make_konbini()
        request = {"order_number": "k-5", "amount": Money.yen(3000)}
        deadline = datetime(2026, 11, 29, tzinfo=UTC)
        slip = _one_answer(
            self.same_key_threads,
            lambda: konbini.issue(key="k-5:konbini:issue", deadline=deadline, **request),  # type: ignore[arg-type]
            "issue",
        )
        assert isinstance(slip, KonbiniSlip), f"issue must answer a KonbiniSlip: {slip!r}"

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
