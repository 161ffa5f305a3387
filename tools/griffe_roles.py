"""A griffe extension for the API reference: the docstrings' reST roles as Markdown code.

The docstrings cite names Sphinx-style (``:class:`~orderflow.errors.OrderNotFound```); mkdocstrings
renders Markdown, where such a role would show as raw text. This extension rewrites each role
to inline code before the docstring is rendered: ``~`` keeps the last part of the name, as in
Sphinx. ``mkdocs.yml`` loads it (``extensions:`` of the python handler).
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

__all__ = ["ROLE", "RstRoles", "plain"]

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|mod|data|exc|obj|const):`(?P<target>[^`]+)`")
"""A reST role naming a Python object, e.g. ``:func:`mermaid```."""


def _code(match: re.Match[str]) -> str:
    target = match.group("target").strip()
    if target.startswith("~"):
        target = target[1:].rpartition(".")[2]
    return f"`{target}`"


def plain(text: str) -> str:
    """``text`` with every role written as inline code."""
    return ROLE.sub(_code, text)


class RstRoles(Extension):
    """Rewrites the roles of every docstring griffe loads."""

    def on_instance(self, *, obj: Object, **_: Any) -> None:
        """Rewrite ``obj``'s docstring, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = plain(obj.docstring.value)
