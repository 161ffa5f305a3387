"""The docs stay true: every public name is documented, and the diagram is the code's."""

import doctest
import importlib
import re
from pathlib import Path

import pytest
from sybil.example import SybilFailure
from tools.doc_blocks import SYBIL
from tools.griffe_roles import plain
from tools.mkdocs_hooks import MARKER, GenerateError, expand

import orderflow
import orderflow.testing
from orderflow import mermaid
from orderflow.domain.machine import mermaid_markdown
from orderflow.testing import contracts

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def all_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.rglob("*.md")))


def test_every_public_name_appears_in_the_docs() -> None:
    text = all_docs()
    names = [*orderflow.__all__, *orderflow.testing.__all__, *contracts.__all__]
    missing = [name for name in names if not re.search(rf"\b{re.escape(name)}\b", text)]
    assert missing == []


def test_every_public_name_has_a_generated_reference_entry() -> None:
    api = "\n".join(p.read_text(encoding="utf-8") for p in sorted((DOCS / "api").glob("*.md")))
    directives = set(re.findall(r"^::: ([\w.]+)$", api, re.M))
    missing = [name for name in orderflow.__all__ if f"orderflow.{name}" not in directives]
    assert missing == []
    assert {"orderflow.testing", "orderflow.testing.contracts", "orderflow.errors"} <= directives


@pytest.mark.parametrize(
    "module",
    [
        "orderflow.adapters",
        "orderflow.carrier_files",
        "orderflow.cli",
        "orderflow.codec",
        "orderflow.csvsafe",
        "orderflow.errors",
        "orderflow.i18n",
        "orderflow.journals",
        "orderflow.notices",
        "orderflow.papers",
        "orderflow.ports",
        "orderflow.stores",
        "orderflow.testing",
        "orderflow.testing.contracts",
        "orderflow.zengin",
    ],
)
def test_every_public_module_is_in_the_generated_reference(module: str) -> None:
    api = "\n".join(p.read_text(encoding="utf-8") for p in sorted((DOCS / "api").glob("*.md")))
    directives = set(re.findall(r"^::: ([\w.]+)$", api, re.M))
    exported = {f"orderflow.{name}" for name in orderflow.__all__} & directives
    loaded = importlib.import_module(module)
    assert module in directives  # its docstring, the module's own introduction
    missing = [
        name
        for name in loaded.__all__
        if f"{module}.{name}" not in directives  # generated from its docstring
        and f"orderflow.{name}" not in exported  # or under the name orderflow exports
        and f"`{module}.{name}`" not in api  # or said in prose, where griffe cannot read it
    ]
    assert missing == []


def test_the_index_shows_the_diagram_the_code_renders() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    assert "<!-- orderflow:generate orderflow.domain.machine:mermaid_markdown -->" in index
    assert "```mermaid" not in index  # no copy to drift: the build draws it
    built = expand(index, "index.md")
    block = re.search(r"```mermaid\n(.*?)\n```", built, re.S)
    assert block is not None
    assert block.group(1).strip() == mermaid().strip()
    assert "Cancel" in block.group(1) and "出荷指示済" in block.group(1)
    assert mermaid_markdown() == f"```mermaid\n{mermaid().strip()}\n```\n"


def test_a_marker_is_replaced_by_what_its_function_returns() -> None:
    page = "# T\n\n<!-- orderflow:generate orderflow.domain.machine:mermaid_markdown -->\nafter\n"
    assert expand(page) == f"# T\n\n{mermaid_markdown()}after\n"


def test_a_marker_inside_a_code_block_is_left_alone() -> None:
    page = "````md\n<!-- orderflow:generate orderflow.domain.machine:mermaid_markdown -->\n````\n"
    assert expand(page) == page


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("orderflow.nowhere:markdown", "cannot import 'orderflow.nowhere'"),
        ("orderflow.domain.machine:nothing", "has no function 'nothing'"),
        ("orderflow.domain.machine:TRANSITIONS", "has no function 'TRANSITIONS'"),
        ("orderflow.domain.machine:allowed_moves", "allowed_moves"),
    ],
)
def test_a_marker_that_cannot_be_generated_stops_the_build(target: str, says: str) -> None:
    page = f"<!-- orderflow:generate {target} -->\n"
    assert MARKER.match(page.strip())
    with pytest.raises(GenerateError, match=r"notices\.md") as raised:
        expand(page, "notices.md")
    assert says in str(raised.value)


