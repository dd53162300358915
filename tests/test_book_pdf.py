"""`ecgpaper book --pdf` without LaTeX fails early with what to install; cells meant for
one configuration of a shared notebook are dropped from the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecgpaper.book import BookError, build_pdf, keep_cell, missing_latex_tools, run_book
from ecgpaper.profiles import get_profile


def test_pdf_without_latex_names_what_to_install(tmp_path):
    with pytest.raises(BookError) as err:
        build_pdf(tmp_path, log=lambda _: None, which=lambda _: None)
    message = str(err.value)
    assert "pdflatex" in message and "latexmk" in message and "apt-get install" in message
    assert missing_latex_tools(which=lambda tool: "/usr/bin/" + tool) == []


def test_run_book_checks_latex_before_executing_anything(tmp_path, monkeypatch):
    import ecgpaper.book as book
    monkeypatch.setattr(book, "missing_latex_tools", lambda which=None: ["pdflatex"])
    monkeypatch.setattr(book, "build_pdf", lambda root, log: (_ for _ in ()).throw(
        BookError("the PDF needs a LaTeX installation")))
    executed = []
    monkeypatch.setattr(book, "execute_chapter", lambda *a, **k: executed.append(a) or 0.0)
    with pytest.raises(BookError):
        run_book(get_profile("demo"), root=Path(tmp_path), pdf=True, log=lambda _: None)
    assert executed == []


def test_only_if_tags_keep_cells_of_the_matching_configuration():
    assert keep_cell(["hide-input", "only-if:experiment=7"], {"experiment": "7"})
    assert not keep_cell(["only-if:experiment=7"], {"experiment": "2"})
    assert keep_cell(["hide-input"], {"experiment": "2"})
