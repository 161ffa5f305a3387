"""A payment reference names one payment: recorded again with another amount, it is refused.

Before, ``record_konbini_payment`` (and ``apply_deposit``) given a reference already recorded
but another amount answered as the first and said nothing: the provider's second report, or a
person's typing mistake, was silently lost.
"""

from __future__ import annotations

import pytest

from orderflow import Deposit, Money, PaymentMethod
from orderflow.errors import InvalidValue
from tests.builders import T0, place, shop


def test_a_konbini_reference_recorded_again_with_another_amount_is_refused() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.KONBINI)
    first = s.desk.record_konbini_payment("1001", reference="K1", amount=Money.yen(1000))
    with pytest.raises(InvalidValue) as raised:
        s.desk.record_konbini_payment("1001", reference="K1", amount=Money.yen(2000))
    assert raised.value.field == "amount"
    assert "1000 JPY" in str(raised.value) and "'K1'" in str(raised.value)
    assert s.desk.get("1001") == first  # nothing changed
    again = s.desk.record_konbini_payment("1001", reference="K1", amount=Money.yen(1000))
    assert again == first  # the same payment again answers as the first
    assert again.payment.received == Money.yen(1000)


def test_a_deposit_applied_again_with_another_amount_is_refused() -> None:
    s = shop()
    order = place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    account = order.payment.instruction("account")
    assert account is not None
    deposit = Deposit(account, Money.yen(1000), "ﾔﾏﾀﾞ ﾀﾛｳ", T0.date(), "R1")
    first = s.desk.apply_deposit("1001", deposit)
    other = Deposit(account, Money.yen(3000), "ﾔﾏﾀﾞ ﾀﾛｳ", T0.date(), "R1")
    with pytest.raises(InvalidValue) as raised:
        s.desk.apply_deposit("1001", other)
    assert raised.value.field == "deposit.amount" and "'R1'" in str(raised.value)
    assert s.desk.get("1001") == first
    assert s.desk.apply_deposit("1001", deposit) == first
