"""The prepared GPU measurement runs end to end on a CPU with tiny settings (its dry
run), writes a measurement file after every step, and estimates the seven experiments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecgpaper.benchmarks import gpu
from ecgpaper.paths import REPO_ROOT

pytestmark = pytest.mark.slow


def test_dry_run_writes_every_step(tmp_path):
    out = tmp_path / "gpu.json"
    env = {**os.environ, "PYTHON": sys.executable, "ECGPAPER_THREADS": "1"}
    done = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "gpu_bench.sh"), "--dry-run",
                           "--out", str(out), "--work", str(tmp_path / "work")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(out.read_text())        # strict JSON: no NaN
    assert data["benchmark"] == "gpu" and data["options"]["dry_run"] is True
    steps = [r["step"] for r in data["records"]]
    for step in ("train", "serve", "experiment", "torchrun", "estimate"):
        assert step in steps, step
    assert not [r for r in data["records"] if "error" in r and r["step"] != "estimate"]
    train = [r for r in data["records"] if r["step"] == "train"]
    assert {r["experiment"] for r in train} == {"1", "7"}
    assert all(r["records_per_s"] > 0 for r in train)
    assert [r for r in data["records"] if r["step"] == "torchrun"][0]["returncode"] == 0


def test_estimate_uses_own_epochs_when_early_stopping_ended_the_run():
    records = [{"step": "experiment", "experiment": "1", "seconds_per_epoch": 6.0,
                "epochs_run": 20, "paper_early_stopping": True},
               {"step": "experiment", "experiment": "7", "seconds_per_epoch": 30.0,
                "epochs_run": 3, "paper_early_stopping": False}]
    est = gpu.seven_experiment_estimate(records, {str(k): 10 for k in range(1, 8)})
    assert est["minutes"]["1"] == pytest.approx(2.0)          # 6 s x 20 own epochs
    assert est["minutes"]["2"] == pytest.approx(1.0)          # exp 1's rate x 10
    assert est["minutes"]["7"] == pytest.approx(5.0)          # 30 s x 10 reference epochs
    assert est["epochs_from"]["7"] == "reference edition"
    assert est["minutes_total"] == pytest.approx(2 + 5 * 1 + 5)
    assert "error" in gpu.seven_experiment_estimate([], {})


def test_plans_differ_only_in_size():
    dry, full = gpu.plan(dry_run=True), gpu.plan()
    assert full.size == {"width": 1.0, "fs": 500} and full.experiment_records == 10615
    assert full.device == "cuda" and dry.device == "cpu"
    assert set(full.precisions) == {"fp32", "tf32", "bf16"} and True in full.compile_options
    assert dry.experiment_records < 500


def test_refuses_cuda_without_a_gpu(monkeypatch):
    import torch
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SystemExit, match="no CUDA device"):
        gpu.main(["--device", "cuda", "--out", "x.json"])
    with pytest.raises(SystemExit, match="--minutes"):
        gpu.main(["--dry-run", "--minutes", "0"])


def test_wheel_list_names_what_the_gpu_machine_lacks():
    assert {"wfdb", "neurokit2", "openpyxl"} <= set(gpu.WHEELS)
    assert "torch" not in gpu.WHEELS and gpu.WHEEL_LIMIT == 64 * 2 ** 20
    assert Path(REPO_ROOT / "scripts" / "gpu_bench.sh").is_file()
