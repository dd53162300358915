"""Every chapter notebook reads as a literate document in Jupyter: the argument is in
markdown cells, the code cells are short calls into the package, and no helper is
defined inside a notebook (helpers live in `ecgpaper/`, where they are tested).

Lines are counted as non-blank source lines of the notebook that Jupytext parses from the
py:percent file. Two things are left out of every count: the Jupytext header (it is
notebook metadata, not a cell) and the cell tagged `parameters` (papermill's defaults,
the same two or three lines in every chapter).
"""

from __future__ import annotations

import ast

import jupytext
import pytest

from ecgpaper.paths import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.py"))
MIN_MARKDOWN_SHARE = 0.55       # of the non-blank lines, markdown cells against code cells
MAX_CODE_LINES = 12             # non-blank lines in one code cell


def _cells(path):
    """(cell type, non-blank source lines) of each counted cell of a notebook."""
    nb = jupytext.read(path)
    counted = []
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        counted.append((cell.cell_type, lines))
    return counted


def _code_cells(path):
    return [lines for kind, lines in _cells(path) if kind == "code"]


def _definitions(lines) -> list[str]:
    """Functions and classes defined in one code cell (found by parsing it, so that a
    'def' inside a string or comment does not count)."""
    source = "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))
    tree = ast.parse(source)
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [node.name for node in ast.walk(tree) if isinstance(node, kinds)]


def test_every_chapter_is_checked():
    assert len(NOTEBOOKS) >= 15
    assert {"data.py", "experiment.py", "features.py"} <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_carries_most_of_the_page(path):
    cells = _cells(path)
    markdown = sum(len(lines) for kind, lines in cells if kind == "markdown")
    code = sum(len(lines) for kind, lines in cells if kind == "code")
    share = markdown / (markdown + code)
    assert share >= MIN_MARKDOWN_SHARE, (
        f"{path.name}: markdown is {share:.0%} of {markdown + code} non-blank lines "
        f"({markdown} markdown, {code} code); at least {MIN_MARKDOWN_SHARE:.0%} wanted")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_function_or_class_defined_in_a_notebook(path):
    defined = [name for lines in _code_cells(path) for name in _definitions(lines)]
    assert not defined, f"{path.name} defines {defined}: move them into the package"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_short(path):
    long = [(len(lines), lines[0]) for lines in _code_cells(path) if len(lines) > MAX_CODE_LINES]
    assert not long, (f"{path.name}: code cells over {MAX_CODE_LINES} non-blank lines "
                      "(lines, first line): " + "; ".join(f"{n}, {first!r}" for n, first in long))


def test_the_counts_see_what_they_should(tmp_path):
    """The rules catch a helper, a long cell and a code-heavy page in a made-up notebook."""
    path = tmp_path / "made_up.py"
    path.write_text("# %% [markdown]\n# # Title\n#\n# One line of prose.\n\n"
                    "# %% tags=[\"parameters\"]\nprofile = 'demo'\n\n"
                    "# %%\ndef helper():\n    return 1\n\n"
                    "# %%\n" + "".join(f"x{i} = {i}\n" for i in range(13)))
    cells = _cells(path)
    assert [kind for kind, _ in cells] == ["markdown", "code", "code"]
    assert [len(lines) for _, lines in cells] == [2, 2, 13]
    assert _definitions(cells[1][1]) == ["helper"]
    assert _definitions(["text = 'def f(): pass'  # def g"]) == []
