"""The four related designs: shapes at any length, a training step, save/load, FLOPs."""

import math

import pytest
import torch

from ecgpaper.models.cnn_att_bigru import CNNAttBiGRUConfig
from ecgpaper.models.cnn_gru import CNNGRUConfig
from ecgpaper.models.flops import count_flops
from ecgpaper.models.multiscale_se import MultiScaleSEConfig
from ecgpaper.models.registry import MODELS, build_model, load_checkpoint, model_type_of, save_checkpoint
from ecgpaper.models.rescnn_bigru import ResCNNBiGRUConfig, power_envelopes
from ecgpaper.models.resnet1d import SEResNetConfig

SMALL = {
    "multiscale_se": MultiScaleSEConfig(filters=8, large_kernel=7, small_kernels=(3, 5, 9)),
    "cnn_gru": CNNGRUConfig(),
    "cnn_att_bigru": CNNAttBiGRUConfig(channels=(8, 16, 16, 16), hidden=16),
    "rescnn_bigru": ResCNNBiGRUConfig(fs=100, channels=16, hidden=16),
}


def test_every_registered_baseline_has_a_small_config():
    assert set(SMALL) == set(MODELS) - {"se_resnet1d", "universal"}
    for name, cfg in SMALL.items():
        assert model_type_of(cfg) == name


@pytest.mark.parametrize("name", sorted(SMALL))
def test_shapes_any_length(name):
    torch.manual_seed(0)
    m = build_model(SMALL[name]).eval()
    with torch.no_grad():
        for T in (250, 1000, 777):
            assert m(torch.randn(2, 12, T)).shape == (2, 8)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_training_step_reduces_loss(name):
    torch.manual_seed(0)
    m = build_model(SMALL[name]).train()
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    x, y = torch.randn(8, 12, 400), torch.arange(8)
    losses = []
    for _ in range(6):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(m(x), y)
        loss.backward()
        assert all(torch.isfinite(p.grad).all() for p in m.parameters() if p.grad is not None)
        opt.step()
        losses.append(loss.item())
    assert min(losses[1:]) < losses[0]


@pytest.mark.parametrize("name", sorted(SMALL))
def test_save_load_same_output(tmp_path, name):
    torch.manual_seed(0)
    m = build_model(SMALL[name]).eval()
    x = torch.randn(2, 12, 300)
    m2, _ = load_checkpoint(save_checkpoint(tmp_path / f"{name}.pt", m))
    with torch.no_grad():
        assert torch.allclose(m(x), m2(x))


def test_multiscale_lead_kernels_follow_lead_count():
    assert MultiScaleSEConfig(in_channels=3).lead_kernels == (1, 2, 2)
    m = build_model(MultiScaleSEConfig(in_channels=2, filters=4, large_kernel=5)).eval()
    assert m(torch.randn(1, 2, 200)).shape == (1, 8)
    with pytest.raises(ValueError, match="lead kernels"):
        MultiScaleSEConfig(in_channels=5)


def test_power_envelope_of_sinusoids():
    fs, T = 100, 1000
    t = torch.arange(T) / fs
    x = torch.stack([torch.sin(2 * math.pi * 2 * t), torch.sin(2 * math.pi * 10 * t)])[None]
    env = power_envelopes(x, fs)                 # bands 8 Hz and 24 Hz
    mid = slice(200, 800)
    assert env.shape == (1, 4, T)
    assert env[0, 0, mid].mean() == pytest.approx(1, abs=0.02)   # 2 Hz passes the low band
    assert env[0, 1, mid].mean() < 0.02                           # 10 Hz does not
    assert env[0, 3, mid].mean() == pytest.approx(1, abs=0.02)   # ... but passes 24 Hz (flat to 12 Hz)


def test_flops_of_paper_se_resnet18():
    # 12 x 5000, kernel 7, full width: 3.91 GFLOP (FLOP = 2 x MAC)
    m = build_model(SEResNetConfig())
    assert count_flops(m, torch.randn(1, 12, 5000)) / 1e9 == pytest.approx(3.909, abs=0.01)


