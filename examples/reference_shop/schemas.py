"""The JSON the shop takes (request bodies) and how each becomes the library's values.

The models check the shape only (a number is a number); the values are checked by orderflow
itself when they are built, so a bad postal code or an unknown SKU comes back with the
library's own message naming the field (``InvalidValue``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from orderflow import (
    Address,
    CarrierEvent,
    Customer,
    Deposit,
    Disposition,
    Money,
    OrderLine,
    PaymentMethod,
    ReturnReason,
    TaxRate,
    TrackingStatus,
)
from orderflow.errors import InvalidValue

E = TypeVar("E", bound=Enum)


class _Strict(BaseModel):
    """A body the shop's own clients send: an unknown field is refused (422 naming it).

    So a misspelt ``shiping_fee`` is not silently the default fee. Webhook bodies stay lenient:
    a provider may add fields.
    """

    model_config = ConfigDict(extra="forbid")


_RATES = {"standard": TaxRate.STANDARD, "reduced": TaxRate.REDUCED}


class CustomerIn(_Strict):
    """Who ordered."""

    id: str
    name: str
    email: str

    def value(self) -> Customer:
        """As orderflow's ``Customer``."""
        return Customer(self.id, self.name, self.email)


class AddressIn(_Strict):
    """Where to ship (お届け先)."""

    postal_code: str
    prefecture: str
    city: str
    line1: str
    name: str
    phone: str
    line2: str = ""

    def value(self) -> Address:
        """As orderflow's ``Address`` (the postal code and phone normalised, checked)."""
        return Address(
            self.postal_code,
            self.prefecture,
            self.city,
            self.line1,
            self.name,
            self.phone,
            self.line2,
        )


class LineIn(_Strict):
    """One order line; ``unit_price`` in yen, tax included or not as the shop's rule says."""

    sku: str
    name: str
    unit_price: int
    quantity: int
    tax_rate: Literal["standard", "reduced"] = "standard"
    line_id: str | None = None
    """``L1``, ``L2`` … by position when not given."""

    def value(self, position: int) -> OrderLine:
        """As orderflow's ``OrderLine``."""
        line_id = self.line_id or f"L{position}"
        price = Money.yen(self.unit_price)
        return OrderLine(line_id, self.sku, self.name, price, self.quantity, _RATES[self.tax_rate])


class OrderIn(_Strict):
    """A new order from the cart (受注): items, customer, ship-to and the payment method."""

    number: str
    customer: CustomerIn
    ship_to: AddressIn
    lines: list[LineIn]
    payment_method: str = "card"
    """``card``, ``bank_transfer``, ``konbini``, ``postpay``, ``cod`` or ``amazon_pay``."""
    token: str | None = None
    """The card gateway's token (card, Amazon Pay)."""
    shipping_fee: int | None = None
    remarks: str = ""
    delivery_date: date | None = None
    """お届け希望日 (``YYYY-MM-DD``), from today."""
    delivery_slot: str | None = None
    """お届け時間帯: ``午前中``, ``14-16``, ``16-18``, ``18-20`` or ``19-21``."""

    def method(self) -> PaymentMethod:
        """The payment method, or ``InvalidValue`` naming the methods there are."""
        return _member(PaymentMethod, "payment_method", self.payment_method)


class KonbiniPaymentIn(BaseModel):
    """The konbini service's webhook: the customer paid at the store (コンビニ入金)."""

    order_number: str
    reference: str
    """The service's reference for the payment: the same reference counts once."""
    amount: int
    paid_at: datetime | None = None
    """When it was paid, with its time zone (``2026-11-23T10:00:00+09:00``); now when left out."""

    def paid(self) -> datetime | None:
        """``paid_at``, or ``InvalidValue`` naming it when its time zone is missing."""
        if self.paid_at is not None and self.paid_at.utcoffset() is None:
            raise InvalidValue("paid_at", self.paid_at, "a time with its zone (+09:00)")
        return self.paid_at


class DepositIn(BaseModel):
    """One deposit of the bank's webhook (振込入金明細)."""

    account: str
    amount: int
    payer_name: str
    on: date
    reference: str
    cancelled: bool = False
    """The bank took the transfer back (取消, 組戻し): sent under the transfer's reference."""

    def value(self) -> Deposit:
        """As orderflow's ``Deposit``."""
        return Deposit(
            self.account,
            Money.yen(self.amount),
            self.payer_name,
            self.on,
            self.reference,
            cancelled=self.cancelled,
        )


class DepositsIn(BaseModel):
    """The bank's webhook: deposits to the shop's virtual accounts."""

    deposits: list[DepositIn]


class ReceiptIn(BaseModel):
    """The warehouse's webhook: goods arrived (入荷); the same ``receipt_id`` counts once."""

    warehouse: str
    sku: str
    quantity: int
    receipt_id: str


class ShippedIn(BaseModel):
    """The warehouse's webhook: a shipment left with the carrier (出荷), with its number."""

    order_number: str
    shipment_id: str
    tracking_number: str | None = None


class CarrierEventIn(BaseModel):
    """One tracking event in a carrier's webhook (配送状況)."""

    tracking_number: str
    kind: str
    """``picked_up``, ``in_transit``, ``out_for_delivery``, ``absent``, ``delivered`` …"""
    at: datetime
    event_id: str
    location: str = ""
    detail: str = ""

    def value(self, carrier: str, index: int) -> CarrierEvent:
        """As orderflow's ``CarrierEvent``; an unknown kind is an ``InvalidValue``."""
        try:
            kind = TrackingStatus(self.kind)
        except ValueError:
            names = ", ".join(k.value for k in TrackingStatus)
            raise InvalidValue(f"events[{index}].kind", self.kind, f"one of {names}") from None
        return CarrierEvent(
            carrier, self.tracking_number, kind, self.at, self.event_id, self.location, self.detail
        )


class CarrierEventsIn(BaseModel):
    """A carrier's webhook: a batch of tracking events."""

    events: list[CarrierEventIn]


class HoldClearIn(_Strict):
    """An operator clears a hold (保留解除)."""

    operator: str = Field(min_length=1)


class ReturnIn(_Strict):
    """A return asked for (返品受付): units per line id, the reason."""

    lines: dict[str, int]
    reason: str
    """``customer``, ``defective`` or ``wrong_item``."""
    refund_account: str = ""
    request_id: str | None = None

    def why(self) -> ReturnReason:
        """The reason, or ``InvalidValue`` naming the reasons there are."""
        return _member(ReturnReason, "reason", self.reason)


class DispositionIn(_Strict):
    """Returned units of a line: back on hand in ``warehouse``, or written off (None)."""

    line_id: str
    quantity: int
    warehouse: str | None = None

    def value(self) -> Disposition:
        """As orderflow's ``Disposition``."""
        return Disposition(self.line_id, self.quantity, self.warehouse)


class ReturnReceivedIn(_Strict):
    """The returned goods came back (返品受領): what became of each unit."""

    dispositions: list[DispositionIn]


def _member(kind: type[E], field: str, value: str) -> E:
    """The member of the enum ``kind`` named by ``value``, or ``InvalidValue`` naming them all."""
    try:
        return kind(value)
    except ValueError:
        names = ", ".join(str(m.value) for m in kind)
        raise InvalidValue(field, value, f"one of {names}") from None
