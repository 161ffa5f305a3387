"""セット商品 (set products): a SKU sold as a fixed set of component SKUs the inventory knows.

A set SKU such as ``GIFT-A`` = 2 × ``TEA`` + 1 × ``MUG`` is never in stock itself: a line of it
reserves, releases, ships and restocks its components, ``quantity × units per set`` of each, and
an :class:`~orderflow.domain.order.Allocation` of a set line counts whole sets, each from one
warehouse (a set ships as one). The recipes come from ``ShopSettings.sets``; a recipe must not
change while orders hold that set.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from orderflow.errors import InvalidValue

__all__ = ["Recipe", "Sets", "check_sets", "components", "whole_sets"]

Recipe = tuple[tuple[str, int], ...]
"""The components of one set: (component SKU, units per set), each component once."""

Sets = Mapping[str, Recipe]
"""Set SKU → its recipe."""


def components(sets: Sets, sku: str) -> Recipe:
    """What one unit of ``sku`` is made of in the inventory: its recipe, or itself once."""
    return sets.get(sku, ((sku, 1),))


def whole_sets(recipe: Recipe, units: Mapping[str, int]) -> int:
    """How many whole sets ``units`` (component SKU → units) make."""
    return min(units.get(sku, 0) // per for sku, per in recipe)


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
        if isinstance(recipe, str | bytes) or not isinstance(recipe, tuple | list) or not recipe:
            raise InvalidValue(f"sets[{sku}]", recipe, "a non-empty tuple of (SKU, units)")
        parts: list[tuple[str, int]] = []
        for item in recipe:
            if (
                not isinstance(item, tuple | list)
                or len(item) != 2
                or not isinstance(item[0], str)
                or not item[0].strip()
                or type(item[1]) is not int
                or item[1] < 1
            ):
                raise InvalidValue(f"sets[{sku}]", item, "a (component SKU, units ≥ 1) pair")
            parts.append((item[0], item[1]))
        names = [name for name, _ in parts]
        if len(set(names)) != len(names):
            raise InvalidValue(f"sets[{sku}]", recipe, "each component once")
        out[sku] = tuple(parts)
    for sku, recipe in out.items():
        for name, _ in recipe:
            if name in out:
                raise InvalidValue(f"sets[{sku}]", name, "a component that is not itself a set")
    return MappingProxyType(out)
