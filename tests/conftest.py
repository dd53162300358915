"""Shared fixtures: the real test records beside the project, and one tiny book built
from the real notebooks (used by the end-to-end and browser tests)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ecgpaper.paths import REPO_ROOT, shared_data_dir

# Settings that make every chapter run in seconds; the chapters must cope with them.
TINY_BOOK = {
    "twin_records": 240,
    "max_epochs": 1,
    "bootstrap": 50,
    "width": 0.125,
}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("the real test records (../shared/data) are not present on this machine")
    return path


@pytest.fixture(scope="session")
def real_models(shared_data, tmp_path_factory) -> dict:
    """Tiny networks (experiments 1, 2, 7) trained on the real Chapman WFDB records, and
    Chapman's Diagnostics table (read once: it takes seconds)."""
    from inference_setup import train_real_artifacts

    from ecgpaper.data.chapman import read_diagnostics
    work = tmp_path_factory.mktemp("real_models")
    return {"work": work, "shared": shared_data,
            "artifacts": train_real_artifacts(shared_data, work),
            "diagnostics": read_diagnostics(shared_data / "chapman" / "metadata" /
                                            "Diagnostics.xlsx")}


@pytest.fixture(scope="session")
def tiny_book(tmp_path_factory):
    """Copy the book sources to a temporary folder and build it on tiny settings."""
    from ecgpaper.book import run_book
    from ecgpaper.profiles import get_profile

    root = tmp_path_factory.mktemp("book")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO_ROOT / name, root / name)
    for folder in ("book", "notebooks"):
        shutil.copytree(REPO_ROOT / folder, root / folder,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    work = tmp_path_factory.mktemp("work")
    old = os.environ.get("ECGPAPER_WORK")
    os.environ["ECGPAPER_WORK"] = str(work)
    settings = dict(TINY_BOOK)
    if shared_data_dir() is not None:     # the External validation chapter scores them
        settings["external_dir"] = str(shared_data_dir())
    try:
        profile = get_profile("demo", **settings)
        log: list[str] = []
        result = run_book(profile, settings, root=root, log=log.append, jobs=2)
    finally:
        if old is None:
            os.environ.pop("ECGPAPER_WORK", None)
        else:
            os.environ["ECGPAPER_WORK"] = old
    return {"root": root, "profile_work": work / "demo", "result": result, "log": log,
            "settings": settings}
