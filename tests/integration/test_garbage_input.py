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
from datetime import UTC, date, datetime, timedelta, timezone
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
    Rounding,
    ShopSettings,
    TaxRate,
    TaxRule,
    compute_tax,
)
from orderflow.errors import InvalidValue, OrderflowError, PaymentDeclined
from orderflow.stores import SQLiteInventory
from orderflow.testing import FakeShop, fake_shop
from orderflow.testing.shop import desk_on
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


def garbage_settings(examples: int) -> settings:
    """Hypothesis as every garbage law runs it: the same ``examples`` every run.

    No shrinking (what a law found is listed in its test), no deadline.
    """
    return settings(
        max_examples=examples,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=False,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.parametrize("name", COMMANDS)
@garbage_settings(100)
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
@garbage_settings(100)
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


# -- the sweeps and queries, on a SQLite inventory; and the Money and tax API ------------------

SWEEPS_AND_QUERIES = (
    "carrier_events",
    "poll_carrier_events",
    "import_transfer_notice",
    "accepts",
    "reauthorize_expiring",
    "expire_unpaid",
    "grant_points_due",
    "queue_counts",
    "resume_pending",
    "receive",
    "expect_arrival",
)


def sensible_for_sweeps(name: str) -> list[object]:
    """Values of the sweeps' and queries' arguments a shop might really pass."""
    values: dict[str, list[object]] = {
        "events": [[]],
        "since": [datetime(2026, 11, 1, tzinfo=UTC)],
        "data": [b""],
        "calendar": ["reiwa", "gregorian"],
        "method": list(PaymentMethod),
        "now": [None, datetime(2026, 12, 1, tzinfo=UTC)],
        "batch": [100],
        "not_shipped_after": [timedelta(hours=24)],
        "stuck_after": [timedelta(minutes=15)],
        "lease": [timedelta(minutes=5)],
        "each": [None],
        "warehouse": ["TOKYO"],
        "sku": ["TEA-1"],
        "quantity": [1, 1000],
        "receipt_id": ["RC-1"],
        "reason": ["入荷"],
        "priority": [None],
        "line_id": ["L1"],
        "on": [date(2026, 12, 1)],
        "notify": [True, False],
    }
    return values.get(name) or sensible(name)


NEAR_MISSES: dict[type, list[object]] = {  # of the right type, past a bound
    int: [2**63, -(2**63), 10**30, 10**9 + 1, 10**5000, 0, True],
    datetime: [
        datetime(9999, 12, 31, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23))),
        datetime(2026, 1, 1),  # naive
    ],
    timedelta: [timedelta.max, timedelta(days=999_999_999), timedelta(-1)],
    date: [date(9999, 12, 31), date.min, datetime(2026, 12, 1, tzinfo=UTC)],
    str: ["", "\x00", "x" * 10_000],
    bytes: [b"\x00" * 300, b"1" * 200],
}
time_garbage: st.SearchStrategy[object] = st.one_of(
    st.sampled_from([v for values in NEAR_MISSES.values() for v in values]),
    st.datetimes(timezones=st.just(UTC)),
    st.timedeltas(),
    st.just(Decimal("NaN")),
)
more_garbage = st.one_of(garbage, time_garbage)


def near_misses(name: str) -> st.SearchStrategy[object]:
    """Garbage of the type of the argument's sensible values, past a bound (2**63, year 9999)."""
    kinds = {type(v) for v in sensible_for_sweeps(name)}
    values = [v for kind in kinds for v in NEAR_MISSES.get(kind, [])]
    if name in ("now", "since"):
        values += NEAR_MISSES[datetime]
    return st.sampled_from(values) if values else more_garbage


def _with_sqlite_stock(s: FakeShop) -> tuple[FakeShop, Any]:
    """The shop's desk on a SQLite inventory (in memory) with the fake's stock in it."""
    inventory = SQLiteInventory(":memory:")
    for (warehouse, sku), units in s.inventory.on_hand.items():
        inventory.receive(warehouse, sku, units, reason="stock")
    s.desk = desk_on(s, store=s.store, inventory=inventory)
    return s, inventory


@pytest.mark.parametrize("name", SWEEPS_AND_QUERIES)
@garbage_settings(50)
@given(data=st.data())
def test_garbage_for_a_sweep_or_query_is_refused_with_an_orderflow_error_and_changes_nothing(
    name: str, data: st.DataObject
) -> None:
    s, inventory = _with_sqlite_stock(new_shop())
    command = getattr(s.desk, name)
    keywords: dict[str, object] = {}
    parameters = arguments(command)
    target = data.draw(st.sampled_from([p.name for p in parameters]), label="garbage for")
    for parameter in parameters:
        if parameter.name == target or data.draw(st.integers(0, 9), label="kind") == 0:
            bad = near_misses(parameter.name) if data.draw(st.booleans()) else more_garbage
            value = data.draw(bad, label=parameter.name)
        else:
            value = data.draw(st.sampled_from(sensible_for_sweeps(parameter.name)))
        keywords[parameter.name] = value
    before = dict(s.store.orders)
    stock = inventory.movements()
    try:
        command(**keywords)
    except OrderflowError:
        assert s.store.orders == before, "a refused call changed the stored orders"
        assert inventory.movements() == stock, "a refused call moved stock"
    # anything else (TypeError, OverflowError, ...) fails the test


