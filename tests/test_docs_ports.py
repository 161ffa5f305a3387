"""Each port's page gives every method the desk calls, with its signature, and what to raise.

A plugin author implements one port from its page alone: a method missing there, or shown with
other arguments, is an adapter that fails in production.
"""

import inspect
from pathlib import Path

import pytest

from orderflow import ports

DOCS = Path(__file__).resolve().parent.parent / "docs" / "ports"

PAGES: dict[type, str] = {
    ports.Inventory: "inventory.md",
    ports.Warehouse: "warehouse.md",
    ports.Carrier: "carrier.md",
    ports.Accounting: "accounting.md",
    ports.Notifier: "notifier.md",
    ports.PaymentGateway: "payment-gateway.md",
    ports.FraudScreen: "payment-providers.md",
    ports.PostpayProvider: "payment-providers.md",
    ports.BankTransferProvider: "payment-providers.md",
    ports.KonbiniProvider: "payment-providers.md",
    ports.PointsProvider: "points.md",
    ports.OrderStore: "order-store.md",
    ports.Clock: "order-store.md",
}


def shown(name: str, method: object) -> str:
    """``name(a, b, *, key, c)``: the call as a port's page shows it."""
    parts: list[str] = []
    for parameter in list(inspect.signature(method).parameters.values())[1:]:  # type: ignore[arg-type]
        if parameter.kind is parameter.KEYWORD_ONLY and "*" not in parts:
            parts.append("*")
        parts.append(parameter.name)
    return f"`{name}({', '.join(parts)})`"


@pytest.mark.parametrize("port", list(PAGES), ids=[p.__name__ for p in PAGES])
def test_the_page_shows_every_method_with_its_signature(port: type) -> None:
    page = (DOCS / PAGES[port]).read_text(encoding="utf-8")
    missing = []
    for name, member in vars(port).items():
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            expected = f"`{name}`"
        elif callable(member):
            expected = shown(name, member)
        else:
            continue
        if expected not in page:
            missing.append(expected)
    assert missing == [], f"{PAGES[port]} does not show {missing}"


KEYED = {page for port, page in PAGES.items() if port not in (ports.Carrier, ports.Clock)} - {
    "order-store.md"
}


@pytest.mark.parametrize("page", sorted(KEYED))
def test_the_page_says_what_to_raise_for_a_refusal_and_a_time_out(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    assert "`ProviderError`" in text and "`ProviderTimeout`" in text


def test_the_inventory_page_shows_receive_which_the_desk_calls() -> None:
    """``desk.receive``, a return's restock and a purchase order's receipt call it."""
    page = (DOCS / "inventory.md").read_text(encoding="utf-8")
    assert "`receive(warehouse, sku, quantity, *, key, reason)`" in page


def test_the_carrier_page_says_the_desk_uses_normalize() -> None:
    page = (DOCS / "carrier.md").read_text(encoding="utf-8")
    assert "`normalize(number)` the desk uses it" in " ".join(page.split())
