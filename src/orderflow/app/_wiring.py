"""What a shop wires into the desk (:class:`Ports`), checked when the desk is built.

Each port must have its protocol's members.

A store passed as the inventory, or ``None`` for a required port, used to fail at the first
command with Python's ``AttributeError``; the desk now refuses it when it is built, naming the
argument and what it lacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from orderflow.errors import InvalidValue
from orderflow.ports import (
    Accounting,
    BankTransferProvider,
    Carrier,
    CarrierEvents,
    Clock,
    FraudScreen,
    Inventory,
    KonbiniProvider,
    Notifier,
    OrderStore,
    PaymentGateway,
    PointsProvider,
    PostpayProvider,
    PurchaseOrderStore,
    Supplier,
    Warehouse,
)

__all__ = ["Ports", "by_code", "check_port", "check_ports"]

_REQUIRED = {
    "store": OrderStore,
    "inventory": Inventory,
    "accounting": Accounting,
    "notifier": Notifier,
    "clock": Clock,
}
_OPTIONAL = {
    "gateway": PaymentGateway,
    "amazon_pay": PaymentGateway,
    "fraud": FraudScreen,
    "postpay": PostpayProvider,
    "bank": BankTransferProvider,
    "konbini": KonbiniProvider,
    "points": PointsProvider,
    "purchase_orders": PurchaseOrderStore,
}
_BY_CODE = {
    "warehouses": Warehouse,
    "carriers": Carrier,
    "carrier_feeds": CarrierEvents,
    "suppliers": Supplier,
}


def _members(port: type) -> list[tuple[str, bool]]:
    """(name, is a method) for each public method and property the protocol declares."""
    return [
        (name, not isinstance(member, property))
        for name, member in vars(port).items()
        if not name.startswith("_") and (callable(member) or isinstance(member, property))
    ]


def check_port(value: object, field: str, port: type) -> None:
    """Refuse ``value`` for ``field`` unless it has every method and property of ``port``.

    A class (``store=SQLiteStore``, not instantiated) is refused too: it has every member, as
    plain functions, and the first command failed with Python's ``TypeError``.
    """
    if isinstance(value, type):
        raise InvalidValue(
            field,
            value.__name__,
            f"an instance of {port.__name__} ({value.__name__}(...)), not the class itself",
        )
    missing = [
        name
        for name, method in _members(port)
        if not (callable(getattr(value, name, None)) if method else hasattr(value, name))
    ]
    if missing:
        raise InvalidValue(
            field,
            type(value).__name__,
            f"an object with the {port.__name__} port's members (missing: {', '.join(missing)})",
        )


def by_code(value: object, field: str) -> dict[Any, Any]:
    """A copy of the mapping of code to port given as ``field`` (None: empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidValue(
            field, type(value).__name__, f"a mapping of code to {_BY_CODE[field].__name__}"
        )
    return dict(value)


def check_ports(ports: Any) -> None:
    """Check every port of ``ports`` (a :class:`Ports`)."""
    for field, port in _REQUIRED.items():
        check_port(getattr(ports, field), field, port)
    for field, port in _OPTIONAL.items():
        value = getattr(ports, field)
        if value is not None:
            check_port(value, field, port)
    for field, port in _BY_CODE.items():
        by_code = getattr(ports, field)
        if not isinstance(by_code, Mapping):
            raise InvalidValue(
                field, type(by_code).__name__, f"a mapping of code to {port.__name__}"
            )
        for code, value in by_code.items():
            check_port(value, f"{field}[{code!r}]", port)


@attrs.define
class Ports:
    """Every port the shop wired in (the optional ones may be None)."""

    store: OrderStore
    """Where the orders are kept (the host's database); saved version-checked."""
    inventory: Inventory
    """Stock per warehouse and SKU: 引当 (reserve), release and commit at shipment."""
    warehouses: Mapping[str, Warehouse]
    """Warehouse code → its port, which takes 出荷指示 and recalls; a drop-ship shipment
    (``supplier:…``) goes to ``suppliers`` instead."""
    carriers: Mapping[str, Carrier]
    """Carrier code → its adapter (tracking-number format and tracking page)."""
    accounting: Accounting
    """The accounting system that receives the journal entries (計上)."""
    notifier: Notifier
    """Sends the notices (mail, LINE, SMS…) to customers."""
    clock: Clock
    """The time (aware UTC) for every decision; a fixed clock makes tests repeatable."""
    gateway: PaymentGateway | None = None
    """The card gateway (authorize, capture, void, refund); None: no card payments."""
    amazon_pay: PaymentGateway | None = None
    """The Amazon Pay gateway; None: the shop does not take Amazon Pay."""
    fraud: FraudScreen | None = None
    """The fraud screen (不正検知) asked before a card authorization; None: cards are not
    screened."""
    postpay: PostpayProvider | None = None
    """The 後払い provider (credit check, registration, shipment report); None: no 後払い."""
    bank: BankTransferProvider | None = None
    """The bank issuing virtual accounts for bank transfers (銀行振込); None: no transfers."""
    konbini: KonbiniProvider | None = None
    """The konbini payment provider (payment numbers and deadlines); None: no コンビニ払い."""
    points: PointsProvider | None = None
    """The shop's loyalty points (ポイント); None: no points are used, granted or taken back."""
    carrier_feeds: Mapping[str, CarrierEvents] = attrs.field(factory=dict)
    """Carrier code → its tracking feed, polled by ``poll_carrier_events``; empty: no feed is
    polled."""
    suppliers: Mapping[str, Supplier] = attrs.field(factory=dict)
    """発注: supplier code → its port."""
    purchase_orders: PurchaseOrderStore | None = None
    """Where purchase orders (発注) are kept; None: no purchasing and no drop shipping
    (メーカー直送)."""

    def __attrs_post_init__(self) -> None:
        check_ports(self)  # a port lacking a member is refused now, not at the first command