def _every_near_miss() -> list[Any]:
    cases = []
    for name in SWEEPS_AND_QUERIES:
        command = getattr(fake_shop().desk, name)
        for parameter in arguments(command):
            kinds = {type(v) for v in sensible_for_sweeps(parameter.name)}
            values = [v for kind in kinds for v in NEAR_MISSES.get(kind, [])]
            if parameter.name in ("now", "since"):
                values += NEAR_MISSES[datetime]
            values += [None, [], ["x"]]
            cases += [
                pytest.param(name, parameter.name, value, id=f"{name}-{parameter.name}-{i}")
                for i, value in enumerate(values)
            ]
    return cases


@pytest.mark.parametrize(("name", "argument", "value"), _every_near_miss())
def test_every_near_miss_for_a_sweep_or_query_is_an_orderflow_error_or_works(
    name: str, argument: str, value: object
) -> None:
    """Each argument in turn past a bound of its type (2**63 units, year 9999, a huge span), or
    None or a list, the others sensible."""
    s, inventory = _with_sqlite_stock(new_shop())
    command = getattr(s.desk, name)
    keywords = {
        p.name: value if p.name == argument else sensible_for_sweeps(p.name)[0]
        for p in arguments(command)
    }
    before = dict(s.store.orders)
    stock = inventory.movements()
    try:
        command(**keywords)
    except OrderflowError:
        assert s.store.orders == before, "a refused call changed the stored orders"
        assert inventory.movements() == stock, "a refused call moved stock"


M: Any = Money
MONEY_CALLS: dict[str, Callable[[Any, Any, Any], object]] = {
    "Money": lambda a, b, c: M(a, b),
    "Money.of": lambda a, b, c: M.of(a, b, c),
    "Money.yen": lambda a, b, c: M.yen(a),
    "Money.zero": lambda a, b, c: M.zero(a),
    "Money.total": lambda a, b, c: M.total(a, b),
    "Money.from_minor_units": lambda a, b, c: M.from_minor_units(a, b),
    "times_rate": lambda a, b, c: Money.yen(
        a if type(a) is int and abs(a) < 10**9 else 1080
    ).times_rate(b, c),
    "allocate": lambda a, b, c: Money.yen(1000).allocate(a, b),
    "add": lambda a, b, c: Money.yen(1080) + a,
    "sub": lambda a, b, c: Money.yen(1080) - a,
    "mul": lambda a, b, c: Money.yen(1080) * a,
    "lt": lambda a, b, c: Money.yen(1080) < a,
    "compute_tax": lambda a, b, c: compute_tax(a, b, c),
    "TaxRule": lambda a, b, c: TaxRule(a, b, c),
    "tax_on": lambda a, b, c: TaxRule().tax_on(a, b),
}

money_garbage: st.SearchStrategy[object] = st.one_of(
    more_garbage,
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "JPY",
            "USD",
            ["JPY"],
            Rounding.DOWN,
            "DOWN",
            TaxRate.STANDARD,
            TaxRule(),
            {TaxRate.STANDARD: Money.yen(1100)},
            [Money.yen(1), Money.of(1, "USD")],
            [Decimal("NaN"), 1],
            [0.1, 0.2],
            [Decimal(1), 2],
            Money.yen(10**28 - 1),
        ]
    ),
)


@pytest.mark.parametrize("name", sorted(MONEY_CALLS))
@garbage_settings(60)
@given(a=money_garbage, b=money_garbage, c=money_garbage)
def test_garbage_given_to_money_and_tax_is_refused_with_invalid_value(
    name: str, a: object, b: object, c: object
) -> None:
    try:
        result = MONEY_CALLS[name](a, b, c)
    except InvalidValue:
        return
    if isinstance(result, Money):  # what comes back is a Money the constructor would take
        assert result.amount.is_finite()
        assert result.amount or not result.amount.is_signed(), "-0"
        assert Money(result.amount, result.currency) == result


# The garbage of the sweeps and the Money API found escaping as another exception.
FOUND_IN_SWEEPS: list[Any] = [
    pytest.param(lambda s: s.desk.carrier_events(None), id="carrier_events-None"),
    pytest.param(
        lambda s: s.desk.import_transfer_notice(b"", calendar=["reiwa"]), id="calendar-list"
    ),
    pytest.param(lambda s: s.desk.accepts([]), id="accepts-list"),
    pytest.param(
        lambda s: s.desk.reauthorize_expiring(datetime(9999, 12, 31, tzinfo=UTC)),
        id="reauthorize-9999",
    ),
    pytest.param(
        lambda s: s.desk.queue_counts(not_shipped_after=timedelta(days=999_999_999)),
        id="queue_counts-huge",
    ),
    pytest.param(
        lambda s: s.desk.receive("TOKYO", "TEA-1", 2**63, receipt_id="RC-1"), id="receive-2**63"
    ),
    pytest.param(lambda s: M.yen(100).times_rate(Decimal("NaN"), Rounding.DOWN), id="rate-NaN"),
    pytest.param(lambda s: M.yen(1000).allocate(["x", 1]), id="allocate-str"),
    pytest.param(lambda s: M.of("1.5", "JPY", "DOWN"), id="rounding-str"),
    pytest.param(lambda s: M.total([None], "JPY"), id="total-None"),
    pytest.param(lambda s: M(Decimal(1), ["JPY"]), id="currency-list"),
]


@pytest.mark.parametrize("call", FOUND_IN_SWEEPS)
def test_garbage_found_in_sweeps_and_money_is_refused_with_invalid_value(
    call: Callable[[FakeShop], object],
) -> None:
    s, inventory = _with_sqlite_stock(new_shop())
    before = dict(s.store.orders)
    stock = inventory.movements()
    with pytest.raises(InvalidValue):
        call(s)
    assert s.store.orders == before
    assert inventory.movements() == stock
