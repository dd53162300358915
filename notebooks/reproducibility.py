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
#
# **On this page you will learn** how long each chapter took, whether all pages share
# one commit, one data set and one seed, which package versions did the work, and how to
# cite exactly this edition.

# %% tags=["hide-input"]
import os
import time
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

import ecgpaper
from ecgpaper.scheduling import BUILD_JOBS, BUILD_STARTED
from ecgpaper.notebook import glue, say, setup, show_table
from ecgpaper.provenance import collect
from ecgpaper.reproducibility import provenance_table

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)

# %% [markdown]
# ## Chapters

# %% tags=["hide-input"]
chapters = provenance_table(Path("executed"))
shown = chapters[[c for c in ("chapter", "seconds", "git_commit", "data_checksum")
                  if c in chapters.columns]]
show_table(shown, "Time, commit and data checksum of every executed chapter (the profile, "
           "seed and package versions follow below).", "tbl-provenance-chapters", digits=1)
total_minutes = chapters["seconds"].sum() / 60
glue("repro_total_minutes", round(float(total_minutes), 1))
glue("repro_n_chapters", int(len(chapters)))
say(f"{len(chapters)} chapters executed in {total_minutes:.1f} minutes of kernel time in "
    f"all (this page is not included: it runs last).")
started = os.environ.get(BUILD_STARTED)
if started:
    wall = (time.time() - float(started)) / 60
    glue("repro_wall_minutes", round(wall, 1))
    say(f"This build ran up to {os.environ.get(BUILD_JOBS, '1')} chapters at a time and had "
        f"been running for **{wall:.1f} minutes** of wall-clock time when this last page "
        "started (only the chapters it found out of date were executed; the site is "
        "rendered after this page).")

# %% tags=["hide-input"]
consistent = pd.DataFrame({
    "recorded value": ["git commit", "data checksum", "seed", "profile"],
    "same on every page": [chapters[column].nunique() == 1 for column in
                           ("git_commit", "data_checksum", "seed", "profile")]})
show_table(consistent, "Do all pages come from one commit, one data set, one seed and one "
           "profile?", "tbl-provenance-consistency")

# %% [markdown]
# ## Software

# %% tags=["hide-input"]
now = collect(settings)
show_table(pd.Series(now["packages"], name="version").to_frame().rename_axis("package"),
           "Versions of the packages that executed this edition.", "tbl-provenance-packages")

# %% [markdown]
# ## The profile of this edition
#
# The settings every chapter received (as papermill parameters) and used:

# %% tags=["hide-input"]
show_table(pd.Series({k: v for k, v in now["profile"].items() if k != "extra"},
                     name="value").astype(str).to_frame().rename_axis("setting"),
           "The profile of this edition.", "tbl-provenance-profile")

# %% [markdown]
# ## How to cite this edition
#
# The BibTeX entry below names the package version and the commit this edition was
# built from; the {doc}`/book/how_to_cite` page shows it too.

# %% tags=["hide-input"]
commit = str(now.get("git_commit", "unknown"))
citation = (
    "@misc{ecgpaper_book,\n"
    "  title  = {Cardiac rhythm classification from 12-lead {ECGs}: an executable paper},\n"
    "  author = {{The ecgpaper contributors}},\n"
    f"  note   = {{Executable re-analysis of Kisialeu and Nedzved, version "
    f"{ecgpaper.__version__}, commit {commit}, profile {settings.name}}},\n"
    f"  year   = {{{pd.Timestamp.now():%Y}}}\n"
    "}")
citation_block = Markdown("```bibtex\n" + citation + "\n```")
glue("repro_citation", citation_block)
glue("repro_commit", commit)
citation_block

# %% [markdown]
# ## Recap
#
# - Each page records the commit, the data checksum, the seed and the profile it ran
#   with; the consistency table says whether one edition's pages agree.
# - The citation above pins the version and commit of the code behind this edition.
