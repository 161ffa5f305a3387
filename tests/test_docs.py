"""The docs stay true: every public name is documented, and the diagram is the code's."""

import re
from pathlib import Path

import pytest

import orderflow
import orderflow.testing
from orderflow import mermaid
from orderflow.testing import contracts

DOCS = Path(__file__).resolve().parent.parent / "docs"


def all_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.rglob("*.md")))


def test_every_public_name_appears_in_the_docs() -> None:
    text = all_docs()
    names = [*orderflow.__all__, *orderflow.testing.__all__, *contracts.__all__]
    missing = [name for name in names if not re.search(rf"\b{re.escape(name)}\b", text)]
    assert missing == []


def test_the_index_shows_the_diagram_the_code_renders() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)\n```", index, re.S)
    assert block is not None
    assert block.group(1).strip() == mermaid().strip()


def test_every_port_has_a_page() -> None:
    pages = {p.stem for p in (DOCS / "ports").glob("*.md")}
    assert {
        "payment-gateway",
        "inventory",
        "warehouse",
        "carrier",
        "accounting",
        "notifier",
        "order-store",
    } <= pages


def test_the_readme_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    [example] = re.findall(r"```python\n(.*?)\n```", readme, re.S)
    exec(compile(example, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip() == "計上済 6340 JPY"


def test_the_notifier_page_names_every_kind_of_notice() -> None:
    from orderflow.notices import NOTICE_KINDS

    page = (DOCS / "ports" / "notifier.md").read_text(encoding="utf-8")
    assert [kind for kind in NOTICE_KINDS if f"`{kind}`" not in page] == []