def test_flop_counter_counts_gru_and_linear():
    g = torch.nn.GRU(4, 5, batch_first=True, bidirectional=True)
    lin = torch.nn.Linear(10, 3)
    model = torch.nn.Sequential()
    assert count_flops(g, torch.randn(2, 7, 4)) == 2 * 2 * 14 * 3 * (4 * 5 + 5 * 5)
    assert count_flops(lin, torch.randn(6, 10)) == 2 * 6 * 10 * 3
    del model


def test_a_related_design_is_scored_with_pytorch_only_on_request(tmp_path):
    """The sim-to-real comparison scores a related design through the inference path;
    the service (no `designs`) still refuses it, and ONNX backends are refused by name."""
    import numpy as np

    from ecgpaper.constants import LEADS
    from ecgpaper.inference.artifact import UnsupportedModel, load_artifact
    from ecgpaper.inference.preprocess import Signal
    from ecgpaper.inference.route import ModelSet, make_runner
    torch.manual_seed(0)
    model = build_model(SMALL["cnn_att_bigru"]).eval()
    prep = {"fs": 100, "n_samples": 1000, "source_fs": 500, "channel_mean": [0.0] * 12,
            "channel_std": [100.0] * 12, "experiment": "baseline-cnn-att-bigru"}
    pt = save_checkpoint(tmp_path / "run" / "best.pt", model, **prep)
    with pytest.raises(UnsupportedModel, match="CNNAttBiGRUConfig"):
        load_artifact(pt)
    art = load_artifact(pt, designs=True)
    assert art.kind == "standard" and art.model_type == "cnn_att_bigru"
    signal = np.random.default_rng(1).normal(0, 100, (12, 5000)).astype(np.float32)
    result = ModelSet.from_paths([pt.parent], designs=True).predict(
        Signal(signal, tuple(LEADS), 500.0, "uV", "r1"))
    assert abs(sum(result.probabilities.values()) - 1) < 1e-5
    x = torch.from_numpy(signal.reshape(12, 1000, 5).mean(-1)[None] / 100.0)
    with torch.inference_mode():
        direct = torch.softmax(model(x), dim=-1)[0].numpy()
    assert np.allclose(list(result.probabilities.values()), direct, atol=1e-4)
    with pytest.raises(ValueError, match="torch backend only"):
        make_runner(art, "onnx")
    for name, cfg in SMALL.items():               # every related design, not only this one
        other = save_checkpoint(tmp_path / name / "best.pt", build_model(cfg), **prep)
        assert load_artifact(other, designs=True).model_type == name
        with pytest.raises(UnsupportedModel):
            load_artifact(other)


@pytest.mark.parametrize("filters", [4, 16])
def test_multiscale_channels_last_is_the_same_network(filters):
    """The multi-scale CNN runs in the channels-last layout (faster on a CPU) with its
    strided shortcuts as sampling + 1x1 convolution: in float64 its outputs and gradients
    equal those of the default layout with strided 1x1 shortcuts, and a backward pass at 4
    filters (where oneDNN's strided 1x1 backward corrupted memory) completes."""
    from torch import nn

    from ecgpaper.models.multiscale_se import MultiScaleSECNN
    torch.manual_seed(0)
    cfg = MultiScaleSEConfig(filters=filters, dropout=0.0)
    fast = MultiScaleSECNN(cfg).double()
    plain = MultiScaleSECNN(cfg).double().to(memory_format=torch.contiguous_format)
    plain.load_state_dict(fast.state_dict())
    for block in (b for branch in plain.branches for b in branch if b.short is not None):
        conv = block.short[0]
        strided = nn.Conv2d(conv.in_channels, conv.out_channels, 1,
                            stride=(1, block.stride_t), bias=False).double()
        strided.weight.data.copy_(conv.weight.data)
        block.short[0], block.stride_t = strided, 1
    x = torch.randn(3, 12, 500, dtype=torch.float64)
    out_fast, out_plain = fast(x), plain(x)
    torch.testing.assert_close(out_fast, out_plain)
    out_fast.square().sum().backward()
    out_plain.square().sum().backward()
    assert next(p for p in fast.parameters() if p.dim() == 4).is_contiguous(
        memory_format=torch.channels_last)
    for (name, p), q in zip(fast.named_parameters(), plain.parameters()):
        torch.testing.assert_close(p.grad, q.grad, msg=name)
