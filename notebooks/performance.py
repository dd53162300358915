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
#
# **On this page you will learn** how fast this machine reads the database, generates the
# twin, runs each network and trains the seven experiments, and whether each stage meets
# the project's target.

# %% tags=["hide-input"]
from ecgpaper import paper
from ecgpaper.benchmarks.registry import run_quick
from ecgpaper.evaluation.tables import training_times
from ecgpaper.measurements import load_measurements, where_measured
from ecgpaper.notebook import glue_all, setup, show_table
from ecgpaper.pages import serve_targets
from ecgpaper.pages import performance as page
from ecgpaper.report import device_note
from ecgpaper.training.variants import VARIANTS

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
results = run_quick(("prepare", "twin", "models", "train"))
glue_all(page.target_facts())

# %% [markdown]
# ## The machine
#
# Every figure below depends on the machine, so the page starts with it: the processor,
# its logical cores, the threads PyTorch uses, its version, and the GPU if there is one.

# %% tags=["hide-input"]
show_table(page.machine_table(), "The machine that built this page.", "tbl-performance-machine")

# %% [markdown]
# ## Reading the database into the store
#
# `ecgpaper prepare` reads every record once (in parallel) into one memory-mapped array.
# The benchmark times it on a small synthetic corpus in both file forms and extrapolates
# to the 10,646 files of the real CSV release; it also times one pass over the store, the
# I/O cost of a training epoch ({numref}`tbl-performance-prepare`).

# %% tags=["hide-input"]
prep = results["prepare"].set_index("measurement")
glue_all(page.prepare_facts(prep))
show_table(prep, "Reading records into the store, measured on a small corpus and "
           "extrapolated to the whole database.", "tbl-performance-prepare")

# %% [markdown]
# Reading the whole CSV release would take {glue:text}`performance_prepare_csv_s` s
# against a target of at most {glue:text}`performance_target_prepare_csv_s` s:
# **{glue:text}`performance_prepare_csv_met`** on this machine. One pass over the full
# store would take {glue:text}`performance_store_pass_s` s against a target of at most
# {glue:text}`performance_target_store_pass_s` s:
# **{glue:text}`performance_store_pass_met`**. Reading a CSV file means parsing text; a
# pass over the store reads binary samples that are already in the training's layout,
# which is why the store is built once and every epoch reads it.
#
# ## Generating the synthetic twin
#
# The twin's generator draws each record's rhythm, beats and noise, and can write the
# figshare layout (one CSV per record and the Diagnostics table). Its speed sets how
# long a fresh demo build spends on its data before the first network trains.

# %% tags=["hide-input"]
twin = results["twin"].set_index("what")
glue_all(page.twin_facts(twin))
show_table(twin, "Generating the synthetic twin.", "tbl-performance-twin", digits=1)

# %% [markdown]
# In memory the generator writes {glue:text}`performance_twin_records_per_s` records per
# second against a target of at least {glue:text}`performance_target_twin_records_per_s`:
# **{glue:text}`performance_twin_met`** on this machine.
#
# ## The networks at inference
#
# Parameters, forward FLOPs (2 × multiply-accumulates), batch-1 latency and batch-32
# throughput per model at 500 Hz and 100 Hz. Quick mode uses the demo width; run
# `ecgpaper bench models` for the paper's full-width networks (for which the plain
# SE-ResNet18 at 12 × 5000 needs 3.91 GFLOP per recording).

# %% tags=["hide-input"]
models = results["models"]
show_table(page.timing_table(models, digits=3), "Parameters, forward GFLOP, batch-1 latency and "
           f"batch-32 throughput of each network on this machine ({device_note(models)}).",
           "tbl-performance-models", presented=True, wide=True)

# %% [markdown]
# ## Training throughput
#
# Records per second for one training step (forward, backward, optimiser) at the demo
# width and the arithmetic rate it achieves, counting a training step as three forward
# passes.

