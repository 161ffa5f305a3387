"""A goodwill refund (返金) once a parcel has left, while another is still in the warehouse.

``desk.refund`` refused every order in 出荷指示済, with ``MoveNotAllowed`` listing the moves
of the status, even one whose first parcel had reached the customer: an order over two
warehouses is 出荷指示済 until its last parcel leaves, and the customer of the damaged first
box was to wait for the second. Now a refund is taken once a parcel has left, with what was
paid as its limit (a card captured at the last parcel has paid nothing yet), and the money and
books laws hold as after shipping. An order whose units still wait for stock (分納) stays
refused, saying why: dropping those units (``drop_missing``) would change the tax rates a
refund takes its share of.
"""

import pytest

from orderflow import (
    JournalEntry,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    PartialPayment,
    PaymentMethod,
    ShipmentStatus,
    ShopSettings,
    Side,
    TaxRate,
)
from orderflow.errors import InvalidValue, MoveBlocked, MoveNotAllowed
from orderflow.testing import FakeShop
from tests.builders import TRACKING, pay_in_full, place, shop

TWO_WAREHOUSES = {("TOKYO", "TEA-1"): 10, ("TOKYO", "CAKE-1"): 5, ("OSAKA", "MUG-1"): 5}
TEA_ONLY = {("TOKYO", "TEA-1"): 10, ("TOKYO", "CAKE-1"): 5, ("TOKYO", "MUG-1"): 0}
LINES = [
    OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED),
    OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
    OrderLine("L3", "CAKE-1", "羊羹", Money.yen(1620), 1, TaxRate.REDUCED),
]


def _instructed(settings: ShopSettings, method: PaymentMethod = PaymentMethod.CARD) -> FakeShop:
    s = shop(TWO_WAREHOUSES, settings)
    token = "tok_ok" if method is PaymentMethod.CARD else None
    place(s, order_lines=LINES, payment_method=method, token=token)
    s.desk.accept("1001")
    pay_in_full(s)
    s.desk.allocate("1001")
    order = s.desk.instruct_shipping("1001")
    assert len(order.shipments) == 2
    return s


def _tokyo(order: Order) -> str:
    return next(x.shipment_id for x in order.shipments if x.warehouse == "TOKYO")


def _osaka(order: Order) -> str:
    return next(x.shipment_id for x in order.shipments if x.warehouse == "OSAKA")


def _kept(entries: list[JournalEntry]) -> int:
    """What the books keep of the sale: 売上 credits less the reductions' debits, tax included."""
    kept = 0
    for entry in entries:
        for line in entry.lines:
            if line.account != "売掛金":
                kept += (1 if line.side is Side.CREDIT else -1) * int(line.amount.amount)
    return kept


def _finish(s: FakeShop) -> Order:
    order = s.desk.get("1001")
    s.desk.ship("1001", _osaka(order), "1234-5678-9024")  # the second box: its own label
    for shipment in s.desk.get("1001").shipments:
        if shipment.status is ShipmentStatus.SHIPPED:
            s.desk.deliver("1001", shipment.shipment_id)
    return s.desk.book("1001")


def test_a_paid_transfer_order_with_one_parcel_gone_is_refunded_and_booked_once() -> None:
    s = _instructed(
        ShopSettings(auto_advance=False, warehouses=("TOKYO", "OSAKA")),
        PaymentMethod.BANK_TRANSFER,
    )
    order = s.desk.get("1001")
    s.desk.ship("1001", _tokyo(order), TRACKING)
    s.desk.deliver("1001", _tokyo(order))  # the first box reached the customer, damaged
    refunded = s.desk.refund("1001", Money.yen(500), reason="箱つぶれ", request_id="G-1")
    assert refunded.status is OrderStatus.SHIPPING_INSTRUCTED
    assert refunded.payment.refund_to_transfer == Money.yen(500)
    again = s.desk.refund("1001", Money.yen(500), reason="箱つぶれ", request_id="G-1")
    assert again.payment.refund_to_transfer == Money.yen(500)  # a repeat pays nothing more
    booked = _finish(s)
    assert booked.status is OrderStatus.BOOKED
    total = s.desk.totals(booked).total
    entries = [entry for _, entry in s.accounting.entries]
    assert [e.reference for e in entries] == ["1001", "1001/G1"]
    assert _kept(entries) == int(total.amount) - 500


def test_a_card_captured_per_parcel_pays_back_from_the_first_capture_and_nets_the_rest() -> None:
    settings = ShopSettings(
        auto_advance=False,
        warehouses=("TOKYO", "OSAKA"),
        partial_payment=PartialPayment.PER_SHIPMENT,
    )
    s = _instructed(settings)
    order = s.desk.ship("1001", _tokyo(s.desk.get("1001")), TRACKING)
    first = order.payment.captured
    assert Money.yen(0) < first < s.desk.totals(order).total
    s.desk.refund("1001", Money.yen(300), reason="お詫び")
    booked = _finish(s)
    total = s.desk.totals(booked).total
    assert booked.payment.captured == total  # the last parcel takes exactly the rest
    assert booked.payment.refunded == Money.yen(300)
    net = sum((c["amount"] - c["refunded"] for c in s.gateway.captures.values()), Money.yen(0))
    assert net == total - Money.yen(300)
    assert _kept([entry for _, entry in s.accounting.entries]) == int(total.amount) - 300


