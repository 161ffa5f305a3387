"""後払い審査 sweep: every claim under review asked about, as a scheduler runs it.

A 後払い provider decides a pending credit check hours later; a shop polled each order by hand
(`refresh_postpay(number)`) or wrote the loop itself. `refresh_postpay_reviews()` is that loop.
"""

from pathlib import Path
from typing import Any

import attrs
import pytest

from orderflow import (
    CreditDecision,
    CreditStatus,
    HoldCode,
    OrderChange,
    OrderStatus,
    PaymentMethod,
)
from orderflow.errors import ProviderTimeout
from orderflow.stores import SQLiteStore
from orderflow.testing import FakeShop
from orderflow.testing.shop import desk_on
from tests.builders import customer, place, shop

POSTPAY = PaymentMethod.POSTPAY


def _pending(s: FakeShop, number: str, who: str) -> None:
    s.postpay.decisions[who] = CreditStatus.PENDING
    buyer = attrs.evolve(customer(), id=who, email=f"{who.lower()}@example.jp")
    place(s, number, payment_method=POSTPAY, token=None, customer=buyer)
    assert [h.code for h in s.desk.get(number).open_holds] == [HoldCode.POSTPAY_REVIEW]


def _asked(s: FakeShop, monkeypatch: pytest.MonkeyPatch, lost: set[str]) -> list[str]:
    """The references the provider is asked about; those in ``lost`` time out once each."""
    asked: list[str] = []
    real = s.postpay.decision

    def decision(reference: str) -> CreditDecision:
        asked.append(reference)
        if reference in lost:
            lost.discard(reference)
            raise ProviderTimeout("no answer")
        return real(reference)

    monkeypatch.setattr(s.postpay, "decision", decision)
    return asked


def _reference(s: Any, number: str) -> str:
    reference = s.desk.get(number).payment.instruction("reference")
    assert isinstance(reference, str)
    return reference


def test_the_sweep_acts_on_every_decision_and_leaves_the_undecided(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = shop()
    asked = _asked(s, monkeypatch, set())
    _pending(s, "1001", "C1")
    _pending(s, "1002", "C2")
    _pending(s, "1003", "C3")
    place(s, "1004")  # a card order: nothing to ask
    s.postpay.decide(_reference(s, "1001"), CreditStatus.APPROVED)
    s.postpay.decide(_reference(s, "1002"), CreditStatus.DECLINED)
    decided = s.desk.refresh_postpay_reviews()
    assert sorted(o.number for o in decided) == ["1001", "1002"]
    assert not s.desk.get("1001").open_holds
    assert s.desk.get("1002").status is OrderStatus.CANCELLED  # PostpayDeclined.CANCEL
    assert [h.code for h in s.desk.get("1003").open_holds] == [HoldCode.POSTPAY_REVIEW]
    assert s.desk.refresh_postpay_reviews() == []  # nothing new decided: nothing done
    assert asked == [_reference(s, n) for n in ("1001", "1002", "1003", "1003")]


def test_one_order_s_trouble_does_not_stop_the_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    s = shop()
    _pending(s, "1001", "C1")
    _pending(s, "1002", "C2")
    for number in ("1001", "1002"):
        s.postpay.decide(_reference(s, number), CreditStatus.APPROVED)
    _asked(s, monkeypatch, {_reference(s, "1001")})  # the first order's question is lost
    decided = s.desk.refresh_postpay_reviews()
    assert [o.number for o in decided] == ["1002"]
    assert [o.number for o in s.desk.refresh_postpay_reviews()] == ["1001"]


def test_an_amend_sent_to_review_is_asked_about_too() -> None:
    s = shop()
    place(s, payment_method=POSTPAY, token=None)
    s.postpay.decide(_reference(s, "1001"), CreditStatus.PENDING)  # reviews the increase
    s.desk.change("1001", OrderChange(quantities={"L1": 5}))
    assert HoldCode.POSTPAY_REVIEW in [h.code for h in s.desk.get("1001").open_holds]
    s.postpay.decide(_reference(s, "1001"), CreditStatus.APPROVED)
    assert [o.number for o in s.desk.refresh_postpay_reviews()] == ["1001"]
    assert not s.desk.get("1001").open_holds


def test_the_sweep_on_a_sqlite_file(tmp_path: Path) -> None:
    s = shop()
    s = attrs.evolve(s, desk=desk_on(s, store=SQLiteStore(tmp_path / "shop.sqlite3")))
    _pending(s, "1001", "C1")
    _pending(s, "1002", "C2")
    s.postpay.decide(_reference(s, "1002"), CreditStatus.APPROVED)
    assert [o.number for o in s.desk.refresh_postpay_reviews()] == ["1002"]


def test_the_sweep_goes_on_past_an_unreadable_order(tmp_path: Path) -> None:
    """One document a newer orderflow wrote stopped the review sweep of every order."""
    from tests.integration.test_sweeps_unreadable import _written_by_a_newer_orderflow

    path = tmp_path / "shop.sqlite3"
    s = shop()
    s = attrs.evolve(s, desk=desk_on(s, store=SQLiteStore(path)))
    _pending(s, "1001", "C1")
    _pending(s, "1002", "C2")
    s.postpay.decide(_reference(s, "1002"), CreditStatus.APPROVED)
    _written_by_a_newer_orderflow(path, "1001")
    assert [o.number for o in s.desk.refresh_postpay_reviews()] == ["1002"]
