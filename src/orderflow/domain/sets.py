"""セット商品 (set products): a SKU sold as a fixed set of component SKUs the inventory knows.

A set SKU such as ``GIFT-A`` = 2 × ``TEA`` + 1 × ``MUG`` is never in stock itself: a line of it
reserves, releases, ships and restocks its components, ``quantity × units per set`` of each, and
an :class:`~orderflow.domain.order.Allocation` of a set line counts whole sets, each from one
warehouse (a set ships as one). The recipes come from ``ShopSettings.sets``; a line of a set
carries its recipe from the moment it enters the order (``OrderLine.recipe``), so the shop may
change a recipe while orders hold the set: those orders move the units they reserved.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from orderflow.domain._values import replace
from orderflow.domain.bounds import MAX_UNITS
from orderflow.errors import InvalidValue

if TYPE_CHECKING:
    from orderflow.domain.order import OrderLine

__all__ = [
    "Recipe",
    "Sets",
    "check_recipe",
    "check_set_units",
    "check_sets",
    "check_stocked",
    "components",
    "line_components",
    "line_recipe",
    "whole_sets",
    "with_recipe",
]

Recipe = tuple[tuple[str, int], ...]
"""The components of one set: (component SKU, units per set), each component once."""

Sets = Mapping[str, Recipe]
"""Set SKU → its recipe."""


def components(sets: Sets, sku: str) -> Recipe:
    """What one unit of ``sku`` is made of in the inventory: its recipe, or itself once."""
    return sets.get(sku, ((sku, 1),))


def line_recipe(line: OrderLine, sets: Sets) -> Recipe | None:
    """The recipe of a set line as it entered the order; None for a plain SKU.

    A line carries its recipe from the moment it entered the order (:func:`with_recipe`:
    ``()`` for a plain SKU), so a recipe changed later, or a plain SKU made a set, does not
    move other units for it. Only a line that never went through the desk (``recipe`` None,
    an order of schema 1) reads ``sets`` as they are now.
    """
    if line.recipe is None:
        return sets.get(line.sku)
    return line.recipe or None


def line_components(line: OrderLine, sets: Sets) -> Recipe:
    """What one unit of ``line`` is made of in the inventory: its set's recipe, or itself once."""
    return line_recipe(line, sets) or ((line.sku, 1),)


def with_recipe(line: OrderLine, sets: Sets) -> OrderLine:
    """``line`` as it enters an order: carrying its set's recipe from ``sets`` (``()``: plain).

    A recipe the caller gave must be the shop's own (:class:`InvalidValue` otherwise): the
    stock moved for the line follows it.
    """
    recipe = sets.get(line.sku, ())
    if line.recipe is None:
        check_set_units(line.quantity, recipe, f"lines[{line.line_id}].quantity")
        return replace(line, recipe=recipe)  # the shop's recipes are checked in its settings
    if line.recipe != recipe:
        shown = recipe or "none (not a set)"
        raise InvalidValue(
            f"lines[{line.line_id}].recipe",
            line.recipe,
            f"the shop's recipe for {line.sku}: {shown}",
        )
    return line


def check_set_units(quantity: int, recipe: Recipe, field: str) -> None:
    """Refuse ``quantity`` sets whose units of one component are past ``MAX_UNITS``.

    A set line reserves each component's units at once, in one request to the inventory.
    """
    if not recipe:
        return
    most = max(units for _, units in recipe)
    if quantity * most > MAX_UNITS:
        raise InvalidValue(
            field,
            quantity,
            f"at most {MAX_UNITS // most:,} sets of {most} units "
            f"({MAX_UNITS:,} units of a component at most)",
        )


def check_stocked(sku: str, sets: Sets, field: str, *, waited_for: bool = False) -> None:
    """Refuse ``sku`` where units go in stock when it is a set (its components are stocked).

    A set is never in stock: units of it received (入荷) or ordered from a supplier (発注)
    would stay on hand for ever, no set line ever reserving them. ``waited_for``: an order
    holds a plain line of the SKU from before it was made a set, and waits for its units.
    """
    recipe = sets.get(sku)
    if recipe and not waited_for:
        parts = ", ".join(f"{part} ×{per}" for part, per in recipe)
        raise InvalidValue(field, sku, f"a SKU kept in stock, not a set (its components: {parts})")


def whole_sets(recipe: Recipe, units: Mapping[str, int]) -> int:
    """How many whole sets ``units`` (component SKU → units) make."""
    return min(units.get(sku, 0) // per for sku, per in recipe)


def check_recipe(recipe: object, field: str) -> Recipe:
    """``recipe`` as a :data:`Recipe`, or :class:`InvalidValue` naming ``field``.

    A recipe is a non-empty sequence of (component SKU, units per set ≥ 1), each component once.
    """
    if isinstance(recipe, str | bytes) or not isinstance(recipe, tuple | list) or not recipe:
        raise InvalidValue(field, recipe, "a non-empty tuple of (SKU, units)")
    parts: list[tuple[str, int]] = []
    for item in recipe:
        if (
            not isinstance(item, tuple | list)
            or len(item) != 2
            or not isinstance(item[0], str)
            or not item[0].strip()
            or type(item[1]) is not int
            or not 1 <= item[1] <= MAX_UNITS
        ):
            raise InvalidValue(field, item, f"a (component SKU, units 1 to {MAX_UNITS:,}) pair")
        parts.append((item[0], item[1]))
    names = [name for name, _ in parts]
    if len(set(names)) != len(names):
        raise InvalidValue(field, recipe, "each component once")
    return tuple(parts)


def check_sets(value: object) -> Sets:
    """``value`` as a read-only mapping of set SKU → recipe, or :class:`InvalidValue`.

    A recipe is a non-empty sequence of (component SKU, units per set ≥ 1), each component once;
    a component is never itself a set.
    """
    if not isinstance(value, Mapping):
        raise InvalidValue("sets", value, "a mapping of set SKU → ((component SKU, units), …)")
    out: dict[str, Recipe] = {}
    for sku, recipe in value.items():
        if not isinstance(sku, str) or not sku.strip():
            raise InvalidValue("sets", sku, "set SKUs as keys")
        out[sku] = check_recipe(recipe, f"sets[{sku}]")
    for sku, recipe in out.items():
        for name, _ in recipe:
            if name in out:
                raise InvalidValue(f"sets[{sku}]", name, "a component that is not itself a set")
    return MappingProxyType(out)
