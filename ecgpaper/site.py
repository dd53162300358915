"""Rendering the executed book: the HTML site, and the PDF through LaTeX when asked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable


class BookError(RuntimeError):
    """A chapter failed (the message names it, the failing cell and the traceback), or
    the site or PDF could not be built."""


def build_site(root: Path, log: Callable[[str], None] = print) -> Path:
    """Render the site with jupyter-book (execution off, warnings are errors)."""
    cmd = [sys.executable, "-m", "jupyter_book", "build", str(root), "--builder", "html",
           "-W", "--keep-going", "--quiet"]
    jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent))
    if jb:
        cmd = [jb, *cmd[3:]]
    log("rendering the site with jupyter-book ...")
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BookError("jupyter-book build failed (warnings count as errors):\n"
                        + proc.stdout[-6000:] + proc.stderr[-6000:])
    index = root / "_build" / "html" / "index.html"
    if not index.is_file():
        raise BookError(f"jupyter-book finished but {index} is missing")
    return index


LATEX_TOOLS = ("pdflatex", "latexmk")
LATEX_HINT = ("Debian/Ubuntu: apt-get install latexmk texlive-latex-extra "
              "texlive-fonts-recommended texlive-xetex; macOS: install MacTeX; conda: "
              "conda install -c conda-forge texlive-core latexmk")


def missing_latex_tools(which: Callable[[str], str | None] = shutil.which) -> list[str]:
    """The LaTeX programs the PDF build needs that are not on PATH."""
    return [tool for tool in LATEX_TOOLS if which(tool) is None]


def build_pdf(root: Path, log: Callable[[str], None] = print,
              which: Callable[[str], str | None] = shutil.which) -> Path:
    """Render the book as one PDF with Jupyter Book's LaTeX builder (pdflatex).

    Fails with a clear message naming what to install when LaTeX is missing."""
    missing = missing_latex_tools(which)
    if missing:
        raise BookError("the PDF needs a LaTeX installation; not found on PATH: "
                        + ", ".join(missing) + ". Install one (" + LATEX_HINT
                        + ") and rerun `ecgpaper book --pdf`; the HTML book does not need it.")
    cmd = [sys.executable, "-m", "jupyter_book", "build", str(root), "--builder", "pdflatex",
           "--quiet"]
    jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent))
    if jb:
        cmd = [jb, *cmd[3:]]
    log("rendering the PDF with jupyter-book and pdflatex ...")
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    pdfs = sorted((root / "_build" / "latex").glob("*.pdf"))
    if proc.returncode != 0 or not pdfs:
        raise BookError("the PDF build failed:\n" + proc.stdout[-6000:] + proc.stderr[-6000:])
    return pdfs[0]
