"""The documentation's code blocks as tests, with Sybil (see "Writing docs" in docs/design.md).

Every ```` ```python ```` block in ``README.md`` and ``docs/**/*.md`` runs; the blocks of one page
run in order in one namespace, as a reader would type them. A block that starts with ``>>>`` is a
doctest: what it prints is compared with the output written under each ``>>>`` line (``...``
stands for any text). A block whose first line is a ``# not run`` comment (saying why) is not run:
it is only compiled, and its imports from ``orderflow`` are run, so that it cannot name what does
not exist. The block after a ``<!-- skip: next -->`` comment is not touched at all. The root
``conftest.py`` hands these files to pytest.
"""

from __future__ import annotations

import ast
import doctest
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

__all__ = ["NOT_RUN", "SYBIL", "RunnableBlocks", "check_not_run"]

NOT_RUN = "# not run"
"""The first line of a block that is shown but not run (followed by the reason)."""


class RunnableBlocks:
    """Python code blocks and doctest blocks, less the ones that say ``# not run``."""

    def __init__(self) -> None:
        self.parser = PythonCodeBlockParser(doctest_optionflags=doctest.ELLIPSIS)

    def __call__(self, document: Document) -> Iterable[Region]:
        """The regions of ``document`` to evaluate."""
        return self._regions(document)

    def _regions(self, document: Document) -> Iterator[Region]:
        for region in self.parser(document):
            if str(region.parsed).lstrip().startswith(NOT_RUN):
                region.evaluator = check_not_run
            yield region


def check_not_run(example: Example) -> None:
    """Compile a ``# not run`` block and run its imports from orderflow (in a namespace of its own).

    Other imports (a web framework, a database driver the suite does not install) are left out,
    and so is everything else in the block.
    """
    source = str(example.parsed)
    tree = ast.parse(source, filename=example.path)
    compile(tree, example.path, "exec")
    imports: list[ast.stmt] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "orderflow"
        ) or (
            isinstance(node, ast.Import)
            and all(alias.name.split(".")[0] == "orderflow" for alias in node.names)
        ):
            imports.append(node)
    module = ast.Module(body=imports, type_ignores=[])
    exec(compile(module, example.path, "exec"), {"__name__": "__doc_block__"})


def _setup(namespace: dict[str, Any]) -> None:
    namespace["__name__"] = "__doc_block__"


SYBIL = Sybil(
    parsers=[RunnableBlocks(), SkipParser()],
    patterns=["README.md", "docs/*.md", "docs/*/*.md", "docs/*/*/*.md"],
    path=str(Path(__file__).resolve().parent.parent),
    setup=_setup,
)
"""The Sybil that collects ``README.md`` and the pages of ``docs/``."""
