"""Discover the benchmark modules and run them in quick mode (for the book)."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pandas as pd

NOT_BENCHMARKS = {"registry"}


def benchmark_modules() -> dict[str, ModuleType]:
    """Every module of ecgpaper.benchmarks that defines `measure`, by name."""
    import ecgpaper.benchmarks as pkg

    found = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name in NOT_BENCHMARKS:
            continue
        module = importlib.import_module(f"ecgpaper.benchmarks.{info.name}")
        if hasattr(module, "measure"):
            found[info.name] = module
    return found


def run_all_quick() -> dict[str, pd.DataFrame]:
    """Every benchmark in quick mode, without progress bars (for the book's pages)."""
    import inspect

    results = {}
    for name, module in benchmark_modules().items():
        kwargs = {"quick": True}
        if "progress" in inspect.signature(module.measure).parameters:
            kwargs["progress"] = False
        results[name] = module.measure(**kwargs)
    return results
