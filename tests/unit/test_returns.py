"""Returns' rules, pure: the refund per rate, the policy's defaults, the reversing entry."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import (
    AccountMap,
    Money,
    Order,
    OrderLine,
    PaymentMethod,
    PriceMode,
    Return,
    ReturnLine,
    ReturnPolicy,
    ReturnReason,
    ReturnStatus,
    Rounding,
    TaxRate,
    TaxRule,
    refund_share,
    return_entry,
)
from orderflow.domain.lifecycle import new_order
from orderflow.errors import InvalidValue
from tests.builders import CTX, T0, address, card_order, customer

RULES = st.builds(
    TaxRule,
    st.sampled_from(list(PriceMode)),
    st.sampled_from(list(Rounding)),
    st.sampled_from(list(TaxRate)),
)


@st.composite
def priced_orders(draw: st.DrawFn) -> Order:
    count = draw(st.integers(1, 4))
    lines = [
        OrderLine(
            f"L{n}",
            f"SKU-{n}",
            "品",
            Money.yen(draw(st.integers(0, 20_000))),
            draw(st.integers(1, 5)),
            draw(st.sampled_from(list(TaxRate))),
        )
        for n in range(count)
    ]
    items = sum(line.unit_price.amount * line.quantity for line in lines)
    shipping = draw(st.sampled_from([0, 880, 1320]))
    fees = draw(st.sampled_from([0, 330]))
    room = int(items) + shipping + fees
    discount = draw(st.integers(0, room // 2))
    points = draw(st.integers(0, room - discount))
    order = card_order(lines, shipping=shipping, discount=discount, fees=fees, points=points)
    return attrs.evolve(order, points_taken=points)


def _received(order: Order, lines: dict[str, int], reason: ReturnReason, rule: TaxRule) -> Order:
    ret = Return(
        f"R{len(order.returns) + 1}",
        tuple(ReturnLine(k, v) for k, v in lines.items()),
        reason,
        T0,
    )
    share = refund_share(order, ret, rule, ReturnPolicy(), points_earned=100)
    done = attrs.evolve(
        ret,
        status=ReturnStatus.REFUNDED,
        refund=share.rates,
        shipping_refunded=share.shipping_refunded,
        fee=share.fee,
        paid_back=share.paid_back,
        points_back=share.points_back,
        points_clawed=share.points_clawed,
    )
    # as the executor's fold of the return's RestorePoints does
    taken = order.points_taken - share.points_back
    return attrs.evolve(order, returns=(*order.returns, done), points_taken=taken)


def return_batches(order: Order, rng: random.Random) -> Iterator[tuple[dict[str, int], bool]]:
    """Random returns until every unit came back: (line id → units, whether it is the last)."""
    left = {line.line_id: line.quantity for line in order.lines}
    while any(left.values()):
        lines = {k: rng.randint(1, v) for k, v in left.items() if v and rng.random() < 0.6}
        if not lines:
            continue
        for k, v in lines.items():
            left[k] -= v
        yield lines, not any(left.values())


@settings(max_examples=300, deadline=None)
@given(
    priced_orders(), RULES, st.randoms(use_true_random=False), st.sampled_from(list(ReturnReason))
)
def test_partial_returns_never_pay_back_more_than_was_paid_and_a_full_return_pays_it_all(
    order: Order, rule: TaxRule, rng: object, reason: ReturnReason
) -> None:
    """Per rate: any sequence of partial returns stays within what was paid, and adds up to it
    (tax included, and the tax itself) when every unit came back for the shop's fault."""
    assert isinstance(rng, random.Random)
    paid = {line.rate: (line.gross, line.tax) for line in order.totals(rule).tax.lines}
    for lines, last in return_batches(order, rng):
        order = _received(order, lines, ReturnReason.DEFECTIVE if last else reason, rule)
        back: dict[TaxRate, tuple[Money, Money]] = {}
        for ret in order.returns:
            for rate, amount, tax in ret.refund:
                was = back.get(rate, (Money.yen(0), Money.yen(0)))
                back[rate] = (was[0] + amount, was[1] + tax)
                assert amount.amount >= 0 and tax.amount >= 0
        for rate, (amount, tax) in back.items():
            assert amount <= paid[rate][0] and tax <= paid[rate][1]
        for ret in order.returns:
            entry = return_entry(order, ret, rule, AccountMap(), T0.date())
            debit, credit = entry.totals()
            assert debit == credit
            gross = return_entry(order, ret, rule, AccountMap.freee(), T0.date())
            assert gross.totals()[0] == gross.totals()[1]
    back = {}
    for ret in order.returns:
        for rate, amount, tax in ret.refund:
            was = back.get(rate, (Money.yen(0), Money.yen(0)))
            back[rate] = (was[0] + amount, was[1] + tax)
    nothing = (Money.yen(0), Money.yen(0))
    assert {r: v for r, v in paid.items() if v != nothing} == {
        r: v for r, v in back.items() if v != nothing
    }
    # every point used comes back with the last unit, free items or not
    assert sum(r.points_back for r in order.returns) == order.points_used
    assert order.points_taken == 0
    if any(line.amount for line in order.lines):  # points earned go with the items' prices
        assert sum(r.points_clawed for r in order.returns) == 100


