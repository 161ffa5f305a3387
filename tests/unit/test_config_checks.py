"""A shop's configuration of the wrong type is refused when it is built, naming the field.

Never later, when an order first needs it (an ``AttributeError`` deep in a command), and never
silently read as something else (``auto_advance="no"`` is not True).
"""

from __future__ import annotations

import pytest

from orderflow import ShopSettings
from orderflow.errors import InvalidValue


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("carrier", None),
        ("carrier", ""),
        ("tax", "inclusive"),
        ("accounts", {}),
        ("recognition", "shipment"),
        ("cod_fees", {}),
        ("postpay_declined", "ask_another_method"),
        ("shipping_fees", 880),
        ("cancel_policy", "staff"),
        ("change_policy", None),
        ("auto_advance", "no"),
        ("auto_advance", None),
    ],
)
def test_a_setting_of_the_wrong_type_is_refused_naming_it(field: str, value: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        ShopSettings(**{field: value})  # type: ignore[arg-type]
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: expected ")
