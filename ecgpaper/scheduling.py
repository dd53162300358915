"""Planning a build of the book: the order chapters may run in (dependencies first), the
chapters a request needs, which chapter to start first when several may run, and the
environment each chapter's kernel starts with (threads, progress bars, the build's start).
`ecgpaper.book` executes the plan."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Iterable

from .chapters import Chapter

BUILD_STARTED = "ECGPAPER_BOOK_STARTED"   # seen by the kernels: when the build began
BUILD_JOBS = "ECGPAPER_BOOK_JOBS"         # and how many chapters ran at a time
# thread counts a kernel's libraries read at start-up; the last is the training loop's
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "ECGPAPER_THREADS")


def dependency_order(chapters: Iterable[Chapter]) -> list[Chapter]:
    """Chapters sorted so that each comes after everything it depends on.

    Ties keep the table's order. Unknown dependencies and cycles are errors."""
    chapters = list(chapters)
    by_name = {c.name: c for c in chapters}
    for c in chapters:
        missing = [d for d in c.depends_on if d not in by_name]
        if missing:
            raise ValueError(f"chapter {c.name!r} depends on unknown chapter(s) {missing}")
    order: list[Chapter] = []
    state: dict[str, str] = {}

    def visit(c: Chapter, path: tuple[str, ...]) -> None:
        if state.get(c.name) == "done":
            return
        if state.get(c.name) == "visiting":
            raise ValueError("chapter dependency cycle: " + " -> ".join(path + (c.name,)))
        state[c.name] = "visiting"
        for dep in c.depends_on:
            visit(by_name[dep], path + (c.name,))
        state[c.name] = "done"
        order.append(c)

    for c in chapters:
        visit(c, ())
    return order


def longest_chains(chapters: Iterable[Chapter]) -> dict[str, float]:
    """Per chapter: its own `seconds` plus the longest chain of chapters that wait for it.
    Starting the chapter with the longest chain first keeps both cores busy to the end
    (a long training page started last would run alone)."""
    order = dependency_order(chapters)
    waiting: dict[str, list[str]] = {c.name: [] for c in order}
    for c in order:
        for dep in c.depends_on:
            waiting[dep].append(c.name)
    chain: dict[str, float] = {}
    for c in reversed(order):
        chain[c.name] = c.seconds + max((chain[w] for w in waiting[c.name]), default=0.0)
    return chain


def select(chapters: Iterable[Chapter], only: Iterable[str] | None) -> list[Chapter]:
    """The chapters to consider: all, or the named ones plus what they depend on."""
    ordered = dependency_order(chapters)
    if not only:
        return ordered
    by_name = {c.name: c for c in ordered}
    wanted: set[str] = set()
    stack = list(only)
    while stack:
        name = stack.pop()
        if name not in by_name:
            raise ValueError(f"unknown chapter {name!r}; chapters are {list(by_name)}")
        if name not in wanted:
            wanted.add(name)
            stack.extend(by_name[name].depends_on)
    return [c for c in ordered if c.name in wanted]


def default_jobs() -> int:
    """Chapters run side by side: two on a machine with two or more cores. Small networks
    and the start-up of a kernel (imports) use a second core poorly, so two one-thread
    kernels finish sooner than one two-thread kernel."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def set_environment(values: dict) -> dict:
    """Set (or, for None, remove) environment variables; return their previous values."""
    saved = {k: os.environ.get(k) for k in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    return saved


def kernel_threads(jobs: int, exclusive: bool = False) -> dict:
    """PyTorch/OpenMP threads of the kernels started next: the cores shared between `jobs`
    kernels, or (None: the libraries' default) all of them for a chapter that runs alone."""
    if jobs == 1 or exclusive:
        return dict.fromkeys(THREAD_VARIABLES)
    return dict.fromkeys(THREAD_VARIABLES, str(max(1, (os.cpu_count() or 1) // jobs)))


@contextmanager
def kernel_environment(jobs: int = 1):
    """Progress bars would end up as stderr text in the rendered page: the book prints its
    own per-chapter progress instead (tqdm reads TQDM_* environment defaults). The build's
    start time and job count let the Reproducibility chapter report the wall-clock time.
    The thread variables are restored afterwards too."""
    threads = {k: os.environ.get(k) for k in THREAD_VARIABLES}
    saved = set_environment({"TQDM_DISABLE": "1", **threads,
                              BUILD_STARTED: f"{time.time():.1f}", BUILD_JOBS: str(jobs)})
    try:
        yield
    finally:
        set_environment(saved)