def _order(**kwargs: object) -> Order:
    lines = [
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED),
        OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
    ]
    args: dict[str, object] = {"shipping_fee": Money.yen(880)}
    args.update(kwargs)
    order, _ = new_order(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=lines,
        payment_method=PaymentMethod.CARD,
        ctx=CTX,
        **args,  # type: ignore[arg-type]
    )
    return order


def _return(lines: dict[str, int], reason: ReturnReason) -> Return:
    return Return("R1", tuple(ReturnLine(k, v) for k, v in lines.items()), reason, T0)


def test_a_unit_pays_back_its_share_of_what_was_paid_after_the_discount() -> None:
    order = _order(discount=Money.yen(300))
    share = refund_share(
        order, _return({"L1": 1}, ReturnReason.CUSTOMER), TaxRule(), ReturnPolicy()
    )
    # 8%: 2,160 charged less its share of the discount (124 of 300, by 2,160 : 3,080) = 2,036
    assert [(r, a) for r, a, _ in share.rates] == [(TaxRate.REDUCED, Money.yen(1018))]
    assert share.paid_back == Money.yen(1018) and not share.shipping_refunded


def test_the_return_fee_and_a_lost_free_shipping_are_kept_back_for_the_customers_reason() -> None:
    policy = ReturnPolicy(return_fee=Money.yen(330), free_shipping_threshold=Money.yen(3000))
    order = _order(shipping_fee=Money.yen(0))  # 4,360 of items: shipped free
    customer_reason = refund_share(
        order,
        _return({"L2": 1}, ReturnReason.CUSTOMER),
        TaxRule(),
        policy,
        shipping_fee=Money.yen(880),
    )
    assert customer_reason.gross == Money.yen(2200)
    assert customer_reason.fee == Money.yen(330 + 880)  # 2,160 kept: under the line
    assert customer_reason.paid_back == Money.yen(2200 - 1210)
    defective = refund_share(
        order,
        _return({"L2": 1}, ReturnReason.DEFECTIVE),
        TaxRule(),
        policy,
        shipping_fee=Money.yen(880),
    )
    assert defective.fee == Money.yen(0) and defective.paid_back == Money.yen(2200)


@pytest.mark.parametrize(("lost", "kept"), [(None, 880), (Money.yen(500), 500), (Money.yen(0), 0)])
def test_a_lost_free_shipping_keeps_back_what_the_policy_names_and_0_keeps_nothing(
    lost: Money | None, kept: int
) -> None:
    policy = ReturnPolicy(free_shipping_threshold=Money.yen(3000), lost_free_shipping_fee=lost)
    order = _order(shipping_fee=Money.yen(0))  # 4,360 of items: shipped free
    share = refund_share(
        order,
        _return({"L2": 1}, ReturnReason.CUSTOMER),
        TaxRule(),
        policy,
        shipping_fee=Money.yen(880),  # the shop's fee to the address: only when the policy is None
    )
    assert share.fee == Money.yen(kept)
    assert share.paid_back == Money.yen(2200 - kept)


def test_the_fee_never_exceeds_the_refund() -> None:
    policy = ReturnPolicy(return_fee=Money.yen(5000))
    share = refund_share(_order(), _return({"L1": 1}, ReturnReason.CUSTOMER), TaxRule(), policy)
    assert share.fee == share.gross and share.paid_back == Money.yen(0)


