"""The package stays readable: small modules, and imports that point one way
(data and the twin know nothing of networks; networks know nothing of files)."""

import ast
from pathlib import Path

import pytest

from ecgpaper.paths import PACKAGE_DIR

MAX_LINES = 320          # "about 300": a module a newcomer reads in one sitting
MODULES = sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def _package_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE_DIR)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_packages(path: Path) -> set[str]:
    """Top-level ecgpaper subpackages a module imports (absolute or relative)."""
    tree = ast.parse(path.read_text())
    depth = len(path.relative_to(PACKAGE_DIR).parts) - 1
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:                               # relative import
                if node.level > depth:                   # goes to the package root
                    target = (node.module or "").split(".")[0]
                    if target:
                        found.add(target)
                    else:
                        found.update(alias.name for alias in node.names)
                elif node.level == depth and depth:      # sibling of a subpackage
                    pass
            elif node.module and node.module.startswith("ecgpaper."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ecgpaper."):
                    found.add(alias.name.split(".")[1])
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_module_is_short(path):
    n = len(path.read_text().splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(PACKAGE_DIR)} has {n} lines"


FORBIDDEN = {
    "data": {"models", "training", "evaluation", "inference", "serve", "llm", "twin"},
    "twin": {"models", "training", "evaluation", "inference", "serve", "llm"},
    "models": {"data", "twin", "training", "evaluation", "features", "inference", "serve",
               "llm"},
    "evaluation": {"inference", "serve", "llm"},
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package):
    offenders = []
    for path in MODULES:
        if _package_of(path) != package:
            continue
        bad = _imported_packages(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(PACKAGE_DIR)} imports {sorted(bad)}")
    assert not offenders, offenders
