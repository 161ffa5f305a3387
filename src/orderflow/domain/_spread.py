"""Spreading what rounding leaves over one rate's journal lines (for booking)."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["spread"]


def spread(values: list[Decimal], delta: Decimal, caps: list[Decimal | None]) -> list[Decimal]:
    """``values`` with ``delta`` (what rounding leaves) spread over them, the largest first.

    A yen added goes where the value stays within its cap (None: none); a yen taken never takes a
    value below zero. The values and ``delta`` always allow it (the rate's base is the sum of
    its lines, none below zero); what could not be placed goes on the largest value.
    """
    out = list(values)
    order = sorted(range(len(out)), key=lambda i: (-out[i], i))
    for i in order:
        if not delta:
            break
        cap = caps[i]
        if delta > 0:
            step = delta if cap is None else min(delta, max(cap - out[i], Decimal(0)))
        else:
            step = -min(-delta, max(out[i], Decimal(0)))
        out[i] += step
        delta -= step
    if delta:
        out[order[0]] += delta
    return out