# %% tags=["hide-input"]
train = results["train"]
one_decimal = {"train_records_per_s": 1, "achieved_gflop_per_s": 1}
show_table(page.timing_table(train, digits=3, decimals={"step_ms": 0, **one_decimal}),
           f"One training step per network on this machine ({device_note(train)}).",
           "tbl-performance-train", presented=True, wide=True)

# %% [markdown]
# ## Time to train the seven experiments
#
# Read from the experiment artifacts this edition produced (training only; evaluation
# and data preparation are a few seconds more). The project's target for the demo
# profile is all seven within {glue:text}`performance_target_train_min` minutes on two
# CPU cores.

# %% tags=["hide-input"]
times = training_times(settings)
extra_times = training_times(settings, list(VARIANTS))
glue_all(page.training_facts(times, extra_times, demo=settings.name == "demo"))
show_table(page.timing_table(times), "Training time of the seven experiments of this "
           f"edition ({device_note(times)}).", "tbl-performance-experiments", presented=True)

# %% [markdown]
# All seven trained in {glue:text}`performance_train_minutes` min:
# **{glue:text}`performance_train_met`** on this machine.
#
# ## Time to train the ablations, seeds and baselines
#
# The chapters on UniversalECGNet, the ablations and the baselines add further runs
# (`ecgpaper.training.variants`); their Training runs pages say the epoch budget of
# each. The target for the whole demo book, these runs included, is twelve minutes on
# two CPU cores. `ecgpaper book` runs two chapters at a time with one core each, so the
# times here add up to more than the wall-clock time of the build, which the
# Reproducibility chapter reports.

# %% tags=["hide-input"]
show_table(page.timing_table(extra_times), "Training (or fitting) time of the further "
           f"configurations ({device_note(extra_times)}).", "tbl-performance-variants",
           presented=True)

# %% [markdown]
# The further configurations took {glue:text}`performance_variants_minutes` min of
# training; with the seven experiments {glue:text}`performance_all_minutes` min in all.

# %% [markdown]
# ## Measured on other machines
#
# Some targets need hardware the book is not built on (a GPU) or a machine doing
# nothing else (the serving latency of the paper-size networks). `ecgpaper bench NAME
# --out book/measurements/FILE.json` records such a measurement with the device, the
# software versions, the commit and the date; the files committed with this edition are
# shown below as they were measured, labelled with where and when, and never re-labelled
# as computed during this build. Settings shared by every row of a file are named in
# its caption.

# %% tags=["hide-input"]
committed = load_measurements()
for k, entry in enumerate(committed):
    table, shared = page.measured_table(entry)
    show_table(table, f"Measured elsewhere: {where_measured(entry)}"
               + (f". Every row: {shared}." if shared else "."),
               f"tbl-performance-measured-{k + 1}", presented=True, wide=True)
glue_all(page.serve_facts(committed, paper.SERVICE_LATENCY_MS))
glue_all(serve_targets.serve_target_facts(serve_targets.serve_targets(committed)))

# %% [markdown]
# The committed files answer the serving target: the paper-size SE-ResNet18 answering
# one request end to end on the CPU with the fastest backend
# ({glue:text}`performance_serve_backend`) took a median of
# {glue:text}`performance_serve_ms` ms against a target of at most
# {glue:text}`performance_target_serve_ms` ms on two cores:
# **{glue:text}`performance_serve_met`** on that machine. The paper reports
# {glue:text}`performance_paper_serve_ms` ms on an RTX 3060 GPU.
#
# The same files answer the service's own two targets (the Deployment chapter shows them
# as a table). What one request adds to the network alone, at most
# {glue:text}`deployment_overhead_target` ms for the ONNX backends with a binary body, is
# {glue:text}`deployment_overhead_met`. Four concurrent clients getting at least
# {glue:text}`deployment_share_target` % of the requests per second the network alone
# sustains on the same cores is {glue:text}`deployment_share_met`.

# %% [markdown]
# ## Recap
#
# - Each stage is timed on the machine that built this page by the same functions as
#   `ecgpaper bench NAME`, and checked against its target.
# - The training times come from the experiments' own artifacts, so they describe this
#   edition's runs.
