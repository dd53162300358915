"""The Training runs pages: for each configuration a chapter compares, what it changes in
the paper's recipe, how the demo profile shrinks it, how many epochs it ran against its
cap, how long it trained, and the totals the page quotes."""

from __future__ import annotations

import pandas as pd

from ..report import count, fixed, fmt_setting, label, present
from ..training.settings import effective_profile


def recipe_change(exp) -> str:
    """The settings in which `exp` departs from the paper's recipe, in words."""
    changed = {k: v for k, v in exp.variant().items() if k not in ("demo", "demo_options")}
    if changed:
        return "; ".join(f"{label(k)}: {fmt_setting(v)}" for k, v in changed.items())
    return "model family" if exp.group == "baseline" else "nothing (reference)"


def smaller_network(exp) -> str:
    """How the demo profile shrinks the network of `exp` ('width ≤ 0.125'), or '—'.
    Its epoch cap is not listed here: the table gives each run's cap beside its epochs."""
    caps = [f"{label(k)} ≤ {fmt_setting(v)}" for k, v in exp.demo.items() if k != "max_epochs"]
    sizes = [f"{label(k)} {fmt_setting(v)}" for k, v in exp.demo_options.items()]
    return "; ".join(caps + sizes) or "—"


def runs_table(settings, experiments, runs) -> pd.DataFrame:
    """One presented row per run (`runs` as `training.run.run_experiment` returns them);
    the column on the demo's smaller networks only where one is smaller."""
    smaller = [smaller_network(e) for e in experiments]
    table = pd.DataFrame({
        "configuration": [e.name for e in experiments],
        "run name": [e.id for e in experiments],
        "differs from the paper's recipe in": [recipe_change(e) for e in experiments],
        "demo: smaller network": smaller,
        "epochs run / cap": [f"{r.get('epochs_run')} / {effective_profile(settings, e).max_epochs}"
                             if e.neural else "—" for e, r in zip(experiments, runs)],
        "training seconds": [(r.get("timing") or {}).get("train_seconds") for r in runs],
        "reused": [bool(r.get("reused")) for r in runs],
        "test accuracy": [(r.get("metrics") or {}).get("accuracy") for r in runs]})
    if settings.name != "demo" or set(smaller) == {"—"}:
        table = table.drop(columns="demo: smaller network")
    return present(table, decimals={"training seconds": 1})


def run_facts(runs) -> dict:
    """What the page quotes: the seconds of training in all, and how many runs were
    reused from an earlier build."""
    seconds = sum((r.get("timing") or {}).get("train_seconds") or 0.0 for r in runs)
    return {"runs_seconds": fixed(seconds, 1),
            "runs_reused": sum(bool(r.get("reused")) for r in runs),
            "runs_count": count(len(runs), "run")}
