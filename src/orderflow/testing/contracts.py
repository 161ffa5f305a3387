"""Contract suites: one abstract test case per port, for adapter authors to subclass.

Each suite states what every implementation of a port must do, in the port's own terms. Subclass
it in your test suite, name the subclass ``Test…`` so pytest collects it, and implement the
factory methods::

    from orderflow.testing.contracts import PaymentGatewayContract

    class TestMyGateway(PaymentGatewayContract):
        def make_gateway(self):
            return MyGateway(sandbox_credentials())

        def good_token(self):
            return "tok_sandbox_visa"

orderflow runs every suite against its own fakes and adapters (``tests/contract``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest

from orderflow.domain.address import Customer
from orderflow.domain.booking import JournalEntry, JournalLine, Side
from orderflow.domain.lifecycle import Context, new_order
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderLine, PaymentMethod, Shipment, ShipmentLine
from orderflow.errors import ProviderError
from orderflow.notices import Notice
from orderflow.ports import (
    Accounting,
    Carrier,
    Notifier,
    Warehouse,
)
from orderflow.testing._contract_tools import _address, _one_answer, _reference

__all__ = [
    "AccountingContract",
    "BankTransferContract",
    "CarrierContract",
    "FraudScreenContract",
    "InventoryContract",
    "KonbiniContract",
    "NotifierContract",
    "OrderStoreContract",
    "PaymentGatewayContract",
    "PointsContract",
    "PostpayContract",
    "WarehouseContract",
]


def _shipment(shipment_id: str = "c-1-S1") -> Shipment:
    return Shipment(shipment_id, "W1", "yamato", (ShipmentLine("L1", 1),))


class WarehouseContract:
    """What every :class:`~orderflow.ports.Warehouse` must do."""

    def make_warehouse(self) -> Warehouse:
        """A warehouse accepting instructions."""
        raise NotImplementedError

    def ship_out(self, warehouse: Warehouse, shipment_id: str) -> None:
        """Make the parcel leave the warehouse, so that a recall is too late."""
        raise NotImplementedError

    def instructed_count(self, warehouse: Warehouse) -> int:
        """How many instructions the warehouse received (recalled ones too): a parcel each."""
        raise NotImplementedError(
            "implement instructed_count(warehouse): how many instructions the warehouse "
            "received, so that the suite can prove a repeated key sends no second parcel"
        )

    same_key_threads = 8
    """Threads sending one key at once (a command and a sweep may)."""

    def test_instruct_is_idempotent_under_its_key(self) -> None:
        warehouse = self.make_warehouse()
        first = warehouse.instruct(
            key="c-1:instruct", order_number="c-1", shipment=_shipment(), ship_to=_address()
        )
        _reference(first, "instruct")
        again = warehouse.instruct(
            key="c-1:instruct", order_number="c-1", shipment=_shipment(), ship_to=_address()
        )
        assert first == again, f"a repeated key must answer the first reference {first!r}"
        count = self.instructed_count(warehouse)
        assert count == 1, f"a repeated key must not instruct again: {count} instructions"

    def test_the_same_key_from_many_threads_is_one_instruction(self) -> None:
        warehouse = self.make_warehouse()
        _one_answer(
            self.same_key_threads,
            lambda: warehouse.instruct(
                key="c-3:instruct",
                order_number="c-3",
                shipment=_shipment("c-3-S1"),
                ship_to=_address(),
            ),
            "instruct",
        )
        count = self.instructed_count(warehouse)
        assert count == 1, f"one key sent from many threads at once made {count} instructions"

    def test_a_key_reused_for_another_request_is_refused(self) -> None:
        warehouse = self.make_warehouse()
        first = warehouse.instruct(
            key="c-1:instruct", order_number="c-1", shipment=_shipment(), ship_to=_address()
        )
        for order, parcel in (("c-1", "c-1-S2"), ("c-2", "c-1-S1")):
            with pytest.raises(ProviderError, match="c-1:instruct"):
                warehouse.instruct(
                    key="c-1:instruct",
                    order_number=order,
                    shipment=_shipment(parcel),
                    ship_to=_address(),
                )
        assert first == warehouse.instruct(
            key="c-1:instruct", order_number="c-1", shipment=_shipment(), ship_to=_address()
        )

    def test_recall_before_and_after_the_parcel_left(self) -> None:
        warehouse = self.make_warehouse()
        first = warehouse.instruct(
            key="c-1:instruct", order_number="c-1", shipment=_shipment(), ship_to=_address()
        )
        assert warehouse.recall(key="c-1:recall", shipment_id="c-1-S1") is True
        # the same keys again (a retry whose first answer was lost): the first answers, nothing
        # done again (the recalled parcel is not instructed anew)
        assert warehouse.recall(key="c-1:recall", shipment_id="c-1-S1") is True
        assert first == warehouse.instruct(
            key="c-1:instruct", order_number="c-1", shipment=_shipment(), ship_to=_address()
        )
        assert warehouse.recall(key="c-1:recall", shipment_id="c-1-S1") is True
        assert self.instructed_count(warehouse) == 1, "a repeated key must not instruct again"
        again = _shipment("c-1-S2")  # instructed again: orderflow never reuses a recalled id
        warehouse.instruct(
            key="c-1:instruct-2", order_number="c-1", shipment=again, ship_to=_address()
        )
        self.ship_out(warehouse, "c-1-S2")
        assert warehouse.recall(key="c-1:recall-2", shipment_id="c-1-S2") is False
        assert warehouse.recall(key="c-1:recall-2", shipment_id="c-1-S2") is False


class CarrierContract:
    """What every :class:`~orderflow.ports.Carrier` must do."""

    def make_carrier(self) -> Carrier:
        """The carrier adapter."""
        raise NotImplementedError

    def valid_numbers(self) -> list[str]:
        """Tracking numbers of this carrier's format."""
        raise NotImplementedError

    def invalid_numbers(self) -> list[str]:
        """Strings that look close but are not valid (wrong check digit, length…)."""
        raise NotImplementedError

    def test_valid_numbers_pass(self) -> None:
        carrier = self.make_carrier()
        assert isinstance(carrier, Carrier), "a Carrier has code, has_tracking and both methods"
        assert isinstance(carrier.code, str) and carrier.code
        assert isinstance(carrier.has_tracking, bool)
        for number in self.valid_numbers():
            assert carrier.validate_tracking_number(number), number

    def test_invalid_numbers_fail(self) -> None:
        carrier = self.make_carrier()
        for number in self.invalid_numbers():
            assert not carrier.validate_tracking_number(number), number

    def test_tracking_url_is_https_and_names_the_number(self) -> None:
        carrier = self.make_carrier()
        for number in self.valid_numbers():
            url = carrier.tracking_url(number)
            assert url.startswith("https://")
            assert "".join(ch for ch in number if ch.isalnum()).upper() in url.upper()


