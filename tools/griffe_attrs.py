"""A griffe extension for the API reference: attrs classes get their real constructor.

griffe reads source, and an ``@attrs.frozen`` class has no ``__init__`` in its source: the page
would show no signature, and each field as the source of its ``attrs.field(...)`` call. This
extension imports each attrs class, asks :func:`inspect.signature` for the ``__init__`` attrs
generated (argument order, keyword-only arguments, defaults), sets it on the class, and shows a
field's default instead of its ``attrs.field(...)`` call. ``mkdocs.yml`` loads it.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import attrs
from griffe import Attribute, Class, Extension, Function, Parameter, ParameterKind, Parameters

__all__ = ["AttrsInit", "shown_default"]

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: ParameterKind.positional_or_keyword,
    inspect.Parameter.KEYWORD_ONLY: ParameterKind.keyword_only,
    inspect.Parameter.VAR_POSITIONAL: ParameterKind.var_positional,
    inspect.Parameter.VAR_KEYWORD: ParameterKind.var_keyword,
}
_LONGEST = 40


def shown_default(value: object) -> str | None:
    """A default as the page shows it: its repr when short, ``...`` when long or made per call."""
    if value is inspect.Parameter.empty:
        return None
    if value is attrs.NOTHING or isinstance(value, attrs.Factory):  # type: ignore[arg-type]
        return "..."
    text = repr(value)
    return text if len(text) <= _LONGEST else "..."


def _runtime(cls: Class) -> type | None:
    try:
        module = importlib.import_module(cls.module.path)
    except ImportError:
        return None
    found: object = module
    for part in cls.path[len(cls.module.path) + 1 :].split("."):
        found = getattr(found, part, None)
    return found if isinstance(found, type) and attrs.has(found) else None


class AttrsInit(Extension):
    """Gives every attrs class the signature of the ``__init__`` attrs made for it."""

    def on_class_members(self, *, cls: Class, **_: Any) -> None:
        """Set ``cls.__init__`` from the runtime class, and its fields' defaults."""
        runtime = _runtime(cls)
        if runtime is None or "__init__" in cls.members:
            return
        signature = inspect.signature(runtime)  # the constructor, without self
        parameters = [
            Parameter(
                name=p.name,
                annotation=None if p.annotation is inspect.Parameter.empty else str(p.annotation),
                kind=_KINDS[p.kind],
                default=shown_default(p.default),
            )
            for p in signature.parameters.values()
        ]
        init = Function("__init__", parent=cls, parameters=Parameters(*parameters), returns="None")
        cls.set_member("__init__", init)
        for field in attrs.fields(runtime):
            member = cls.members.get(field.name)
            if isinstance(member, Attribute):
                required = field.default is attrs.NOTHING
                member.value = None if required else shown_default(field.default)
