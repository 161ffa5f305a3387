"""入金消込 (手動): a deposit the reconciliation could not place, applied by a person."""

from __future__ import annotations

import threading
from decimal import Decimal

import attrs
import pytest

from orderflow import Deposit, Money, OrderChange, OrderStatus, PaymentMethod
from orderflow.domain.payments import HoldCode
from orderflow.errors import DepositTaken, InvalidValue, MoveNotAllowed
from orderflow.testing import FakeShop
from orderflow.testing.shop import desk_on
from tests.builders import T0, finish, pay_in_full, place, shop

STRANGE_ACCOUNT = "101-7777777"  # an account no open order holds


def stray(amount: Money, reference: str = "R1", *, cancelled: bool = False) -> Deposit:
    """A deposit paid to an account no open order holds (入金不明)."""
    return Deposit(STRANGE_ACCOUNT, amount, "ﾔﾏﾀﾞ ﾀﾛｳ", T0.date(), reference, cancelled)


def bank_order(s: FakeShop, number: str = "1001") -> Money:
    """A bank-transfer order placed; returns its total."""
    order = place(s, number, payment_method=PaymentMethod.BANK_TRANSFER)
    return s.desk.totals(order).total


def open_holds(s: FakeShop, number: str = "1001") -> list[str]:
    return [h.code for h in s.desk.get(number).open_holds]


def test_an_unmatched_deposit_applied_by_hand_pays_the_order() -> None:
    s = shop()
    total = bank_order(s)
    report = s.desk.reconcile_deposits([stray(total)])
    assert report.unmatched == (stray(total),)
    assert open_holds(s) == [HoldCode.PAYMENT_PENDING]
    order = s.desk.apply_deposit("1001", stray(total))
    assert order.payment.received == total
    assert open_holds(s) == []
    assert s.desk.payment_confirmed(order)
    assert s.notifier.sent[-1].kind == "payment_received"
    assert order.payment.ledger[-1].reference == "R1"


def test_a_short_deposit_keeps_the_order_held_and_later_ones_add_up() -> None:
    s = shop()
    total = bank_order(s)
    s.desk.apply_deposit("1001", stray(Money.yen(1000), "R1"))
    assert open_holds(s) == [HoldCode.PAYMENT_SHORTFALL]
    s.desk.apply_deposit("1001", stray(total - Money.yen(1000), "R2"))
    assert open_holds(s) == []
    assert s.desk.get("1001").payment.received == total


def test_an_excess_is_owed_back() -> None:
    s = shop()
    total = bank_order(s)
    order = s.desk.apply_deposit("1001", stray(total + Money.yen(700)))
    assert order.payment.refund_owed == Money.yen(700)
    assert open_holds(s) == []


def test_applying_it_again_changes_nothing_and_the_bank_file_counts_it_once() -> None:
    s = shop()
    total = bank_order(s)
    first = s.desk.apply_deposit("1001", stray(total))
    again = s.desk.apply_deposit("1001", stray(total))
    assert again.version == first.version
    assert again.payment.received == total
    report = s.desk.reconcile_deposits([stray(total)])
    assert report.reconciliation.repeated == (stray(total),)
    assert s.desk.get("1001").payment.received == total


def test_a_deposit_another_open_order_took_is_refused_and_changes_nothing() -> None:
    s = shop()
    total = bank_order(s)
    bank_order(s, "1002")
    s.desk.apply_deposit("1001", stray(total))
    before = s.desk.get("1002")
    with pytest.raises(InvalidValue) as raised:
        s.desk.apply_deposit("1002", stray(total))
    assert raised.value.field == "deposit.reference"
    assert "1001" in str(raised.value)
    assert s.desk.get("1002") == before


def test_a_cancelled_order_owes_the_whole_deposit_back() -> None:
    s = shop()
    bank_order(s)
    s.desk.cancel("1001", reason="customer request")
    order = s.desk.apply_deposit("1001", stray(Money.yen(3000)))
    assert order.status is OrderStatus.CANCELLED
    assert order.payment.received == Money.yen(3000)
    assert order.payment.refund_owed == Money.yen(3000)