def test_every_file_a_page_cites_exists() -> None:
    cited: list[tuple[str, Path]] = []
    for page in [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for quoted in re.findall(r"`((?:src|tests|examples|docs|bench|tools)/[^`*…]*)`", text):
            cited.append((page.name, ROOT / re.sub(r"\s+", "", quoted)))
        for link in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" not in link and not link.startswith("mailto:"):
                cited.append((page.name, page.parent / link))
    assert len(cited) > 50
    assert [(page, str(path)) for page, path in cited if not path.exists()] == []


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
    document = SYBIL.parse(ROOT / "README.md")
    examples = list(document.examples())
    assert SYBIL.setup is not None
    SYBIL.setup(document.namespace)
    for example in examples:
        example.evaluate()  # a doctest whose output differs raises here
    shown = [e.parsed.want for e in examples if isinstance(e.parsed, doctest.Example)]
    assert shown == ["計上済 6340 JPY\n"]


def test_the_notifier_page_names_every_kind_of_notice() -> None:
    from orderflow.notices import NOTICE_KINDS

    page = (DOCS / "ports" / "notifier.md").read_text(encoding="utf-8")
    assert [kind for kind in NOTICE_KINDS if f"`{kind}`" not in page] == []


def _evaluate(page: Path) -> None:
    document = SYBIL.parse(page)
    assert SYBIL.setup is not None
    SYBIL.setup(document.namespace)
    for example in document.examples():
        example.evaluate()


def test_a_block_not_run_must_still_import_what_exists(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    fence = "```"
    page.write_text(
        f"{fence}python\n# not run: needs a server\nimport fastapi_nowhere\n"
        f"from orderflow import OrderDesk, SystemClock\nraise SystemExit('not run')\n{fence}\n",
        encoding="utf-8",
    )
    _evaluate(page)  # the orderflow names exist; the rest is not run
    page.write_text(
        f"{fence}python\n# not run: a fragment\nfrom orderflow import NoSuchClock\n{fence}\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportError, match="NoSuchClock"):
        _evaluate(page)
    page.write_text(f"{fence}python\n# not run: broken\ndef (:\n{fence}\n", encoding="utf-8")
    with pytest.raises(SyntaxError):
        _evaluate(page)


def test_a_doctest_block_checks_what_it_prints(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    fence = "```"
    page.write_text(
        f"{fence}python\nx = 2\n{fence}\n\n{fence}python\n>>> print(x + 1)\n3\n{fence}\n",
        encoding="utf-8",
    )
    _evaluate(page)  # blocks of one page share one namespace
    page.write_text(f"{fence}python\n>>> print(1 + 1)\n3\n{fence}\n", encoding="utf-8")
    with pytest.raises(SybilFailure, match="Expected:\\n    3\\nGot:\\n    2"):
        _evaluate(page)


def test_the_reference_shows_rest_roles_as_code() -> None:
    text = "Raises :class:`~orderflow.errors.OrderNotFound`; see :func:`mermaid` and :mod:`x.y`."
    assert plain(text) == "Raises `OrderNotFound`; see `mermaid` and `x.y`."


def test_the_reference_shows_an_attrs_class_with_its_constructor() -> None:
    import griffe
    from tools.griffe_attrs import AttrsInit

    loaded = griffe.load(
        "orderflow.notices", search_paths=["src"], extensions=griffe.load_extensions(AttrsInit)
    )
    notice = loaded["Notice"]
    init = notice.members["__init__"]
    kinds = {p.name: (p.kind.value, p.default) for p in init.parameters}
    assert kinds["kind"] == ("positional or keyword", None)  # required, in the attrs order
    assert kinds["zone"] == ("positional or keyword", "'Asia/Tokyo'")
    assert kinds["order"] == ("keyword-only", "None")
    assert notice.members["kind"].value is None  # not the source of its attrs.field(...) call


def test_a_class_whose_public_methods_are_inherited_shows_them_in_the_reference() -> None:
    # OrderDesk's commands live in mixins (OrderCommands, ChangeCommands …): without
    # inherited_members its reference page showed the class docstring and not one command
    blocks = re.findall(
        r"^::: ([\w.]+)\n((?:    .*\n)*)",
        "\n".join(p.read_text(encoding="utf-8") for p in sorted((DOCS / "api").glob("*.md"))),
        re.M,
    )
    documented = {target for target, _ in blocks}
    hidden = []
    for target, options in blocks:
        module, _, name = target.rpartition(".")
        try:
            found = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError, ValueError):
            continue  # a module: its members are its own
        if not isinstance(found, type) or "inherited_members: true" in options:
            continue
        inherited = [
            member
            for base in found.__mro__[1:]
            if base.__module__.startswith("orderflow.")  # a base of its own reference entry
            and not {f"orderflow.{base.__name__}", f"{base.__module__}.{base.__name__}"}
            & documented
            for member, value in vars(base).items()
            if callable(value) and not member.startswith("_") and member not in vars(found)
        ]
        if inherited:
            hidden.append(target)
    assert hidden == []
