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
from ecgpaper.notebook import glue_all, setup, show_table
from ecgpaper.pages import runs as page
from ecgpaper.training.experiments import get_experiment
from ecgpaper.training.run import run_experiment
from ecgpaper.training.variants import CHAPTER_RUNS

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}
chapter = "ablations"

# %% [markdown]
# ## The runs
#
# Each configuration is one row of data in `ecgpaper.training.variants`. The cell below
# trains each in turn, or reuses its artifact folder when an earlier build trained the
# same configuration on the same data (the configuration's hash, stored in the folder,
# decides).

# %% tags=["hide-input"]
settings = setup(profile, overrides)
experiments = [get_experiment(name) for name in CHAPTER_RUNS[chapter]]
runs = [run_experiment(e.id, settings, progress=False, log=None) for e in experiments]

# %% [markdown]
# The table below lists each run:
#
# - **differs from the paper's recipe in**: the setting the run changes (an ablation
#   switches one ingredient off, a seed run only draws other random numbers, a related
#   design is another model family trained with the same recipe);
# - **demo: smaller network**: on the demo profile, a network made narrower than its
#   paper's so that it trains in minutes on a CPU (shown only when one is);
# - **epochs run / cap**: the epochs it trained before early stopping, against its
#   budget on this profile;
# - **training seconds** and **test accuracy** on this profile's test split.

# %% tags=["hide-input"]
show_table(page.runs_table(settings, experiments, runs),
           f"The runs behind this chapter (profile {settings.name}).", f"tbl-runs-{chapter}",
           presented=True, wide=True)
glue_all(page.run_facts(runs))

# %% [markdown]
# Training (or fitting) took {glue:text}`runs_seconds` s in all on this machine. Reused
# from an earlier build with the same configuration: {glue:text}`runs_reused` of
# {glue:text}`runs_count` (the seconds shown for a reused run are those of its original
# training). A test accuracy near the share of the most common rhythm means the run
# learned little beyond it: on a small demo twin, or for a run stopped after very few
# epochs, that can happen, and the chapter above says which of its comparisons it can
# still make.

# %% [markdown]
# ## Recap
#
# - Every configuration above is a row of data in `ecgpaper.training.variants`, trained
#   by the same code as the paper's seven experiments.
# - Each run's epoch budget is the profile's own unless the table shows a lower cap; on
#   the demo profile some related designs are also narrower, so that the whole book
#   still builds in minutes. The full profile runs each at the paper's Table 2 settings.