def test_a_booked_order_takes_no_more_deposits() -> None:
    s = shop()
    bank_order(s)
    pay_in_full(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    booked = finish(s)
    with pytest.raises(MoveNotAllowed):
        s.desk.apply_deposit("1001", stray(Money.yen(500), "R-late"))
    assert s.desk.get("1001") == booked


def test_a_deposit_given_to_a_booked_card_order_is_the_wrong_order_not_a_late_one() -> None:
    s = shop()
    place(s, "1001")
    s.desk.accept("1001")
    s.desk.allocate("1001")
    booked = finish(s)
    with pytest.raises(InvalidValue) as refused:  # exit 2 on the command line, not 1
        s.desk.apply_deposit("1001", stray(Money.yen(500), "R-card"))
    assert refused.value.field == "number"
    assert s.desk.get("1001") == booked


@pytest.mark.parametrize(
    ("number", "deposit", "field"),
    [
        ("1002", stray(Money.yen(5000)), "number"),  # a card order
        ("1001", stray(Money.yen(5000), cancelled=True), "deposit.cancelled"),
        ("1001", "R1", "deposit"),
        ("10\n01", stray(Money.yen(5000)), "number"),
        ("1001", stray(Money(Decimal("50.00"), "USD")), "amount"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    number: str, deposit: object, field: str
) -> None:
    s = shop()
    bank_order(s)
    place(s, "1002")
    before = [s.desk.get("1001"), s.desk.get("1002")]
    with pytest.raises(InvalidValue) as raised:
        s.desk.apply_deposit(number, deposit)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert [s.desk.get("1001"), s.desk.get("1002")] == before


def test_a_deposit_a_cancelled_order_took_is_not_counted_on_another() -> None:
    s = shop()
    total = bank_order(s)
    bank_order(s, "1002")
    s.desk.cancel("1001", reason="customer request")
    s.desk.apply_deposit("1001", stray(total))  # owed back to the customer of 1001
    before = s.desk.get("1002")
    with pytest.raises(InvalidValue) as raised:
        s.desk.apply_deposit("1002", stray(total))
    assert raised.value.field == "deposit.reference" and "1001" in str(raised.value)
    assert s.desk.get("1002") == before


def test_the_bank_file_read_again_counts_a_deposit_of_a_closed_order_once() -> None:
    """The deposit went to 1001 (then cancelled); its account now belongs to 1002."""
    s = shop()
    first = place(s, "1001", payment_method=PaymentMethod.BANK_TRANSFER)
    account = first.payment.instruction("account")
    assert account is not None
    total = s.desk.totals(first).total
    s.desk.cancel("1001", reason="customer request")  # the account goes back to the pool
    paid = Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", T0.date(), "R1")
    assert s.desk.reconcile_deposits([paid]).unmatched == (paid,)
    s.desk.apply_deposit("1001", paid)
    second = place(s, "1002", payment_method=PaymentMethod.BANK_TRANSFER)
    assert second.payment.instruction("account") == account  # reused
    again = s.desk.reconcile_deposits([paid]).reconciliation
    assert again.repeated == (paid,) and again.matched == ()
    assert s.desk.get("1002").payment.received == Money.yen(0)


@pytest.mark.parametrize("payer", [None, 123, "ｱ" * 201])
def test_a_deposit_with_a_bad_payer_name_names_it(payer: object) -> None:
    with pytest.raises(InvalidValue) as raised:
        Deposit(STRANGE_ACCOUNT, Money.yen(1000), payer, T0.date(), "R1")  # type: ignore[arg-type]
    assert raised.value.field == "payer_name"


@pytest.mark.parametrize("field", ["reference", "payer_name", "account"])
def test_a_deposit_with_text_no_database_can_store_is_refused(field: str) -> None:
    values: dict[str, object] = {
        "account": STRANGE_ACCOUNT,
        "amount": Money.yen(1000),
        "payer_name": "ﾔﾏﾀﾞ",
        "on": T0.date(),
        "reference": "R1",
    }
    values[field] = "R\ud800"  # a lone surrogate
    with pytest.raises(InvalidValue) as raised:
        Deposit(**values)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_two_people_giving_one_deposit_to_two_orders_at_once_count_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both pass the index check before either saves: the store refuses the second save."""
    s = shop()
    total = bank_order(s)
    bank_order(s, "1002")
    both_checked = threading.Barrier(2)
    looked_up = s.desk.executor.orders_indexed

    def look_up_then_wait(key: str, value: str) -> list[str] | None:
        holders = looked_up(key, value)
        both_checked.wait(timeout=10)
        return holders

    monkeypatch.setattr(s.desk.executor, "orders_indexed", look_up_then_wait)
    outcomes: dict[str, object] = {}

    def apply(number: str) -> None:
        try:
            outcomes[number] = s.desk.apply_deposit(number, stray(total))
        except DepositTaken as refused:
            outcomes[number] = refused

    workers = [threading.Thread(target=apply, args=(n,)) for n in ("1001", "1002")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    refused = [o for o in outcomes.values() if isinstance(o, DepositTaken)]
    assert len(outcomes) == 2 and len(refused) == 1
    winner = refused[0].holder
    loser = "1002" if winner == "1001" else "1001"
    assert s.desk.get(winner).payment.received == total
    assert s.desk.get(loser).payment.received == Money.yen(0)
    assert open_holds(s, loser) == [HoldCode.PAYMENT_PENDING]
    assert refused[0].field == "deposit.reference"


def test_an_account_two_open_orders_hold_is_nobodys_until_a_person_applies_it() -> None:
    """Two processes on the bundled fakes: each FakeBank gives out the same first account."""
    first = shop()
    other = shop()
    second = attrs.evolve(other, desk=desk_on(other, store=first.store))
    total = bank_order(first)
    bank_order(second, "1002")
    accounts = {first.desk.get(n).payment.instruction("account") for n in ("1001", "1002")}
    assert len(accounts) == 1  # the same account on both
    (account,) = accounts
    assert account is not None
    paid = Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", T0.date(), "R9")
    report = first.desk.reconcile_deposits([paid])
    assert report.unmatched == (paid,) and report.orders == []
    assert first.desk.get("1001").payment.received == Money.yen(0)
    assert first.desk.get("1002").payment.received == Money.yen(0)
    first.desk.apply_deposit("1001", paid)  # a person found whose it is
    assert first.desk.get("1001").payment.received == total


def test_an_account_the_bank_gives_back_to_the_same_order_takes_its_deposits() -> None:
    """Bank transfer → card → bank transfer: the bank issues the very number it got back."""
    s = shop()
    total = bank_order(s)
    first = s.desk.get("1001").payment.instruction("account")
    s.desk.change("1001", OrderChange(payment_method=PaymentMethod.CARD, token="tok_ok"))
    s.desk.change("1001", OrderChange(payment_method=PaymentMethod.BANK_TRANSFER))
    order = s.desk.get("1001")
    account = order.payment.instruction("account")
    assert account is not None and account == first and account not in order.payment.closed
    paid = Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", T0.date(), "R-again")
    report = s.desk.reconcile_deposits([paid])
    assert [m.order_number for m in report.reconciliation.matched] == ["1001"]
    assert s.desk.get("1001").payment.received == total
