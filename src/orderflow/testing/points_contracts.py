"""The points system's contract suite: subclass it to prove a PointsProvider adapter.

See :mod:`orderflow.testing.contracts` for how the suites work.
"""

from __future__ import annotations

import pytest

from orderflow.errors import ProviderError
from orderflow.ports import PointsProvider
from orderflow.testing._contract_tools import _one_answer, _race

__all__ = ["PointsContract"]


class PointsContract:
    """What every :class:`~orderflow.ports.PointsProvider` must do."""

    def make_points(self, balances: dict[str, int]) -> PointsProvider:
        """A points system holding ``balances`` (customer id → points)."""
        raise NotImplementedError

    def test_redeem_and_restore_once_per_key(self) -> None:
        points = self.make_points({"C-contract": 500})
        points.redeem(
            key="q-1:points:redeem", customer_id="C-contract", points=300, order_number="q-1"
        )
        points.redeem(
            key="q-1:points:redeem", customer_id="C-contract", points=300, order_number="q-1"
        )
        with pytest.raises(ProviderError):
            points.redeem(
                key="q-2:points:redeem", customer_id="C-contract", points=300, order_number="q-2"
            )
        points.restore(
            key="q-1:points:restore", customer_id="C-contract", points=300, order_number="q-1"
        )
        points.restore(
            key="q-1:points:restore", customer_id="C-contract", points=300, order_number="q-1"
        )
        points.redeem(
            key="q-3:points:redeem", customer_id="C-contract", points=500, order_number="q-3"
        )
        with pytest.raises(ProviderError):  # restored once: the 500 were all there was
            points.redeem(
                key="q-3b:points:redeem", customer_id="C-contract", points=1, order_number="q-3"
            )

    def test_a_key_reused_for_another_request_is_refused_and_moves_nothing(self) -> None:
        points = self.make_points({"C-reuse": 500})
        points.redeem(key="q-20:redeem", customer_id="C-reuse", points=100, order_number="q-20")
        with pytest.raises(ProviderError, match="q-20:redeem"):
            points.redeem(key="q-20:redeem", customer_id="C-reuse", points=200, order_number="q-20")
        points.grant(
            key="q-21:grant",
            customer_id="C-reuse",
            points=50,
            order_number="q-21",
            provisional=False,
        )
        with pytest.raises(ProviderError, match="q-21:grant"):
            points.grant(
                key="q-21:grant",
                customer_id="C-reuse",
                points=60,
                order_number="q-21",
                provisional=False,
            )
        points.redeem(key="q-22:redeem", customer_id="C-reuse", points=450, order_number="q-22")
        with pytest.raises(ProviderError):  # 500 - 100 + 50 were there, no more
            points.redeem(key="q-23:redeem", customer_id="C-reuse", points=1, order_number="q-23")

    def test_grant_confirm_and_revoke_once_per_key(self) -> None:
        points = self.make_points({"C-grant": 100})
        for _ in range(2):
            points.grant(
                key="q-4:grant",
                customer_id="C-grant",
                points=50,
                order_number="q-4",
                provisional=False,
            )
        points.redeem(key="q-5:redeem", customer_id="C-grant", points=150, order_number="q-5")
        with pytest.raises(ProviderError):  # granted once: 150 were there, not 200
            points.redeem(key="q-6:redeem", customer_id="C-grant", points=1, order_number="q-6")
        points.grant(
            key="q-7:grant", customer_id="C-grant", points=50, order_number="q-7", provisional=True
        )
        with pytest.raises(ProviderError):  # provisional points are not spendable
            points.redeem(key="q-8:redeem", customer_id="C-grant", points=1, order_number="q-8")
        for _ in range(2):
            points.confirm(key="q-7:confirm", customer_id="C-grant", points=50, order_number="q-7")
        points.redeem(key="q-9:redeem", customer_id="C-grant", points=50, order_number="q-9")
        with pytest.raises(ProviderError):  # confirmed once
            points.redeem(key="q-9b:redeem", customer_id="C-grant", points=1, order_number="q-9")

    def test_revoke_takes_what_is_there_never_below_zero(self) -> None:
        points = self.make_points({"C-revoke": 0})
        points.grant(
            key="q-10:grant",
            customer_id="C-revoke",
            points=80,
            order_number="q-10",
            provisional=False,
        )
        points.redeem(key="q-11:redeem", customer_id="C-revoke", points=50, order_number="q-11")
        for _ in range(2):  # 30 were left; the same key answers the same
            taken = points.revoke(
                key="q-10:revoke", customer_id="C-revoke", points=80, order_number="q-10"
            )
            assert type(taken) is int, f"revoke must answer whole points (an int), not {taken!r}"
            assert taken == 30, f"30 points were left to take back, revoke answered {taken}"
        assert (
            points.revoke(key="q-10:revoke2", customer_id="C-revoke", points=5, order_number="q-10")
            == 0
        )
        points.grant(
            key="q-12:grant",
            customer_id="C-revoke",
            points=40,
            order_number="q-12",
            provisional=True,
        )
        assert (
            points.revoke(key="q-12:revoke", customer_id="C-revoke", points=40, order_number="q-12")
            == 40
        )

    def test_confirm_makes_only_the_orders_provisional_points_spendable(self) -> None:
        points = self.make_points({"C-confirm": 0})
        points.grant(
            key="q-30:grant",
            customer_id="C-confirm",
            points=40,
            order_number="q-30",
            provisional=True,
        )
        points.revoke(key="q-30:revoke", customer_id="C-confirm", points=40, order_number="q-30")
        # revoked before it was confirmed (a return): nothing is left to confirm
        points.confirm(key="q-30:confirm", customer_id="C-confirm", points=40, order_number="q-30")
        with pytest.raises(ProviderError):
            points.redeem(key="q-31:redeem", customer_id="C-confirm", points=1, order_number="q-31")

    def test_revoke_takes_the_orders_provisional_points_first(self) -> None:
        points = self.make_points({"C-first": 50})
        points.grant(
            key="q-13:grant",
            customer_id="C-first",
            points=40,
            order_number="q-13",
            provisional=True,
        )
        taken = points.revoke(
            key="q-13:revoke", customer_id="C-first", points=40, order_number="q-13"
        )
        assert taken == 40
        # the balance was left whole: its 50 points are still there to spend
        points.redeem(key="q-14:redeem", customer_id="C-first", points=50, order_number="q-14")

    same_key_threads = 8
    """Threads sending one key at once (a command and a sweep may)."""

    def test_the_same_key_from_many_threads_is_done_once(self) -> None:
        points = self.make_points({"C-race": 500})
        _one_answer(
            self.same_key_threads,
            lambda: points.redeem(
                key="q-40:redeem", customer_id="C-race", points=100, order_number="q-40"
            ),
            "redeem",
        )
        points.redeem(key="q-41:redeem", customer_id="C-race", points=400, order_number="q-41")
        with pytest.raises(ProviderError):  # 100 were taken once: 400 were left, no more
            points.redeem(key="q-42:redeem", customer_id="C-race", points=1, order_number="q-42")

    def test_redeems_racing_never_overdraw(self) -> None:
        """Eight orders spend 100 of 500 points at once: five get them, three are refused."""
        points = self.make_points({"C-rush": 500})
        answers = _race(
            8,
            lambda n: points.redeem(
                key=f"q-5{n}:redeem", customer_id="C-rush", points=100, order_number=f"q-5{n}"
            ),
        )
        refused = [a for a in answers if isinstance(a, ProviderError)]
        others = [a for a in answers if isinstance(a, BaseException) and a not in refused]
        assert not others, f"a redeem the balance lacks must raise ProviderError: {others!r}"
        assert len(refused) == 3, (
            f"500 points paid {8 - len(refused)} redeems of 100 at once: checking the balance and "
            "taking the points must be one atomic step, or the balance goes below zero"
        )
        with pytest.raises(ProviderError):  # nothing is left
            points.redeem(key="q-59:redeem", customer_id="C-rush", points=1, order_number="q-59")
