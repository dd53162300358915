"""Build the book: Jupytext -> papermill -> Jupyter Book.

1. each `notebooks/<file>.py` (py:percent, the reviewed source) becomes a notebook;
2. papermill executes the chapters of `ecgpaper.chapters` in dependency order, injecting
   the profile's parameters, into `executed/` (git-ignored; `_toc.yml` points there);
   with `jobs` > 1, chapters whose dependencies are done run side by side;
3. `jupyter-book build` renders the site with execution off.

A chapter whose notebook source, parameters, package code and declared inputs are
unchanged since its last successful run is skipped (the reason is printed); `force`
reruns. A failing chapter stops the build, prints the failing cell and its traceback,
and leaves nothing half-written where the book would render it.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .chapters import CHAPTERS, Chapter
from .paths import REPO_ROOT
from .profiles import Profile
from .site import BookError, build_pdf, build_site, missing_latex_tools
from .scheduling import (BUILD_JOBS, BUILD_STARTED, default_jobs,  # noqa: F401 (re-exported)
                         dependency_order, kernel_environment, kernel_threads, longest_chains,
                         select, set_environment)
from .stamps import (EXECUTED, STAMPS, chapter_fingerprint, package_fingerprint, why_stale,
                     write_stamp)

FAILED = ".failed"             # inside EXECUTED: the failing notebook, for diagnosis


@dataclass
class BookResult:
    executed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)   # chapter -> reason
    seconds: dict[str, float] = field(default_factory=dict)
    index_html: Path | None = None
    pdf: Path | None = None


# --- planning -----------------------------------------------------------------------

def chapter_parameters(chapter: Chapter, profile: Profile, overrides: dict) -> dict:
    """What papermill injects: the profile name, its overrides and the chapter's own."""
    return {"profile": profile.name, "overrides": dict(overrides), **chapter.params}


# --- execution -----------------------------------------------------------------------

