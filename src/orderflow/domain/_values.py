"""Fast copies of frozen values for the domain's own use.

``attrs.evolve`` re-runs every validator, which is right for values built from outside input and
wasteful for the domain's own steps (a status change does not need the lines checked again).
:func:`replace` copies a validated value with some fields changed, without validation; only
domain code that builds the changes from values already validated may use it. The copier of each
class is generated once from its attrs fields (one straight-line function, no loop).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

T = TypeVar("T")

_COPIERS: dict[type, Callable[[Any, dict[str, Any]], Any]] = {}


def _twin(cls: type) -> type:
    """A subclass of ``cls`` with its layout and plain attribute setting, to fill copies in.

    A frozen class refuses ``new.field = value``; setting its slots through ``object.__setattr__``
    costs a call per field. The copier fills an instance of the twin with plain assignments (the
    interpreter's fastest store) and then gives it ``cls`` as its class: the layouts are the same
    (the twin adds no slot), so Python allows the change, and nobody ever sees the twin.
    """
    return type(
        f"_Filling{cls.__name__}",
        (cls,),
        {
            "__slots__": (),
            # both: one slot serves setting and deleting, and a Python-level either slows both
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
            "__module__": __name__,
        },
    )


def _copier(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    names = [f.name for f in attrs.fields(cls)]
    known = frozenset(names)
    namespace: dict[str, Any] = {
        "new_object": object.__new__,
        "twin": _twin(cls),
        "cls": cls,
        "known": known,
        "sorted": sorted,
        "set": set,
        "TypeError": TypeError,
    }
    source = "\n".join(
        [
            "def copy(old, changes):",
            "    if not known.issuperset(changes):",
            "        raise TypeError(f'unknown fields {sorted(set(changes) - known)} for {cls}')",
            "    new = new_object(twin)",
            *(f"    new.{name} = old.{name}" for name in names),
            "    for name, value in changes.items():",
            "        setattr(new, name, value)",
            "    new.__class__ = cls",
            "    return new",
        ]
    )
    namespace["setattr"] = setattr
    exec(compile(source, f"<replace {cls.__qualname__}>", "exec"), namespace)
    copier: Callable[[Any, dict[str, Any]], Any] = namespace["copy"]
    _COPIERS[cls] = copier
    return copier


def replace(instance: T, **changes: Any) -> T:
    """A copy of the frozen attrs ``instance`` with ``changes``, skipping validation."""
    copier = _COPIERS.get(type(instance)) or _copier(type(instance))
    result: T = copier(instance, changes)
    return result