def test_a_card_captured_at_the_last_parcel_has_paid_nothing_yet() -> None:
    s = _instructed(ShopSettings(auto_advance=False, warehouses=("TOKYO", "OSAKA")))
    s.desk.ship("1001", _tokyo(s.desk.get("1001")), TRACKING)
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as refused:
        s.desk.refund("1001", Money.yen(300), reason="お詫び")
    assert refused.value.field == "amount"
    assert "no more than 0 JPY (what was paid so far" in str(refused.value)
    assert s.desk.get("1001") == before


def test_before_any_parcel_left_a_refund_is_still_refused() -> None:
    s = _instructed(
        ShopSettings(auto_advance=False, warehouses=("TOKYO", "OSAKA")),
        PaymentMethod.BANK_TRANSFER,
    )
    before = s.desk.get("1001")
    with pytest.raises(MoveNotAllowed) as refused:
        s.desk.refund("1001", Money.yen(500), reason="お詫び")
    assert not isinstance(refused.value, MoveBlocked) and "recall" in refused.value.allowed
    assert s.desk.get("1001") == before


def test_an_order_whose_units_still_wait_for_stock_is_refused_saying_why() -> None:
    s = shop(TEA_ONLY)
    place(s, order_lines=LINES, payment_method=PaymentMethod.BANK_TRANSFER, token=None)
    s.desk.accept("1001")
    pay_in_full(s)
    s.desk.allocate("1001")
    order = s.desk.ship_available("1001")  # 分納: the mug waits
    s.desk.ship("1001", order.shipments[0].shipment_id, TRACKING)
    before = s.desk.get("1001")
    with pytest.raises(MoveBlocked, match="drop_missing") as refused:
        s.desk.refund("1001", Money.yen(500), reason="お詫び")
    assert refused.value.move == "refund"
    assert s.desk.get("1001") == before
    s.desk.drop_missing("1001", actor="operator")  # the rest dropped: the order has shipped
    refunded = s.desk.refund("1001", Money.yen(500), reason="お詫び")
    assert refunded.status is OrderStatus.SHIPPED


def test_a_paid_transfer_order_refunded_between_its_parcels_sends_the_rest() -> None:
    """分納: a unit reserved after the first parcel left is instructed after a goodwill refund.

    The payment counted as confirmed only while what was received, less everything owed back,
    covered the whole total: the ¥500 owed back for the refund left the last unit blocked
    ("the payment is not confirmed") although nothing more was due.
    """
    s = shop(TEA_ONLY, ShopSettings(auto_advance=False))
    place(s, order_lines=LINES, payment_method=PaymentMethod.BANK_TRANSFER, token=None)
    s.desk.accept("1001")
    pay_in_full(s)
    s.desk.allocate("1001")
    order = s.desk.ship_available("1001")  # the tea and the cake; the mug waits for stock
    s.desk.ship("1001", order.shipments[0].shipment_id, TRACKING)
    s.desk.receive("TOKYO", "MUG-1", 1, receipt_id="R-MUG")
    s.desk.allocate("1001")  # the mug is reserved: only it is left to send
    s.desk.refund("1001", Money.yen(500), reason="箱つぶれ")
    sent = s.desk.instruct_shipping("1001")
    assert len(sent.shipments) == 2
    s.desk.ship("1001", sent.shipments[1].shipment_id, "1234-5678-9024")
    for shipment in s.desk.get("1001").shipments:
        s.desk.deliver("1001", shipment.shipment_id)
    booked = s.desk.book("1001")
    assert booked.status is OrderStatus.BOOKED
    assert booked.payment.refund_to_transfer == Money.yen(500)


def test_money_received_covers_the_total_less_what_goodwill_and_returns_gave_back() -> None:
    """Confirmed payment of a direct method: received less owed back, against what is still due.

    A goodwill refund taken in 出荷指示済 (a parcel gone, another unit still to send) is owed
    back and no longer owed to the shop: counting it against the whole total blocked the last
    unit for ever ("the payment is not confirmed") though nothing more was due; money owed back
    for paying too much still counts against the whole total.
    """
    from datetime import UTC, datetime

    from orderflow import Payment
    from orderflow.domain.payment import PaymentEntry, PaymentOp, PaymentOutcome
    from orderflow.domain.payments import payment_confirmed

    at = datetime(2026, 11, 23, tzinfo=UTC)

    def entry(op: PaymentOp, amount: int, key: str, detail: str = "") -> PaymentEntry:
        return PaymentEntry(op, Money.yen(amount), key, PaymentOutcome.SUCCEEDED, at, detail=detail)

    paid = (entry(PaymentOp.RECEIVE, 8400, "1:deposit:D1"),)
    goodwill = entry(PaymentOp.REFUND_OWED, 3732, "1:9", detail="refund")
    too_much = entry(PaymentOp.REFUND_OWED, 1000, "1:8")
    total = Money.yen(8400)
    transfer = Payment(PaymentMethod.BANK_TRANSFER, "JPY", ledger=(*paid, goodwill))
    assert payment_confirmed(transfer, total)
    short = Payment(PaymentMethod.BANK_TRANSFER, "JPY", ledger=(*paid, too_much))
    assert not payment_confirmed(short, total)  # the over-payment owed back was never due
