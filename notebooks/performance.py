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

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["remove-input"]
import os
import platform

import pandas as pd
import torch

from ecgpaper.benchmarks.registry import run_all_quick
from ecgpaper.notebook import glue, setup
from ecgpaper.evaluation.tables import training_times

P = setup(profile, overrides)
results = run_all_quick()


def verdict(measured: float, target: float, unit: str, at_most: bool) -> str:
    ok = measured <= target if at_most else measured >= target
    sign = "≤" if at_most else "≥"
    return (f"measured **{measured:,.1f} {unit}** against a target of {sign} {target:,.0f} "
            f"{unit}: **{'met' if ok else 'not met'}** on this machine.")


# %% [markdown]
# ## The machine

# %% tags=["remove-input"]
pd.DataFrame({"value": [
    platform.processor() or platform.machine(), os.cpu_count(), torch.get_num_threads(),
    torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none",
]}, index=["CPU", "logical cores", "torch threads", "torch", "GPU"])

# %% [markdown]
# ## Reading the database into the store
#
# `ecgpaper prepare` reads every record once (in parallel) into one memory-mapped array.
# The benchmark times it on a small synthetic corpus in both file forms and extrapolates
# to the 10,646 files of the real CSV release; it also times one pass over the store, the
# I/O cost of a training epoch.

# %% tags=["remove-input"]
from IPython.display import Markdown, display

prep = results["prepare"].set_index("measurement")
display(prep.round(3))
csv_full = float(prep.loc[prep.index.str.startswith("prepare store from chapman-csv"),
                          "full_database_s"].iloc[0])
epoch_pass = float(prep.loc[prep.index.str.startswith("first pass"), "full_database_s"].iloc[0])
glue("performance_prepare_csv_s", round(csv_full, 1))
display(Markdown("Whole CSV database: " + verdict(csv_full, 60, "s", at_most=True)
                 + "\n\nOne pass over the full store: "
                 + verdict(epoch_pass, 2, "s", at_most=True)))

# %% [markdown]
# ## Generating the synthetic twin

# %% tags=["remove-input"]
twin = results["twin"].set_index("what")
display(twin.round(2))
twin_rate = float(twin["records_per_s"].iloc[0])
glue("performance_twin_records_per_s", round(twin_rate, 1))
display(Markdown("In memory: " + verdict(twin_rate, 50, "records/s", at_most=False)))

# %% [markdown]
# ## The networks at inference
#
# Parameters, forward FLOPs (2 × multiply-accumulates), batch-1 latency and batch-32
# throughput per model at 500 Hz and 100 Hz. Quick mode uses the demo width; run
# `ecgpaper bench models` for the paper's full-width networks (for which the plain
# SE-ResNet18 at 12 × 5000 needs 3.91 GFLOP per recording).

# %% tags=["remove-input"]
results["models"].round(3)

# %% [markdown]
# ## Training throughput
#
# Records per second for one training step (forward, backward, optimiser) and the
# arithmetic rate it achieves, counting a training step as three forward passes.

# %% tags=["remove-input"]
train = results["train"]
display(train.round(2))

# %% [markdown]
# ## Time to train the seven experiments
#
# Read from the experiment artifacts this edition produced (training only; evaluation
# and data preparation are a few seconds more). The project's target for the demo
# profile is all seven within ten minutes on two CPU cores.

# %% tags=["remove-input"]
times = training_times(P)
display(times.round(2))
total_min = float(times["training seconds"].sum()) / 60
glue("performance_train_minutes", round(total_min, 1))
if P.name == "demo":
    display(Markdown("All seven experiments: " + verdict(total_min, 10, "min", at_most=True)))
