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
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

import ecgpaper
from ecgpaper.notebook import glue, glue_all, setup, show_table
from ecgpaper.pages import provenance as page
from ecgpaper.provenance import collect
from ecgpaper.reproducibility import provenance_table

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
chapters = provenance_table(Path("executed"))
now = collect(settings)
glue_all(page.build_facts(chapters))

# %% [markdown]
# ## Chapters
#
# {numref}`tbl-provenance-chapters` lists every executed chapter with the seconds its
# kernel ran, the commit of the code it ran and the checksum of the data it read (both
# shortened to twelve characters).

# %% tags=["hide-input"]
show_table(page.chapter_table(chapters), "Time, commit and data checksum of every executed "
           "chapter (the profile, seed and package versions follow below).",
           "tbl-provenance-chapters", digits=1)

# %% [markdown]
# The {glue:text}`repro_n_chapters` above executed in {glue:text}`repro_total_minutes`
# minutes of kernel time in all (this page is not included: it runs last). The build
# ran up to {glue:text}`repro_jobs` at a time; its wall-clock time when this last page
# started: **{glue:text}`repro_wall_minutes`**. Only the chapters it found out of date
# were executed, and the site is rendered after this page.
#
# A chapter that was not rerun keeps the record of the build that last executed it, so
# one edition can mix commits; {numref}`tbl-provenance-consistency` says whether it
# does. A commit marked `+dirty` had local changes to tracked files when it ran.

# %% tags=["hide-input"]
show_table(page.consistency_table(chapters), "Do all pages come from one commit, one data "
           "set, one seed and one profile?", "tbl-provenance-consistency")

# %% [markdown]
# ## Software
#
# The versions of the packages that do the work, as imported by this page's kernel
# (every chapter's kernel runs in the same environment).

# %% tags=["hide-input"]
show_table(pd.Series(now["packages"], name="version").to_frame().rename_axis("package"),
           "Versions of the packages that executed this edition.", "tbl-provenance-packages")

# %% [markdown]
# ## The profile of this edition
#
# The settings every chapter received (as papermill parameters) and used. Each can be
# changed for one build with `ecgpaper book --set NAME=VALUE`; a chapter whose
# parameters change is executed again.

# %% tags=["hide-input"]
show_table(page.profile_table(now["profile"]), "The profile of this edition.",
           "tbl-provenance-profile")

# %% [markdown]
# ## How to cite this edition
#
# The BibTeX entry below names the package version and the commit this edition was
# built from; the {doc}`/book/how_to_cite` page shows it too.

# %% tags=["hide-input"]
commit = str(now.get("git_commit", "unknown"))
citation_block = Markdown("```bibtex\n" + page.citation(
    ecgpaper.__version__, commit, settings.name, pd.Timestamp.now().year) + "\n```")
glue("repro_citation", citation_block)
glue("repro_commit", commit)
citation_block

# %% [markdown]
# ## Recap
#
# - Each page records the commit, the data checksum, the seed and the profile it ran
#   with; the consistency table says whether one edition's pages agree.
# - The citation above pins the version and commit of the code behind this edition.
