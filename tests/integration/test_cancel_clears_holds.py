"""A cancelled order waits for nothing: its open holds close with it (the held list is for work)."""

import pytest

from orderflow import Money, OrderLine, OrderStatus, PaymentMethod, QueueQuery
from orderflow.testing import fake_shop
from tests.builders import STOCK, address, customer


@pytest.mark.parametrize(
    "method", [PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI], ids=lambda m: m.value
)
def test_a_cancelled_order_waiting_for_its_payment_leaves_the_held_list(
    method: PaymentMethod,
) -> None:
    s = fake_shop(STOCK)
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)],
        payment_method=method,
    )
    waiting = s.desk.accept("1001")
    assert [h.code for h in waiting.open_holds] == ["payment_pending"]

    cancelled = s.desk.cancel("1001", reason="customer", actor="operator")

    assert cancelled.status is OrderStatus.CANCELLED and not cancelled.open_holds
    (hold,) = cancelled.holds
    assert hold.cleared_by == "operator" and hold.cleared_at is not None
    assert s.desk.queue(QueueQuery.held()) == []
    assert s.desk.queue_counts()["held"] == 0


def test_a_hold_that_asks_a_person_to_move_money_stays_after_the_cancel() -> None:
    from orderflow import Hold
    from orderflow.domain._values import replace

    s = fake_shop(STOCK)
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)],
        payment_method=PaymentMethod.BANK_TRANSFER,
    )
    order = s.desk.accept("1001")
    refund = Hold("refund_failed", "返金失敗", "system", order.placed_at)
    s.store.save(
        replace(order, holds=(*order.holds, refund), version=order.version + 1),
        expected_version=order.version,
    )

    cancelled = s.desk.cancel("1001", reason="customer")

    assert [h.code for h in cancelled.open_holds] == ["refund_failed"]
