"""分納 with 代引き per parcel: each parcel's 納品書 states what its driver collects."""

from __future__ import annotations

from datetime import date

import pytest

from orderflow import (
    Address,
    CodSplit,
    Customer,
    Money,
    OrderLine,
    PaymentMethod,
    PriceMode,
    ShopSettings,
    TaxRate,
    TaxRule,
)
from orderflow.papers import Issuer, delivery_note
from orderflow.testing import fake_shop

ISSUER = Issuer("お茶の山田", "T7000012050002", "東京都渋谷区神宮前1-2-3")


@pytest.mark.parametrize("mode", list(PriceMode))
def test_each_cod_parcels_note_totals_what_its_driver_collects(mode: PriceMode) -> None:
    settings = ShopSettings(tax=TaxRule(mode), cod_split=CodSplit.PER_SHIPMENT)
    s = fake_shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 10}, settings=settings)
    s.desk.place(
        number="1001",
        customer=Customer("C1", "見本 花子", "hanako@example.jp"),
        ship_to=Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "見本 花子", "03-1234-5678"),
        lines=[
            OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED),
            OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
        ],
        payment_method=PaymentMethod.COD,
        discount=Money.yen(600),
    )
    s.desk.accept("1001")
    s.desk.ship_available("1001")  # the mug and one tea now (the COD fee with them)
    s.desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")  # the other tea: a second parcel
    order = s.desk.get("1001")
    assert [sh.shipment_id for sh in order.shipments] == ["1001-S1", "1001-S2"]
    day = date(2026, 11, 22)
    notes = [
        delivery_note(order, sh.shipment_id, ISSUER, settings.tax, day) for sh in order.shipments
    ]
    collected = [sh.cod_amount for sh in order.shipments]
    assert sum(c.amount for c in collected if c) == order.totals(settings.tax).total.amount
    if mode is PriceMode.INCLUSIVE:  # 内税: the note's total is its bases, to the yen
        assert [n.total for n in notes] == collected
    else:  # 外税: each note rounds its own tax once per rate: a yen or so per rate
        for note, asked in zip(notes, collected, strict=True):
            assert asked is not None and abs((note.total - asked).amount) <= 2
