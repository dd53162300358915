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
# # Performance
#
# How fast is each stage on the machine that built this page? Every table here is
# measured while the book is executed, by the same functions that `ecgpaper bench NAME`
# runs from the command line — there in full, here in their quick mode (few
# repetitions, small inputs) so the book stays fast. Each section states the project's
# target and checks it against the measurement.

# **On this page you will learn** how fast this machine reads the database, generates the
# twin, runs each network and trains the seven experiments, and whether each stage meets
# the project's target.

# %% tags=["hide-input"]
import os
import platform

import pandas as pd
import torch

from ecgpaper import paper
from ecgpaper.benchmarks.registry import run_all_quick
from ecgpaper.evaluation.tables import training_times
from ecgpaper.notebook import glue, say, setup, show_table
from ecgpaper.training.variants import VARIANTS

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
results = run_all_quick()


def verdict(measured: float, target: float, unit: str, at_most: bool) -> str:
    ok = measured <= target if at_most else measured >= target
    sign = "≤" if at_most else "≥"
    return (f"measured **{measured:,.1f} {unit}** against a target of {sign} {target:,.0f} "
            f"{unit}: **{'met' if ok else 'not met'}** on this machine.")


# %% [markdown]
# ## The machine

# %% tags=["hide-input"]
show_table(pd.DataFrame({"value": [
    platform.processor() or platform.machine(), os.cpu_count(), torch.get_num_threads(),
    torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none",
]}, index=pd.Index(["CPU", "logical cores", "torch threads", "torch", "GPU"], name="")),
           "The machine that built this page.", "tbl-performance-machine")

# %% [markdown]
# ## Reading the database into the store
#
# `ecgpaper prepare` reads every record once (in parallel) into one memory-mapped array.
# The benchmark times it on a small synthetic corpus in both file forms and extrapolates
# to the 10,646 files of the real CSV release; it also times one pass over the store, the
# I/O cost of a training epoch.

# %% tags=["hide-input"]
prep = results["prepare"].set_index("measurement")
show_table(prep, "Reading records into the store, measured on a small corpus and "
           "extrapolated to the whole database.", "tbl-performance-prepare")
csv_full = float(prep.loc[prep.index.str.startswith("prepare store from chapman-csv"),
                          "full_database_s"].iloc[0])
epoch_pass = float(prep.loc[prep.index.str.startswith("first pass"), "full_database_s"].iloc[0])
glue("performance_prepare_csv_s", round(csv_full, 1))
say("Whole CSV database: " + verdict(csv_full, 60, "s", at_most=True)
    + "\n\nOne pass over the full store: " + verdict(epoch_pass, 2, "s", at_most=True))

# %% [markdown]
# ## Generating the synthetic twin

# %% tags=["hide-input"]
twin = results["twin"].set_index("what")
show_table(twin, "Generating the synthetic twin.", "tbl-performance-twin", digits=2)
twin_rate = float(twin["records_per_s"].iloc[0])
glue("performance_twin_records_per_s", round(twin_rate, 1))
say("In memory: " + verdict(twin_rate, 50, "records/s", at_most=False))

# %% [markdown]
# ## The networks at inference
#
# Parameters, forward FLOPs (2 × multiply-accumulates), batch-1 latency and batch-32
# throughput per model at 500 Hz and 100 Hz. Quick mode uses the demo width; run
# `ecgpaper bench models` for the paper's full-width networks (for which the plain
# SE-ResNet18 at 12 × 5000 needs 3.91 GFLOP per recording).

# %% tags=["hide-input"]
models = results["models"].drop(columns=[c for c in ("device", "threads", "width")
                                         if c in results["models"].columns])
show_table(models, "Parameters, forward GFLOP, batch-1 latency and batch-32 throughput of "
           "each network on this machine.", "tbl-performance-models")

# %% [markdown]
# ## Training throughput
#
# Records per second for one training step (forward, backward, optimiser) and the
# arithmetic rate it achieves, counting a training step as three forward passes.

# %% tags=["hide-input"]
train = results["train"].drop(columns=[c for c in ("device", "threads")
                                       if c in results["train"].columns])
show_table(train, "One training step per network on this machine.", "tbl-performance-train",
           digits=2)

