"""Reading trained networks on this build's records: which weights, the test records as
the network was trained on them, and UniversalECGNet's steps on one recording."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ecgpaper.evaluation import inside_networks as inside
from ecgpaper.models.registry import build_model
from ecgpaper.models.universal import UniversalConfig
from ecgpaper.profiles import get_profile
from ecgpaper.reference import Edition


def test_committed_weights_skip_editions_without_a_checkpoint(tmp_path):
    ref = get_profile("demo", work_dir=str(tmp_path / "ref"))
    build = get_profile("demo", work_dir=str(tmp_path / "build"))
    for p in (ref, build):
        (p.work_path / "experiments" / "1").mkdir(parents=True)
    (build.work_path / "experiments" / "1" / "best.pt").write_bytes(b"x")
    shown = [Edition("reference", ref, True), Edition("build", build, False)]
    found = inside.committed_weights(shown, "1")
    assert [w.edition.key for w in found] == ["build"]
    (ref.work_path / "experiments" / "1" / "best.pt").write_bytes(b"x")
    assert [w.edition.key for w in inside.committed_weights(shown, "1")] == \
        ["reference", "build"]


class _Store:
    """The part of a store a dataset reads: 500 Hz records of two splits."""
    fs = 500
    path = Path("fake-store")
    _cache: dict = {}

    def __init__(self):
        rng = np.random.default_rng(0)
        self.x = rng.normal(100.0, 20.0, (6, 12, 5000)).astype(np.float32)
        self.split = np.array(["train", "train", "test", "test", "test", "val"])
        self.y = np.array([0, 1, 2, 3, 4, 5])

    def rows(self, split):
        return np.flatnonzero(self.split == split) if split else np.arange(6)

    def labels(self, rows):
        return self.y[rows]

    def signal(self, row):
        return self.x[row]


def test_test_inputs_use_the_networks_rate_and_statistics():
    store = _Store()
    extra = {"fs": 100, "channel_mean": [100.0] * 12, "channel_std": [20.0] * 12}
    signals, classes, rows = inside.test_inputs(store, extra, max_records=2)
    assert signals.shape == (2, 12, 1000) and list(classes) == [2, 3]
    assert list(rows) == [2, 3]
    assert abs(float(signals.mean())) < 0.05            # standardised with the given stats
    store.split[:] = "train"
    with pytest.raises(ValueError, match="no test records"):
        inside.test_inputs(store, extra)


def test_universal_steps_on_one_recording():
    torch.manual_seed(0)
    model = build_model(UniversalConfig(width=0.125))
    steps = inside.universal_steps(model, torch.randn(12, 1000))
    assert steps.per_lead.shape[0] == 12 and steps.embedding.shape == (12, 64)
    assert steps.weights.shape == (12,) and steps.weights.sum() == pytest.approx(1, abs=1e-5)
    assert np.allclose(np.linalg.norm(steps.embedding, axis=1), 1, atol=1e-5)
    assert 0 <= steps.predicted < 8
