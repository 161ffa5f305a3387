"""Money: an exact ``Decimal`` amount in one currency (金額).

Amounts are never floats. Each currency's minor unit comes from Babel's CLDR data (JPY has none,
USD has two); an amount finer than its currency's minor unit is refused unless it is rounded
explicitly with :meth:`Money.of` and a :class:`Rounding`.
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs
from babel.numbers import get_currency_precision, list_currencies

from orderflow.errors import CurrencyMismatch, InvalidValue

__all__ = ["Money", "Rounding"]


class Rounding(enum.Enum):
    """How an amount is rounded to the currency's minor unit (端数処理)."""

    DOWN = decimal.ROUND_DOWN
    """切り捨て: toward zero; the most common rule for consumption tax."""
    HALF_UP = decimal.ROUND_HALF_UP
    """四捨五入: half away from zero."""
    UP = decimal.ROUND_UP
    """切り上げ: away from zero."""
    HALF_EVEN = decimal.ROUND_HALF_EVEN
    """Banker's rounding: half to even (for currencies or contracts that ask for it)."""


_QUANTUM: dict[str, Decimal] = {}


def _quantum(currency: str) -> Decimal:
    """The smallest amount of ``currency`` (1 for JPY, 0.01 for USD), validated once and cached."""
    try:
        return _QUANTUM[currency]
    except KeyError:
        pass
    if not isinstance(currency, str) or currency not in _known_currencies():
        raise InvalidValue("currency", currency, "an ISO 4217 currency code such as 'JPY'")
    quantum = Decimal(1).scaleb(-get_currency_precision(currency))
    _QUANTUM[currency] = quantum
    return quantum


_CURRENCIES: set[str] = set()
_ZEROS: dict[str, Money] = {}


def _known_currencies() -> set[str]:
    if not _CURRENCIES:
        _CURRENCIES.update(list_currencies())
    return _CURRENCIES


def _to_decimal(value: object, field: str) -> Decimal:
    """Accept ``Decimal``, ``int`` or a decimal string; refuse floats and everything else."""
    if type(value) is Decimal:
        return value
    if type(value) is int:
        return Decimal(value)
    if type(value) is str:
        try:
            return Decimal(value)
        except decimal.InvalidOperation:
            raise InvalidValue(field, value, "a decimal number such as '1980'") from None
    raise InvalidValue(field, value, "a Decimal, int or decimal string (never a float)")


@attrs.frozen(slots=True, order=False)
class Money:
    """An exact amount of one currency.

    ``Money(Decimal("1980"), "JPY")`` is ¥1,980. Arithmetic between two amounts requires the same
    currency; multiplying by a quantity keeps the amount exact; multiplying by a rate needs an
    explicit :class:`Rounding`.
    """

    amount: Decimal
    """The exact amount, never a float and never finer than the currency's minor unit (whole yen
    for JPY); it may be negative (a difference, an amount given back)."""
    currency: str
    """The ISO 4217 code (``JPY``, ``USD``) Babel knows; adding or comparing needs the same one."""

    def __attrs_post_init__(self) -> None:
        value = self.amount
        if type(value) is not Decimal:
            raise InvalidValue("amount", value, "a Decimal amount (never a float)")
        quantum = _quantum(self.currency)
        try:
            rounded = value.quantize(quantum)
        except decimal.InvalidOperation:
            raise InvalidValue("amount", value, "a finite amount") from None
        if rounded != value:
            raise InvalidValue(
                "amount",
                value,
                f"no more decimal places than {self.currency} allows "
                "(round explicitly with Money.of(..., rounding=...))",
            )
        object.__setattr__(self, "amount", rounded)

    @classmethod
    def of(
        cls, amount: Decimal | int | str, currency: str, rounding: Rounding | None = None
    ) -> Money:
        """Build an amount from a ``Decimal``, ``int`` or string, rounding only if told how."""
        value = _to_decimal(amount, "amount")
        if rounding is not None:
            value = value.quantize(_quantum(currency), rounding=rounding.value)
        return cls(value, currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in ``currency`` (one shared value per currency)."""
        zero = _ZEROS.get(currency)
        if zero is None:
            zero = _ZEROS[currency] = cls(Decimal(0), currency)
        return zero

    @classmethod
    def yen(cls, amount: Decimal | int | str) -> Money:
        """An amount in Japanese yen (no minor unit)."""
        return cls.of(amount, "JPY")

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """The sum of ``amounts`` (all in ``currency``); zero when there are none."""
        _quantum(currency)
        result = Decimal(0)
        for money in amounts:
            if money.currency != currency:
                raise CurrencyMismatch("amount", currency, money.currency)
            result += money.amount
        return cls._exact(result, currency)

    @classmethod
    def _exact(cls, amount: Decimal, currency: str) -> Money:
        """An amount already exact in ``currency`` (a sum or product of exact amounts)."""
        new = object.__new__(cls)
        object.__setattr__(new, "amount", amount)
        object.__setattr__(new, "currency", currency)
        return new

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise InvalidValue("amount", other, f"a Money in {self.currency}")
        if other.currency != self.currency:
            raise CurrencyMismatch("amount", self.currency, other.currency)
        return other

    def __add__(self, other: Money) -> Money:
        return Money._exact(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money._exact(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money._exact(-self.amount, self.currency)

    def __mul__(self, quantity: int) -> Money:
        if type(quantity) is not int:
            raise InvalidValue("quantity", quantity, "a whole number (use times_rate for rates)")
        return Money._exact(self.amount * quantity, self.currency)

    __rmul__ = __mul__

    def times_rate(self, rate: Decimal, rounding: Rounding) -> Money:
        """The amount times ``rate``, rounded to the minor unit by ``rounding``."""
        if type(rate) is not Decimal:
            raise InvalidValue("rate", rate, "a Decimal rate (never a float)")
        return Money._exact(
            (self.amount * rate).quantize(_quantum(self.currency), rounding=rounding.value),
            self.currency,
        )

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    @property
    def minor_units(self) -> int:
        """The amount in the currency's smallest unit (yen for JPY, cents for USD)."""
        return int(self.amount / _quantum(self.currency))

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """An amount from a count of the currency's smallest unit."""
        return cls(Decimal(units) * _quantum(currency), currency)

    @property
    def is_negative(self) -> bool:
        """True below zero."""
        return self.amount < 0

    def allocate(self, weights: Sequence[Decimal | int], remainder_to: int = 0) -> list[Money]:
        """Split this amount in proportion to ``weights``, exactly, to the minor unit (按分).

        Each share is rounded toward zero; what is left over (a few yen at most) goes to the share
        at index ``remainder_to``, as is usual for apportioning a discount over tax bases. When
        every weight is zero the whole amount goes there. The shares always add up to this amount.
        """
        if not weights:
            raise InvalidValue("weights", weights, "at least one weight")
        if not 0 <= remainder_to < len(weights):
            raise InvalidValue("remainder_to", remainder_to, f"an index below {len(weights)}")
        decimals = [Decimal(w) for w in weights]
        if any(w < 0 for w in decimals):
            raise InvalidValue("weights", weights, "weights of zero or more")
        quantum = _quantum(self.currency)
        units = int(self.amount / quantum)
        total_weight = sum(decimals)
        if total_weight == 0:
            shares = [0] * len(decimals)
        else:
            shares = [int(Decimal(units) * w / total_weight) for w in decimals]
        shares[remainder_to] += units - sum(shares)
        return [Money(Decimal(s) * quantum, self.currency) for s in shares]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: the amount as a string, never a float."""
        return {"amount": str(self.amount), "currency": self.currency}
