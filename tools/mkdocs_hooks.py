"""mkdocs hooks: the parts of a page that are generated from the code at build time.

A page holds a marker on a line of its own::

    <!-- orderflow:generate orderflow.domain.machine:mermaid_markdown -->

``module:function`` names a function that takes no arguments and returns Markdown text; the build
imports the module, calls the function and puts its text where the marker was. A marker inside a
fenced code block is left alone (so pages can show the syntax). A marker whose module or function
is missing, or whose function fails or returns something other than text, stops the build with an
error naming the page and the marker. Outside a build (GitHub, an editor) the marker is an
invisible HTML comment. ``mkdocs.yml`` loads this file with ``hooks:``.

The navigation is built from the files (no ``nav:`` list); :data:`SECTION_TITLES` only renames a
section whose folder name reads badly (``api`` → "API reference").
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from mkdocs.exceptions import PluginError

__all__ = [
    "MARKER",
    "SECTION_TITLES",
    "GenerateError",
    "expand",
    "generate",
    "on_nav",
    "on_page_markdown",
]

SECTION_TITLES = {"Api": "API reference"}
"""The title mkdocs makes of a folder's name → the title shown."""

MARKER = re.compile(r"^\s*<!--\s*orderflow:generate\s+(?P<target>[\w.]+:\w+)\s*-->\s*$")
"""A marker line: ``<!-- orderflow:generate module.path:function -->``."""

_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})")


class GenerateError(PluginError):
    """A marker that cannot be generated (its module or function is missing, or it failed)."""


def generate(target: str) -> str:
    """The Markdown text the function named ``module:function`` returns."""
    module_name, _, function_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise GenerateError(f"cannot import {module_name!r} for {target!r}: {error}") from error
    function = getattr(module, function_name, None)
    if not callable(function):
        raise GenerateError(f"{module_name!r} has no function {function_name!r} for {target!r}")
    try:
        text = function()
    except Exception as error:
        raise GenerateError(f"{target!r} failed: {error!r}") from error
    if not isinstance(text, str):
        raise GenerateError(f"{target!r} returned {type(text).__name__}, not Markdown text")
    return text


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


def expand(markdown: str, page: str = "<page>") -> str:
    """The page with every marker outside a code block replaced by its generated text."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group("fence")
        elif fence is not None and _closes(line, fence):
            fence = None
        elif fence is None and (marker := MARKER.match(line)):
            try:
                text = generate(marker.group("target"))
            except GenerateError as error:
                raise GenerateError(f"{page}: {error}") from error
            out.append(text if text.endswith("\n") else text + "\n")
            continue
        out.append(line)
    return "".join(out)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """The mkdocs event: expand the markers of each page before it is rendered."""
    return expand(markdown, page.file.src_path)


def on_nav(nav: Any, **_: Any) -> Any:
    """The mkdocs event: give the sections of :data:`SECTION_TITLES` their titles."""
    for item in nav.items:
        if getattr(item, "is_section", False) and item.title in SECTION_TITLES:
            item.title = SECTION_TITLES[item.title]
    return nav
