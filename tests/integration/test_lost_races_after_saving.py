"""A command whose decision was saved, then lost every save of its answers to other workers.

``ConcurrencyError`` said "run the same command again, it reads the order afresh", right for a
decision that lost before anything was saved or done. After the decision was saved (its effects
performed, their answers not saved), the same advice made a refund without a ``request_id`` be
decided and paid twice. The error now says that the command was saved and that
``desk.resume(number)`` finishes it.
"""

from __future__ import annotations

import pytest

from orderflow import Money, Order
from orderflow.domain._values import replace
from orderflow.errors import ConcurrencyError
from orderflow.testing import InMemoryOrderStore
from orderflow.testing.shop import desk_on
from tests.builders import delivered, shop


class _Crowded(InMemoryOrderStore):
    """Another worker saves the order just before each save while a refund is pending."""

    crowded = False

    def save(self, order: Order, *, expected_version: int) -> None:
        current = self.get(order.number)
        if self.crowded and any(e.kind == "refund" for e in current.outbox):
            super().save(
                replace(current, version=current.version + 1), expected_version=current.version
            )
        super().save(order, expected_version=expected_version)


def test_a_refund_whose_answers_lost_every_save_says_to_resume_not_to_refund_again() -> None:
    s = shop()
    store = _Crowded()
    s.desk = desk = desk_on(s, store=store)
    delivered(s)
    store.crowded = True
    with pytest.raises(ConcurrencyError) as lost:
        desk.refund("1001", Money.yen(500), reason="お詫び")
    message = str(lost.value)
    assert "desk.resume(1001)" in message and "was saved" in message
    assert "run the same command again" not in message
    assert lost.value.number == "1001"

    store.crowded = False
    order = desk.resume("1001")
    assert not order.outbox and order.payment.refunded == Money.yen(500)
    assert [m for m, _key in s.gateway.work_done].count("refund") == 1


def test_a_decision_that_lost_before_saving_says_run_it_again() -> None:
    error = ConcurrencyError("1001", 3, 4)
    assert "run the same command again" in str(error) and not error.saved
