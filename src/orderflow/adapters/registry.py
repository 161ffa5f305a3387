"""Adapters found by entry point: the group ``orderflow.adapters``.

A package that implements a port registers its adapter in its ``pyproject.toml``::

    [project.entry-points."orderflow.adapters"]
    example = "orderflow_example_carrier:ExampleCarrier"

The object named (a class or any callable that makes the adapter) declares the port it
implements in an ``orderflow_port`` attribute, one of :data:`PORTS` (``"carrier"``,
``"payment"`` …). :func:`discover` loads every registered entry point and returns an
:class:`AdapterInfo` per adapter; a broken one (its module does not import, the object is not
callable, no port or an unknown one, a class without the methods its port needs) raises
:class:`~orderflow.errors.AdapterError` naming the entry point and its package. :func:`scan`
returns the good ones and the errors side by side (what ``python -m orderflow adapters`` prints).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from orderflow import ports
from orderflow.errors import AdapterError, InvalidValue

__all__ = [
    "DESK_ARGUMENTS",
    "ENTRY_POINT_GROUP",
    "PORTS",
    "AdapterInfo",
    "describe",
    "discover",
    "port_members",
    "scan",
]

ENTRY_POINT_GROUP = "orderflow.adapters"
"""The entry point group orderflow reads adapters from."""

PORTS: dict[str, type] = {
    "store": ports.OrderStore,
    "inventory": ports.Inventory,
    "warehouse": ports.Warehouse,
    "carrier": ports.Carrier,
    "carrier_events": ports.CarrierEvents,
    "payment": ports.PaymentGateway,
    "fraud": ports.FraudScreen,
    "postpay": ports.PostpayProvider,
    "bank_transfer": ports.BankTransferProvider,
    "konbini": ports.KonbiniProvider,
    "points": ports.PointsProvider,
    "accounting": ports.Accounting,
    "notifier": ports.Notifier,
    "supplier": ports.Supplier,
}
"""The port kinds an adapter may declare (``orderflow_port``) → the port's Protocol."""

DESK_ARGUMENTS: Mapping[str, tuple[str, bool]] = MappingProxyType(
    {
        "store": ("store", False),
        "inventory": ("inventory", False),
        "warehouse": ("warehouses", True),
        "carrier": ("carriers", True),
        "carrier_events": ("carrier_feeds", True),
        "payment": ("gateway", False),
        "fraud": ("fraud", False),
        "postpay": ("postpay", False),
        "bank_transfer": ("bank", False),
        "konbini": ("konbini", False),
        "points": ("points", False),
        "accounting": ("accounting", False),
        "notifier": ("notifier", False),
        "supplier": ("suppliers", True),
    }
)
"""Port → (the :class:`~orderflow.OrderDesk` keyword its adapter goes to, whether that keyword
takes a mapping keyed by the adapter's name). A ``payment`` adapter goes to ``gateway=``, or to
``amazon_pay=`` for Amazon Pay."""

_PROTOCOL_BASES = frozenset({"Protocol", "Generic", "object"})


def port_members(port: str) -> frozenset[str]:
    """The public methods and properties an adapter of ``port`` must have."""
    if not isinstance(port, str) or port not in PORTS:
        raise InvalidValue("port", port, f"one of {sorted(PORTS)}")
    names: set[str] = set()
    for klass in PORTS[port].__mro__:
        if klass.__name__ not in _PROTOCOL_BASES:
            names.update(n for n in vars(klass) if not n.startswith("_"))
    return frozenset(names)


