"""The shop's settings: everything that is policy rather than law."""

from __future__ import annotations

from typing import Any

import attrs

from orderflow.domain.allocation import AllocationStrategy
from orderflow.domain.booking import AccountMap, RecognitionBasis
from orderflow.domain.tax import TaxRule
from orderflow.errors import InvalidValue
from orderflow.i18n import DEFAULT_LOCALE, DEFAULT_ZONE

__all__ = ["ShopSettings"]


def _check_warehouses(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not value or not all(isinstance(w, str) for w in value):
        raise InvalidValue("warehouses", value, "a tuple of warehouse codes in priority order")


@attrs.frozen(slots=True)
class ShopSettings:
    """How one shop works: currency, tax, warehouses, carrier, booking, language and zone.

    ``warehouses`` lists warehouse codes in priority order (the first is preferred when several
    can ship). ``carrier`` is the code of the carrier used unless a shipment names another.
    """

    warehouses: tuple[str, ...] = attrs.field(default=("TOKYO",), validator=_check_warehouses)
    carrier: str = "yamato"
    currency: str = "JPY"
    tax: TaxRule = TaxRule()
    allocation: AllocationStrategy = AllocationStrategy.FEWEST_SHIPMENTS
    accounts: AccountMap = AccountMap()
    recognition: RecognitionBasis = RecognitionBasis.DELIVERY
    locale: str = DEFAULT_LOCALE
    zone: str = DEFAULT_ZONE
