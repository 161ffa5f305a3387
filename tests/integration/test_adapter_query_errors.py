"""An adapter's read that fails with its own exception reaches the caller as orderflow's.

``docs/errors.md``: every error orderflow raises is an ``OrderflowError``. The effects' calls
turn a foreign exception into ``EffectInterrupted``; the reads the desk makes outside an effect
(the inventory's ``knows`` and ``available``, the carrier's number checks, the inventory's
``receive`` for ``desk.receive``) let a ``ConnectionError`` of the adapter through.
"""

from __future__ import annotations

from typing import Any, cast

import pytest

from orderflow import Address, Customer, Money, OrderLine
from orderflow.errors import OrderNotFound, ProviderError, ProviderTimeout
from orderflow.testing import fake_shop

CUSTOMER = Customer("C1", "山田 太郎", "taro@example.jp")
SHIP_TO = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")
MUG = OrderLine("L1", "MUG-1", "湯呑", Money.yen(3300), 1)


def broken(*args: Any, **kwargs: Any) -> Any:
    raise ConnectionError("inventory database unreachable")


def place(shop: Any) -> None:
    shop.desk.place(number="1001", customer=CUSTOMER, ship_to=SHIP_TO, lines=[MUG], token="t")


def test_knows_failing_at_order_is_a_provider_error_and_nothing_is_stored() -> None:
    shop = fake_shop({("TOKYO", "MUG-1"): 3})
    shop.inventory.knows = broken  # type: ignore[method-assign]
    with pytest.raises(ProviderError, match=r"inventory.*knows.*ConnectionError") as raised:
        place(shop)
    assert isinstance(raised.value.__cause__, ConnectionError)
    with pytest.raises(OrderNotFound):
        shop.desk.get("1001")


def test_available_failing_at_accept_is_a_provider_error() -> None:
    shop = fake_shop({("TOKYO", "MUG-1"): 3})
    place(shop)
    shop.inventory.available = broken  # type: ignore[method-assign]
    with pytest.raises(ProviderError, match=r"inventory.*available.*ConnectionError"):
        shop.desk.accept("1001")


def test_a_time_out_of_a_read_stays_a_time_out() -> None:
    shop = fake_shop({("TOKYO", "MUG-1"): 3})

    def slow(sku: str) -> bool:
        raise ProviderTimeout("inventory: no answer")

    shop.inventory.knows = slow  # type: ignore[method-assign]
    with pytest.raises(ProviderTimeout, match="no answer"):
        place(shop)


def test_receive_failing_in_desk_receive_is_a_provider_error() -> None:
    shop = fake_shop({("TOKYO", "MUG-1"): 3})
    shop.inventory.receive = broken  # type: ignore[method-assign]
    with pytest.raises(ProviderError, match=r"inventory.*receive.*ConnectionError"):
        shop.desk.receive("TOKYO", "MUG-1", 2, receipt_id="R-1")


def test_a_carrier_check_failing_at_ship_is_a_provider_error() -> None:
    shop = fake_shop({("TOKYO", "MUG-1"): 3})
    place(shop)
    shop.desk.accept("1001")
    shop.desk.instruct_shipping("1001")

    class FailingCarrier:
        code = "yamato"
        has_tracking = True

        def validate_tracking_number(self, number: str) -> bool:
            raise ValueError("bad regex in the adapter")

        def tracking_url(self, number: str) -> str:
            return f"https://example.jp/{number}"

    carriers = cast(dict[str, Any], shop.desk.executor.ports.carriers)
    carriers["yamato"] = FailingCarrier()
    with pytest.raises(ProviderError, match=r"carrier.*ValueError"):
        shop.desk.ship("1001", "1001-S1", tracking_number="1234-5678-9013")
