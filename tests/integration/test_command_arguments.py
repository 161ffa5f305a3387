"""The desk checks a command's every argument before anything is saved or sent.

交換, キャンセル, 注文変更 and 入荷: a refused call leaves the stored orders, the stock, the
providers' recorded calls and the notices as they were; an empty collection is never taken for
"not given".
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest

from orderflow import (
    Customer,
    Money,
    Order,
    OrderChange,
    OrderDesk,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ReturnReason,
    ShopSettings,
)
from orderflow.adapters.carriers import Yamato
from orderflow.errors import (
    InvalidValue,
    OrderflowError,
    PaymentDeclined,
    ProviderTimeout,
    ReturnRefused,
    StoreError,
    UnknownSku,
)
from orderflow.testing import FakeShop, fake_shop
from orderflow.testing.fakes import Fault
from tests.builders import STOCK, delivered, place, shop

NEW = OrderLine("N1", "MUG-1", "湯呑(青)", Money.yen(2200), 1)


def world(s: FakeShop) -> tuple[object, ...]:
    """Everything a command could change: orders, stock, every provider's calls, notices."""
    fakes = (
        s.gateway,
        s.amazon_pay,
        s.fraud,
        s.postpay,
        s.bank,
        s.konbini,
        s.points,
        s.inventory,
        s.accounting,
        s.notifier,
        *s.warehouses.values(),
    )
    return (
        dict(s.store.orders),
        dict(s.inventory.on_hand),
        dict(s.inventory.reserved),
        [len(fake.calls) for fake in fakes],
        list(s.notifier.sent),
    )


def refused(
    s: FakeShop, call: Callable[[], object], error: type[OrderflowError], field: str | None
) -> None:
    """``call`` raises ``error`` (naming ``field``) and changes nothing at all."""
    before = world(s)
    with pytest.raises(error) as caught:
        call()
    assert world(s) == before, "a refused call changed something"
    if field is not None:
        assert isinstance(caught.value, InvalidValue)
        assert caught.value.field == field


def exchange(s: FakeShop, **overrides: Any) -> tuple[Order, Order]:
    args: dict[str, Any] = {
        "lines": {"L2": 1},
        "new_lines": [NEW],
        "reason": ReturnReason.WRONG_ITEM,
        "request_id": "EX-1",
        "token": "tok_ok",
    }
    args.update(overrides)
    return s.desk.exchange("1001", args.pop("lines"), args.pop("new_lines"), **args)


# -- 交換 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        pytest.param({"new_lines": [None]}, InvalidValue, "new_lines[0]", id="new-line-None"),
        pytest.param({"new_lines": []}, InvalidValue, "new_lines", id="no-new-lines"),
        pytest.param({"token": None}, InvalidValue, "token", id="no-token-for-the-card"),
        pytest.param({"token": None, "tokn": "tok_ok"}, InvalidValue, "tokn", id="misspelt"),
        pytest.param({"channel": "web"}, InvalidValue, "channel", id="the-exchanges-own"),
        pytest.param({"customer": None}, InvalidValue, "customer", id="customer-keyword"),
        pytest.param(
            {"payment_method": "card"}, InvalidValue, "payment_method", id="method-as-text"
        ),
        pytest.param({"shipping_fee": 880.0}, InvalidValue, "shipping_fee", id="float-fee"),
        pytest.param(
            {"new_lines": [OrderLine("N1", "NO-SUCH", "?", Money.yen(100), 1)]},
            UnknownSku,
            "new_lines[0].sku",
            id="unknown-sku",
        ),
        pytest.param(
            {"new_lines": [OrderLine("N1", "TEA-1", "緑茶", Money.yen(1080), 1)] * 2},
            InvalidValue,
            "new_lines[1].line_id",
            id="a-new-line-id-twice",
        ),
        pytest.param({"lines": {"L2": 5}}, InvalidValue, "lines[L2]", id="too-many-back"),
        pytest.param({"lines": {}}, InvalidValue, "lines", id="nothing-back"),
        pytest.param({"reason": "defective"}, InvalidValue, "reason", id="reason-as-text"),
        pytest.param({"requester": 0}, InvalidValue, "requester", id="requester-zero"),
    ],
)
def test_a_bad_exchange_saves_no_return_places_no_order_and_sends_nothing(
    overrides: dict[str, Any], error: type[OrderflowError], field: str
) -> None:
    s = shop()
    delivered(s)
    refused(s, lambda: exchange(s, **overrides), error, field)
    # asked again and again under new request ids: still nothing
    for again in ("EX-2", "EX-3"):
        refused(s, partial(exchange, s, request_id=again, **overrides), error, field)
    assert s.desk.get("1001").returns == ()


