import ast
from pathlib import Path

import storage

FORBIDDEN = {"scrapy", "scrapy_playwright", "crawler", "extract", "cli", "replica"}


def _imported_top_level_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_storage_depends_on_no_upper_layer() -> None:
    root = Path(storage.__file__).parent
    offenders = {
        str(path.relative_to(root)): sorted(_imported_top_level_modules(path) & FORBIDDEN)
        for path in root.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
