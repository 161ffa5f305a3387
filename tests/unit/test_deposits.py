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


@given(accounts_st, deposits_st)
def test_matched_plus_unmatched_is_what_was_deposited(
    raw_accounts: dict[str, tuple[int, int]], raw_deposits: list[tuple[str, int, int, bool]]
) -> None:
    accounts = {
        a: OpenAccount(a, f"order-{a}", Money.yen(due), Money.yen(received))
        for a, (due, received) in raw_accounts.items()
    }
    deposits = [
        Deposit(account, Money.yen(amount), "ﾔﾏﾀﾞ", DAY, f"R{ref}", cancelled=ref % 7 == 0)
        for account, amount, ref, _ in raw_deposits
    ]
    result = reconcile(deposits, accounts)
    distinct: dict[str, Deposit] = {}
    for d in deposits:
        distinct.setdefault(d.reference, d)
    deposited = sum(d.amount.amount for d in distinct.values() if not d.cancelled)
    matched = sum(m.deposit.amount.amount for m in result.matched)
    unmatched = sum(d.amount.amount for d in result.unmatched)
    assert matched + unmatched == deposited
    assert result.deposited("JPY").amount == deposited
    assert len(result.matched) + len(result.unmatched) + len(result.repeated) + len(
        result.cancelled
    ) == len(deposits)
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