def _entry() -> JournalEntry:
    amount = Money.yen(1100)
    return JournalEntry(
        date(2026, 11, 22),
        "c-1",
        "contract",
        (
            JournalLine(Side.DEBIT, "売掛金", amount),
            JournalLine(Side.CREDIT, "売上高", Money.yen(1000)),
            JournalLine(Side.CREDIT, "仮受消費税等", Money.yen(100)),
        ),
    )


class AccountingContract:
    """What every :class:`~orderflow.ports.Accounting` must do."""

    def make_accounting(self) -> Accounting:
        """The accounting adapter (a sandbox company for a real product)."""
        raise NotImplementedError

    def posted_count(self, accounting: Accounting) -> int:
        """How many entries the accounting system holds."""
        raise NotImplementedError

    same_key_threads = 8
    """Threads posting one key at once (a command and a sweep may)."""

    def test_post_once_per_key(self) -> None:
        accounting = self.make_accounting()
        first = _reference(accounting.post(key="c-1:book", entry=_entry()), "post")
        again = accounting.post(key="c-1:book", entry=_entry())
        assert first == again, f"a repeated key must answer the first reference {first!r}"
        count = self.posted_count(accounting)
        assert count == 1, f"a repeated key must not post again: {count} entries"

    def test_the_same_key_from_many_threads_is_posted_once(self) -> None:
        accounting = self.make_accounting()
        _one_answer(
            self.same_key_threads,
            lambda: accounting.post(key="c-3:book", entry=_entry()),
            "post",
        )
        count = self.posted_count(accounting)
        assert count == 1, f"one key posted from many threads at once made {count} entries"

    def test_a_key_reused_for_another_entry_is_refused(self) -> None:
        accounting = self.make_accounting()
        first = accounting.post(key="c-1:book", entry=_entry())
        other = attrs.evolve(_entry(), reference="c-2")
        with pytest.raises(ProviderError, match="c-1:book"):
            accounting.post(key="c-1:book", entry=other)
        assert self.posted_count(accounting) == 1
        assert accounting.post(key="c-1:book", entry=_entry()) == first


