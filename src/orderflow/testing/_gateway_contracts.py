"""The card gateway's contract suite: subclass it to prove a PaymentGateway adapter.

Part of :mod:`orderflow.testing.payment_contracts` (import it from there); see
:mod:`orderflow.testing.contracts` for how the suites work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

import pytest

from orderflow.domain.money import Money
from orderflow.errors import PaymentDeclined, ProviderError, ProviderTimeout
from orderflow.ports import Authorization, PaymentGateway
from orderflow.testing._contract_tools import _one_answer, _reference

__all__ = ["PaymentGatewayContract"]


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

    def unreachable_gateway(self) -> PaymentGateway | None:
        """A gateway whose provider does not answer (a black-hole address, a tiny time-out).

        None (the default): not given, and the check that no answer is a ``ProviderTimeout`` is
        skipped, saying so.
        """
        return None

    same_key_threads = 8
    """Threads sending one key at once (a command and a sweep may)."""

    def test_authorize_returns_the_amount_and_a_reference(self) -> None:
        gateway = self.make_gateway()
        auth = gateway.authorize(
            key="c-1:authorize", order_number="c-1", amount=Money.yen(1000), token=self.good_token()
        )
        assert isinstance(auth, Authorization), f"authorize must answer an Authorization: {auth!r}"
        _reference(auth.reference, "authorize")
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

    def test_the_same_authorize_key_from_many_threads_is_one_authorization(self) -> None:
        gateway = self.make_gateway()
        request = {"order_number": "c-12", "amount": Money.yen(600), "token": self.good_token()}
        auth = _one_answer(
            self.same_key_threads,
            lambda: gateway.authorize(key="c-12:authorize", **request),  # type: ignore[arg-type]
            "authorize",
        )
        again = gateway.authorize(key="c-12:authorize", **request)  # type: ignore[arg-type]
        assert again == auth, f"the key's first answer was {auth!r}, then {again!r}"

    def test_every_reference_is_a_text(self) -> None:
        gateway = self.make_gateway()
        auth = gateway.authorize(
            key="c-13:authorize",
            order_number="c-13",
            amount=Money.yen(900),
            token=self.good_token(),
        )
        ref = auth.reference
        capture = gateway.capture(key="c-13:capture", authorization=ref, amount=Money.yen(600))
        _reference(capture, "capture")
        _reference(
            gateway.refund(key="c-13:refund", capture=capture, amount=Money.yen(100)), "refund"
        )
        _reference(gateway.void(key="c-13:void", authorization=ref, amount=Money.yen(300)), "void")

    def test_an_unknown_reference_is_refused_with_provider_error(self) -> None:
        """A reference the provider does not know (lapsed, another shop's) is a refusal."""
        gateway = self.make_gateway()
        calls = _money_calls(gateway, "c-14", "no-such-authorization", "no-such-capture")
        _each_raises(
            calls,
            ProviderError,
            "of a reference the provider does not know must raise ProviderError (or "
            "PaymentDeclined)",
            "of a reference the provider does not know was accepted",
        )

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

    def test_no_answer_is_a_provider_timeout(self) -> None:
        """A provider that does not answer: ``ProviderTimeout``, never the HTTP library's error.

        The desk then keeps the effect pending and asks again under the same key; any other
        exception stops the order's work until a person resumes it.
        """
        gateway = self.unreachable_gateway()
        if gateway is None:
            pytest.skip(
                "unreachable_gateway() not given: give a gateway whose provider does not answer "
                "to prove that a time-out is ProviderTimeout"
            )
        calls: dict[str, Callable[[], object]] = {
            "authorize": lambda: gateway.authorize(
                key="c-15:authorize",
                order_number="c-15",
                amount=Money.yen(100),
                token=self.good_token(),
            ),
            **_money_calls(gateway, "c-15", "A-15", "C-15"),
        }
        _each_raises(
            calls,
            ProviderTimeout,
            "with no answer from the provider must raise ProviderTimeout (the desk asks again "
            "under the same key)",
            "answered though the provider cannot be reached",
        )


def _money_calls(
    gateway: PaymentGateway, order: str, authorization: str, capture: str
) -> dict[str, Callable[[], object]]:
    """Capture, void and refund of ¥100 under ``order``'s keys, by method name (not yet made)."""
    amount = Money.yen(100)
    return {
        "capture": lambda: gateway.capture(
            key=f"{order}:capture", authorization=authorization, amount=amount
        ),
        "void": lambda: gateway.void(
            key=f"{order}:void", authorization=authorization, amount=amount
        ),
        "refund": lambda: gateway.refund(key=f"{order}:refund", capture=capture, amount=amount),
    }


def _each_raises(
    calls: dict[str, Callable[[], object]], expected: type[Exception], must: str, accepted: str
) -> None:
    """Each call (by method name) raises ``expected``; else AssertionError saying what it did."""
    for method, call in calls.items():
        try:
            call()
        except expected:
            continue
        except Exception as error:
            kind = f"{type(error).__module__}.{type(error).__qualname__}"
            raise AssertionError(f"{method} {must}, not {kind}: {error}") from error
        raise AssertionError(f"{method} {accepted}")
