"""The benchmarks by the name `ecgpaper bench NAME` gives them, and a quick run of all of
them for the book's performance chapter.

Each benchmark module defines DESCRIPTION, `add_arguments(parser)` for its own options
and `measure(quick=False, progress=True, **options) -> DataFrame`.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:           # pandas and torch load only when a benchmark runs
    import pandas as pd


def benchmark_modules() -> dict[str, ModuleType]:
    """Every benchmark module by name (imported only when benchmarks are wanted: some
    import torch)."""
    from . import models, prepare, serve, train, twin
    return {"models": models, "prepare": prepare, "serve": serve, "train": train,
            "twin": twin}


def run_quick(names=None) -> dict[str, pd.DataFrame]:
    """The benchmarks `names` (default: all) in quick mode, without progress bars, for
    the book's pages (the Performance chapter leaves out `serve`: the Deployment chapter
    times the service with the trained networks instead)."""
    modules = benchmark_modules()
    unknown = sorted(set(names or ()) - set(modules))
    if unknown:
        raise ValueError(f"unknown benchmark(s) {unknown}, expected some of {sorted(modules)}")
    return {name: modules[name].measure(quick=True, progress=False)
            for name in (names or modules)}
