from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import (
    Deposit,
    MatchKind,
    Money,
    OpenAccount,
    normalize_payer_name,
    payer_search_key,
    reconcile,
)
from orderflow.errors import InvalidValue

DAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("raw", "display"),
    [
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
        ("ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "(株)ヤマダシヨウジ"),
        ("ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ", "ヤマダシヨウジ(株)"),
        ("ﾕ)ｻﾄｳ  ｼﾖｳﾃﾝ", "(有)サトウ シヨウテン"),
        ("ｻﾄｳ ﾊﾅｺ", "サトウ ハナコ"),
    ],
)
def test_payer_names_are_normalised_for_display(raw: str, display: str) -> None:
    assert normalize_payer_name(raw) == display


def test_payer_search_keys_match_what_people_type() -> None:
    assert payer_search_key("ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ") == payer_search_key("ヤマダ ショウジ")
    assert payer_search_key("ﾔﾏﾀﾞ ﾀﾛｳ") == payer_search_key(
        "やまだ たろう".translate(str.maketrans("やまだたろう", "ヤマダタロウ"))
    )


def test_a_deposit_validates_itself() -> None:
    with pytest.raises(InvalidValue, match="amount"):
        Deposit("101-1", Money.yen(0), "x", DAY, "R1")
    with pytest.raises(InvalidValue, match="reference"):
        Deposit("101-1", Money.yen(1), "x", DAY, "")


def test_exact_short_over_and_unmatched() -> None:
    accounts = {
        "A": OpenAccount("A", "1001", Money.yen(1000), Money.yen(0)),
        "B": OpenAccount("B", "1002", Money.yen(1000), Money.yen(0)),
    }
    result = reconcile(
        [
            Deposit("A", Money.yen(1000), "x", DAY, "1"),
            Deposit("B", Money.yen(400), "x", DAY, "2"),
            Deposit("B", Money.yen(700), "x", DAY, "3"),
            Deposit("C", Money.yen(50), "x", DAY, "4"),
            Deposit("A", Money.yen(1000), "x", DAY, "1"),
        ],
        accounts,
    )
    assert [m.kind for m in result.matched] == [MatchKind.EXACT, MatchKind.SHORT, MatchKind.OVER]
    assert result.matched[2].excess == Money.yen(100)
    assert [d.reference for d in result.unmatched] == ["4"]
    assert [d.reference for d in result.repeated] == ["1"]


def test_a_reference_given_again_with_other_details_is_a_conflict_not_a_repeat() -> None:
    """A file naming one transfer twice with two amounts: the second was called a repeat, and
    the money it says came was never looked at."""
    accounts = {"A": OpenAccount("A", "1001", Money.yen(1000), Money.yen(0))}
    first = Deposit("A", Money.yen(1000), "x", DAY, "9")
    again = Deposit("A", Money.yen(1000), "x", DAY, "9")  # the very record again
    other = Deposit("A", Money.yen(7000), "x", DAY, "9")  # the same reference, another amount
    elsewhere = Deposit("B", Money.yen(1000), "x", DAY, "9")  # another account
    result = reconcile([first, again, other, elsewhere], accounts)
    assert [m.deposit for m in result.matched] == [first]
    assert result.repeated == (again,)
    assert result.conflicting == (other, elsewhere)


accounts_st = st.dictionaries(
    st.sampled_from(["A", "B", "C", "D"]),
    st.tuples(st.integers(1, 50_000), st.integers(0, 20_000)),
    max_size=4,
)
deposits_st = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", "D", "X", "Y"]),
        st.integers(1, 30_000),
        st.integers(0, 30),  # references repeat
        st.booleans(),
    ),
    max_size=60,
)


