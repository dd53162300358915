# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Training runs
#
# This page trains (or reuses) the configurations that the chapter above it compares,
# each with `ecgpaper.training.run.run_experiment`, exactly as
# `ecgpaper train --experiment NAME` would. Each run writes its own artifact folder
# (checkpoint, test predictions, metrics with 95 % bootstrap intervals, training
# history, provenance); the comparison page reads only those folders.
#
# **On this page you will learn** which configurations were run, how each differs from
# the paper's recipe, how long each took, and how the demo profile shortens them.

# %% tags=["hide-input"]
import pandas as pd

from ecgpaper.notebook import glue, say, setup, show_table
from ecgpaper.report import fmt_number
from ecgpaper.training.experiments import get_experiment
from ecgpaper.training.run import effective_profile, run_experiment
from ecgpaper.training.variants import CHAPTER_RUNS, demo_difference

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}
chapter = "ablations"

# %% [markdown]
# ## The runs

# %% tags=["hide-input"]
settings = setup(profile, overrides)
rows = []
for name in CHAPTER_RUNS[chapter]:
    exp = get_experiment(name)
    run = run_experiment(name, settings, progress=False, log=None)
    timing = run.get("timing") or {}
    changed = {k: v for k, v in exp.variant().items() if k not in ("demo", "demo_options")}
    rows.append({
        "configuration": name, "what it is": exp.name,
        "differs from the paper's recipe in": ", ".join(f"{k} = {v}" for k, v in changed.items())
        or ("model family" if exp.group == "baseline" else "nothing (reference)"),
        "on the demo profile": demo_difference(exp) if settings.name == "demo" else "—",
        "epochs run": run.get("epochs_run"),
        "training seconds": timing.get("train_seconds"),
        "reused": bool(run.get("reused")),
        "test accuracy": (run.get("metrics") or {}).get("accuracy"),
    })
runs = pd.DataFrame(rows)
show_table(runs, f"The runs behind this chapter (profile `{settings.name}`).",
           f"tbl-runs-{chapter}")
total = float(runs["training seconds"].fillna(0).sum())
glue(f"runs_{chapter}_seconds", round(total, 1))
say(f"Training (or fitting) took {fmt_number(total, 1)} s in all on this machine "
    f"({int(runs['reused'].sum())} of {len(runs)} runs were reused from an earlier build "
    f"with the same configuration; their seconds are those of the original run).")

# %% [markdown]
# ## Recap
#
# - Every configuration above is a row of data in `ecgpaper.training.variants`, trained
#   by the same code as the paper's seven experiments.
# - On the demo profile the extra runs train for fewer epochs (and some related designs
#   are narrower) so that the whole book still builds in minutes; the full profile runs
#   each at the paper's Table 2 settings.
