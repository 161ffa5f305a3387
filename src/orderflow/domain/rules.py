"""What the domain needs to know about the shop when it decides: its settings and its ports.

Folding an answer is pure, but some decisions depend on the shop: its tax rule, whether a fraud
screen is wired in, whether points are kept by a points system. :class:`Rules` carries that, so
no domain function needs the desk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from orderflow.domain.review import ReviewRule
    from orderflow.settings import ShopSettings

__all__ = ["Rules"]


@attrs.frozen(slots=True)
class Rules:
    """The shop's settings and which optional ports it has."""

    settings: ShopSettings
    """The shop's settings (tax rule, return policy, warehouses, time zone …)."""
    screen_cards: bool = False
    """A fraud screen is wired in: card orders are screened before authorization."""
    points: bool = False
    """A points system is wired in: points used are taken and given back through it."""
    review: tuple[ReviewRule, ...] = ()
    """The rules of the order review (注文確認), run on accept and after every change."""
