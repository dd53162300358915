"""Provenance: what produced a result — code version, package versions, profile, seed and
the checksum of the data it read. Stored in every executed notebook and artifact."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import json
import platform
import subprocess
from pathlib import Path

from .paths import REPO_ROOT
from .profiles import Profile

PACKAGES = ("ecgpaper", "torch", "numpy", "pandas", "scikit-learn", "scipy", "neurokit2",
            "wfdb", "matplotlib", "papermill", "jupytext", "myst-nb", "jupyter-book")


def git_commit(root: Path = REPO_ROOT) -> str:
    """The checked-out commit, with '+dirty' when tracked files differ from it."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True,
                               timeout=10).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def data_checksum(profile: Profile) -> str | None:
    """The dataset checksum recorded in the profile's store manifest, if a store exists."""
    manifest = profile.work_path / "store" / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        return json.loads(manifest.read_text()).get("dataset_checksum")
    except (OSError, ValueError):
        return None


def collect(profile: Profile, root: Path = REPO_ROOT) -> dict:
    """Everything needed to say how a result was produced."""
    return {
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(root),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
        "profile": profile.to_dict(),
        "seed": profile.seed,
        "data_source": profile.data_source,
        "data_dir": profile.data_dir,
        "data_checksum": data_checksum(profile),
    }
