"""Garbage for every argument of every public desk command: an orderflow error or success, never
anything else, and a refused call leaves the stored orders as they were.

Each example starts from a shop with one placed card order (``1001``) — or, for the commands of
``LATER`` (exchange, change, cancel, receive …), with ``1001`` allocated, delivered or waiting for
stock, so that the garbage meets the checks of an order further on. Every argument of the
command is either a sensible value (so that the garbage of the other arguments reaches the
validation deeper in) or garbage: None, booleans, ints, floats, huge and negative Decimals and
Money, empty and very long strings, strings with line breaks and control characters, lists, dicts.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from orderflow import (
    Deposit,
    Money,
    OrderChange,
    OrderLine,
    PaymentMethod,
    ReturnReason,
    ShopSettings,
)
from orderflow.errors import OrderflowError, PaymentDeclined
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, TRACKING, address, customer, lines, place

COMMANDS = (
    "place",
    "accept",
    "allocate",
    "release",
    "raise_hold",
    "clear_hold",
    "instruct_shipping",
    "recall",
    "ship",
    "deliver",
    "book",
    "cancel",
    "change",
    "change_ship_to",
    "split",
    "refund",
    "refresh_postpay",
    "record_konbini_payment",
    "apply_deposit",
    "record_refund_transfer",
    "resume",
)


def sensible(name: str) -> list[object]:
    """Values of the argument ``name`` that a shop might really pass."""
    values: dict[str, list[object]] = {
        "number": ["1001", "1002"],
        "customer": [customer()],
        "ship_to": [address()],
        "lines": [lines()],
        "token": ["tok_visa"],
        "payment_method": list(PaymentMethod),
        "shipping_fee": [Money.yen(880)],
        "discount": [Money.yen(100)],
        "points_used": [0, 10],
        "channel": ["web"],
        "remarks": ["ギフト包装希望", ""],
        "address_from_amazon": [False],
        "actor": ["operator"],
        "reason": ["customer"],
        "code": ["check", "payment_pending"],
        "message": ["確認"],
        "message_en": ["check"],
        "request_id": ["R1"],
        "carrier": ["yamato"],
        "shipment_id": ["1001-S1"],
        "tracking_number": [TRACKING],
        "requester": [None],
        "change": [OrderChange(quantities={"L1": 1})],
        "dry_run": [False, True],
        "policy_checked": [False],
        "parts": [[{"L1": 1}, {"L1": 1, "L2": 1, "L3": 1}]],
        "amount": [Money.yen(100)],
        "reference": ["K1"],
        "paid_at": [None],
        "deposit": [Deposit("101-7777777", Money.yen(1000), "ﾔﾏﾀﾞ ﾀﾛｳ", date(2026, 11, 22), "R1")],
    }
    return values.get(name, [None])


control_text = st.text(
    alphabet=st.sampled_from(["a", "注", " ", "\n", "\r", "\t", "\x00", "\x1b", "\u2028", "\x7f"]),
    min_size=1,
    max_size=20,
)
huge_decimals = st.sampled_from(
    [Decimal("1e30"), Decimal("-1e30"), Decimal("-1"), Decimal("0.5"), Decimal("1E+999999")]
) | st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**40), max_value=10**40)


def _money(amount: Decimal) -> object:
    try:
        return Money(amount, "JPY")
    except OrderflowError:
        return amount


garbage: st.SearchStrategy[object] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    huge_decimals,
    huge_decimals.map(_money),
    st.just(""),
    st.text(max_size=30),
    st.integers(min_value=1_000, max_value=100_000).map(lambda n: "x" * n),
    control_text,
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5)), max_size=5),
    st.dictionaries(
        st.one_of(st.text(max_size=5), st.sampled_from(["L1", "L2", "L3"])),
        st.one_of(st.none(), st.integers(), st.text(max_size=5)),
        max_size=5,
    ),
)


def new_shop() -> FakeShop:
    s = fake_shop(dict(STOCK), settings=ShopSettings(auto_advance=False), points={"C1": 1000})
    place(s, token="tok_visa")
    return s


def arguments(command: Callable[..., object]) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(command).parameters.values() if p.name != "self"]


@pytest.mark.parametrize("name", COMMANDS)
@settings(
    max_examples=100,
    derandomize=True,  # the same examples every run
    phases=[Phase.explicit, Phase.generate],  # no shrinking: what it found is listed below
    report_multiple_bugs=False,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_garbage_for_any_argument_is_refused_with_an_orderflow_error_and_changes_nothing(
    name: str, data: st.DataObject
) -> None:
    s = new_shop()
    command = getattr(s.desk, name)
    keywords: dict[str, object] = {}
    parameters = arguments(command)
    target = data.draw(st.sampled_from([p.name for p in parameters]), label="garbage for")
    for parameter in parameters:
        if parameter.name == target:
            value = data.draw(garbage, label=parameter.name)
        else:  # mostly sensible, so that the garbage reaches the checks deeper in
            required = parameter.default is inspect.Parameter.empty
            roll = data.draw(st.integers(0, 9), label=f"{parameter.name} kind")
            if roll == 0:
                value = data.draw(garbage, label=parameter.name)
            elif roll == 1 and not required:
                continue
            else:
                value = data.draw(st.sampled_from(sensible(parameter.name)), label=parameter.name)
        keywords[parameter.name] = value
    before = dict(s.store.orders)
    try:
        command(**keywords)
    except OrderflowError:
        assert s.store.orders == before, "a refused call changed the stored orders"
    # anything else (TypeError, AttributeError, ...) fails the test


def allocated_shop() -> FakeShop:
    """``1001`` accepted and allocated (引当済)."""
    s = new_shop()
    s.desk.accept("1001")
    s.desk.allocate("1001")
    return s


def delivered_shop() -> FakeShop:
    """``1001`` delivered (着荷済): it takes returns and exchanges."""
    s = allocated_shop()
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.desk.deliver("1001", "1001-S1")
    return s


def waiting_shop() -> FakeShop:
    """No tea on hand: ``1001`` waits for TEA-1 (中途引当)."""
    s = fake_shop(
        {**STOCK, ("TOKYO", "TEA-1"): 0},
        settings=ShopSettings(auto_advance=False),
        points={"C1": 1000},
    )
    place(s, token="tok_visa")
    s.desk.accept("1001")
    s.desk.allocate("1001")
    return s


NEW_LINE = OrderLine("N1", "MUG-1", "湯呑(青)", Money.yen(2200), 1)

# A command from an order further on, with the sensible values of that command's own arguments.
LATER: dict[str, tuple[Callable[[], FakeShop], dict[str, list[object]]]] = {
    "exchange": (
        delivered_shop,
        {
            "lines": [{"L2": 1}, {"L1": 2, "L3": 1}],
            "new_lines": [[NEW_LINE]],
            "reason": list(ReturnReason),
            "request_id": ["EX-1"],
        },
    ),
    "request_return": (
        delivered_shop,
        {"lines": [{"L2": 1}], "reason": list(ReturnReason), "refund_account": [""]},
    ),
    "change": (
        allocated_shop,
        {
            "change": [
                OrderChange(quantities={"L1": 1}),
                OrderChange(add_lines=[NEW_LINE], remove_lines={"L3"}),
                OrderChange(delivery_date=date(2026, 11, 28), delivery_slot="18-20"),
                OrderChange(payment_method=PaymentMethod.KONBINI),
            ]
        },
    ),
    "cancel": (allocated_shop, {"lines": [None, {"L1": 1}, {"L1": 2, "L2": 1, "L3": 1}]}),
    "receive": (
        waiting_shop,
        {
            "warehouse": ["TOKYO"],
            "sku": ["TEA-1"],
            "quantity": [1, 5],
            "receipt_id": ["RC-1"],
            "reason": ["入荷"],
            "priority": [None, lambda order: order.number],
            "actor": ["warehouse"],
        },
    ),
    "fill_backorders": (waiting_shop, {"priority": [None], "actor": ["system"]}),
}

PAYMENT = ["token", "payment_method", "shipping_fee", "discount", "points_used", "remarks"]


@attrs.frozen
class Made:
    """An ``OrderChange`` with one field of garbage, made inside the call (making it checks)."""

    field: str
    value: object

    def make(self) -> object:
        fields: dict[str, Any] = {self.field: self.value}
        return OrderChange(**fields)


def _draw(data: st.DataObject, name: str, sensible: list[object], target: bool) -> object:
    if target:
        if name == "change":  # an OrderChange with a field of garbage, or garbage itself
            fields = st.sampled_from([f.name for f in attrs.fields(OrderChange)])
            return data.draw(st.builds(Made, fields, garbage) | garbage, label=name)
        if name in ("new_lines", "lines"):  # a list (or mapping) holding garbage, or garbage
            return data.draw(
                st.lists(garbage, min_size=1, max_size=2)
                | st.dictionaries(st.sampled_from(["L1", "L2"]), garbage, min_size=1)
                | garbage,
                label=name,
            )
        return data.draw(garbage, label=name)
    roll = data.draw(st.integers(0, 9), label=f"{name} kind")
    if roll == 0:
        return data.draw(garbage, label=name)
    return data.draw(st.sampled_from(sensible), label=name)


@pytest.mark.parametrize("name", sorted(LATER))
@settings(
    max_examples=100,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_garbage_from_an_order_further_on_is_refused_before_anything_changes(
    name: str, data: st.DataObject
) -> None:
    """Exchange, change, cancel, receive… of an allocated, delivered or waiting order: garbage in
    any argument (``**payment`` included) is an orderflow error, and a refused call leaves the
    orders, the stock and the notices as they were (a refused payment of an exchange's new order
    leaves that order declined, and only that)."""
    build, own = LATER[name]
    s = build()
    command = getattr(s.desk, name)
    parameters = arguments(command)
    target = data.draw(st.sampled_from([p.name for p in parameters]), label="garbage for")
    keywords: dict[str, object] = {}
    for parameter in parameters:
        hit = parameter.name == target
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:  # exchange's payment keywords
            keywords["token"] = "tok_visa"
            if hit:
                key = data.draw(st.sampled_from(["tokn", "channel", *PAYMENT]), label="keyword")
                keywords[key] = data.draw(garbage, label=key)
            continue
        optional = parameter.default is not inspect.Parameter.empty
        if not hit and optional and data.draw(st.integers(0, 9), label="left out") == 0:
            continue
        values = own.get(parameter.name) or sensible(parameter.name)
        keywords[parameter.name] = _draw(data, parameter.name, values, hit)
    before = (dict(s.store.orders), dict(s.inventory.on_hand), dict(s.inventory.reserved))
    sent = list(s.notifier.sent)
    try:
        command(**{k: v.make() if isinstance(v, Made) else v for k, v in keywords.items()})
    except OrderflowError as error:
        orders, on_hand, reserved = before
        assert (dict(s.inventory.on_hand), dict(s.inventory.reserved)) == (on_hand, reserved)
        if isinstance(error, PaymentDeclined) or getattr(error, "field", "") == "points_used":
            assert {n: s.store.orders[n] for n in orders} == orders, "an old order changed"
        else:
            assert s.store.orders == orders, "a refused call changed the stored orders"
            assert s.notifier.sent == sent, "a refused call sent a notice"


def _place(**overrides: object) -> Callable[[FakeShop], object]:
    args: dict[str, Any] = {
        "number": "1002",
        "customer": customer(),
        "ship_to": address(),
        "lines": lines(),
        "token": "tok_visa",
    }
    args.update(overrides)
    return lambda s: s.desk.place(**args)


SPLIT = [{"L1": 1}, {"L1": 1, "L2": 1, "L3": 1}]

# The garbage Hypothesis found crashing a command with something other than an orderflow error.
FOUND: list[Any] = [
    pytest.param(
        _place(customer=None),
        id="place-customer-None",
    ),
    pytest.param(
        _place(lines=None),
        id="place-lines-None",
    ),
    pytest.param(
        _place(number="1001", lines=None),
        id="place-again-lines-None",
    ),
    pytest.param(
        lambda s: s.desk.instruct_shipping("1001", carrier=[None]),
        id="instruct-carrier-list",
    ),
    pytest.param(
        lambda s: s.desk.change("1001", OrderChange(quantities={"L1": 1}), requester=1.0),
        id="change-requester-float",
    ),
    pytest.param(
        lambda s: s.desk.split("1001", SPLIT, requester=1),
        id="split-requester-int",
    ),
    pytest.param(
        lambda s: s.desk.split("1001", None),
        id="split-parts-None",
    ),
    pytest.param(
        lambda s: s.desk.split("1001", "x" * 1000),
        id="split-parts-str",
    ),
    pytest.param(
        lambda s: s.desk.split("1001", [1, 2]),
        id="split-parts-ints",
    ),
]


@pytest.mark.parametrize("call", FOUND)
def test_garbage_hypothesis_found_is_refused_with_an_orderflow_error(
    call: Callable[[FakeShop], object],
) -> None:
    s = new_shop()
    before = dict(s.store.orders)
    with pytest.raises(OrderflowError):
        call(s)
    assert s.store.orders == before


def test_every_public_command_is_covered() -> None:
    s = new_shop()
    for name in COMMANDS:
        assert callable(getattr(s.desk, name)), name
        assert arguments(getattr(s.desk, name)), name
