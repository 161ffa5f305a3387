"""Any step retried after an injected fault leaves the same state as one clean call."""

from collections.abc import Callable

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import Order
from orderflow.errors import OutcomeUnknown
from orderflow.testing import FakeShop, Fault
from tests.builders import TRACKING, place, shop

Step = Callable[[FakeShop], object]

FLOW: list[tuple[str, Step]] = [
    ("place", lambda s: place(s)),
    ("accept", lambda s: s.desk.accept("1001")),
    ("allocate", lambda s: s.desk.allocate("1001")),
    ("instruct", lambda s: s.desk.instruct_shipping("1001")),
    ("ship", lambda s: s.desk.ship("1001", "1001-S1", TRACKING)),
    ("deliver", lambda s: s.desk.deliver("1001", "1001-S1")),
    ("book", lambda s: s.desk.book("1001")),
]

CANCEL_FLOW: list[tuple[str, Step]] = [
    *FLOW[:3],
    ("cancel", lambda s: s.desk.cancel("1001", reason="test")),
]

# (fake, method) that each command calls: where a fault can be injected.
CALLS = [
    ("gateway", "authorize"),
    ("inventory", "reserve"),
    ("warehouse", "instruct"),
    ("inventory", "commit"),
    ("gateway", "capture"),
    ("accounting", "post"),
    ("inventory", "release"),
    ("gateway", "void"),
]
# Notices are not in this list on purpose: a failed notice never stops an order, it is recorded
# on the order instead (see test_a_failed_notice_is_recorded_and_does_not_stop_the_order).


def fake(s: FakeShop, name: str) -> object:
    return s.warehouses["TOKYO"] if name == "warehouse" else getattr(s, name)


def run(flow: list[tuple[str, Step]], fault: tuple[str, str, Fault, int] | None) -> FakeShop:
    s = shop()
    if fault is not None:
        name, method, kind, times = fault
        fake(s, name).fail_next(method, kind, times)  # type: ignore[attr-defined]
    for _label, step in flow:
        try:
            step(s)
        except OutcomeUnknown:
            for _attempt in range(5):  # as the docs say: resume, the same keys are reused
                try:
                    s.desk.resume("1001")
                    break
                except OutcomeUnknown:
                    continue
    return s


def observable(s: FakeShop) -> tuple[object, ...]:
    order: Order = s.store.get("1001")
    # The version counts saves (a retry may save once more), and the history keeps a
    # `payment_*_unknown` event where a money call timed out; everything else must be identical.
    history = tuple(e for e in order.history if not e.name.endswith("_unknown"))
    return (
        attrs.evolve(order, version=0, history=history),
        dict(s.inventory.on_hand),
        {k: v for k, v in s.inventory.reserved.items() if v},
        s.gateway.live_authorizations(),
        [e for _, e in s.accounting.entries],
        [(n.kind, n.order_number) for n in s.notifier.sent],
        sorted(s.warehouses["TOKYO"].instructed),
    )


def work_done_once(s: FakeShop) -> None:
    for f in (s.gateway, s.inventory, s.accounting, s.notifier, s.warehouses["TOKYO"]):
        keys = [key for _, key in f.work_done]
        assert len(keys) == len(set(keys)), f"{type(f).__name__} did a request twice: {keys}"


@pytest.mark.parametrize("flow", [FLOW, CANCEL_FLOW], ids=["to_booked", "to_cancelled"])
@settings(max_examples=60, deadline=None)
@given(
    call=st.sampled_from(CALLS),
    kind=st.sampled_from([Fault.TIMEOUT_BEFORE, Fault.TIMEOUT_AFTER, Fault.DUPLICATE]),
    times=st.integers(1, 3),
)
def test_a_retried_step_matches_one_clean_call(
    flow: list[tuple[str, Step]], call: tuple[str, str], kind: Fault, times: int
) -> None:
    clean = run(flow, None)
    faulty = run(flow, (call[0], call[1], kind, times))
    assert observable(faulty) == observable(clean)
    work_done_once(faulty)


@pytest.mark.parametrize("method", ["authorize", "capture", "void"])
def test_a_timeout_after_the_work_never_moves_money_twice(method: str) -> None:
    flow = CANCEL_FLOW if method == "void" else FLOW
    s = run(flow, ("gateway", method, Fault.TIMEOUT_AFTER, 1))
    assert [m for m, _ in s.gateway.work_done].count(method) == 1
    assert len(s.gateway.calls_to(method)) == 2  # the timed-out call and its retry
    keys = {c.key for c in s.gateway.calls_to(method)}
    assert len(keys) == 1, "the retry must reuse the recorded key"


def test_the_key_is_recorded_before_the_call() -> None:
    s = shop()
    s.gateway.fail_next("authorize", Fault.TIMEOUT_BEFORE)
    with pytest.raises(OutcomeUnknown) as caught:
        place(s)
    stored = s.store.get("1001")
    pending = stored.outbox[0]
    assert pending.kind == "authorize" and pending.key == caught.value.key
    assert pending.key.startswith("1001:")  # the order number and a per-order sequence
    place(s)  # the same order placed again finishes it with the same key
    assert s.store.get("1001").outbox == ()
    assert {c.key for c in s.gateway.calls_to("authorize")} == {pending.key}


def test_a_failed_notice_is_recorded_and_does_not_stop_the_order() -> None:
    s = shop()
    s.notifier.fail_next("send", Fault.DECLINE)
    order = place(s)
    assert order.history[-1].name == "notice_failed"
    assert order.payment.authorized.amount > 0
