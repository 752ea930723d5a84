"""docs/architecture.md stays true: its module table names every module of parindex/ and web/,
and names nothing that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"


def modules() -> set[str]:
    """Every Python module of the two packages, as a path from the repository root; a package's
    ``__init__.py`` counts as the package itself (``web/agency/``). Alembic's migration scripts
    are data of the migrations folder, which the table names once."""
    found: set[str] = set()
    for package in ("parindex", "web"):
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                found.add("web/migrations/")
            elif path.name == "__init__.py":
                found.add(path.parent.relative_to(ROOT).as_posix() + "/")
            else:
                found.add(rel)
    return found


def table_entries() -> set[str]:
    """The paths in the first cell of each row of the doc's module tables."""
    entries: set[str] = set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or line.startswith("|--") or line.startswith("| --"):
            continue
        first = line.split("|")[1]
        entries.update(re.findall(r"`((?:parindex|web)/[^`]*)`", first))
    return entries


def test_every_module_is_in_the_table() -> None:
    missing = sorted(modules() - table_entries())
    assert missing == [], f"docs/architecture.md does not list: {missing}"


def test_the_table_names_only_modules_that_exist() -> None:
    stale = sorted(table_entries() - modules())
    assert stale == [], f"docs/architecture.md lists what does not exist: {stale}"


def test_the_doc_draws_the_path_of_a_fact_and_says_how_to_add_a_rule_kind() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "## The path of a fact" in text
    assert "## Adding a rule kind" in text


def test_no_two_test_modules_share_a_name() -> None:
    """pytest imports test modules by their base name (no __init__.py in tests/): two files
    named alike in tests/ and tests/web/ stop the whole suite at collection."""
    tests = Path(__file__).resolve().parent
    names: dict[str, list[str]] = {}
    for path in sorted(tests.rglob("test_*.py")):
        names.setdefault(path.name, []).append(str(path.relative_to(tests)))
    assert {n: p for n, p in names.items() if len(p) > 1} == {}