@attrs.frozen(slots=True)
class AdapterInfo:
    """One adapter registered under :data:`ENTRY_POINT_GROUP`.

    ``factory()`` (with whatever settings the adapter takes) makes the adapter: wire it into
    :class:`~orderflow.OrderDesk` under the port it declares.
    """

    name: str
    """The entry point's name (``yamato``): for a carrier, the key of ``carriers=``."""
    port: str = attrs.field()
    """The port it implements, one of :data:`PORTS`."""
    factory: Callable[..., Any] = attrs.field(repr=False)
    """The class or function the entry point names."""
    value: str
    """Where it lives, as the entry point says (``orderflow.adapters.carriers:Yamato``)."""
    distribution: str
    """The installed package that registered it (``""`` when the entry point has none)."""
    version: str
    """That package's version (``""`` when unknown)."""

    @port.validator
    def _check_port(self, _: object, port: object) -> None:
        if not isinstance(port, str) or port not in PORTS:
            raise InvalidValue("port", port, f"one of {sorted(PORTS)}")

    @property
    def desk_argument(self) -> str:
        """The :class:`~orderflow.OrderDesk` keyword the adapter goes to.

        From :data:`DESK_ARGUMENTS`: ``carriers`` for a carrier (``carriers={info.name:
        info.factory()}``), ``gateway`` for a payment gateway, ``bank`` for bank transfers …
        """
        return DESK_ARGUMENTS[self.port][0]


def describe(entry: importlib.metadata.EntryPoint) -> AdapterInfo:
    """Load one entry point and check it: its :class:`AdapterInfo`, or an ``AdapterError``.

    An adapter's own tests can check the declaration in its ``pyproject.toml`` this way before
    the package is installed: ``describe(EntryPoint(name, value, ENTRY_POINT_GROUP))``.
    """
    dist = getattr(entry, "dist", None)
    distribution = dist.name if dist is not None else ""
    version = dist.version if dist is not None else ""

    def broken(problem: str) -> AdapterError:
        return AdapterError(entry.name, distribution, problem)

    try:
        factory = entry.load()
    except Exception as failed:  # any import failure of someone else's package
        raise broken(f"cannot load {entry.value!r}: {type(failed).__name__}: {failed}") from failed
    if not callable(factory):
        raise broken(f"{entry.value!r} is not a class or a function that makes the adapter")
    port = getattr(factory, "orderflow_port", None)
    if port is None:
        raise broken(f"{entry.value!r} declares no orderflow_port (one of {sorted(PORTS)})")
    if not isinstance(port, str) or port not in PORTS:
        raise broken(f"orderflow_port {port!r} is not a port: expected one of {sorted(PORTS)}")
    if isinstance(factory, type):
        missing = sorted(n for n in port_members(port) if not hasattr(factory, n))
        if missing:
            raise broken(f"{entry.value!r} declares the {port} port but lacks {', '.join(missing)}")
    return AdapterInfo(entry.name, port, factory, entry.value, distribution, version)


def _entries() -> Iterable[importlib.metadata.EntryPoint]:
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def scan(port: str | None = None) -> tuple[list[AdapterInfo], list[AdapterError]]:
    """Every adapter registered (of ``port``, when given) and every broken entry point.

    Both sorted by port then name; a broken entry point is reported whatever ``port`` is asked
    (its port cannot be known).
    """
    if port is not None and (not isinstance(port, str) or port not in PORTS):
        raise InvalidValue("port", port, f"one of {sorted(PORTS)}")
    found: list[AdapterInfo] = []
    errors: list[AdapterError] = []
    for entry in _entries():
        try:
            info = describe(entry)
        except AdapterError as error:
            errors.append(error)
            continue
        if port is None or info.port == port:
            found.append(info)
    found.sort(key=lambda a: (a.port, a.name, a.distribution))
    errors.sort(key=lambda e: (e.entry_point, e.distribution))
    return found, errors


def discover(port: str | None = None) -> list[AdapterInfo]:
    """Every adapter registered (of ``port``, when given), sorted by port then name.

    Raises :class:`~orderflow.errors.AdapterError` for the first broken entry point (by name):
    a shop learns at start-up that a package it installed is broken, not at the first order.
    """
    found, errors = scan(port)
    if errors:
        raise errors[0]
    return found