def test_an_exchange_the_return_policy_refuses_places_no_order() -> None:
    s = fake_shop(
        dict(STOCK),
        settings=ShopSettings(auto_advance=False),
    )
    delivered(s)
    s.clock.advance(timedelta(days=40))  # past every return window
    refused(s, lambda: exchange(s), ReturnRefused, None)


def test_an_exchange_whose_new_card_is_declined_requests_no_return_and_can_be_asked_again() -> None:
    s = fake_shop(
        dict(STOCK),
        settings=ShopSettings(auto_advance=False),
        decline_tokens=frozenset({"tok_declined"}),
    )
    delivered(s)
    before = s.desk.get("1001")
    sent = len(s.notifier.sent)
    with pytest.raises(PaymentDeclined):
        exchange(s, token="tok_declined")
    assert s.desk.get("1001") == before  # no return, the request id not used up
    assert [n.kind for n in s.notifier.sent[sent:]] == ["payment_failed"]  # no return notice
    assert s.desk.get("1001-X1").status is OrderStatus.CANCELLED  # the number stays free
    with pytest.raises(PaymentDeclined):  # a new request id after a refusal: still no return
        exchange(s, token="tok_declined", request_id="EX-2")
    assert s.desk.get("1001") == before
    old, new = exchange(s, token="tok_ok")  # another card, the same request id
    assert [(r.return_id, r.exchange) for r in old.returns] == [("R1", "1001-X1")]
    assert (new.number, new.exchange_for, new.status) == ("1001-X1", "1001", OrderStatus.ORDERED)
    kinds = [n.kind for n in s.notifier.sent[sent:]]
    assert kinds[-2:] == ["order_confirmation", "return_accepted"]


def test_an_exchange_whose_new_order_timed_out_is_finished_by_asking_again() -> None:
    s = shop()
    delivered(s)
    before = s.desk.get("1001")
    s.gateway.fail_next("authorize", Fault.TIMEOUT_AFTER)
    with pytest.raises(ProviderTimeout):
        exchange(s)
    assert s.desk.get("1001") == before  # the return waits for the new order's payment
    _, new = exchange(s)
    again_old, again_new = exchange(s)
    assert [(r.return_id, r.exchange) for r in again_old.returns] == [("R1", "1001-X1")]
    assert again_new.number == new.number == "1001-X1" and new.exchange_for == "1001"
    assert len(s.gateway.work_done) == len(set(s.gateway.work_done))
    authorized = [c for c in s.gateway.calls_to("authorize") if c.request[0] == "1001-X1"]
    assert {c.key for c in authorized} == {authorized[0].key}  # one authorization, one key
    assert [n.kind for n in s.notifier.sent].count("return_accepted") == 1


def test_exchange_returns_the_old_order_with_its_return_and_the_new_order() -> None:
    s = shop()
    delivered(s)
    old, new = exchange(  # every payment keyword of place the exchange passes on
        s,
        payment_method=PaymentMethod.BANK_TRANSFER,
        token=None,
        shipping_fee=Money.yen(0),
        discount=Money.yen(100),
        points_used=0,
        remarks="交換品",
        address_from_amazon=False,
    )
    assert old == s.desk.get("1001") and new == s.desk.get("1001-X1")
    assert new.payment.method is PaymentMethod.BANK_TRANSFER
    assert (new.discount, new.remarks) == (Money.yen(100), "交換品")


def exchange_dying_before_its_return(s: FakeShop, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exchange EX-1 whose process dies after the new order is placed, before the return."""
    command = s.desk._command

    def dying(number: str, decide: Any, **kwargs: Any) -> Order:
        if number == "1001" and kwargs.get("request_id") == "EX-1":
            raise StoreError("the database went away")
        return command(number, decide, **kwargs)

    monkeypatch.setattr(s.desk, "_command", dying)
    with pytest.raises(StoreError):
        exchange(s)
    monkeypatch.undo()


def exchange_losing_its_unit(s: FakeShop, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exchange EX-1 while another request returns the same unit, after the new order is placed."""
    save_placed = s.desk._save_placed

    def racing(number: str, stored: Order | None, decided: Order | None) -> Order:
        placed = save_placed(number, stored, decided)
        s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE, request_id="RET-9")
        return placed

    monkeypatch.setattr(s.desk, "_save_placed", racing)
    with pytest.raises(InvalidValue):
        exchange(s)


