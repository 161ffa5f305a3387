"""What the pages say that their code blocks do not check: the schema, the index, request_id."""

import re
import sqlite3
from pathlib import Path

from orderflow.stores import SQLiteInventory, SQLitePurchaseOrderStore, SQLiteStore

PAGE = Path(__file__).resolve().parent.parent / "docs" / "persistence.md"


def documented_tables() -> dict[str, str]:
    """Each row of the page's schema table: the table's name → its columns cell."""
    section = PAGE.read_text(encoding="utf-8").split("## The schema", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \|[^|]*\|(.*)\|$", section, re.M)
    return dict(rows)


def test_the_schema_table_names_every_table_and_column_of_a_sqlite_file(
    tmp_path: Path,
) -> None:
    db = tmp_path / "shop.sqlite3"
    SQLiteStore(db).close()
    SQLiteInventory(db).close()
    SQLitePurchaseOrderStore(db).close()
    with sqlite3.connect(db) as conn:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_")
        ]
        columns = {
            table: [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            for table in tables
        }
    documented = documented_tables()
    assert sorted(set(tables) - set(documented)) == []
    missing = {
        table: [name for name in names if f"`{name}`" not in documented[table]]
        for table, names in columns.items()
    }
    assert {table: names for table, names in missing.items() if names} == {}


def test_the_index_lists_every_page_outside_the_reference() -> None:
    docs = PAGE.parent
    index = (docs / "index.md").read_text(encoding="utf-8")
    pages = [
        str(page.relative_to(docs))
        for page in sorted(docs.rglob("*.md"))
        if page.parent.name != "api" and page.name != "index.md"
    ]
    assert [page for page in pages if f"]({page})" not in index] == []


def test_the_pages_name_every_command_that_takes_a_request_id() -> None:
    import inspect

    from orderflow import OrderDesk

    takes = sorted(
        name
        for name, command in inspect.getmembers(OrderDesk, inspect.isfunction)
        if not name.startswith("_") and "request_id" in inspect.signature(command).parameters
    )
    lists = {  # the page → where its list of those commands starts and ends
        "concepts.md": ("the others (", "take a `request_id`"),
        "reference.md": ("`request_id=` on", "makes a repeat"),
    }
    for page, (start, end) in lists.items():
        text = " ".join((PAGE.parent / page).read_text(encoding="utf-8").split())
        said = text.split(start, 1)[1].split(end, 1)[0]
        assert [name for name in takes if f"`{name}`" not in said] == [], page


def test_the_overviews_name_every_command_of_the_command_line() -> None:
    import orderflow.cli

    root = PAGE.parent.parent
    overviews = {  # where each overview's list of the commands starts and ends
        "README.md": ("`python -m orderflow diagram`", "([command line]"),
        "docs/index.md": ("[Command line](cli.md)", "- [Adapters"),
    }
    for name, (start, end) in overviews.items():
        text = " ".join((root / name).read_text(encoding="utf-8").split())
        said = text.split(start, 1)[1].split(end, 1)[0]
        quiet = ("demo", "diagram", "queues", "adapters") if name == "README.md" else ()
        named = [c for c in orderflow.cli.COMMANDS if f"`{c}`" not in said and c not in quiet]
        assert named == [], name
    doc = orderflow.cli.__doc__ or ""
    assert [c for c in orderflow.cli.COMMANDS if f"``{c}" not in doc] == []


def test_the_cli_page_names_every_command_that_needs_whose_providers() -> None:
    import argparse

    from orderflow.cli import COMMANDS, parser

    subparsers = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    calling = [c for c in COMMANDS if "--fakes" in subparsers.choices[c].format_usage()]
    page = " ".join((PAGE.parent / "cli.md").read_text(encoding="utf-8").split())
    said = page.split("## Whose providers", 1)[1].split("perform effects", 1)[0]
    assert [c for c in calling if f"`{c}`" not in said] == []
