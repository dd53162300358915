"""Tiny networks trained once on the real Chapman WFDB records of ../shared/data, for the
inference, service and ONNX tests (12-lead without and with metadata, with metadata and NeuroKit2 features, and
universal)."""

from __future__ import annotations

from pathlib import Path

# 100 Hz and width 1/16 keep the three runs to seconds; the path is the full profile's
# (real WFDB records at 500 Hz, block-averaged by 5 as the demo does).
SETTINGS = {"data_source": "chapman-wfdb", "fs": 100, "width": 0.0625, "max_epochs": 1,
            "bootstrap": 0, "num_workers": 0, "batch_size": 4, "universal_batch_size": 4}
EXPERIMENTS = ("1", "2", "3", "7")


def profile_for(shared: Path, work: Path):
    from ecgpaper.profiles import get_profile
    return get_profile("full", data_dir=str(shared / "chapman"), work_dir=str(work),
                       **SETTINGS)


def train_real_artifacts(shared: Path, work: Path) -> dict:
    """{experiment id: artifact folder}, trained on the 10 real records.

    The store is prepared once; the runs then reuse it as it is (each `run_experiment`
    would otherwise parse the 10,646-row Diagnostics.xlsx again to check it is current)."""
    from ecgpaper import workspace
    from ecgpaper.training.artifacts import experiment_dir
    from ecgpaper.training.run import run_experiment
    profile = profile_for(shared, work)
    store = workspace.ensure_store(profile, progress=False)
    original = workspace.ensure_store
    workspace.ensure_store = lambda *_a, **_k: store
    try:
        for exp in EXPERIMENTS:
            run_experiment(exp, profile, progress=False, log=None)
    finally:
        workspace.ensure_store = original
    return {exp: experiment_dir(profile, exp) for exp in EXPERIMENTS}
