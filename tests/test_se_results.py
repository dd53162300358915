"""The SE chapter's numbers: the parameter share, per-recording gate summaries and the
rule that says when a network's gates stayed where an untrained network's sit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ecgpaper.constants import CLASSES
from ecgpaper.evaluation import se_results as se
from ecgpaper.models.registry import build_model
from ecgpaper.models.resnet1d import SEResNetConfig
from ecgpaper.models.se import gates_by_record


def _gates(rng, spread: float, n: int = 40) -> dict[str, np.ndarray]:
    return {f"backbone.layer{k}.0.se": np.clip(0.5 + spread * rng.standard_normal((n, 16)),
                                               0, 1) for k in (1, 2)}


def test_gates_at_one_half_and_flat_learned_nothing():
    rng = np.random.default_rng(0)
    y = np.arange(40) % 8
    flat = se.gate_summary(_gates(rng, 0.01), y)
    assert flat.near_half and flat.flat and flat.learned_nothing
    spread = se.gate_summary(_gates(rng, 0.3), y)
    assert spread.near_half and not spread.learned_nothing
    assert se.glue_values(flat)["verdict"] == "about 0.5 and flat"
    assert se.glue_values(spread)["verdict"] == "about 0.5 but spread out"
    low = {k: v * 0.2 for k, v in _gates(rng, 0.01).items()}
    assert se.glue_values(se.gate_summary(low, y))["verdict"] == "away from 0.5"


def test_class_shift_is_the_class_mean_minus_the_overall_mean():
    gates = np.array([[0.2, 0.5], [0.4, 0.5], [0.9, 0.5]])
    shift = se.class_shift(gates, [0, 0, 2])
    assert list(shift.index) == ["SB", "AFIB"]
    assert shift.loc["SB", 0] == pytest.approx(0.3 - 0.5)
    assert shift.loc["AFIB", 0] == pytest.approx(0.9 - 0.5)
    assert se.gate_summary({"b": gates}, [0, 0, 2]).class_shift == pytest.approx(0.4)


def test_gate_frame_and_spread_table_keep_class_order_and_counts():
    y = np.array([7, 0, 0, 2])
    gates = {"backbone.layer1.0.se": np.random.default_rng(1).random((4, 8)),
             "backbone.layer2.0.se": np.random.default_rng(2).random((4, 8))}
    frame = se.gate_frame(gates, y)
    assert len(frame) == 8 and list(frame["class"].unique()) == ["SB", "AFIB", "AT"]
    table = se.spread_table(frame)
    assert list(table.columns) == ["SB (2)", "AFIB (1)", "AT (1)"]
    assert list(table.index) == ["layer1.0.se", "layer2.0.se"]


def test_se_share_and_model_table_of_a_real_network():
    model = build_model(SEResNetConfig(width=0.125))
    se_params, total = se.se_share(model)
    assert 0 < se_params < total == sum(p.numel() for p in model.parameters())
    table = se.model_table(model, 100).set_index("")
    assert table.loc["of which in SE gates", "value"] == \
        f"{se_params:,} ({100 * se_params / total:.1f} %)"


def test_an_untrained_network_gates_sit_near_one_half():
    torch.manual_seed(0)
    model = build_model(SEResNetConfig(width=0.125)).eval()
    x = torch.randn(16, 12, 1000)
    summary = se.gate_summary(gates_by_record(model, x), np.arange(16) % len(CLASSES))
    assert summary.near_half and summary.n_records == 16


def test_a_gate_constant_within_each_block_is_flat():
    """Blocks at different but constant gates select nothing: the spread is measured
    within a block, so such a network still counts as flat."""
    y = np.arange(20) % 8
    gates = {"a": np.full((20, 8), 0.45), "b": np.full((20, 8), 0.55)}
    summary = se.gate_summary(gates, y)
    assert summary.spread == pytest.approx(0) and summary.learned_nothing
