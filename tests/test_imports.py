"""The shape of the code, read from the source (ast), not from what happens to be imported:
parindex/ never imports the web app nor Flask; a web role package never imports another one's
modules, and the shared web modules import none (only create_app registers the blueprints)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
WEB_ONLY = ("web", "flask", "flask_login", "flask_wtf", "flask_sqlalchemy", "werkzeug", "waitress")
ROLE_PACKAGES = ("agency", "appraisal", "secretariat", "public", "auth")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth (also inside functions), absolute names."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _modules(folder: str) -> list[Path]:
    return sorted(p for p in (REPO / folder).rglob("*.py") if "migrations" not in p.parts)


def test_the_finder_sees_imports_inside_functions() -> None:
    assert imported(REPO / "web" / "__init__.py") >= {"web.agency.routes", "flask"}
    probe = REPO / "web" / "agency" / "routes.py"
    assert "web.agency.selfassessment" in imported(probe)


@pytest.mark.parametrize("path", _modules("parindex"), ids=lambda p: p.name)
def test_parindex_imports_nothing_of_the_web_app(path: Path) -> None:
    bad = sorted(n for n in imported(path) if n.split(".")[0] in WEB_ONLY)
    assert bad == [], f"{path.relative_to(REPO)} imports {bad}"


@pytest.mark.parametrize("path", _modules("web"), ids=lambda p: str(p.relative_to(REPO / "web")))
def test_a_role_package_imports_no_other_role_package(path: Path) -> None:
    rel = path.relative_to(REPO / "web").parts
    own = rel[0] if len(rel) > 1 else None
    if own is None and rel[0] == "__init__.py":
        return  # create_app registers every blueprint
    bad = sorted(
        n
        for n in imported(path)
        if n.split(".")[:1] == ["web"]
        and len(n.split(".")) > 1
        and n.split(".")[1] in ROLE_PACKAGES
        and n.split(".")[1] != own
    )
    assert bad == [], f"web/{'/'.join(rel)} imports {bad}"
