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
# # Provenance of this edition
#
# Every executed chapter carries, in its notebook metadata, a record of what produced
# it: the git commit of the code (marked `+dirty` when tracked files had local
# changes), the versions of the packages that did the work, the profile and seed, and
# the checksum of the data it read. This page collects those records from the executed
# notebooks, so a reader can check that all pages of one edition came from the same
# code and the same data.

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["remove-input"]
from pathlib import Path

import pandas as pd

from ecgpaper.notebook import glue, setup
from ecgpaper.provenance import collect
from ecgpaper.reproducibility import provenance_table

P = setup(profile, overrides)

# %% [markdown]
# ## Chapters

# %%
chapters = provenance_table(Path("executed"))
chapters

# %%
total_minutes = chapters["seconds"].sum() / 60
glue("repro_total_minutes", round(float(total_minutes), 1))
glue("repro_n_chapters", int(len(chapters)))
print(f"{len(chapters)} chapters executed in {total_minutes:.1f} minutes in all "
      f"(this page is not included: it runs last).")

# %%
consistent = {column: chapters[column].nunique() == 1
              for column in ("git_commit", "data_checksum", "seed", "profile")}
pd.Series(consistent, name="same value on every page").to_frame()

# %% [markdown]
# ## Software

# %%
now = collect(P)
pd.Series(now["packages"], name="version").to_frame().rename_axis("package")

# %% [markdown]
# ## The profile of this edition
#
# The settings every chapter received (as papermill parameters) and used:

# %%
pd.Series({k: v for k, v in now["profile"].items() if k != "extra"},
          name="value").astype(str).to_frame()