class NotifierContract:
    """What every :class:`~orderflow.ports.Notifier` must do."""

    def make_notifier(self) -> Notifier:
        """The notifier adapter."""
        raise NotImplementedError

    def sent_count(self, notifier: Notifier) -> int:
        """How many notices went out."""
        raise NotImplementedError

    def test_send_once_per_key(self) -> None:
        notifier = self.make_notifier()
        notice = Notice("cancellation", "c-1", "a@example.jp", "ja", (("name", "契約"),))
        notifier.send(key="c-1:notice", notice=notice)
        notifier.send(key="c-1:notice", notice=notice)
        count = self.sent_count(notifier)
        assert count == 1, f"a repeated key must not send again: {count} notices went out"

    same_key_threads = 8
    """Threads sending one key at once (a command and a sweep may)."""

    def test_the_same_key_from_many_threads_is_sent_once(self) -> None:
        notifier = self.make_notifier()
        notice = Notice("cancellation", "c-3", "a@example.jp", "ja", (("name", "契約"),))
        _one_answer(
            self.same_key_threads,
            lambda: notifier.send(key="c-3:notice", notice=notice),
            "send",
        )
        count = self.sent_count(notifier)
        assert count == 1, f"one key sent from many threads at once made {count} notices"

    def test_a_key_reused_for_another_notice_is_refused(self) -> None:
        notifier = self.make_notifier()
        notice = Notice("cancellation", "c-1", "a@example.jp", "ja", (("name", "契約"),))
        notifier.send(key="c-1:notice", notice=notice)
        other = Notice("cancellation", "c-2", "a@example.jp", "ja", (("name", "契約"),))
        with pytest.raises(ProviderError, match="c-1:notice"):
            notifier.send(key="c-1:notice", notice=other)
        assert self.sent_count(notifier) == 1
        notifier.send(key="c-1:notice", notice=notice)
        assert self.sent_count(notifier) == 1


def _order(number: str) -> Order:
    order, _ = new_order(
        number=number,
        customer=Customer("C1", "契約 太郎", "c@example.jp"),
        ship_to=_address(),
        lines=[OrderLine("L1", "SKU-A", "テスト", Money.yen(100), 1)],
        payment_method=PaymentMethod.CARD,
        ctx=Context(datetime(2026, 11, 22, tzinfo=UTC)),
    )
    return order


# The inventory's, the payment ports' and the order store's suites live in their own modules;
# they are part of this one's public face.
from orderflow.testing.inventory_contracts import InventoryContract  # noqa: E402
from orderflow.testing.payment_contracts import (  # noqa: E402
    BankTransferContract,
    FraudScreenContract,
    KonbiniContract,
    PaymentGatewayContract,
    PointsContract,
    PostpayContract,
)
from orderflow.testing.store_contracts import OrderStoreContract  # noqa: E402