# %% [markdown]
# ## Time to train the seven experiments
#
# Read from the experiment artifacts this edition produced (training only; evaluation
# and data preparation are a few seconds more). The project's target for the demo
# profile is all seven within ten minutes on two CPU cores.

# %% tags=["hide-input"]
times = training_times(settings)
show_table(times, "Training time of the seven experiments of this edition.",
           "tbl-performance-experiments", digits=2)
total_min = float(times["training seconds"].sum()) / 60
glue("performance_train_minutes", round(total_min, 1))
if settings.name == "demo":
    say("All seven experiments: " + verdict(total_min, 10, "min", at_most=True))

# %% [markdown]
# ## Time to train the ablations, seeds and baselines
#
# The chapters on UniversalECGNet, the ablations and the baselines add further runs
# (`ecgpaper.training.variants`). On the demo profile they train fewer epochs than the
# seven experiments (each page says how many); the target for the whole demo book,
# these runs included, is twelve minutes on two CPU cores. `ecgpaper book` runs two
# chapters at a time with one core each, so the times here add up to more than the
# wall-clock time of the build, which the Reproducibility chapter reports.

# %% tags=["hide-input"]
extra_times = training_times(settings, list(VARIANTS))
if len(extra_times):
    show_table(extra_times, "Training (or fitting) time of the further configurations.",
               "tbl-performance-variants", digits=2)
    extra_min = float(extra_times["training seconds"].sum()) / 60
    glue("performance_variants_minutes", round(extra_min, 1))
    say(f"The further configurations took {extra_min:.1f} min of training; with the seven "
        f"experiments {total_min + extra_min:.1f} min in all.")


# %% [markdown]
# ## Measured on other machines
#
# Some targets need hardware the book is not built on (a GPU) or a machine doing
# nothing else (the serving latency of the paper-size networks). `ecgpaper bench NAME
# --out book/measurements/FILE.json` records such a measurement with the device, the
# software versions, the commit and the date; the files committed with this edition are
# shown below as they were measured, labelled with where and when, and never re-labelled
# as computed during this build.

# %% tags=["hide-input"]
from ecgpaper.measurements import load_measurements, where_measured
from ecgpaper.report import present

committed = load_measurements()
if not committed:
    say("No measurement files are committed with this edition.")
labels = {"p50_ms": "median (ms)", "p95_ms": "95th percentile (ms)",
          "p99_ms": "99th percentile (ms)", "req_per_s": "requests/s", "n": "requests"}
for k, entry in enumerate(committed):
    frame = pd.DataFrame(entry["records"])
    # settings shared by every row go to the caption, so that the table fits the page
    same = [c for c in frame.columns if frame[c].nunique(dropna=False) == 1 and len(frame) > 1]
    shared = "; ".join(f"{labels.get(c, c).replace('_', ' ')}: {frame[c].iloc[0]}"
                       for c in same if c != "errors")
    shown = frame.drop(columns=same + [c for c in ("p99_ms", "input") if c in frame])
    show_table(present(shown, labels=labels),
               f"Measured elsewhere: {where_measured(entry)}"
               + (f". Every row: {shared}." if shared else "."),
               f"tbl-performance-measured-{k + 1}", presented=True, wide=True)
    if entry["benchmark"] == "serve":
        e2e = frame[(frame["stage"] == "end to end") & (frame["model"] == "SE-ResNet18")
                    & (frame["device"] == "cpu") & (frame["width"] == 1.0)]
        if len(e2e):
            best = e2e.loc[e2e["p50_ms"].idxmin()]
            say(f"Paper-size SE-ResNet18, one request end to end on the CPU, fastest backend "
                f"({best['backend']}): measured **{best['p50_ms']:,.1f} ms** (median) against "
                f"a target of ≤ 20 ms on two cores: **{'met' if best['p50_ms'] <= 20 else 'not met'}**"
                f" on that machine (the paper reports {paper.SERVICE_LATENCY_MS} ms on an "
                "RTX 3060 GPU).")

# %% [markdown]
# ## Recap
#
# - Each stage is timed on the machine that built this page by the same functions as
#   `ecgpaper bench NAME`, and checked against its target.
# - The training times come from the experiments' own artifacts, so they describe this
#   edition's runs.
