"""End to end on a tiny synthetic store: artifacts, reuse, resume after a killed run,
DistributedDataParallel with gloo on 2 processes, and the full-profile code path on
real Chapman WFDB records."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from ecgpaper.constants import CLASSES
from ecgpaper.profiles import get_profile

TINY = {"twin_records": 160, "fs": 50, "width": 0.125, "max_epochs": 1, "bootstrap": 50}


def _env(work: Path, threads: int = 1) -> dict:
    env = dict(os.environ)
    env["ECGPAPER_WORK"] = str(work)
    env["ECGPAPER_THREADS"] = str(threads)
    env["PYTHONWARNINGS"] = "ignore"
    return env


def _cli(work: Path, *args: str) -> list[str]:
    sets = []
    for k, v in TINY.items():
        if k != "max_epochs":
            sets += ["--set", f"{k}={v}"]
    return [sys.executable, "-m", "ecgpaper", "train", "--profile", "demo", "--work-dir",
            str(work), "--no-progress", *sets, *args]


@pytest.fixture(scope="module")
def tiny_work(tmp_path_factory):
    """A work folder with the tiny twin store prepared once."""
    from ecgpaper.workspace import ensure_store
    work = tmp_path_factory.mktemp("train_work")
    ensure_store(get_profile("demo", work_dir=str(work), **TINY), progress=False)
    return work


def _strip(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if k not in ("timing", "reused")}


def test_experiments_write_artifacts_and_are_reused(tiny_work, capsys):
    from ecgpaper.training import artifacts as art
    from ecgpaper.training.run import run_experiment
    p = get_profile("demo", work_dir=str(tiny_work), **TINY)
    m2 = run_experiment("2", p, progress=False)
    folder = art.experiment_dir(p, "2")
    for f in art.REQUIRED + ("last.pt",):
        assert (folder / f).is_file(), f
    assert m2["input"]["n_features"] == 14 and m2["input"]["n_samples"] == 500
    assert set(m2["metrics"]) >= {"accuracy", "f1_macro", "auc_macro", "kappa", "top2_accuracy"}
    assert m2["ci"]["accuracy"]["low"] <= m2["metrics"]["accuracy"] <= m2["ci"]["accuracy"]["high"]
    assert m2["paper"]["accuracy"] == 0.942 and m2["timing"]["train_seconds"] > 0
    pred = pd.read_csv(folder / "predictions.csv")
    assert list(pred.columns) == ["record_id", "label", "pred"] + [f"prob_{c}" for c in CLASSES]
    assert len(pred) == m2["n_test"] and np.allclose(pred.filter(like="prob_").sum(1), 1.0)
    hist = pd.read_csv(folder / "history.csv")
    assert list(hist.columns) == ["epoch", "train_loss", "val_loss", "val_f1_macro", "lr",
                                  "seconds"]
    prov = json.loads((folder / "provenance.json").read_text())
    assert prov["seed"] == 42 and prov["data_checksum"] and "torch" in prov["packages"]
    from ecgpaper.models.registry import load_checkpoint
    model, extra = load_checkpoint(folder / "best.pt")
    assert extra["experiment"] == "2" and len(extra["channel_mean"]) == 12
    assert len(extra["feature_mean"]) == 14
    # unchanged configuration: reused, not retrained
    capsys.readouterr()
    again = run_experiment("2", p, progress=False)
    assert again["reused"] and "reusing" in capsys.readouterr().out
    assert _strip(again) == _strip({**m2})


def test_universal_experiment_lead_configs_and_attention(tiny_work):
    from ecgpaper.training import artifacts as art
    from ecgpaper.evaluation import tables as report
    from ecgpaper.training.run import run_experiment
    p = get_profile("demo", work_dir=str(tiny_work), **TINY)
    m = run_experiment("7", p, progress=False, log=None)
    folder = art.experiment_dir(p, "7")
    assert set(m["lead_configs"]) == {"12", "6", "3", "1"}
    for k in (12, 6, 3, 1):
        a = np.load(folder / f"attention_{k}lead.npy")
        assert a.shape == (m["n_test"], 12)
        assert np.allclose(a.sum(1), 1.0, atol=1e-4)
        assert (folder / f"predictions_{k}lead.csv").is_file()
    one = np.load(folder / "attention_1lead.npy")
    assert np.allclose(one[:, 1], 1.0)                       # lead II only
    assert report.table5(m).shape[0] == 4
    assert report.attention_by_lead(p).shape == (12, 4)


def _wait_for_first_checkpoint(proc, last: Path, timeout: float = 240.0) -> None:
    t0 = time.time()
    while not last.exists():
        if proc.poll() is not None:
            raise AssertionError(f"training ended before its first checkpoint: {proc.returncode}")
        if time.time() - t0 > timeout:
            proc.kill()
            raise AssertionError("no checkpoint appeared")
        time.sleep(0.005)


def test_resume_after_kill_equals_uninterrupted(tiny_work, tmp_path):
    epochs = ["--set", "max_epochs=5", "--experiment", "1"]
    env = _env(tiny_work)
    full = tmp_path / "uninterrupted"
    subprocess.run(_cli(tiny_work, *epochs, "--out", str(full)), env=env, check=True,
                   capture_output=True, timeout=300)
    cut = tmp_path / "interrupted"
    proc = subprocess.Popen(_cli(tiny_work, *epochs, "--out", str(cut)), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_first_checkpoint(proc, cut / "last.pt")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert not (cut / "metrics.json").exists(), "the run finished before it was killed"
    done = torch.load(cut / "last.pt", weights_only=True)["epoch"]
    assert 1 <= done < 5
    out = subprocess.run(_cli(tiny_work, *epochs, "--out", str(cut), "--resume"), env=env,
                         check=True, capture_output=True, text=True, timeout=300)
    assert f"resuming after epoch {done}" in out.stdout
    a = json.loads((full / "metrics.json").read_text())
    b = json.loads((cut / "metrics.json").read_text())
    assert b["timing"]["resumed_from_epoch"] == done
    assert _strip(a) == _strip(b)
    assert (full / "predictions.csv").read_text() == (cut / "predictions.csv").read_text()
    ha, hb = (pd.read_csv(f / "history.csv").drop(columns="seconds") for f in (full, cut))
    pd.testing.assert_frame_equal(ha, hb)


def test_ddp_gloo_two_processes(tiny_work, tmp_path):
    torchrun = shutil.which("torchrun") or str(Path(sys.executable).parent / "torchrun")
    if not Path(torchrun).exists():
        pytest.skip("torchrun is not installed next to this Python")
    out = tmp_path / "ddp"
    cmd = _cli(tiny_work, "--set", "max_epochs=2", "--experiment", "2", "--out", str(out))
    cmd = [torchrun, "--standalone", "--nproc_per_node", "2", *cmd[1:]]   # drop python
    r = subprocess.run(cmd, env=_env(tiny_work), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((out / "metrics.json").read_text())
    assert m["timing"]["world_size"] == 2 and m["epochs_run"] == 2
    assert len(pd.read_csv(out / "predictions.csv")) == m["n_test"]


def test_full_profile_on_real_wfdb_records(shared_data, tmp_path):
    """The paper-size code path (500 Hz, --profile full) on 10 real records, shrunk."""
    from ecgpaper.data.prepare import prepare_store
    from ecgpaper.training.run import run_experiment
    work = tmp_path / "full"
    prepare_store("chapman-wfdb", shared_data / "chapman", work / "store", progress=False)
    p = get_profile("full", data_source="chapman-wfdb", data_dir=str(shared_data / "chapman"),
                    work_dir=str(work), width=0.0625, max_epochs=1, bootstrap=20,
                    num_workers=0, batch_size=4)
    m = run_experiment("2", p, progress=False, log=None)
    assert m["input"]["n_samples"] == 5000 and m["input"]["fs"] == 500
    assert m["n_train"] + m["n_val"] + m["n_test"] == 10
    assert m["epochs_run"] == 1
    assert (work / "experiments" / "2" / "best.pt").is_file()
