"""The executor's perform functions for returns (返品), kept apart to keep the executor small.

They are the executor's own: only :class:`~orderflow.app.executor.Executor` calls them, from its
table of effects, and they reach the ports through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orderflow.domain.effects import Restock
from orderflow.domain.order import Order

if TYPE_CHECKING:
    from orderflow.app.executor import Executor

__all__ = ["perform_restock"]


def perform_restock(executor: Executor, order: Order, e: Restock) -> object:
    """返品再入庫: the units go back on hand through the inventory's receive, once per key."""
    executor.receive_stock(
        e.warehouse, e.sku, e.quantity, key=e.key, reason=f"return {order.number}/{e.return_id}"
    )
    return None
