"""Unknown outcomes: every money-moving call timed out (before or after its work), then resumed.

The decision and its effects were saved before the call; ``desk.resume`` performs the pending
effect again with the same key, the provider does the work once, and the ledger ends exactly as
after one clean call.
"""

from collections.abc import Callable
from datetime import timedelta

import pytest

from orderflow import Money, PaymentMethod
from orderflow.errors import OutcomeUnknown
from orderflow.testing import FakeShop, Fault
from tests.builders import finish, pay_in_full, place, shop

Step = Callable[[FakeShop], object]


def to_allocated(method: PaymentMethod) -> Step:
    def run(s: FakeShop) -> None:
        place(s, payment_method=method)
        pay_in_full(s)
        s.desk.accept("1001")
        s.desk.allocate("1001")

    return run


def to_shipped(method: PaymentMethod) -> Step:
    def run(s: FakeShop) -> None:
        to_allocated(method)(s)
        s.desk.instruct_shipping("1001")

    return run


def booked(method: PaymentMethod) -> Step:
    def run(s: FakeShop) -> None:
        to_allocated(method)(s)
        finish(s)

    return run


def nothing(s: FakeShop) -> None:
    return None


def expiring(s: FakeShop) -> None:
    to_allocated(PaymentMethod.CARD)(s)
    s.clock.advance(timedelta(days=29))


CARD, AMAZON, POSTPAY = PaymentMethod.CARD, PaymentMethod.AMAZON_PAY, PaymentMethod.POSTPAY
BANK, KONBINI = PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI

# (port, method, setup, the command whose call times out)
CASES: list[tuple[str, str, Step, Step]] = [
    ("gateway", "authorize", nothing, lambda s: place(s)),
    (
        "gateway",
        "capture",
        to_shipped(CARD),
        lambda s: s.desk.ship("1001", "1001-S1", "123456789013"),
    ),
    ("gateway", "void", to_allocated(CARD), lambda s: s.desk.cancel("1001", reason="x")),
    (
        "gateway",
        "refund",
        booked(CARD),
        lambda s: s.desk.refund("1001", Money.yen(100), reason="x"),
    ),
    ("gateway", "authorize", expiring, lambda s: s.desk.reauthorize_expiring()),
    ("gateway", "void", expiring, lambda s: s.desk.reauthorize_expiring()),
    ("amazon_pay", "authorize", nothing, lambda s: place(s, payment_method=AMAZON)),
    (
        "amazon_pay",
        "capture",
        to_shipped(AMAZON),
        lambda s: s.desk.ship("1001", "1001-S1", "123456789013"),
    ),
    ("amazon_pay", "void", to_allocated(AMAZON), lambda s: s.desk.cancel("1001", reason="x")),
    (
        "amazon_pay",
        "refund",
        booked(AMAZON),
        lambda s: s.desk.refund("1001", Money.yen(1), reason="x"),
    ),
    ("postpay", "register", nothing, lambda s: place(s, payment_method=POSTPAY)),
    (
        "postpay",
        "report_shipment",
        to_shipped(POSTPAY),
        lambda s: s.desk.ship("1001", "1001-S1", "123456789013"),
    ),
    ("postpay", "cancel", to_allocated(POSTPAY), lambda s: s.desk.cancel("1001", reason="x")),
    (
        "postpay",
        "cancel",
        booked(POSTPAY),
        lambda s: s.desk.refund("1001", Money.yen(100), reason="x"),
    ),
    (
        "postpay",
        "register",
        booked(POSTPAY),
        lambda s: s.desk.refund("1001", Money.yen(100), reason="x"),
    ),
    (
        "postpay",
        "report_shipment",
        booked(POSTPAY),
        lambda s: s.desk.refund("1001", Money.yen(100), reason="x"),
    ),
    ("bank", "issue_account", nothing, lambda s: place(s, payment_method=BANK)),
    ("bank", "release_account", to_allocated(BANK), lambda s: s.desk.cancel("1001", reason="x")),
    ("konbini", "issue", nothing, lambda s: place(s, payment_method=KONBINI)),
    (
        "konbini",
        "cancel",
        lambda s: place(s, payment_method=KONBINI),
        lambda s: s.desk.cancel("1001", reason="x"),
    ),
]


def ids(case: tuple[str, str, Step, Step]) -> str:
    return f"{case[0]}.{case[1]}"


def clean_run(setup: Step, command: Step) -> FakeShop:
    s = shop()
    setup(s)
    command(s)
    return s


@pytest.mark.parametrize("case", CASES, ids=[ids(c) for c in CASES])
@pytest.mark.parametrize("fault", [Fault.TIMEOUT_AFTER, Fault.TIMEOUT_BEFORE, Fault.DUPLICATE])
def test_a_retry_after_an_unknown_outcome_moves_money_once(
    case: tuple[str, str, Step, Step], fault: Fault
) -> None:
    port, method, setup, command = case
    s = shop()
    setup(s)
    fake = getattr(s, port)
    fake.fail_next(method, fault)
    if fault is Fault.DUPLICATE:
        command(s)
    else:
        try:
            command(s)
        except OutcomeUnknown as caught:
            key = caught.key
        else:  # a sweep goes on with the other orders and leaves this one pending
            pending = s.desk.get("1001").outbox
            assert pending, "the command must report the time-out or leave the effect pending"
            key = pending[0].key
        order = s.desk.get("1001")
        assert any(e.key == key for e in order.outbox), "the effect must stay pending"
        assert order.payment.entry(key) is None, "no outcome is recorded for an unanswered call"
        s.desk.resume("1001")
        calls = [c for c in fake.calls_to(method) if c.key == key]
        assert len(calls) == 2, "the retry reuses the recorded key"
    keys = [k for m, k in fake.work_done if m == method]
    assert len(keys) == len(set(keys)), "the provider did the work of one key twice"
    clean = clean_run(setup, command)
    got, want = s.desk.get("1001").payment, clean.desk.get("1001").payment
    assert [(e.op, e.amount, e.key, e.outcome) for e in got.ledger] == [
        (e.op, e.amount, e.key, e.outcome) for e in want.ledger
    ]
    assert s.desk.get("1001").outbox == ()
