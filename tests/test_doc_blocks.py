"""Every Python block in the docs runs as written (a block that starts ``# not run`` says why not).

The blocks of one page run in order in one namespace, as a reader would type them.
"""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "```python" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_python_block_runs(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    namespace: dict[str, object] = {"__name__": "__doc_block__"}
    for number, block in enumerate(blocks, start=1):
        if block.lstrip().startswith("# not run"):
            continue
        exec(compile(block, f"{page.name} block {number}", "exec"), namespace)
