"""The documentation's code blocks as tests, with Sybil (see "Writing docs" in docs/design.md).

Every ```` ```python ```` block in ``README.md`` and ``docs/**/*.md`` runs; the blocks of one page
run in order in one namespace, as a reader would type them. A block that starts with ``>>>`` is a
doctest: what it prints is compared with the output written under each ``>>>`` line (``...``
stands for any text). A block whose first line is a ``# not run`` comment (saying why) is not run,
and neither is the block after a ``<!-- skip: next -->`` comment. The root ``conftest.py`` hands
these files to pytest.
"""

from __future__ import annotations

import doctest
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sybil import Document, Region, Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

__all__ = ["NOT_RUN", "SYBIL", "RunnableBlocks"]

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
            if not str(region.parsed).lstrip().startswith(NOT_RUN):
                yield region


def _setup(namespace: dict[str, Any]) -> None:
    namespace["__name__"] = "__doc_block__"


SYBIL = Sybil(
    parsers=[RunnableBlocks(), SkipParser()],
    patterns=["README.md", "docs/*.md", "docs/*/*.md", "docs/*/*/*.md"],
    path=str(Path(__file__).resolve().parent.parent),
    setup=_setup,
)
"""The Sybil that collects ``README.md`` and the pages of ``docs/``."""
