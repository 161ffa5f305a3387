"""A konbini adapter's slip is checked when it is made: a deadline without its time zone is
refused naming ``deadline`` (it used to pass and break the confirmation notice, naming a fact)."""

from __future__ import annotations

from datetime import datetime

import pytest

from orderflow import PaymentMethod
from orderflow.errors import InvalidValue, OrderflowError
from orderflow.ports import KonbiniSlip
from tests.builders import place, shop


def test_a_slip_needs_an_aware_deadline_and_a_number() -> None:
    with pytest.raises(InvalidValue) as caught:
        KonbiniSlip("1234567890", datetime(2026, 11, 29, 23, 59))
    assert caught.value.field == "deadline"
    with pytest.raises(InvalidValue) as caught:
        KonbiniSlip(" ", datetime(2026, 11, 29, 23, 59).astimezone())
    assert caught.value.field == "payment_number"


def test_an_adapter_giving_a_naive_deadline_is_told_which_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = shop()

    def naive(*, key: str, order_number: str, amount: object, deadline: datetime) -> KonbiniSlip:
        return KonbiniSlip("1234567890", deadline.replace(tzinfo=None))

    monkeypatch.setattr(s.konbini, "issue", naive)
    with pytest.raises(OrderflowError) as caught:
        place(s, payment_method=PaymentMethod.KONBINI, token=None)
    assert "deadline" in str(caught.value) and "facts[" not in str(caught.value)
