"""The executor's purchase-order half: it calls the suppliers and the inventory for 発注.

A purchase order is driven like an order: its pending effects are performed in order, each with
its key (``<po number>:<seq>``), each answer folded back through the pure domain
(:func:`orderflow.domain.purchasing.fold`), and the purchase order saved when its outbox is empty
(or on a time-out, with what was answered so far). A crash in between loses nothing: the effects
stay on the saved purchase order and are performed again with the same keys.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from orderflow.app._ask import ask, checked_answer
from orderflow.domain._text import storable_text
from orderflow.domain._values import replace
from orderflow.domain.answers import MAX_ATTEMPTS
from orderflow.domain.effects import (
    CancelAtSupplier,
    Done,
    Effect,
    ReceivePurchased,
    Refused,
    SendToSupplier,
)
from orderflow.domain.lifecycle import Context
from orderflow.domain.purchasing import PurchaseOrder, fold
from orderflow.errors import (
    InvalidValue,
    PaymentDeclined,
    ProviderError,
    ProviderTimeout,
)
from orderflow.ports import PurchaseOrderStore, Supplier

if TYPE_CHECKING:
    from orderflow.app._wiring import Ports

__all__ = ["PurchasingExecutor"]


class PurchasingExecutor:
    """Loads, saves and drives purchase orders (mixed into the executor)."""

    ports: Ports
    """The desk's ports, set by the ``Executor`` this class is mixed into."""

    def _po_store(self) -> PurchaseOrderStore:
        store = self.ports.purchase_orders
        if store is None:
            raise InvalidValue("purchase_orders", None, "a PurchaseOrderStore given to the desk")
        return store

    def supplier(self, code: str) -> Supplier:
        """The supplier port of ``code`` (``InvalidValue`` naming ``supplier`` if unknown)."""
        found = self.ports.suppliers.get(code) if isinstance(code, str) else None
        if found is None:
            raise InvalidValue("supplier", code, f"one of {sorted(self.ports.suppliers)}")
        return found

    def load_purchase_order(self, number: str) -> PurchaseOrder:
        """The stored purchase order ``number`` (``OrderNotFound`` if there is none)."""
        return self._po_store().get(number)

    def add_purchase_order(self, po: PurchaseOrder) -> PurchaseOrder:
        """Store a new purchase order (``DuplicateOrder`` if the number is taken)."""
        self._po_store().add(po)
        return po

    def open_purchase_orders(self, supplier: str | None = None) -> list[PurchaseOrder]:
        """Purchase orders not received nor cancelled (of ``supplier``)."""
        return list(self._po_store().open_purchase_orders(supplier))

    def pending_purchase_orders(self) -> list[PurchaseOrder]:
        """Purchase orders with pending effects."""
        if self.ports.purchase_orders is None:
            return []
        return list(self._po_store().pending())

    def save_purchase_order(self, stored: PurchaseOrder, new: PurchaseOrder) -> PurchaseOrder:
        """Save ``new`` over ``stored`` (version checked); returns what was saved."""
        if new is stored:
            return stored
        saved = replace(new, version=stored.version + 1)
        self._po_store().save(saved, expected_version=stored.version)
        return saved

    def drive_purchase_order(self, po: PurchaseOrder) -> PurchaseOrder:
        """Perform ``po``'s pending effects (it must be as stored); returns it saved."""
        start = po
        ctx = Context(self.ports.clock.now(), "system")
        while po.outbox:
            effect = po.outbox[0]
            checkpoint = partial(self.save_purchase_order, start, po)
            answer = ask(po.number, effect, self._perform_for_po, po, checkpoint)
            po = fold(po, effect, answer, ctx)
            if isinstance(answer, Refused) and effect.obligation:
                start = po = self.save_purchase_order(start, po)  # the retry's key is kept
                if effect.attempt >= MAX_ATTEMPTS:
                    break  # a person looks at it; the effect stays pending for the next resume
        return self.save_purchase_order(start, po)

    def _perform_for_po(self, po: PurchaseOrder, effect: Effect) -> Done | Refused:
        try:
            if isinstance(effect, SendToSupplier):
                value: object = self.supplier(po.supplier).send(key=effect.key, purchase_order=po)
            elif isinstance(effect, CancelAtSupplier):
                value = self.supplier(po.supplier).cancel(
                    key=effect.key, reference=effect.reference, lines=effect.lines
                )
            elif isinstance(effect, ReceivePurchased):
                receive = getattr(self.ports.inventory, "receive", None)
                if not callable(receive):
                    raise ProviderError("the inventory has no receive()")
                receive(
                    effect.warehouse,
                    effect.sku,
                    effect.quantity,
                    key=f"receipt:{effect.key}",
                    reason=f"発注 {po.number}",
                )
                value = None
            else:
                raise ProviderError(f"{effect.kind} is not an effect of a purchase order")
        except ProviderTimeout:
            raise
        except PaymentDeclined as declined:
            return Refused(storable_text(declined.code), storable_text(declined.reason))
        except ProviderError as refused:
            return Refused("refused", storable_text(str(refused)))
        return Done(checked_answer(effect, value))  # text no database stores: the adapter's bug
