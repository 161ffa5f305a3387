"""One product line of an order (受注明細), and the checks the order's values share."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from orderflow.domain._text import check_printable, storable
from orderflow.domain.bounds import MAX_UNITS
from orderflow.domain.money import Money
from orderflow.domain.sets import Recipe, check_recipe, check_set_units
from orderflow.domain.tax import TaxRate
from orderflow.errors import InvalidValue

__all__ = ["OrderLine"]


def _check_quantity(field: str) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is not int or not 1 <= value <= MAX_UNITS:
            raise InvalidValue(field, value, f"a whole number of 1 or more, at most {MAX_UNITS:,}")

    return check


def nonempty_text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    """An attrs validator: the field holds a text that is not blank (and can be stored).

    On one line: a product name or a SKU is printed on the 納品書, the picking list, the
    label's 品名 and the notices, one line each.
    """
    if not isinstance(value, str) or not value.strip() or not storable(value):
        raise InvalidValue(attribute.name, value, "a non-empty text")
    check_printable(attribute.name, value)


@attrs.frozen(slots=True)
class OrderLine:
    """One product line of an order (受注明細): so many units of one SKU at one unit price."""

    line_id: str = attrs.field(validator=nonempty_text)
    """Names the line within its order (used once there): allocations, shipments, returns and
    changes refer to the line by it."""
    sku: str = attrs.field(validator=nonempty_text)
    """The product code (SKU); for a セット商品 line the set's own SKU, whose components
    (``recipe``) are the stock reserved and shipped."""
    name: str = attrs.field(validator=nonempty_text)
    """The product name printed on the 納品書 and the picking list, and used in notices unless
    the shop's profile names the SKU in the customer's language."""
    unit_price: Money = attrs.field()
    """The price of one unit (one set), 0 or more, in the order's currency, as priced: with tax
    when the shop's prices include it (``PriceMode.INCLUSIVE``, the default)."""
    quantity: int = attrs.field(validator=_check_quantity("quantity"))
    """Units ordered, a whole number from 1 to :data:`~orderflow.domain.bounds.MAX_UNITS` (whole
    sets for a set line: its units of each component are at most that too)."""
    tax_rate: TaxRate = attrs.field(default=TaxRate.STANDARD)
    """消費税率: ``TaxRate.STANDARD`` (10%) or ``TaxRate.REDUCED`` (8%, 軽減税率: food and drink,
    marked ``※`` on the 納品書)."""
    points_rate: Decimal | None = attrs.field(default=None)
    """ポイント付与率 of this line (``Decimal("0.05")``: ×5 ポイント), fixed when the order is
    placed; None: the shop's ``points_rate``."""
    supplier: str | None = attrs.field(default=None)
    """メーカー直送: the supplier (仕入先 code) that ships this line to the customer itself; it
    needs no stock of ours. None: the line ships from the shop's warehouses."""
    recipe: Recipe | None = attrs.field(default=None)
    """セット構成 of a set line: (component SKU, units per set) as ``ShopSettings.sets`` had it
    when the line entered the order (the desk fills it in); () for a plain SKU; None until the
    desk has seen the line (or in an order of schema 1: the shop's settings are read then)."""

    @recipe.validator
    def _check_recipe(self, attribute: attrs.Attribute[Recipe | None], value: object) -> None:
        if value is not None and value != () and check_recipe(value, "recipe") != value:
            raise InvalidValue("recipe", value, "a tuple of (component SKU, units) tuples")
        if value and type(self.quantity) is int:  # each component's units are reserved at once
            check_set_units(self.quantity, value, "quantity")

    @supplier.validator
    def _check_supplier(self, attribute: attrs.Attribute[str | None], value: object) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not value.strip() or not storable(value):
            raise InvalidValue("supplier", value, "a supplier code, or None")
        check_printable("supplier", value)

    @points_rate.validator
    def _check_points_rate(self, attribute: attrs.Attribute[Decimal | None], value: object) -> None:
        if value is None:
            return
        if type(value) is not Decimal or not value.is_finite() or not 0 <= value <= 1:
            raise InvalidValue("points_rate", value, "a Decimal from 0 to 1, or None")

    @tax_rate.validator
    def _check_tax_rate(self, attribute: attrs.Attribute[TaxRate], value: object) -> None:
        if not isinstance(value, TaxRate):
            raise InvalidValue(
                "tax_rate", value, "a TaxRate (TaxRate.STANDARD 10% or TaxRate.REDUCED 8%)"
            )

    @unit_price.validator
    def _check_price(self, attribute: attrs.Attribute[Money], value: object) -> None:
        if not isinstance(value, Money):
            raise InvalidValue(
                "unit_price", value, "a Money such as Money.yen(1980) (never a float)"
            )
        if value.is_negative:
            raise InvalidValue("unit_price", value.amount, "a price of zero or more")

    @property
    def amount(self) -> Money:
        """Unit price × quantity (as priced: with tax if the shop's prices include it)."""
        return self.unit_price * self.quantity