def test_the_default_policy_is_the_laws() -> None:
    policy = ReturnPolicy()
    assert policy.window(ReturnReason.CUSTOMER) == 8
    assert policy.window(ReturnReason.DEFECTIVE) == 30
    assert not policy.shop_pays_shipping(ReturnReason.CUSTOMER)
    assert policy.shop_pays_shipping(ReturnReason.WRONG_ITEM)
    assert policy.accepts_customer_reason and not policy.excluded_skus
    assert policy.refund_shipping_for == {ReturnReason.DEFECTIVE, ReturnReason.WRONG_ITEM}


def test_a_bad_policy_names_its_field() -> None:
    for kwargs, field in (
        ({"days": -1}, "days"),
        ({"return_fee": Decimal(1)}, "return_fee"),
        ({"excluded_skus": "TEA-1"}, "excluded_skus"),
    ):
        try:
            ReturnPolicy(**kwargs)
        except InvalidValue as error:
            assert error.field == field
        else:
            raise AssertionError(kwargs)


def test_a_return_never_pays_back_more_tax_than_amount() -> None:
    """46 stickers at ¥10 paid down to ¥23 (¥2 of tax) by points, returned one by one: the 23rd
    unit's share of the amount rounds to ¥0 while the tax crosses ¥1. The tax waits for an
    amount to sit in (a ¥0 refund with ¥1 of tax made a -¥1 売上戻り高 line)."""
    rule = TaxRule()
    order = card_order([OrderLine("L1", "ST-1", "シール", Money.yen(10), 46)], points=437)
    order = attrs.evolve(order, points_taken=437)
    for _ in range(46):
        order = _received(order, {"L1": 1}, ReturnReason.DEFECTIVE, rule)
        ret = order.returns[-1]
        for _, amount, tax in ret.refund:
            assert Money.yen(0) <= tax <= amount
        for line in return_entry(order, ret, rule, AccountMap(), T0.date()).lines:
            assert not line.amount.is_negative
    assert sum(tax.amount for r in order.returns for _, _, tax in r.refund) == 2
    assert sum(amount.amount for r in order.returns for _, amount, _ in r.refund) == 23


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"excluded_skus": 5}, "excluded_skus"),
        ({"excluded_skus": None}, "excluded_skus"),
        ({"excluded_skus": [["TEA-1"]]}, "excluded_skus"),
        ({"excluded_skus": [1]}, "excluded_skus"),
        ({"refund_shipping_for": 5}, "refund_shipping_for"),
        ({"refund_shipping_for": None}, "refund_shipping_for"),
        ({"refund_shipping_for": [[ReturnReason.DEFECTIVE]]}, "refund_shipping_for"),
        ({"free_shipping_threshold": 5000}, "free_shipping_threshold"),
        ({"free_shipping_threshold": Money.yen(-1)}, "free_shipping_threshold"),
        ({"accepts_customer_reason": "no"}, "accepts_customer_reason"),
    ],
)
def test_every_field_of_a_bad_policy_is_refused_when_built(
    kwargs: dict[str, object], field: str
) -> None:
    """Refused with InvalidValue naming the field (a TypeError escaped, or a threshold of 5000
    failed with AttributeError only when a customer returned something)."""
    with pytest.raises(InvalidValue) as bad:
        ReturnPolicy(**kwargs)  # type: ignore[arg-type]
    assert bad.value.field == field


@pytest.mark.parametrize(
    "field", ["return_fee", "free_shipping_threshold", "lost_free_shipping_fee"]
)
def test_the_shop_settings_take_a_return_policy_in_their_currency(field: str) -> None:
    """A policy's amounts are in the shop's currency: a $3 fee was kept back as ¥300 (its minor
    units), a policy that is not one failed with AttributeError at the first return."""
    from orderflow import ShippingFeeTable, ShopSettings

    with pytest.raises(InvalidValue) as bad:
        ShopSettings(return_policy="no returns")  # type: ignore[arg-type]
    assert bad.value.field == "return_policy"
    dollars = ReturnPolicy(**{field: Money(Decimal(3), "USD")})  # type: ignore[arg-type]
    with pytest.raises(InvalidValue) as bad:
        ShopSettings(return_policy=dollars)
    assert bad.value.field == f"return_policy.{field}"
    fees = ShippingFeeTable(Money(Decimal(8), "USD"))  # a dollar shop's table is in dollars
    dollar_shop = ShopSettings(currency="USD", return_policy=dollars, shipping_fees=fees)
    assert dollar_shop.return_policy == dollars