def test_an_exchange_asked_again_after_a_crash_finishes_its_own_new_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process dies after the new order is placed, before the return is saved; another
    return is filed meanwhile: the repeat finds its new order, it places no second one."""
    s = shop()
    delivered(s)
    exchange_dying_before_its_return(s, monkeypatch)
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.DEFECTIVE, request_id="RET-1")
    old, new = exchange(s)
    assert new.number == "1001-X1" and new.exchange_for == "1001"
    assert [(r.request, r.exchange) for r in old.returns] == [("RET-1", ""), ("EX-1", "1001-X1")]
    assert s.desk.executor.find("1001-X2") is None
    assert [m for m, _ in s.gateway.work_done].count("authorize") == 2  # the old order's, X1's


def test_an_exchange_whose_return_became_impossible_meanwhile_withdraws_its_new_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another request returns the same unit between the exchange's checks and its return."""
    s = shop()
    delivered(s)
    exchange_losing_its_unit(s, monkeypatch)
    withdrawn = s.desk.get("1001-X1")
    assert withdrawn.status is OrderStatus.CANCELLED
    assert withdrawn.payment.authorized == withdrawn.payment.voided  # the card given back
    assert [r.exchange for r in s.desk.get("1001").returns] == [""]


def test_an_exchange_withdrawn_and_asked_again_places_a_fresh_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The withdrawn new order is never taken up again: the repeat places another one."""
    s = shop()
    delivered(s)
    exchange_losing_its_unit(s, monkeypatch)
    monkeypatch.undo()
    s.desk.refuse_return("1001", "R1", reason="not what was sent")  # the unit is free again
    _, new = exchange(s)
    assert new.number == "1001-X2" and new.status is not OrderStatus.CANCELLED
    assert s.desk.get("1001-X1").status is OrderStatus.CANCELLED


def test_a_repeat_after_a_crash_whose_return_became_impossible_withdraws_the_new_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = shop()
    delivered(s)
    exchange_dying_before_its_return(s, monkeypatch)
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE, request_id="RET-1")
    with pytest.raises(InvalidValue):
        exchange(s)  # the unit is gone: the new order placed before the crash is withdrawn
    withdrawn = s.desk.get("1001-X1")
    assert withdrawn.status is OrderStatus.CANCELLED
    assert withdrawn.payment.authorized == withdrawn.payment.voided


def _at_once(
    s: FakeShop, monkeypatch: pytest.MonkeyPatch, *calls: Callable[[], object]
) -> list[object]:
    """Run ``calls`` in threads that all find ``1001-X1`` free before any places it."""
    all_looked = threading.Barrier(len(calls))
    find = s.desk.executor.find

    def find_then_wait(number: str) -> Order | None:
        found = find(number)
        if number == "1001-X1" and found is None:
            with contextlib.suppress(threading.BrokenBarrierError):
                all_looked.wait(timeout=5)
        return found

    monkeypatch.setattr(s.desk.executor, "find", find_then_wait)
    answers: list[object] = []

    def run(call: Callable[[], object]) -> None:
        try:
            answers.append(call())
        except Exception as error:
            answers.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_the_same_exchange_asked_twice_at_once_places_one_new_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = shop()
    delivered(s)
    answers = _at_once(s, monkeypatch, lambda: exchange(s), lambda: exchange(s))
    assert all(isinstance(a, tuple) for a in answers) and len(answers) == 2, answers
    assert s.desk.executor.find("1001-X2") is None
    assert [r.exchange for r in s.desk.get("1001").returns] == ["1001-X1"]


# -- キャンセル ------------------------------------------------------------------------------


def test_a_cancel_of_an_empty_lines_mapping_is_refused_and_cancels_nothing() -> None:
    s = shop()
    place(s)
    refused(s, lambda: s.desk.cancel("1001", reason="none ticked", lines={}), InvalidValue, "lines")
    assert s.desk.get("1001").status is OrderStatus.ORDERED


@pytest.mark.parametrize("actor", [None, "", 5, "x" * 201])
def test_a_partial_cancel_checks_its_actor(actor: object) -> None:
    s = shop()
    place(s)
    refused(
        s,
        lambda: s.desk.cancel("1001", reason="x", lines={"L1": 1}, actor=actor),  # type: ignore[arg-type]
        InvalidValue,
        "actor",
    )


def test_a_partial_cancel_records_the_actor_given() -> None:
    s = shop()
    place(s)
    before = len(s.desk.get("1001").history)
    order = s.desk.cancel("1001", reason="x", lines={"L1": 1}, actor="sato")
    assert {e.actor for e in order.history[before:]} == {"sato"}


# -- 注文変更 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"delivery_date": "2026-12-01"}, "change.delivery_date"),
        ({"delivery_date": datetime(2026, 12, 1)}, "change.delivery_date"),
        ({"delivery_slot": 14}, "change.delivery_slot"),
        ({"payment_method": "bank_transfer"}, "change.payment_method"),
        ({"quantities": None}, "change.quantities"),
        ({"quantities": {"L1": "2"}}, "change.quantities['L1']"),
        ({"quantities": {1: 2}}, "change.quantities"),
        ({"remove_lines": 5}, "change.remove_lines"),
        ({"remove_lines": "L1"}, "change.remove_lines"),
        ({"remove_lines": [None]}, "change.remove_lines"),
        ({"add_lines": None}, "change.add_lines"),
        ({"add_lines": [None]}, "change.add_lines[0]"),
        ({"ship_to": "東京都"}, "change.ship_to"),
        ({"clear_delivery": "yes"}, "change.clear_delivery"),
        ({"token": 5}, "change.token"),
        ({"points_used": True}, "change.points_used"),
        ({"points_used": -1}, "change.points_used"),
    ],
)
def test_an_order_change_of_the_wrong_kind_is_an_invalid_value_naming_the_field(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        OrderChange(**fields)
    assert caught.value.field == field


def test_an_order_change_is_a_hashable_value() -> None:
    one, same = OrderChange(quantities={"L1": 1}), OrderChange(quantities={"L1": 1})
    assert hash(one) == hash(same) and one == same
    assert len({one, same, OrderChange(quantities={"L1": 2})}) == 2


@pytest.mark.parametrize("method", [[], "card", OrderChange(quantities={"L1": 1}), None])
def test_accepts_refuses_what_is_not_a_payment_method(method: object) -> None:
    s = shop()
    with pytest.raises(InvalidValue) as caught:
        s.desk.accepts(method)  # type: ignore[arg-type]
    assert caught.value.field == "method"
    assert s.desk.accepts(PaymentMethod.COD)


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_change_adding_an_unknown_sku_is_refused_as_place_refuses_it(dry_run: bool) -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    change = OrderChange(add_lines=[OrderLine("L4", "NO-SUCH", "?", Money.yen(100), 1)])
    refused(
        s,
        lambda: s.desk.change("1001", change, dry_run=dry_run),
        UnknownSku,
        "change.add_lines[0].sku",
    )
    assert s.desk.get("1001").status is OrderStatus.ALLOCATED


def test_a_change_to_a_method_the_desk_has_no_port_for_is_refused() -> None:
    s = shop()
    s.desk = OrderDesk(  # a shop without konbini payments
        store=s.store,
        gateway=s.gateway,
        inventory=s.inventory,
        warehouses=s.warehouses,
        carriers={"yamato": Yamato()},
        accounting=s.accounting,
        notifier=s.notifier,
        clock=s.clock,
        settings=s.desk.settings,
    )
    place(s)
    refused(
        s,
        lambda: s.desk.change("1001", OrderChange(payment_method=PaymentMethod.KONBINI)),
        InvalidValue,
        "change.payment_method",
    )


@pytest.mark.parametrize(
    ("keywords", "field"),
    [({"dry_run": "yes"}, "dry_run"), ({"request_id": ""}, "request_id")],
)
def test_a_change_checks_its_own_arguments(keywords: dict[str, Any], field: str) -> None:
    s = shop()
    place(s)
    change = OrderChange(quantities={"L1": 1})
    refused(s, lambda: s.desk.change("1001", change, **keywords), InvalidValue, field)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        pytest.param(
            lambda d: d.cancel("1001", reason="x", lines={"L1": 1, "L9": 1}),
            "lines['L9']",
            id="cancel-an-unknown-line",
        ),
        pytest.param(
            lambda d: d.split("1001", [{"L1": 2}, {"L2": 1, "L3": 1, "L9": 1}]),
            "parts[1]['L9']",
            id="split-an-unknown-line",
        ),
        pytest.param(
            lambda d: d.change("1001", OrderChange(quantities={"L1": 10**10})),
            "change.quantities['L1']",
            id="change-to-more-units-than-any-quantity",
        ),
        pytest.param(
            lambda d: d.change("1001", OrderChange(quantities={"L9": 1})),
            "change.quantities['L9']",
            id="change-an-unknown-line",
        ),
        pytest.param(
            lambda d: d.change("1001", OrderChange(quantities={"L1": 3}, remove_lines=("L1",))),
            "change.remove_lines",
            id="a-line-both-set-and-removed",
        ),
    ],
)
def test_a_line_a_command_names_badly_is_refused_naming_the_argument(
    call: Callable[[OrderDesk], object], field: str
) -> None:
    """An unknown line id, or units no quantity may hold, is named as the caller gave it."""
    s = shop()
    place(s)
    s.desk.accept("1001")
    refused(s, lambda: call(s.desk), InvalidValue, field)


# -- 入荷 ---------------------------------------------------------------------------------


def waiting() -> FakeShop:
    """Two orders waiting for TEA-1 (none on hand)."""
    s = shop({**STOCK, ("TOKYO", "TEA-1"): 0})
    for number, who in (("1001", "C1"), ("1002", "C2")):
        place(s, number, customer=Customer(who, "山田 太郎", f"{who}@example.jp"))
        s.desk.accept(number)
        s.desk.allocate(number)
        order = s.desk.get(number)
        assert order.status is OrderStatus.PARTIALLY_ALLOCATED and not order.open_holds
    return s


@pytest.mark.parametrize("actor", ["", None, 5, "x" * 201])
def test_a_receipt_with_a_bad_actor_books_no_stock(actor: object) -> None:
    s = waiting()
    refused(
        s,
        lambda: s.desk.receive("TOKYO", "TEA-1", 5, receipt_id="RC-1", actor=actor),  # type: ignore[arg-type]
        InvalidValue,
        "actor",
    )


@pytest.mark.parametrize(
    "priority",
    [len, lambda order: None, lambda order: 1 / 0],
    ids=["takes-no-order", "keys-do-not-compare", "raises"],
)
def test_a_receipt_with_a_priority_that_fails_books_no_stock(
    priority: Callable[[Order], object],
) -> None:
    s = waiting()
    refused(
        s,
        lambda: s.desk.receive("TOKYO", "TEA-1", 5, receipt_id="RC-1", priority=priority),
        InvalidValue,
        "priority",
    )
    s.inventory.put("TOKYO", "TEA-1", 5)
    refused(s, lambda: s.desk.fill_backorders(priority=priority), InvalidValue, "priority")


@pytest.mark.parametrize("actor", ["", None])
def test_the_backorder_sweep_with_a_bad_actor_allocates_nothing(actor: object) -> None:
    s = waiting()
    s.inventory.put("TOKYO", "TEA-1", 5)
    refused(s, lambda: s.desk.fill_backorders(actor=actor), InvalidValue, "actor")  # type: ignore[arg-type]
    assert s.desk.fill_backorders(actor="night-batch")  # a good actor: both get their tea


@pytest.mark.parametrize(
    ("keywords", "field"),
    [({"actor": ""}, "actor"), ({"reason": ""}, "reason"), ({"request_id": ""}, "request_id")],
)
def test_dropping_the_missing_units_checks_its_arguments(
    keywords: dict[str, Any], field: str
) -> None:
    s = waiting()
    refused(s, lambda: s.desk.drop_missing("1001", **keywords), InvalidValue, field)


def test_a_receipt_with_good_arguments_fills_the_waiting_orders_by_priority() -> None:
    s = waiting()
    served = s.desk.receive(
        "TOKYO", "TEA-1", 2, receipt_id="RC-1", priority=lambda o: -int(o.number), actor="wh-1"
    )
    assert [o.number for o in served] == ["1002"]  # the newest first, as the priority says
    assert s.inventory.on_hand[("TOKYO", "TEA-1")] == 2


def test_two_exchanges_asked_at_once_get_a_new_order_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two requests (other ids, the same new lines) both find <number>-X1 free."""
    s = shop()
    delivered(s)
    answers = _at_once(
        s,
        monkeypatch,
        lambda: exchange(s, request_id="EX-A", lines={"L2": 1}),
        lambda: exchange(s, request_id="EX-B", lines={"L3": 1}),
    )
    assert all(isinstance(a, tuple) for a in answers) and len(answers) == 2, answers
    returns = {r.request: r.exchange for r in s.desk.get("1001").returns}
    assert sorted(returns.values()) == ["1001-X1", "1001-X2"]
    for request_id, new_number in returns.items():
        assert s.desk.get(new_number).requests == (request_id,)  # each its own order
