"""The book pipeline: dependency order, parameter injection, skip-if-unchanged, failure
reporting and the rendered site, on a small stand-alone book in a temporary folder."""

from __future__ import annotations

import json
import os
import textwrap

import nbformat
import pytest

from ecgpaper.book import (BookError, dependency_order, run_book, select, why_stale,
                           chapter_fingerprint, package_fingerprint, chapter_parameters)
from ecgpaper.chapters import CHAPTERS, Chapter
from ecgpaper.profiles import get_profile

HEADER = textwrap.dedent("""\
    # ---
    # jupyter:
    #   kernelspec:
    #     display_name: Python 3
    #     language: python
    #     name: python3
    # ---
    """)


def notebook(body: str) -> str:
    return HEADER + textwrap.dedent(body)


FIRST = notebook("""
    # %% [markdown]
    # # First chapter

    # %% tags=["parameters"]
    profile = "demo"
    overrides = {}
    factor = 1

    # %%
    from pathlib import Path
    from myst_nb import glue
    from ecgpaper.profiles import get_profile
    P = get_profile(profile, **overrides)
    value = 21 * factor
    glue("first_value", value)
    Path(P.work_path).mkdir(parents=True, exist_ok=True)
    (P.work_path / "first.txt").write_text(str(value))
    """)

SECOND = notebook("""
    # %% [markdown]
    # # Second chapter

    # %% tags=["parameters"]
    profile = "demo"
    overrides = {}

    # %%
    from ecgpaper.profiles import get_profile
    P = get_profile(profile, **overrides)
    print("read", (P.work_path / "first.txt").read_text())
    """)

BROKEN = notebook("""
    # %% [markdown]
    # # Broken chapter

    # %% tags=["parameters"]
    profile = "demo"
    overrides = {}

    # %%
    x = 1

    # %%
    raise ValueError("the record JS00042 has 11 leads, expected 12")
    """)


@pytest.fixture()
def mini_book(tmp_path, monkeypatch):
    root = tmp_path / "book"
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks" / "first.py").write_text(FIRST)
    (root / "notebooks" / "second.py").write_text(SECOND)
    (root / "notebooks" / "broken.py").write_text(BROKEN)
    (root / "intro.md").write_text(
        "# Mini book\n\nThe answer is {glue:text}`/executed/first.ipynb::first_value:d`.\n")
    (root / "_config.yml").write_text(
        "title: Mini\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: 'off'\n")
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n"
        "  - file: executed/first\n  - file: executed/second\n")
    monkeypatch.setenv("ECGPAPER_WORK", str(tmp_path / "work"))
    # the package may be edited while tests run; its hash is tested on its own below
    monkeypatch.setattr("ecgpaper.book.package_fingerprint", lambda: "fixed")
    chapters = (
        Chapter("second", "second.py", depends_on=("first",), inputs=("first.txt",)),
        Chapter("first", "first.py", params={"factor": 2}, title="First, retitled"),
    )
    return root, chapters


def test_dependency_order_puts_dependencies_first():
    order = [c.name for c in dependency_order(CHAPTERS)]
    for chapter in CHAPTERS:
        for dep in chapter.depends_on:
            assert order.index(dep) < order.index(chapter.name)
    assert order[-1] == "reproducibility"


def test_dependency_cycle_and_unknown_are_errors():
    with pytest.raises(ValueError, match="cycle"):
        dependency_order([Chapter("a", "a.py", depends_on=("b",)),
                          Chapter("b", "b.py", depends_on=("a",))])
    with pytest.raises(ValueError, match="unknown chapter"):
        dependency_order([Chapter("a", "a.py", depends_on=("zzz",))])


def test_select_only_adds_dependencies():
    names = [c.name for c in select(CHAPTERS, ["comparison"])]
    assert "comparison" in names and "experiment_7" in names and "data" in names
    assert "performance" not in names
    with pytest.raises(ValueError, match="unknown chapter 'nope'"):
        select(CHAPTERS, ["nope"])


