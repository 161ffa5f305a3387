"""A return's entry posts the money really paid back (``paid_share``), per product category."""

from __future__ import annotations

import random

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import (
    AccountMap,
    Money,
    Order,
    OrderLine,
    PriceMode,
    Return,
    ReturnLine,
    ReturnPolicy,
    ReturnReason,
    ReturnStatus,
    Rounding,
    Side,
    TaxRate,
    TaxRule,
    refund_share,
    return_entry,
)
from orderflow.domain.booking import ProductAccounts
from orderflow.domain.refunds import paid_share
from tests.builders import T0, card_order
from tests.unit.test_returns import RULES, priced_orders, return_batches

OWN = AccountMap(  # SKU-1 and SKU-3 have their own categories: several per rate
    products={
        "SKU-1": ProductAccounts(tax_categories={TaxRate.STANDARD: "特10", TaxRate.REDUCED: "特8"}),
        "SKU-3": ProductAccounts(tax_categories={TaxRate.STANDARD: "別10"}),
    }
)


def _received(order: Order, lines: dict[str, int], rule: TaxRule, cut: int) -> tuple[Order, Money]:
    """``order`` with a return of ``lines`` refunded ``cut`` yen short of what it is worth."""
    ret = Return(
        f"R{len(order.returns) + 1}",
        tuple(ReturnLine(k, v) for k, v in lines.items()),
        ReturnReason.DEFECTIVE,
        T0,
    )
    share = refund_share(order, ret, rule, ReturnPolicy())
    paid = Money.yen(max(0, int(share.paid_back.amount) - cut))
    rates, withheld = paid_share(share, paid, rule)
    done = attrs.evolve(
        ret,
        status=ReturnStatus.REFUNDED,
        refund=rates,
        withheld=withheld,
        shipping_refunded=share.shipping_refunded,
        fee=share.fee,
        paid_back=paid,
    )
    return attrs.evolve(order, returns=(*order.returns, done)), paid


@settings(max_examples=300, deadline=None)
@given(priced_orders(), RULES, st.randoms(use_true_random=False))
def test_returns_paid_back_short_post_what_was_paid_and_withhold_the_rest_with_its_tax(
    order: Order, rule: TaxRule, rng: random.Random
) -> None:
    """Per return: the entry credits 売掛金 with the money paid back and takes off the sales
    only that, per category; over every unit returned, paid back and withheld add up to what
    was paid per rate, tax included, and no return pays back tax the withheld part holds."""
    paid = {line.rate: (line.gross, line.tax) for line in order.totals(rule).tax.lines}
    for lines, _ in return_batches(order, rng):
        order, money = _received(order, lines, rule, rng.choice([0, 0, 1, 7, 59, 10**6]))
        ret = order.returns[-1]
        for _, amount, tax in (*ret.refund, *ret.withheld):
            assert amount.amount >= 0 and 0 <= tax.amount <= amount.amount
        for accounts in (AccountMap(), AccountMap.freee(), OWN):
            entry = return_entry(order, ret, rule, accounts, T0.date())
            debit, credit = entry.totals()
            assert debit == credit
            back = [ln for ln in entry.lines if ln.account == accounts.receivable]
            assert [ln.amount for ln in back] == [money]
            for ln in entry.lines:
                if ln.tax_amount is not None:
                    assert ln.tax_amount <= ln.amount or ln.account == accounts.tax_payable
    total: dict[TaxRate, tuple[Money, Money]] = {}
    for ret in order.returns:
        for rate, amount, tax in (*ret.refund, *ret.withheld):
            was = total.get(rate, (Money.yen(0), Money.yen(0)))
            total[rate] = (was[0] + amount, was[1] + tax)
    nothing = (Money.yen(0), Money.yen(0))
    assert {r: v for r, v in paid.items() if v != nothing} == {
        r: v for r, v in total.items() if v != nothing
    }


def test_a_return_of_two_products_at_one_rate_writes_each_under_its_own_category() -> None:
    from tests.unit.test_returns import _order

    order = _order()  # L1 tea at 8%, L2 mug at 10% (and ¥880 shipping)
    mug = ProductAccounts(tax_categories={TaxRate.STANDARD: "器10"})
    accounts = AccountMap.freee()
    accounts = attrs.evolve(accounts, products={"MUG-1": mug})
    order, _ = _received(order, {"L1": 2, "L2": 1}, TaxRule(), 0)  # all back: shipping too
    ret = order.returns[0]
    assert ret.shipping_refunded
    entry = return_entry(order, ret, TaxRule(), accounts, T0.date())
    lines = {
        ln.tax_category: (ln.amount, ln.tax_amount) for ln in entry.lines if ln.side is Side.DEBIT
    }
    assert lines == {  # the mug ¥2,200 and the shipping ¥880 of the 10% rate's ¥3,080 (¥280)
        "器10": (Money.yen(2200), Money.yen(200)),
        "課税売上10%": (Money.yen(880), Money.yen(80)),
        "課税売上8%(軽)": (Money.yen(2160), Money.yen(160)),
    }


def test_a_yen_withheld_never_keeps_two_yen_of_tax() -> None:
    # 外税: ¥1 + ¥125 × 4 + two free lines, a ¥330 fee, 1 point; three returns, the last paid
    # back ¥1 short: the ¥1 withheld kept ¥2 of tax (a sale below zero at 10% in the books)
    lines = [
        OrderLine("L0", "SKU-0", "品", Money.yen(1), 1),
        OrderLine("L1", "SKU-1", "品", Money.yen(125), 4),
        OrderLine("L2", "SKU-2", "品", Money.yen(0), 3),
        OrderLine("L3", "SKU-3", "品", Money.yen(0), 3),
    ]
    order = card_order(lines, fees=330, points=1)
    rule = TaxRule(PriceMode.EXCLUSIVE, Rounding.DOWN)
    for returned, cut in (({"L1": 1, "L2": 1, "L3": 3}, 0), ({"L2": 2}, 7), ({"L1": 2}, 1)):
        order, _ = _received(order, returned, rule, cut)
    last = order.returns[-1]
    assert last.withheld == ((TaxRate.STANDARD, Money.yen(1), Money.yen(1)),)
    assert last.refund == ((TaxRate.STANDARD, Money.yen(274), Money.yen(25)),)
    for ret in order.returns:
        for _, amount, tax in (*ret.refund, *ret.withheld):
            assert 0 <= tax.amount <= amount.amount
