"""The three layers only depend downward: crawl -> extract -> (nothing); storage never imports Scrapy."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> top-level modules it must never import
FORBIDDEN = {
    "extract": {"scrapy", "sqlalchemy", "alembic", "storage", "crawler", "cli", "replica", "twisted"},
    "reportformat": {"scrapy", "sqlalchemy", "storage", "crawler", "cli", "extract", "replica"},
    "compare": {"scrapy", "sqlalchemy", "storage", "crawler", "cli", "replica"},
    "storage": {"scrapy", "twisted", "crawler", "cli", "replica"},
    "crawler": {"cli", "replica"},
    "replica": {"crawler", "storage", "cli", "scrapy"},
    "web": {"scrapy", "twisted", "crawler", "cli", "replica"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downward(package):
    offending = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: names for path, names in offending.items() if names} == {}