def test_parameters_are_injected_and_hidden(mini_book):
    root, chapters = mini_book
    profile = get_profile("demo", seed=7)
    result = run_book(profile, {"seed": 7}, root=root, chapters=chapters, build=False,
                      log=lambda s: None)
    assert result.executed == ["first", "second"]  # dependency order, not table order
    nb = nbformat.read(root / "executed" / "first.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert "remove-cell" in injected[0].metadata["tags"]
    assert "factor = 2" in injected[0].source and '"seed": 7' in injected[0].source
    assert nb.cells[0].source.startswith("# First, retitled")
    prov = nb.metadata["ecgpaper"]["provenance"]
    assert prov["seed"] == 7 and prov["profile"]["seed"] == 7
    assert "torch" in prov["packages"] and prov["git_commit"]
    assert (profile.work_path / "first.txt").read_text() == "42"


def test_unchanged_chapters_are_skipped_and_changes_rerun(mini_book):
    root, chapters = mini_book
    profile = get_profile("demo")
    run_book(profile, root=root, chapters=chapters, build=False, log=lambda s: None)
    messages = []
    again = run_book(profile, root=root, chapters=chapters, build=False, log=messages.append)
    assert again.executed == [] and set(again.skipped) == {"first", "second"}
    assert any("[skip] first: unchanged" in m for m in messages)

    # a declared input changes -> only the chapter that reads it reruns
    (profile.work_path / "first.txt").write_text("tampered")
    third = run_book(profile, root=root, chapters=chapters, build=False, log=messages.append)
    assert third.executed == ["second"]
    assert any("second: declared inputs changed" in m for m in messages)

    # the notebook source changes -> it reruns
    src = root / "notebooks" / "first.py"
    src.write_text(src.read_text().replace("21 * factor", "20 * factor"))
    c = chapters[1]
    fp = chapter_fingerprint(c, root, chapter_parameters(c, profile, {}), "fixed")
    assert why_stale(c, root, fp, profile.work_path) == "notebook source changed"
    fp_code = chapter_fingerprint(c, root, chapter_parameters(c, profile, {}), "other")
    assert why_stale(c, root, fp_code, profile.work_path) == "notebook source changed"
    fourth = run_book(profile, root=root, chapters=chapters, build=False, log=lambda s: None)
    assert fourth.executed == ["first", "second"]

    # a committed measurement changes (book/measurements, outside the work folder) -> all rerun
    committed = root / "book" / "measurements" / "reference" / "edition.json"
    committed.parent.mkdir(parents=True, exist_ok=True)
    committed.write_text('{"jobs": {}}')
    fifth = run_book(profile, root=root, chapters=chapters, build=False, log=messages.append)
    assert fifth.executed == ["first", "second"]
    assert any("committed measurements (book/measurements) changed" in m for m in messages)

    # --force reruns what is asked even when unchanged
    forced = run_book(profile, root=root, chapters=chapters, build=False, force=True,
                      only=["first"], log=lambda s: None)
    assert forced.executed == ["first"]


def test_failure_names_chapter_cell_and_traceback(mini_book):
    root, _ = mini_book
    chapters = (Chapter("broken", "broken.py"),)
    profile = get_profile("demo")
    (root / "executed").mkdir()
    (root / "executed" / "broken.ipynb").write_text("{}")  # a stale earlier result
    with pytest.raises(BookError) as info:
        run_book(profile, root=root, chapters=chapters, build=False, log=lambda s: None)
    message = str(info.value)
    assert "chapter 'broken'" in message
    assert 'raise ValueError("the record JS00042' in message      # the failing cell
    assert "ValueError: the record JS00042 has 11 leads" in message  # the error
    assert "Traceback" in message or "traceback" in message
    assert not (root / "executed" / "broken.ipynb").exists()      # nothing left to render
    assert not (root / "executed" / ".partial" / "broken.ipynb").exists()
    assert (root / "executed" / ".failed" / "broken.ipynb").exists()


@pytest.mark.slow
def test_site_renders_glued_value(mini_book):
    root, chapters = mini_book
    result = run_book(get_profile("demo"), root=root, chapters=chapters, log=lambda s: None)
    assert "intro.html" in result.index_html.read_text()  # index redirects to the root page
    html = (root / "_build" / "html" / "intro.html").read_text()
    assert "The answer is" in html and "42" in html
    first = (root / "_build" / "html" / "executed" / "first.html").read_text()
    assert "injected-parameters" not in first and "factor = 2" not in first


def test_cli_rejects_full_profile_without_data_dir(capsys):
    from ecgpaper.cli import main
    assert main(["book", "--profile", "full", "--no-build"]) == 2
    assert "--data-dir" in capsys.readouterr().err


def test_cli_override_parsing():
    from ecgpaper.profiles import parse_overrides
    assert parse_overrides(["twin_records=160", "data_source=twin"]) == {
        "twin_records": 160, "data_source": "twin"}
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_overrides(["oops"])
    assert json.loads('{"a": 1}') == {"a": 1}


def test_package_fingerprint_follows_code(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text("x = 1\n")
    before = package_fingerprint(pkg)
    assert package_fingerprint(pkg) == before
    (pkg / "a.py").write_text("x = 2\n")
    assert package_fingerprint(pkg) != before


THREADS = notebook("""
    # %% [markdown]
    # # Threads

    # %% tags=["parameters"]
    profile = "demo"
    overrides = {}
    name = "x"

    # %%
    import os
    import time
    from pathlib import Path
    from ecgpaper.profiles import get_profile
    P = get_profile(profile, **overrides)
    P.work_path.mkdir(parents=True, exist_ok=True)
    start = time.time()
    time.sleep(1.0)
    from ecgpaper.training.seeding import cpu_threads
    threads = os.environ.get("OMP_NUM_THREADS")
    assert threads is None or int(threads) == cpu_threads()   # training uses the same
    (P.work_path / f"{name}.txt").write_text(f"{threads} {start} {time.time()}")
    """)


def test_jobs_run_independent_chapters_side_by_side(mini_book, monkeypatch):
    """With jobs=2 two independent chapters overlap, each kernel gets half the cores, a
    dependent chapter starts after its dependency, and an exclusive (timing) chapter runs
    alone with all the cores."""
    root, _ = mini_book
    (root / "notebooks" / "threads.py").write_text(THREADS)
    monkeypatch.setattr("ecgpaper.book.os.cpu_count", lambda: 4)
    for name in ("OMP_NUM_THREADS", "ECGPAPER_THREADS"):
        monkeypatch.delenv(name, raising=False)
    chapters = (Chapter("a", "threads.py", params={"name": "a"}),
                Chapter("b", "threads.py", params={"name": "b"}),
                Chapter("c", "threads.py", depends_on=("a",), params={"name": "c"}),
                Chapter("timing", "threads.py", params={"name": "timing"}, exclusive=True))
    profile = get_profile("demo")
    result = run_book(profile, root=root, chapters=chapters, build=False, jobs=2,
                      log=lambda s: None)
    assert sorted(result.executed) == ["a", "b", "c", "timing"]
    runs = {}
    for name in ("a", "b", "c", "timing"):
        threads, start, end = (profile.work_path / f"{name}.txt").read_text().split()
        runs[name] = (threads, float(start), float(end))
    assert runs["a"][0] == runs["b"][0] == runs["c"][0] == "2"
    assert runs["timing"][0] == "None"                  # the libraries' default: all cores
    assert runs["a"][1] < runs["b"][2] and runs["b"][1] < runs["a"][2]   # overlapped
    assert runs["c"][1] >= runs["a"][2]                 # after its dependency
    for other in ("a", "b", "c"):                       # nothing beside the timing page
        assert runs[other][2] <= runs["timing"][1] or runs[other][1] >= runs["timing"][2]
    assert os.environ.get("OMP_NUM_THREADS") is None    # restored
    assert os.environ.get("ECGPAPER_THREADS") is None


def test_jobs_stop_at_a_failure(mini_book):
    root, _ = mini_book
    (root / "notebooks" / "threads.py").write_text(THREADS)
    chapters = (Chapter("broken", "broken.py"),
                Chapter("after", "threads.py", depends_on=("broken",), params={"name": "z"}))
    with pytest.raises(BookError, match="JS00042"):
        run_book(get_profile("demo"), root=root, chapters=chapters, build=False, jobs=2,
                 log=lambda s: None)
    assert not (root / "executed" / "after.ipynb").exists()


def test_cross_page_glue_references_carry_a_format_spec():
    """myst-nb splits a glue role at its last ':' to find a format, so
    `/executed/x.ipynb::key` without one is read as the key '/executed/x.ipynb:' and
    the page fails to build; every cross-page reference names a format and a chapter."""
    import re
    from ecgpaper.paths import REPO_ROOT
    role = re.compile(r"\{glue:[a-z]+\}`([^`]*::[^`]*)`")
    names = {chapter.name for chapter in CHAPTERS}
    sources = sorted((REPO_ROOT / "book").glob("*.md")) + sorted((REPO_ROOT / "notebooks").glob("*.py"))
    found = 0
    for path in sources:
        for target in role.findall(path.read_text(encoding="utf-8")):
            found += 1
            document, rest = target.split("::", 1)
            assert ":" in rest, f"{path.name}: {target!r} has no format spec (add ':s')"
            chapter = document.removeprefix("/executed/").removesuffix(".ipynb")
            assert chapter in names, f"{path.name}: {target!r} names no chapter"
    assert found > 0
