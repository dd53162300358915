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


def run_all_quick() -> dict[str, pd.DataFrame]:
    """Every benchmark in quick mode, without progress bars (for the book's pages)."""
    return {name: module.measure(quick=True, progress=False)
            for name, module in benchmark_modules().items()}
