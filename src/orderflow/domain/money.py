"""Money: an exact ``Decimal`` amount in one currency (金額).

Amounts are never floats. Each currency's minor unit comes from Babel's CLDR data (JPY has none,
USD has two); an amount finer than its currency's minor unit is refused unless it is rounded
explicitly with :meth:`Money.of` and a :class:`Rounding`.

An amount has at most 28 digits in its currency's minor unit (:data:`MAX_DIGITS`): below 10^28
yen, 10^26 dollars. Every operation is worked out exactly, whatever the caller's ``decimal``
context; a result past that bound is refused (:class:`~orderflow.errors.InvalidValue` naming the
operation), never rounded.
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

__all__ = ["MAX_DIGITS", "Money", "Rounding"]

MAX_DIGITS = 28
"""An amount has fewer than 10^28 of its currency's smallest unit (28 digits: below 10^28 JPY,
10^26 USD); a result past that is refused, never rounded."""

_HUGE_BITS = 512
"""An int of more bits than this is far past every bound here (10^28, 10^60): refused unread."""

_MAX_WEIGHT_DIGITS = 60
"""An :meth:`Money.allocate` weight is below 10^60 and has at most 60 decimal places."""

_EXACT = decimal.Context(
    prec=4 * MAX_DIGITS,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
        decimal.Underflow,
        decimal.Subnormal,
        decimal.Inexact,
        decimal.Rounded,
        decimal.Clamped,
    ],
)
"""Sums, differences and products of amounts: any rounding at all raises (then the result is past
the bound by far)."""

_ROUND = decimal.Context(
    prec=4 * MAX_DIGITS,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
"""Rounding a value within the bound to the minor unit (the only rounding there is)."""

WIDE = decimal.Context(prec=4 * MAX_DIGITS, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[])
"""For the domain's own sums of ``Money.amount`` values (an order's totals): wide enough that sums
of amounts within the bound are exact, whatever the caller's context; :meth:`Money._exact` then
refuses a result past the bound."""


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
_LIMIT: dict[str, Decimal] = {}
_PLACES: dict[str, int] = {}


def _quantum(currency: object) -> Decimal:
    """The smallest amount of ``currency`` (1 for JPY, 0.01 for USD), validated once and cached."""
    if type(currency) is str:
        quantum = _QUANTUM.get(currency)
        if quantum is not None:
            return quantum
    if not isinstance(currency, str) or currency not in _known_currencies():
        raise InvalidValue("currency", currency, "an ISO 4217 currency code such as 'JPY'")
    quantum = Decimal(1).scaleb(-get_currency_precision(currency))
    _LIMIT[currency] = quantum.scaleb(MAX_DIGITS)
    _PLACES[currency] = get_currency_precision(currency)
    _QUANTUM[currency] = quantum
    return quantum


def _limit(currency: str) -> Decimal:
    """The first amount past the bound (10^28 of the minor unit), for a validated currency."""
    _quantum(currency)
    return _LIMIT[currency]


def _bound(currency: str) -> str:
    """The bound in words: ``10^28 JPY``, ``10^26 USD (10^28 of its minor unit)``."""
    _quantum(currency)
    places = _PLACES[currency]
    if not places:
        return f"10^{MAX_DIGITS} {currency}"
    return f"10^{MAX_DIGITS - places} {currency} (10^{MAX_DIGITS} of its minor unit)"


def _too_large(field: str, what: str, shown: object, currency: str) -> InvalidValue:
    return InvalidValue(
        field,
        shown,
        f"{'an' if what[0] in 'aeiou' else 'a'} {what} below {_bound(currency)} in size "
        f"(money keeps at most {MAX_DIGITS} digits and is never rounded)",
    )


_CURRENCIES: set[str] = set()
_ZEROS: dict[str, Money] = {}


def _known_currencies() -> set[str]:
    if not _CURRENCIES:
        _CURRENCIES.update(list_currencies())
    return _CURRENCIES


def _to_decimal(value: object, field: str) -> Decimal:
    """Accept a finite ``Decimal``, ``int`` or decimal string; refuse floats and everything else."""
    if type(value) is Decimal:
        number = value
    elif type(value) is int:
        if value.bit_length() > _HUGE_BITS:  # far past the bound: not worth converting
            raise InvalidValue(field, value, f"an amount of at most {MAX_DIGITS} digits")
        number = Decimal(value)
    elif type(value) is str:
        try:
            number = Decimal(value)
        except (decimal.InvalidOperation, ValueError):
            raise InvalidValue(field, value, "a decimal number such as '1980'") from None
    else:
        raise InvalidValue(field, value, "a Decimal, int or decimal string (never a float)")
    if not number.is_finite():
        raise InvalidValue(field, value, "a finite amount")
    return number


def _rounding(value: object) -> str:
    if not isinstance(value, Rounding):
        raise InvalidValue("rounding", value, "a Rounding (DOWN, HALF_UP, UP or HALF_EVEN)")
    mode: str = value.value
    return mode


def _weight(value: object, weights: object) -> Decimal:
    """One :meth:`Money.allocate` weight: a finite Decimal or int, 0 or more, within bounds."""
    if type(value) is Decimal or (type(value) is int and value.bit_length() <= _HUGE_BITS):
        number = Decimal(value)
        if (
            number.is_finite()
            and not number.is_signed()
            and (
                number.is_zero()
                or (
                    number.adjusted() < _MAX_WEIGHT_DIGITS
                    and number.as_tuple().exponent >= -_MAX_WEIGHT_DIGITS  # type: ignore[operator]
                )
            )
        ):
            return number
    raise InvalidValue(
        "weights",
        weights,
        f"Decimal or int weights of zero or more (never a float), below 10^{_MAX_WEIGHT_DIGITS}, "
        f"with at most {_MAX_WEIGHT_DIGITS} decimal places",
    )


def _scaled(weights: list[Decimal]) -> list[int]:
    """The weights as whole numbers in the same proportions (all times one power of ten)."""
    exponents = [int(w.as_tuple().exponent) for w in weights if not w.is_zero()]
    low = min(exponents) if exponents else 0
    return [int(w.scaleb(-low, context=_EXACT)) if not w.is_zero() else 0 for w in weights]


@attrs.frozen(slots=True, order=False)
class Money:
    """An exact amount of one currency.

    ``Money(Decimal("1980"), "JPY")`` is ¥1,980. Arithmetic between two amounts requires the same
    currency; multiplying by a quantity keeps the amount exact; multiplying by a rate needs an
    explicit :class:`Rounding`. Every result is exact: one past :data:`MAX_DIGITS` digits is
    refused with :class:`~orderflow.errors.InvalidValue`, never rounded.
    """

    amount: Decimal
    """The exact amount, never a float and never finer than the currency's minor unit (whole yen
    for JPY), below 10^28 of the minor unit in size; it may be negative (a difference, an amount
    given back); zero is never ``-0``."""
    currency: str
    """The ISO 4217 code (``JPY``, ``USD``) Babel knows; adding or comparing needs the same one."""

    def __attrs_post_init__(self) -> None:
        value = self.amount
        if type(value) is not Decimal:
            raise InvalidValue(
                "amount",
                value,
                "a Decimal amount (never a float; Money.yen(1980) or Money.of(1980, 'JPY')"
                " take an int or a decimal string)",
            )
        quantum = _quantum(self.currency)
        if not value.is_finite():
            raise InvalidValue("amount", value, "a finite amount")
        if value.copy_abs() >= _LIMIT[self.currency]:
            raise _too_large("amount", "amount", value, self.currency)
        rounded = value.quantize(quantum, context=_ROUND)
        if rounded != value:
            raise InvalidValue(
                "amount",
                value,
                f"no more decimal places than {self.currency} allows "
                "(round explicitly with Money.of(..., rounding=...))",
            )
        object.__setattr__(self, "amount", rounded if rounded else rounded.copy_abs())

    @classmethod
    def of(
        cls, amount: Decimal | int | str, currency: str, rounding: Rounding | None = None
    ) -> Money:
        """Build an amount from a ``Decimal``, ``int`` or string, rounding only if told how."""
        value = _to_decimal(amount, "amount")
        if rounding is not None:
            mode = _rounding(rounding)
            if value.copy_abs() >= _limit(currency):
                raise _too_large("amount", "amount", value, currency)
            value = value.quantize(_quantum(currency), rounding=mode, context=_ROUND)
        return cls(value, currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in ``currency`` (one shared value per currency)."""
        zero = _ZEROS.get(currency) if type(currency) is str else None
        if zero is None:
            zero = cls(Decimal(0), currency)
            _ZEROS[currency] = zero
        return zero

    @classmethod
    def yen(cls, amount: Decimal | int | str) -> Money:
        """An amount in Japanese yen (no minor unit)."""
        return cls.of(amount, "JPY")

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """The sum of ``amounts`` (all in ``currency``); zero when there are none."""
        _quantum(currency)
        try:
            each = iter(amounts)
        except TypeError:
            each = None
        if each is None or isinstance(amounts, str | bytes):
            raise InvalidValue("amounts", amounts, f"an iterable of Money in {currency}")
        result = Decimal(0)
        try:
            for money in each:
                if not isinstance(money, Money):
                    raise InvalidValue("amounts", money, f"a Money in {currency}")
                if money.currency != currency:
                    raise CurrencyMismatch("amount", currency, money.currency)
                result = _EXACT.add(result, money.amount)
        except decimal.DecimalException:
            raise _too_large("amount", "total", "the sum of the amounts", currency) from None
        return cls._exact(result, currency, "total")

    @classmethod
    def _exact(cls, amount: Decimal, currency: str, what: str = "amount") -> Money:
        """An amount already exact in ``currency`` (a sum or product of exact amounts).

        Refused (:class:`InvalidValue` naming ``what``) past the bound; ``-0`` becomes 0. An
        amount with fewer places than the currency has (points, a sum of nothing) is given them:
        ``12`` dollars is ``12.00``.
        """
        if not amount.is_finite() or amount.copy_abs() >= _limit(currency):
            raise _too_large("amount", what, amount, currency)
        places = _PLACES[currency]  # known: _limit above looked the currency up
        if places and amount.as_tuple().exponent > -places:  # type: ignore[operator]
            amount = amount.quantize(_QUANTUM[currency], context=_EXACT)  # more places: exact
        return _new(amount, currency)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise InvalidValue("amount", other, f"a Money in {self.currency}")
        if other.currency != self.currency:
            raise CurrencyMismatch("amount", self.currency, other.currency)
        return other

    def __add__(self, other: Money) -> Money:
        currency = self.currency
        result = _EXACT.add(self.amount, self._same(other).amount)  # exact within the bound
        if result.copy_abs() >= _LIMIT[currency]:
            raise _too_large("amount", "sum", f"{self} + {other}", currency)
        return _new(result, currency)

    def __sub__(self, other: Money) -> Money:
        currency = self.currency
        result = _EXACT.subtract(self.amount, self._same(other).amount)  # exact within the bound
        if result.copy_abs() >= _LIMIT[currency]:
            raise _too_large("amount", "difference", f"{self} - {other}", currency)
        return _new(result, currency)

    def __neg__(self) -> Money:
        return _new(self.amount.copy_negate(), self.currency)

    def __mul__(self, quantity: int) -> Money:
        if type(quantity) is not int:
            raise InvalidValue("quantity", quantity, "a whole number (use times_rate for rates)")
        if not self.amount:
            return self
        try:
            if quantity.bit_length() > _HUGE_BITS:  # far past the bound: not worth converting
                raise decimal.Overflow
            result = _EXACT.multiply(self.amount, quantity)
            if result.copy_abs() >= _LIMIT[self.currency]:
                raise decimal.Overflow
        except decimal.DecimalException:
            shown = f"{self} × {quantity if quantity.bit_length() < 128 else 'a huge quantity'}"
            raise _too_large("amount", "product", shown, self.currency) from None
        return _new(result, self.currency)

    __rmul__ = __mul__

    def times_rate(self, rate: Decimal, rounding: Rounding) -> Money:
        """The amount times ``rate``, rounded to the minor unit by ``rounding``."""
        if type(rate) is not Decimal:
            raise InvalidValue("rate", rate, "a Decimal rate (never a float)")
        if not rate.is_finite():
            raise InvalidValue("rate", rate, "a finite Decimal rate")
        mode = _rounding(rounding)
        if not self.amount or not rate:
            return Money.zero(self.currency)
        currency = self.currency
        shown = f"{self} × {rate}"
        try:
            try:
                product = _EXACT.multiply(self.amount, rate)
            except (decimal.Inexact, decimal.Rounded):
                # a rate of very many digits: as many as the product needs
                wide = _EXACT.copy()
                wide.prec = len(self.amount.as_tuple().digits) + len(rate.as_tuple().digits)
                product = wide.multiply(self.amount, rate)
            if product.copy_abs() >= _LIMIT[currency]:
                raise decimal.Overflow
            result = product.quantize(_QUANTUM[currency], rounding=mode, context=_ROUND)
        except decimal.DecimalException:
            raise _too_large("amount", "product", shown, currency) from None
        if result.copy_abs() >= _LIMIT[currency]:
            raise _too_large("amount", "product", shown, currency)
        return _new(result, currency)

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
        return int(self.amount.scaleb(_PLACES[self.currency], context=_EXACT))

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """An amount from a count of the currency's smallest unit."""
        _quantum(currency)
        if type(units) is not int:
            raise InvalidValue("units", units, "a whole number of the currency's smallest unit")
        if abs(units) >= 10**MAX_DIGITS:
            shown = units if units.bit_length() < 128 else "a huge number"
            raise _too_large("units", "amount", shown, currency)
        return _new(Decimal(units).scaleb(-_PLACES[currency], context=_EXACT), currency)

    @property
    def is_negative(self) -> bool:
        """True below zero."""
        return self.amount < 0

    def allocate(self, weights: Sequence[Decimal | int], remainder_to: int = 0) -> list[Money]:
        """Split this amount in proportion to ``weights``, exactly, to the minor unit (按分).

        Each share is rounded toward zero; what is left over (a few yen at most) goes to the share
        at index ``remainder_to``, as is usual for apportioning a discount over tax bases. When
        every weight is zero the whole amount goes there. The shares always add up to this amount.
        A weight is a ``Decimal`` or ``int`` of zero or more (never a float), below 10^60 with at
        most 60 decimal places.
        """
        if isinstance(weights, str | bytes) or not isinstance(weights, Sequence) or not weights:
            raise InvalidValue("weights", weights, "a list of at least one weight")
        if type(remainder_to) is not int or not 0 <= remainder_to < len(weights):
            raise InvalidValue("remainder_to", remainder_to, f"an index below {len(weights)}")
        scaled = _scaled([_weight(w, weights) for w in weights])
        units = self.minor_units
        total_weight = sum(scaled)
        if total_weight == 0:
            shares = [0] * len(scaled)
        else:  # toward zero, exactly: whole numbers only
            size = abs(units)
            shares = [size * w // total_weight for w in scaled]
            if units < 0:
                shares = [-s for s in shares]
        shares[remainder_to] += units - sum(shares)
        return [Money.from_minor_units(s, self.currency) for s in shares]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: the amount as a string, never a float."""
        return {"amount": str(self.amount), "currency": self.currency}


_set_amount = vars(Money)["amount"].__set__  # the slots' own setters (Money is frozen)
_set_currency = vars(Money)["currency"].__set__


def _new(amount: Decimal, currency: str) -> Money:
    """A Money of an amount already checked (exact, finite, within the bound); ``-0`` becomes 0."""
    new = object.__new__(Money)
    _set_amount(new, amount if amount else amount.copy_abs())
    _set_currency(new, currency)
    return new
