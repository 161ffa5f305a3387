"""Fast copies of frozen values for the domain's own use.

``attrs.evolve`` re-runs every validator, which is right for values built from outside input and
wasteful for the domain's own steps (a status change does not need the lines checked again).
:func:`replace` copies a validated value with some fields changed, without validation; only
domain code that builds the changes from values already validated may use it. The copier of each
class is generated once from its attrs fields (one straight-line function, no loop).
"""

from __future__ import annotations

from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, TypeVar

import attrs

T = TypeVar("T")

_COPIERS: dict[type, Callable[[Any, dict[str, Any]], Any]] = {}


def _named_setter(name: str) -> Callable[[Any, Any], None]:
    def set_field(instance: Any, value: Any) -> None:
        object.__setattr__(instance, name, value)

    return set_field


def _copier(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    names = [f.name for f in attrs.fields(cls)]
    known = frozenset(names)
    namespace: dict[str, Any] = {
        "new_object": object.__new__,
        "setattr": object.__setattr__,
        "cls": cls,
        "known": known,
        "sorted": sorted,
        "set": set,
        "TypeError": TypeError,
    }
    for name in names:  # a slot's own setter is faster than object.__setattr__ by name
        slot = getattr(cls, name, None)
        namespace[f"set_{name}"] = (
            slot.__set__ if isinstance(slot, MemberDescriptorType) else _named_setter(name)
        )
    source = "\n".join(
        [
            "def copy(old, changes):",
            "    if not known.issuperset(changes):",
            "        raise TypeError(f'unknown fields {sorted(set(changes) - known)} for {cls}')",
            "    new = new_object(cls)",
            *(f"    set_{name}(new, old.{name})" for name in names),
            "    for name, value in changes.items():",
            "        setattr(new, name, value)",
            "    return new",
        ]
    )
    exec(compile(source, f"<replace {cls.__qualname__}>", "exec"), namespace)
    copier: Callable[[Any, dict[str, Any]], Any] = namespace["copy"]
    _COPIERS[cls] = copier
    return copier


def replace(instance: T, **changes: Any) -> T:
    """A copy of the frozen attrs ``instance`` with ``changes``, skipping validation."""
    copier = _COPIERS.get(type(instance)) or _copier(type(instance))
    result: T = copier(instance, changes)
    return result
