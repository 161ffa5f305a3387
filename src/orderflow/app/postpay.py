"""後払い reviews: a claim under review asked about again, one order or every one (審査結果確認)."""

from __future__ import annotations

from collections.abc import Iterator

from orderflow.app.base import DeskBase
from orderflow.domain.decisions import money
from orderflow.domain.order import Order
from orderflow.domain.payments import HoldCode
from orderflow.domain.queues import QueueQuery
from orderflow.errors import OrderflowError

__all__ = ["PostpayCommands"]


def _under_review(order: Order) -> bool:
    return any(h.code == HoldCode.POSTPAY_REVIEW and h.is_open for h in order.holds)


class PostpayCommands(DeskBase):
    """The 後払い provider's reviews: asked about again, by order or in a sweep."""

    def refresh_postpay(self, number: str, *, actor: str = "system") -> Order:
        """Ask the 後払い provider again about a claim under review; act on its decision."""
        return self._command(number, lambda order, ctx: money.check_credit(order), actor=actor)

    def refresh_postpay_reviews(self, *, actor: str = "system") -> list[Order]:
        """後払い審査 sweep: ask about every claim under review and act on each decision.

        Every order held ``postpay_review`` (a credit check pending at order, or an amend the
        provider sent to review) is asked about, as :meth:`refresh_postpay` does: approved, the
        hold comes off and the order goes on; declined, ``ShopSettings.postpay_declined`` says
        what follows. A plain call any scheduler runs (hourly, say). One order's trouble (a time
        out, a provider error) never stops the sweep: that order is asked again next time.
        Returns the orders whose review was decided, by number.
        """
        decided = []
        for order in self._held_for_review():
            try:
                after = self.refresh_postpay(order.number, actor=actor)
            except OrderflowError:
                continue
            if not _under_review(after):
                decided.append(after)
        return decided

    def _held_for_review(self) -> Iterator[Order]:
        """The orders held ``postpay_review`` (an unreadable one skipped with a warning)."""
        held = self._orders_listed(QueueQuery.held(HoldCode.POSTPAY_REVIEW))
        return (order for order in held if _under_review(order))
