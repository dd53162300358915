"""Where things live: the repository root, the per-profile work folder and the folder of
executed notebooks. Everything generated is below git-ignored folders."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
RESOURCES = PACKAGE_DIR / "resources"


def work_root() -> Path:
    """Root of generated data and artifacts (override with ECGPAPER_WORK)."""
    return Path(os.environ.get("ECGPAPER_WORK", REPO_ROOT / "_work")).resolve()


def shared_data_dir() -> Path | None:
    """The real test records beside the project (../shared/data), when present.

    Only tests and optional comparison figures use it; the book never needs it.
    """
    env = os.environ.get("ECGPAPER_SHARED_DATA")
    candidate = Path(env) if env else REPO_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None