def to_notebook(source: Path, target: Path) -> None:
    """Jupytext: py:percent source -> .ipynb (generated, git-ignored)."""
    import jupytext

    nb = jupytext.read(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    # chapters sharing a source (the experiment pages) may convert it at the same time
    tmp = target.with_name(f".{target.stem}.{os.getpid()}-{threading.get_ident()}.tmp.ipynb")
    jupytext.write(nb, tmp, fmt="ipynb")
    os.replace(tmp, target)


def _format_failure(chapter: Chapter, exc: Exception, failed_copy: Path | None) -> str:
    lines = [f"chapter {chapter.name!r} (notebooks/{chapter.notebook}) failed"]
    cell = getattr(exc, "exec_count", None)
    if cell is not None:
        lines.append(f"failing cell: execution count {cell}")
    source = getattr(exc, "source", None)
    if source:
        lines.append("cell source:\n" + "\n".join("    " + s for s in source.splitlines()))
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        lines.append(f"error: {ename}: {evalue}")
    tb = getattr(exc, "traceback", None)
    if tb:
        import re
        text = "\n".join(tb)
        lines.append("traceback:\n" + re.sub(r"\x1b\[[0-9;]*m", "", text))
    elif not ename:
        lines.append(f"error: {type(exc).__name__}: {exc}")
    if failed_copy is not None:
        lines.append(f"the partly executed notebook is kept for diagnosis at {failed_copy}")
    return "\n".join(lines)


def retitle(nb, title: str) -> None:
    """Give a notebook executed several times (one per configuration) its own title."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("# "):
                lines[i] = f"# {title}"
                cell.source = "\n".join(lines)
                return
    raise BookError(f"notebook has no '# ' heading to replace with {title!r}")


def keep_cell(tags: list[str], params: dict) -> bool:
    """False for a cell tagged `only-if:NAME=VALUE` whose chapter parameter NAME is not
    VALUE: a notebook executed for several configurations keeps, for example, its
    lead-configuration section only on the universal model's page."""
    for tag in tags:
        if tag.startswith("only-if:") and "=" in tag:
            name, value = tag[len("only-if:"):].split("=", 1)
            if str(params.get(name)) != value:
                return False
    return True


def _finalise(nb_path: Path, provenance: dict, chapter: Chapter, params: dict) -> None:
    """Hide papermill's injected parameters, drop cells meant for other configurations
    and record provenance in the metadata."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    if chapter.title:
        retitle(nb, chapter.title)
    nb.cells = [c for c in nb.cells if keep_cell(c.metadata.get("tags", []), params)]
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    nb.metadata["ecgpaper"] = {"chapter": chapter.name, "parameters": params,
                               "provenance": provenance}
    nbformat.write(nb, nb_path)


def execute_chapter(chapter: Chapter, root: Path, profile: Profile, params: dict,
                    log: Callable[[str], None] = print) -> float:
    """Execute one chapter with papermill; on success move it into place atomically."""
    import papermill

    from .provenance import collect

    source = root / "notebooks" / chapter.notebook
    generated = root / "notebooks" / (Path(chapter.notebook).stem + ".ipynb")
    to_notebook(source, generated)
    executed_dir = root / EXECUTED
    partial = executed_dir / ".partial" / f"{chapter.name}.ipynb"
    partial.parent.mkdir(parents=True, exist_ok=True)
    final = executed_dir / f"{chapter.name}.ipynb"
    stamp = executed_dir / STAMPS / f"{chapter.name}.json"
    # The old result is stale from here on: never leave it to be rendered.
    for stale in (final, stamp):
        stale.unlink(missing_ok=True)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(generated), str(partial), parameters=params, kernel_name="python3",
            cwd=str(root), progress_bar=False, log_output=False,
            # the kernel's own log is not the reader's: start-up transport notices, and
            # the "KeyboardInterrupt caught in kernel" error jupyter_client provokes by
            # interrupting every kernel before it shuts it down; a failing cell still
            # raises here through papermill
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except Exception as exc:  # papermill raises PapermillExecutionError for cell errors
        failed = executed_dir / FAILED / f"{chapter.name}.ipynb"
        kept = None
        if partial.is_file():
            failed.parent.mkdir(parents=True, exist_ok=True)
            os.replace(partial, failed)
            kept = failed
        raise BookError(_format_failure(chapter, exc, kept)) from exc
    seconds = time.perf_counter() - start
    _finalise(partial, collect(profile, root) | {"seconds": round(seconds, 1)}, chapter, params)
    os.replace(partial, final)
    return seconds


def run_book(profile: Profile, overrides: dict | None = None, only: Iterable[str] | None = None,
             force: bool = False, build: bool = True, root: Path = REPO_ROOT,
             chapters: Iterable[Chapter] = CHAPTERS,
             log: Callable[[str], None] = print, pdf: bool = False,
             jobs: int = 1) -> BookResult:
    """Execute what is out of date, each chapter once all it depends on is done, up to
    `jobs` at a time, then render the site (and with `pdf`, the PDF: LaTeX is checked
    before any chapter runs). A failure stops new chapters from starting; those already
    running finish, then the first failure is raised."""
    if pdf and build and missing_latex_tools():
        build_pdf(root, log)          # raises with the installation hint
    if jobs < 1:
        raise ValueError(f"jobs {jobs}, expected 1 or more")
    overrides = dict(overrides or {})
    result = BookResult()
    package_hash = package_fingerprint()
    pending = select(chapters, only)
    chain = longest_chains(pending)
    if jobs > 1:                               # one at a time keeps the table's order
        pending.sort(key=lambda c: -chain[c.name])
    planned = {c.name for c in pending}
    wanted = set(only or planned)
    finished: set[str] = set()
    running: dict = {}
    failure: BaseException | None = None
    with kernel_environment(jobs), ThreadPoolExecutor(max_workers=jobs) as pool:
        while pending or running:
            for chapter in list(pending):
                if failure is not None or len(running) >= jobs or \
                        any(c.exclusive for c, _ in running.values()):
                    break
                if any(d in planned and d not in finished for d in chapter.depends_on):
                    continue
                if chapter.exclusive and running:
                    continue                   # it starts when nothing else is running
                pending.remove(chapter)
                params = chapter_parameters(chapter, profile, overrides)
                fingerprint = chapter_fingerprint(chapter, root, params, package_hash)
                reason = "forced (--force)" if force and chapter.name in wanted else \
                    why_stale(chapter, root, fingerprint, profile.work_path)
                if reason is None:
                    result.skipped[chapter.name] = "unchanged since its last successful run"
                    log(f"[skip] {chapter.name}: unchanged since its last successful run")
                    finished.add(chapter.name)
                    continue
                log(f"[run ] {chapter.name}: {reason} ...")
                if jobs > 1:                   # read by the kernel the job starts
                    set_environment(kernel_threads(jobs, chapter.exclusive))
                job = pool.submit(execute_chapter, chapter, root, profile, params, log)
                running[job] = (chapter, fingerprint)
            if failure is not None and not running:
                break
            if not running:
                continue                   # skipped chapters freed others: plan again
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for job in done:
                chapter, fingerprint = running.pop(job)
                try:
                    seconds = job.result()
                except BaseException as exc:  # noqa: BLE001 - re-raised below
                    failure = failure or exc
                    continue
                write_stamp(chapter, root, fingerprint, profile.work_path)
                result.executed.append(chapter.name)
                result.seconds[chapter.name] = seconds
                finished.add(chapter.name)
                log(f"[done] {chapter.name} in {seconds:.1f} s")
    if failure is not None:
        raise failure
    if build:
        missing = [c.name for c in chapters
                   if not (root / EXECUTED / f"{c.name}.ipynb").is_file()]
        if missing:
            log("not rendering the site: these chapters have not been executed yet: "
                + ", ".join(missing) + " (run `ecgpaper book` without --only)")
        else:
            result.index_html = build_site(root, log)
            if pdf:
                result.pdf = build_pdf(root, log)
    return result
