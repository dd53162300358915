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
# How fast is each stage on the machine that built this page? Every table below is
# measured while the book is executed, by the same functions that `ecgpaper bench NAME`
# runs from the command line (there in full; here in their quick mode so the book stays
# fast). Targets come from the project's design: preparing the 10,646-record CSV
# database in at most a minute on two cores, one pass over the store in at most two
# seconds, at least 50 synthetic records per second, and training throughput close to
# what the CPU's arithmetic allows.

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

P = setup(profile, overrides)

# %% [markdown]
# ## The machine

# %%
machine = pd.DataFrame({
    "value": [platform.processor() or platform.machine(), os.cpu_count(),
              torch.get_num_threads(), torch.__version__,
              torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"],
}, index=["CPU", "logical cores", "torch threads", "torch", "GPU"])
machine

# %% [markdown]
# ## Benchmarks
#
# Each benchmark reports one row per measurement; the column names carry their units.

# %%
results = run_all_quick()
for name, table in results.items():
    print(f"ecgpaper bench {name} --quick")
    display(table.round(3))
glue("performance_benchmarks", ", ".join(results))

# %% [markdown]
# Numbers measured in quick mode use few repetitions and small inputs; run
# `ecgpaper bench NAME` (without `--quick`) for the full measurement, and on a machine
# with a GPU to add its rows.
