"""A change's refusals name the change's own field (``change.…``), as the docs promise."""

from __future__ import annotations

import pytest

from orderflow import Money, OrderChange, OrderLine, PaymentMethod, ShopSettings
from orderflow.errors import InvalidValue
from tests.builders import place, shop

GIFT = OrderLine("G1", "GIFT-1", "ギフト", Money.yen(5400), 1)
SETS = {"GIFT-1": (("TEA-1", 2), ("MUG-1", 1))}


@pytest.mark.parametrize("method", [PaymentMethod.CARD, PaymentMethod.AMAZON_PAY])
def test_a_switch_to_a_card_without_a_token_names_change_token(method: PaymentMethod) -> None:
    # the error named ``token``, the argument of place, not the change's field
    s = shop()
    place(s, "1001", payment_method=PaymentMethod.POSTPAY, token=None)
    with pytest.raises(InvalidValue) as caught:
        s.desk.change("1001", OrderChange(payment_method=method))
    assert caught.value.field == "change.token"
    assert s.desk.get("1001").payment.method is PaymentMethod.POSTPAY


def test_too_many_sets_by_a_change_of_quantity_names_the_quantity() -> None:
    # a set line's units of a component past MAX_UNITS: the error named a bare ``quantity``
    s = shop(settings=ShopSettings(auto_advance=False, sets=SETS))
    place(s, "1001", [GIFT])
    with pytest.raises(InvalidValue) as caught:
        s.desk.change("1001", OrderChange(quantities={"G1": 10**9}))
    assert caught.value.field == "change.quantities['G1']"
    assert s.desk.get("1001").lines[0].quantity == 1


def test_too_many_sets_in_an_added_line_names_the_added_line() -> None:
    # the error named ``lines[G2].quantity``, a place() argument the change does not have
    s = shop(settings=ShopSettings(auto_advance=False, sets=SETS))
    place(s, "1001", [GIFT])
    many = OrderLine("G2", "GIFT-1", "ギフト", Money.yen(5400), 10**9)
    with pytest.raises(InvalidValue) as caught:
        s.desk.change("1001", OrderChange(add_lines=(many,)))
    assert caught.value.field == "change.add_lines[0].quantity"
    assert [line.line_id for line in s.desk.get("1001").lines] == ["G1"]
