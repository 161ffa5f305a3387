"""desk.bundle names the entry of ``numbers`` that is not an order number, and changes nothing."""

from __future__ import annotations

import pytest

from orderflow.errors import InvalidValue
from orderflow.testing import fake_shop
from tests.integration.test_bundles import STOCK, _two_accepted


@pytest.mark.parametrize("bad", [1002, None, "", "10 02"])
def test_an_entry_that_is_not_an_order_number_is_named_by_its_place(bad: object) -> None:
    shop = fake_shop(STOCK)
    desk = shop.desk
    _two_accepted(desk)
    with pytest.raises(InvalidValue) as refused:
        desk.bundle(["1001", bad])  # type: ignore[list-item]
    assert refused.value.field == "numbers[1]"
    assert desk.get("1001").bundle == ()
