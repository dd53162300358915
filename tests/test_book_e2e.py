"""End to end: the real notebooks, executed on tiny settings and rendered to HTML."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow


def pages(book) -> dict[str, str]:
    html = book["root"] / "_build" / "html"
    return {str(p.relative_to(html)): p.read_text() for p in html.rglob("*.html")
            if "_static" not in p.parts and p.name not in {"genindex.html", "search.html"}}


def test_every_chapter_executed_and_site_rendered(tiny_book):
    from ecgpaper.chapters import CHAPTERS

    result = tiny_book["result"]
    assert result.index_html is not None and result.index_html.is_file()
    assert sorted(result.executed) == sorted(c.name for c in CHAPTERS)
    rendered = pages(tiny_book)
    for chapter in CHAPTERS:
        assert f"executed/{chapter.name}.html" in rendered


def test_glued_number_is_present_and_correct(tiny_book):
    from ecgpaper.data.store import open_store

    store = open_store(tiny_book["profile_work"] / "store")
    intro = pages(tiny_book)["book/intro.html"]
    text = re.sub(r"<[^>]+>", "", intro)
    match = re.search(r"The active data set of this build holds\s+(\d+)\s+records", text)
    assert match, "the glued record count is missing from the introduction"
    assert int(match.group(1)) == len(store.index)
    # the glued Table 1 is rendered as an HTML table with every class
    assert "<table" in intro
    from ecgpaper.constants import CLASS_NAMES
    for cls in ("SB", "AFIB", "AT"):
        assert f">{cls} ({CLASS_NAMES[cls]})<" in intro, f"row {cls} missing from Table 1"


def test_no_injected_parameters_or_errors_shown(tiny_book):
    for name, html in pages(tiny_book).items():
        assert "injected-parameters" not in html, name
        assert '"twin_records": 240' not in html, f"{name} shows the injected parameters"
        assert "overrides = {}" not in html, f"{name} shows the parameters cell"
        assert "Traceback (most recent call last)" not in html, name
        assert "output stderr" not in html, f"{name} shows stderr output (warnings?)"
        assert 'class="output traceback' not in html, name


def test_demo_pages_say_their_numbers_are_synthetic(tiny_book):
    rendered = pages(tiny_book)
    for name in ("executed/data.html", "executed/experiment_2.html",
                 "executed/comparison.html"):
        assert "Synthetic data." in rendered[name], name