@given(accounts_st, deposits_st, st.sets(st.integers(0, 30), max_size=5))
def test_matched_plus_unmatched_is_what_was_deposited(
    raw_accounts: dict[str, tuple[int, int]],
    raw_deposits: list[tuple[str, int, int, bool]],
    earlier: set[int],
) -> None:
    accounts = {
        a: OpenAccount(a, f"order-{a}", Money.yen(due), Money.yen(received))
        for a, (due, received) in raw_accounts.items()
    }
    # a 取消 record carries its deposit's reference; some references were applied before
    deposits = [
        Deposit(account, Money.yen(amount), "ﾔﾏﾀﾞ", DAY, f"R{ref}", cancelled=cancel)
        for account, amount, ref, cancel in raw_deposits
    ]
    seen = [f"R{ref}" for ref in earlier]
    result = reconcile(deposits, accounts, seen)
    taken_back = {d.reference for d in deposits if d.cancelled}
    distinct: dict[str, Deposit] = {}
    for d in deposits:
        if not d.cancelled and d.reference not in seen:
            distinct.setdefault(d.reference, d)
    # a deposit reversed in the same batch moves nothing, and one applied before counts once
    deposited = sum(d.amount.amount for r, d in distinct.items() if r not in taken_back)
    matched = sum(m.deposit.amount.amount for m in result.matched)
    unmatched = sum(d.amount.amount for d in result.unmatched)
    assert matched + unmatched == deposited
    assert result.deposited("JPY").amount == deposited
    assert len(result.matched) + len(result.unmatched) + len(result.repeated) + len(
        result.cancelled
    ) + len(result.reversed) + len(result.conflicting) == len(deposits)
    # a 取消 of a deposit applied before is reversed (once per batch), never a repeat
    assert {d.reference for d in result.reversed} == taken_back & set(seen)
    assert len(result.reversed) == len({d.reference for d in result.reversed})
    assert not any(d.cancelled and d.reference in seen for d in result.cancelled)
    for account, opened in accounts.items():
        mine = [m for m in result.matched if m.deposit.account == account]
        received = opened.received.amount + sum(m.deposit.amount.amount for m in mine)
        if mine:
            assert mine[-1].received.amount == received
        excess = sum(m.excess.amount for m in mine)
        due = opened.due.amount
        zero = Decimal(0)
        over_after: Decimal = max(zero, received - due)
        over_before: Decimal = max(zero, opened.received.amount - due)
        assert excess == over_after - over_before
        for m in mine:
            expected = (
                MatchKind.SHORT
                if m.received < m.due
                else MatchKind.EXACT
                if m.received == m.due
                else MatchKind.OVER
            )
            assert m.kind is expected


def test_a_deposit_and_its_cancel_in_one_batch_move_nothing() -> None:
    accounts = {"A": OpenAccount("A", "1001", Money.yen(1000), Money.yen(0))}
    paid = Deposit("A", Money.yen(1000), "x", DAY, "R1")
    taken_back = Deposit("A", Money.yen(1000), "x", DAY, "R1", cancelled=True)
    for batch in ([paid, taken_back], [taken_back, paid]):
        result = reconcile(batch, accounts)
        assert result.matched == () and result.repeated == ()
        assert set(result.cancelled) == {paid, taken_back}
        assert result.reversed == ()


def test_the_cancel_of_a_deposit_applied_before_is_reversed_not_a_repeat() -> None:
    accounts = {"A": OpenAccount("A", "1001", Money.yen(1000), Money.yen(1000))}
    taken_back = Deposit("A", Money.yen(1000), "x", DAY, "R1", cancelled=True)
    result = reconcile([taken_back, taken_back], accounts, ["R1"])
    assert result.reversed == (taken_back,)
    assert result.repeated == (taken_back,)  # the same record twice in one file
    assert result.matched == () and result.cancelled == ()


@pytest.mark.parametrize(
    ("field", "limit"),
    [("account", 100), ("reference", 200), ("payer_name", 200)],
)
def test_deposit_texts_are_bounded_naming_the_field(field: str, limit: int) -> None:
    """A 3,000-character reference was taken (and stored by PostgreSQL): each text is bounded."""
    fields = {"account": "A", "payer_name": "x", "reference": "R1"}
    Deposit(fields["account"], Money.yen(1), fields["payer_name"], DAY, fields["reference"])
    fields[field] = "9" * limit  # the longest taken
    Deposit(fields["account"], Money.yen(1), fields["payer_name"], DAY, fields["reference"])
    fields[field] = "9" * (limit + 1)
    with pytest.raises(InvalidValue) as raised:
        Deposit(fields["account"], Money.yen(1), fields["payer_name"], DAY, fields["reference"])
    assert raised.value.field == field and f"at most {limit}" in str(raised.value)
