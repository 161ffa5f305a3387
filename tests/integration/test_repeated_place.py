"""Placing under a used number: the same order again returns it; any other order is refused."""

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from orderflow import Address, Money, OrderLine, PaymentMethod, ShopSettings
from orderflow.errors import DuplicateOrder
from tests.builders import address, customer, lines, place, shop

# every input of ``place`` but the card token, changed one at a time
OTHER_INPUTS: dict[str, Callable[[], dict[str, Any]]] = {
    "customer": lambda: {"customer": attrs.evolve(customer(), email="hanako@example.jp")},
    "customer.id": lambda: {"customer": attrs.evolve(customer(), id="C2")},
    "ship_to": lambda: {"ship_to": attrs.evolve(address(), line1="9-9-9")},
    "lines": lambda: {"order_lines": lines()[:2]},
    "payment_method": lambda: {"payment_method": PaymentMethod.KONBINI, "token": None},
    "shipping_fee": lambda: {"shipping_fee": Money.yen(0)},
    "no shipping_fee": lambda: {"shipping_fee": None},
    "discount": lambda: {"discount": Money.yen(100)},
    "points_used": lambda: {"points_used": 100},
    "channel": lambda: {"channel": "phone"},
    "remarks": lambda: {"remarks": "ギフト包装"},
}


@pytest.mark.parametrize("changed", sorted(OTHER_INPUTS))
def test_another_order_under_a_used_number_is_a_duplicate(changed: str) -> None:
    s = shop()
    first = place(s)
    authorizations = len(s.gateway.authorizations)
    with pytest.raises(DuplicateOrder):
        place(s, **OTHER_INPUTS[changed]())
    assert s.desk.get("1001") == first  # the first order untouched
    assert len(s.gateway.authorizations) == authorizations  # and nothing asked of the gateway


def test_the_same_order_again_is_the_first_order_even_with_a_new_card_token() -> None:
    s = shop()
    first = place(s)
    authorizations = len(s.gateway.authorizations)
    assert place(s) == first
    assert place(s, token="tok_retokenized") == first  # the client tokenized the card again
    assert len(s.gateway.authorizations) == authorizations


def test_the_same_order_again_after_the_review_corrected_its_fee() -> None:
    s = shop(settings=ShopSettings())  # accepted, reviewed and allocated at once
    island = Address("952-0011", "新潟県", "佐渡市両津夷", "1-2-3", "山田 太郎", "0259-27-1234")
    accepted = s.desk.accept(place(s, ship_to=island).number)
    assert accepted.shipping_fee == Money.yen(880 + 1100)  # the 離島 surcharge
    assert place(s, ship_to=island) == s.desk.get("1001")  # the cart posted it again
    with pytest.raises(DuplicateOrder):  # the corrected fee is not what was placed
        place(s, ship_to=island, shipping_fee=Money.yen(1980))


def test_the_same_order_with_a_set_line_again_is_the_first_order() -> None:
    settings = ShopSettings(auto_advance=False, sets={"GIFT-1": (("TEA-1", 1), ("MUG-1", 1))})
    s = shop(settings=settings)
    gift = [OrderLine("L1", "GIFT-1", "ギフト", Money.yen(3300), 1)]
    first = place(s, order_lines=gift)
    assert first.lines[0].recipe  # the recipe was filled in at placing
    assert place(s, order_lines=gift) == first


def test_the_same_order_sent_several_times_at_once_is_placed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every request finds no order (a barrier holds them there), all save: one wins."""
    s = shop()
    senders = 6
    all_looked = threading.Barrier(senders)
    find = s.desk.executor.find

    def find_then_wait(number: str) -> Any:
        found = find(number)
        if found is None:
            with contextlib.suppress(threading.BrokenBarrierError):
                all_looked.wait(timeout=5)
        return found

    monkeypatch.setattr(s.desk.executor, "find", find_then_wait)
    answers: list[object] = []

    def send() -> None:
        try:
            answers.append(place(s, "1001"))
        except Exception as error:
            answers.append(error)

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == senders
    assert all(not isinstance(a, Exception) for a in answers), answers
    assert {a.number for a in answers} == {"1001"}  # type: ignore[attr-defined]
    assert [m for m, _ in s.gateway.work_done].count("authorize") == 1
    with pytest.raises(DuplicateOrder):  # another order under the number is still refused
        place(s, "1001", remarks="別の注文")
