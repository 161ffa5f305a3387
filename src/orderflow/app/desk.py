"""The desk (受注デスク): the application service a shop calls for every decision about an order.

A thin façade over the command handlers. Every command has the same three beats:

1. **decide** — the pure domain (:mod:`orderflow.domain.decisions`) computes the new order and the
   effects to perform, each with its idempotency key; bad input raises here, before anything;
2. **save** — the order and its pending effects (its outbox) in one write, version-checked: of
   two commands racing on one order, the loser fails here, before any outside call;
3. **do** — the executor (:mod:`orderflow.app.executor`), the only code that calls a port,
   performs the effects and folds each answer back through the domain; one more save.

Every command first finishes what is pending on its order; :meth:`OrderDesk.resume` and
:meth:`OrderDesk.resume_pending` do it explicitly after a time-out or a crash.
"""

from __future__ import annotations

from orderflow.app.backorders import BackorderCommands
from orderflow.app.bundles import BundleCommands
from orderflow.app.changes import ChangeCommands
from orderflow.app.dropship import DropShipCommands
from orderflow.app.fulfilment import FulfilmentCommands
from orderflow.app.money import DepositReport, MoneyCommands
from orderflow.app.orders import OrderCommands
from orderflow.app.points import PointsCommands
from orderflow.app.postpay import PostpayCommands
from orderflow.app.returns import ReturnCommands
from orderflow.app.tracking import CarrierEventReport, TrackingCommands

__all__ = ["CarrierEventReport", "DepositReport", "OrderDesk"]


class OrderDesk(
    DropShipCommands,
    ReturnCommands,
    BundleCommands,
    BackorderCommands,
    OrderCommands,
    FulfilmentCommands,
    TrackingCommands,
    MoneyCommands,
    PostpayCommands,
    ChangeCommands,
    PointsCommands,
):
    """Takes an order from 受注 to 計上済 through the ports, one command at a time.

    ``warehouses`` maps each warehouse code of ``settings.warehouses`` to its port; ``carriers``
    maps carrier codes to carrier adapters. The payment ports are optional: a shop gives the ones
    for the methods it takes (``gateway`` for cards, ``amazon_pay``, ``postpay``, ``bank`` for
    transfers to virtual accounts, ``konbini``; ``fraud`` screens card orders). ``points`` is the
    shop's loyalty-point system (used points are taken at order and given back on cancel;
    earned points granted by ``grant_points_due`` and taken back by ``claw_back_points``);
    ``suppliers`` maps supplier codes to their ports and ``purchase_orders`` keeps the purchase
    orders (発注, see :mod:`orderflow.app.purchasing`);
    ``review`` the rules of the order review (:func:`~orderflow.domain.review.default_rules`
    when not given); ``carrier_feeds`` the carriers' tracking feeds that
    ``poll_carrier_events`` polls (:class:`~orderflow.ports.CarrierEvents`, by carrier code).
    """
