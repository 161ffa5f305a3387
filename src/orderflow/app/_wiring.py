"""Checking what a shop wires into the desk: each port must have its protocol's members.

A store passed as the inventory, or ``None`` for a required port, used to fail at the first
command with Python's ``AttributeError``; the desk now refuses it when it is built, naming the
argument and what it lacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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

__all__ = ["by_code", "check_port", "check_ports"]

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
    """Refuse ``value`` for ``field`` unless it has every method and property of ``port``."""
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
    """Check every port of ``ports`` (an :class:`~orderflow.app.executor.Ports`)."""
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
