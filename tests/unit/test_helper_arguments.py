"""The public helpers of the domain refuse an argument of the wrong type with an InvalidValue.

``next_moves(None)``, ``allowed_moves("ordered")``, ``normalize_address(None)``,
``normalize_payer_name(None)``, ``reconcile(None, {})``, ``review(...)`` and ``apply_findings(...)``
raised AttributeError, KeyError or TypeError; each now names the argument.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from orderflow import (
    Deposit,
    Money,
    ReviewContext,
    allowed_moves,
    apply_findings,
    next_moves,
    normalize_address,
    normalize_payer_name,
    payer_search_key,
    reconcile,
    review,
)
from orderflow.errors import InvalidValue
from tests.builders import CTX, T0, place, shop

DEPOSIT = Deposit("101-7777777", Money.yen(1000), "ﾔﾏﾀﾞ ﾀﾛｳ", date(2026, 11, 22), "R1")


def _order() -> object:
    return place(shop())


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: allowed_moves("ordered"), "status"),  # type: ignore[arg-type]
        (lambda: allowed_moves(None), "status"),  # type: ignore[arg-type]
        (lambda: next_moves(None), "order"),  # type: ignore[arg-type]
        (lambda: next_moves("1001"), "order"),  # type: ignore[arg-type]
        (lambda: normalize_address(None), "address"),  # type: ignore[arg-type]
        (lambda: normalize_address("東京都渋谷区神宮前1-2-3"), "address"),  # type: ignore[arg-type]
        (lambda: normalize_payer_name(None), "payer_name"),  # type: ignore[arg-type]
        (lambda: payer_search_key(5), "payer_name"),  # type: ignore[arg-type]
        (lambda: reconcile(None, {}), "deposits"),  # type: ignore[arg-type]
        (lambda: reconcile([DEPOSIT, None], {}), "deposits[1]"),  # type: ignore[list-item]
        (lambda: reconcile([DEPOSIT], None), "open_accounts"),  # type: ignore[arg-type]
        (lambda: reconcile([DEPOSIT], {"101-7777777": 1000}), "open_accounts"),  # type: ignore[dict-item]
        (lambda: reconcile([DEPOSIT], {}, "R1"), "seen_references"),
        (lambda: review(None, [], ReviewContext(T0)), "order"),  # type: ignore[arg-type]
        (lambda: review(_order(), [None], ReviewContext(T0)), "review_rules[0]"),  # type: ignore[arg-type, list-item]
        (lambda: review(_order(), [], None), "context"),  # type: ignore[arg-type]
        (lambda: apply_findings(None, [], CTX), "order"),  # type: ignore[arg-type]
        (lambda: apply_findings(_order(), [None], CTX), "findings[0]"),  # type: ignore[arg-type, list-item]
        (lambda: apply_findings(_order(), None, CTX), "findings"),  # type: ignore[arg-type]
        (lambda: apply_findings(_order(), [], None), "ctx"),  # type: ignore[arg-type]
    ],
)
def test_a_helper_given_the_wrong_type_raises_invalid_value_naming_it(
    call: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        call()
    assert refused.value.field == field


def test_the_helpers_still_work_on_what_they_take() -> None:
    order = place(shop())
    assert next_moves(order) and allowed_moves(order.status)
    assert normalize_payer_name("ﾔﾏﾀﾞ ﾀﾛｳ") == "ヤマダ タロウ"
    assert reconcile([DEPOSIT], {}).unmatched == (DEPOSIT,)
    assert review(order, [], ReviewContext(T0)) == []
