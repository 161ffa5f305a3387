"""The picking list (ピッキングリスト) of one warehouse and wave: data only.

:func:`picking_list` gathers, from the orders given, every shipment of one warehouse that is
instructed and not yet shipped (出荷指示済), one row per shipment line, sorted the way a picker
walks: by bin location (ロケーション), then SKU, then order number and shipment id. SKUs with no
known location come last. The list also adds up the units per SKU (商品別合計), for pickers who
pick in total first and sort into parcels after (トータルピッキング). A row of a 同梱 shipment
names its box (``parcel``): the shipments of one box are packed together.

orderflow does not assign waves (ウェーブ, a batch picked together): pass the orders of one wave,
and ``wave`` names it on the paper.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from orderflow.domain.order import Order, ShipmentStatus
from orderflow.domain.sets import Recipe, check_sets, line_components
from orderflow.errors import InvalidValue

__all__ = ["PickingList", "PickingRow", "SkuTotal", "picking_list"]


@attrs.frozen(slots=True)
class PickingRow:
    """One line of a picking list: so many units of one SKU for one shipment."""

    location: str | None
    """The bin location (棚番), or None when the shop gave none for this SKU."""
    sku: str
    """The SKU to pick: a set's component (セット商品) when the list was made with ``sets``."""
    name: str
    """The order line's product name; for a component, ``<set name>: <component SKU>``."""
    quantity: int
    """Units to pick for this shipment line (a component: sets × units per set)."""
    order_number: str
    """The order the shipment belongs to."""
    shipment_id: str
    """The shipment (parcel) the units are packed into."""
    parcel: str | None = None
    """同梱: the box the shipment shares with other orders' shipments (``Shipment.parcel``, as
    ``P-1001-TOKYO``), packed as one parcel under one label; None: the shipment is a box alone."""


@attrs.frozen(slots=True)
class SkuTotal:
    """Every unit of one SKU on a picking list (商品別合計)."""

    location: str | None
    """The SKU's bin location (棚番), or None when the shop gave none."""
    sku: str
    """The SKU added up over every row of the list."""
    name: str
    """The product name as its rows give it (the last row's, if they differ)."""
    quantity: int
    """Units of the SKU over the whole list, for トータルピッキング."""


@attrs.frozen(slots=True)
class PickingList:
    """What to pick in one warehouse for one wave (ピッキングリスト)."""

    warehouse: str
    """The code of the warehouse whose instructed shipments are listed."""
    wave: str | None
    """The wave's name, as the caller gave it (or None)."""
    rows: tuple[PickingRow, ...]
    """Sorted by location (unknown last), SKU, order number, shipment id."""

    @property
    def totals(self) -> tuple[SkuTotal, ...]:
        """Units per SKU, in the rows' order (by location, then SKU)."""
        found: dict[str, SkuTotal] = {}
        for row in self.rows:
            seen = found.get(row.sku)
            quantity = row.quantity + (seen.quantity if seen else 0)
            found[row.sku] = SkuTotal(row.location, row.sku, row.name, quantity)
        return tuple(found.values())

    @property
    def shipment_ids(self) -> tuple[str, ...]:
        """The shipments on the list, each once, in the order they first appear."""
        return tuple(dict.fromkeys(row.shipment_id for row in self.rows))

    @property
    def quantity(self) -> int:
        """Every unit to pick."""
        return sum(row.quantity for row in self.rows)


def _sort_key(row: PickingRow) -> tuple[bool, str, str, str, str]:
    return (row.location is None, row.location or "", row.sku, row.order_number, row.shipment_id)


def _check_text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, value, "a non-empty text")
    return value


def _check_locations(locations: object) -> Mapping[str, str]:
    if locations is None:
        return {}
    if not isinstance(locations, Mapping):
        raise InvalidValue("locations", locations, "a mapping of SKU to bin location")
    for sku, location in locations.items():
        if not isinstance(sku, str) or not isinstance(location, str) or not location.strip():
            raise InvalidValue(
                f"locations[{sku!r}]", location, "a non-empty bin location text for a SKU text"
            )
    return locations


def picking_list(
    orders: Iterable[Order],
    warehouse: str,
    *,
    wave: str | None = None,
    locations: Mapping[str, str] | None = None,
    sets: Mapping[str, Recipe] | None = None,
) -> PickingList:
    """The picking list of ``warehouse`` over ``orders`` (see the module).

    Only shipments of that warehouse with status ``INSTRUCTED`` are listed; orders without one
    are skipped. ``locations`` maps SKU → bin location. Each order may be given once. With
    ``sets`` (``ShopSettings.sets``) a set line (セット商品) is picked as its components: one row
    per component, named ``<set name>: <component SKU>``, sets × units per set (the recipe the
    line was placed with).
    """
    recipes = check_sets(sets or {})
    _check_text("warehouse", warehouse)
    if wave is not None:
        _check_text("wave", wave)
    where = _check_locations(locations)
    if isinstance(orders, (str, bytes)) or not isinstance(orders, Iterable):
        raise InvalidValue("orders", orders, "an iterable of Order values")
    rows: list[PickingRow] = []
    seen: set[str] = set()
    for index, order in enumerate(orders):
        if not isinstance(order, Order):
            raise InvalidValue(f"orders[{index}]", order, "an Order")
        if order.number in seen:
            raise InvalidValue(f"orders[{index}]", order.number, "each order given once")
        seen.add(order.number)
        for shipment in order.shipments:
            if shipment.warehouse != warehouse or shipment.status is not ShipmentStatus.INSTRUCTED:
                continue
            for part in shipment.lines:
                line = order.line(part.line_id)
                parts = line_components(line, recipes) if sets is not None else ((line.sku, 1),)
                for sku, per in parts:
                    rows.append(
                        PickingRow(
                            where.get(sku),
                            sku,
                            line.name if sku == line.sku else f"{line.name}: {sku}",
                            part.quantity * per,
                            order.number,
                            shipment.shipment_id,
                            shipment.parcel,
                        )
                    )
    rows.sort(key=_sort_key)
    return PickingList(warehouse, wave, tuple(rows))
