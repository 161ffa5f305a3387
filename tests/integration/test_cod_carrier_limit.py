"""代引き above what the carrier collects is refused at 出荷指示, before anything is sent.

Yamato's 宅急便コレクト collects at most ¥300,000 a parcel; the B2クラウド file refused such a
label, but only at export, once the warehouse had the instruction and the order sat in
出荷指示済. ``DEFAULT_COD_FEES`` takes an order up to ¥300,000 *before* its fee, so a ¥299,880
order collects ¥300,980. Sagawa's e-コレクト and Japan Post's 代金引換 have no such limit.
"""

from __future__ import annotations

import pytest

from orderflow import Address, Customer, Money, OrderLine, OrderStatus, PaymentMethod
from orderflow.errors import MoveBlocked
from orderflow.testing import FakeShop, fake_shop

HOME = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")
STOCK = {("TOKYO", "SAFE-1"): 10}


def _cod(shop: FakeShop, number: str, price: int, customer: str = "C1") -> None:
    shop.desk.place(
        number=number,
        customer=Customer(customer, "山田 太郎", "taro@example.jp"),
        ship_to=HOME,
        lines=[OrderLine("L1", "SAFE-1", "金庫", Money.yen(price), 1)],
        payment_method=PaymentMethod.COD,
        shipping_fee=Money.yen(880),
    )
    shop.desk.accept(number)
    if shop.desk.get(number).status is not OrderStatus.ALLOCATED:
        shop.desk.allocate(number)


def test_a_yamato_parcel_collecting_more_than_300000_yen_is_refused_before_it_is_sent() -> None:
    shop = fake_shop(STOCK)
    _cod(shop, "1001", 299_000)  # ¥299,880 + the ¥1,100 fee: ¥300,980 to collect
    with pytest.raises(MoveBlocked) as refused:
        shop.desk.instruct_shipping("1001", carrier="yamato")
    assert "300,980" in str(refused.value) and "300,000" in str(refused.value)
    assert shop.desk.get("1001").status is OrderStatus.ALLOCATED
    assert shop.desk.get("1001").shipments == ()
    assert not shop.warehouses["TOKYO"].instructed
    order = shop.desk.instruct_shipping("1001", carrier="sagawa")  # e-コレクト takes it
    assert order.shipments[0].cod_amount == Money.yen(300_980)


def test_up_to_the_limit_a_yamato_parcel_goes() -> None:
    shop = fake_shop(STOCK)
    _cod(shop, "1001", 298_020)  # ¥298,900 + ¥1,100: exactly ¥300,000
    order = shop.desk.instruct_shipping("1001", carrier="yamato")
    assert order.shipments[0].cod_amount == Money.yen(300_000)


def test_a_box_of_two_orders_collecting_more_together_is_refused_and_neither_is_sent() -> None:
    shop = fake_shop(STOCK)
    _cod(shop, "1001", 150_000)
    _cod(shop, "1002", 150_000, "C1-guest")
    shop.desk.bundle(["1001", "1002"])
    with pytest.raises(MoveBlocked) as refused:
        shop.desk.instruct_shipping("1001", carrier="yamato")
    assert "300,000" in str(refused.value)
    assert [shop.desk.get(n).status for n in ("1001", "1002")] == [OrderStatus.ALLOCATED] * 2
    assert not shop.warehouses["TOKYO"].instructed
