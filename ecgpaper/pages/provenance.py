"""The Provenance chapter: every executed chapter's time, commit and data checksum
(`reproducibility.provenance_table`), whether they agree, the build's wall-clock time,
the profile of the edition, and the BibTeX entry that cites it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd

from ..report import count, fixed, fmt_setting
from ..scheduling import BUILD_JOBS, BUILD_STARTED

RECORDED = {"git_commit": "git commit", "data_checksum": "data checksum", "seed": "seed",
            "profile": "profile"}


def chapter_table(chapters: pd.DataFrame) -> pd.DataFrame:
    """Chapter, seconds, commit and data checksum of each executed chapter. A build
    outside a git checkout records its commit as 'unknown (…)', cut to 12 letters by the
    provenance table: shown as 'unknown'."""
    shown = chapters[[c for c in ("chapter", "seconds", "git_commit", "data_checksum")
                      if c in chapters.columns]]
    return shown.replace({"git_commit": {r"^unknown.*": "unknown"}}, regex=True)


def consistency_table(chapters: pd.DataFrame) -> pd.DataFrame:
    """Whether every page has the same commit, data checksum, seed and profile."""
    return pd.DataFrame({"recorded value": list(RECORDED.values()),
                         "same on every page": [chapters[c].nunique() == 1 for c in RECORDED]})


def build_facts(chapters: pd.DataFrame, environ=os.environ, now: float | None = None) -> dict:
    """What the page quotes about the build: the chapters and their kernel minutes, how
    many ran at a time, and the wall-clock minutes so far (from the environment
    `ecgpaper book` gives each kernel)."""
    started = environ.get(BUILD_STARTED)
    wall = ("not recorded (this page was not run by the book command)" if not started else
            f"{fixed(((now or time.time()) - float(started)) / 60, 1)} minutes")
    return {"repro_n_chapters": count(len(chapters), "chapter"),
            "repro_total_minutes": fixed(chapters["seconds"].sum() / 60, 1),
            "repro_jobs": count(int(environ.get(BUILD_JOBS, "1")), "chapter"),
            "repro_wall_minutes": wall}


PATH_SETTINGS = ("data_dir", "work_dir", "external_dir")


def shown_path(value, root: Path | None = None) -> str:
    """A folder setting as a reader should see it: relative to the repository when it
    lies inside it, else only its last two parts ('…/shared/data'), so the page does not
    publish where the builder keeps files on their machine."""
    from ..paths import REPO_ROOT
    path = Path(str(value)).expanduser()
    if not path.is_absolute():
        return str(value)
    try:
        return str(path.resolve().relative_to((root or REPO_ROOT).resolve()))
    except ValueError:
        return "…/" + "/".join(path.parts[-2:])


def profile_table(profile: dict) -> pd.DataFrame:
    """Every setting of the profile by the name `--set` takes, with its value ('—' for
    none; folders as `shown_path` gives them)."""
    chosen = {k: v for k, v in profile.items() if k != "extra"}
    values = ["—" if v is None else shown_path(v) if k in PATH_SETTINGS else fmt_setting(v)
              for k, v in chosen.items()]
    return pd.DataFrame({"setting (name for `--set`)": [f"`{k}`" for k in chosen],
                         "value": values})


def citation(version: str, commit: str, profile_name: str, year: int) -> str:
    """The BibTeX entry of this edition."""
    return ("@misc{ecgpaper_book,\n"
            "  title  = {Cardiac rhythm classification from 12-lead {ECGs}: an executable "
            "paper},\n"
            "  author = {{The ecgpaper contributors}},\n"
            f"  note   = {{Executable re-analysis of Kisialeu and Nedzved, version {version}, "
            f"commit {commit}, profile {profile_name}}},\n"
            f"  year   = {{{year}}}\n"
            "}")
