"""What the pages say that their code blocks do not check: the schema table, the index's list."""

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
