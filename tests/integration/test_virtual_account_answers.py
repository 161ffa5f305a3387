"""A bank adapter's virtual account is checked before the desk keeps it or prints it.

The account a customer is told to pay into comes from the bank's adapter. Its fields were taken
as they came: an account number of full-width digits (``１０００００１``) or of 8 digits was
stored and printed, and no deposit of the bank's Zengin file (支店コード 3 digits, 口座番号 7
digits) could ever match it: the order waited for money it could not be paid; a bank name of
10,000 characters or a holder's name with a line break went into the customer's notice. Such an
answer is now the adapter's bug: ``EffectInterrupted`` naming the field, the effect pending
under its key, the customer told nothing; ``resume`` asks again once the adapter is mended.
"""

from __future__ import annotations

import attrs
import pytest

from orderflow import Money, OrderStatus, PaymentMethod
from orderflow.errors import EffectInterrupted
from orderflow.ports import VirtualAccount
from orderflow.testing import FakeBank
from orderflow.testing.shop import desk_on
from tests.builders import address, customer, lines, shop


class OddBank(FakeBank):
    """A bank whose accounts have ``changes`` made to them until ``changes`` is emptied."""

    def __init__(self) -> None:
        super().__init__()
        self.changes: dict[str, str] = {}

    def issue_account(self, *, key: str, order_number: str, amount: Money) -> VirtualAccount:
        account = super().issue_account(key=key, order_number=order_number, amount=amount)
        return attrs.evolve(account, **self.changes)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("account_number", "１０００００１"),
        ("account_number", "10000001"),
        ("account_number", "100 001"),
        ("branch_code", "1010"),
        ("branch_code", ""),
        ("bank_code", "09"),
        ("bank_name", "銀" * 10_000),
        ("holder", "ｵ-ﾀﾞ-\nﾌﾛ-"),
        ("branch_name", ""),
        ("account_type", "普通\x1b[2J"),
    ],
)
def test_an_account_no_deposit_can_match_or_no_notice_can_print_is_the_adapter_s_bug(
    field: str, value: str
) -> None:
    s = shop()
    bank = OddBank()
    s.bank = bank
    bank.changes = {field: value}
    desk = desk_on(s, store=s.store)
    with pytest.raises(EffectInterrupted) as crashed:
        desk.place(
            number="1001",
            customer=customer(),
            ship_to=address(),
            lines=lines(),
            payment_method=PaymentMethod.BANK_TRANSFER,
            shipping_fee=Money.yen(880),
        )
    assert crashed.value.cause == "WrongAnswer" and field in str(crashed.value.__cause__)
    order = desk.get("1001")
    assert [e.kind for e in order.outbox][:1] == ["issue_account"]  # pending under its key
    bank.changes = {}
    order = desk.resume("1001")
    assert order.status is OrderStatus.ORDERED and not order.outbox
