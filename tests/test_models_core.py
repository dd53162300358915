"""SE-ResNet18-1D, UniversalECGNet and the checkpoint registry."""

import dataclasses

import pytest
import torch

from ecgpaper.models.registry import build_model, load_checkpoint, n_parameters, save_checkpoint
from ecgpaper.models.resnet1d import SEResNet1d, SEResNetConfig
from ecgpaper.models.se import SEModule1d, collect_se_gates
from ecgpaper.models.universal import UniversalConfig, UniversalECGNet

SMALL = dict(width=0.125, kernel_size=3, stem_kernel=7)


def test_se_module_gates_in_unit_interval_and_rescale():
    torch.manual_seed(0)
    se = SEModule1d(32, reduction=16)
    x = torch.randn(3, 32, 50)
    y = se(x)
    g = y / x
    assert g.shape == x.shape
    assert torch.allclose(g, g[..., :1].expand_as(g), atol=1e-5)   # one gate per channel
    assert (g > 0).all() and (g < 1).all()
    assert se.fc1.out_channels == 2


def test_paper_parameter_counts_pinned():
    # full width, kernel 7, no forward pass needed
    uni15 = UniversalECGNet(UniversalConfig(stem_kernel=15))
    uni7 = UniversalECGNet(UniversalConfig(stem_kernel=7))
    assert n_parameters(uni15) == 9_179_977          # the paper's stated total
    assert n_parameters(uni7) == 9_179_465
    assert n_parameters(uni15.backbone) == 8_813_888
    assert n_parameters(uni15.lead_embedding) == 768
    assert n_parameters(uni15.proj) == 295_424
    assert n_parameters(uni15.pool) == 65_793
    se = SEResNet1d(SEResNetConfig())
    assert n_parameters(se) == 8_822_408
    meta = SEResNet1d(SEResNetConfig(n_meta=14))
    assert n_parameters(meta) - n_parameters(se) == (14 * 64 + 64) + 64 * 8


@pytest.mark.parametrize("n_meta", [0, 14])
def test_se_resnet_shapes_train_step_and_any_length(n_meta):
    torch.manual_seed(0)
    m = SEResNet1d(SEResNetConfig(n_meta=n_meta, **SMALL))
    opt = torch.optim.SGD(m.parameters(), lr=0.05)
    x = torch.randn(8, 12, 300)
    meta = torch.randn(8, n_meta) if n_meta else None
    y = torch.arange(8) % 8
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(m(x, meta), y)
        loss.backward()
        assert all(torch.isfinite(p.grad).all() for p in m.parameters() if p.grad is not None)
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    m.eval()
    for T in (97, 1000):
        out = m(torch.randn(2, 12, T), None if not n_meta else torch.randn(2, n_meta))
        assert out.shape == (2, 8)
    assert m.features(torch.randn(2, 12, 200)).shape == (2, m.config.feature_dim)


def test_meta_variant_requires_metadata():
    m = SEResNet1d(SEResNetConfig(n_meta=3, **SMALL)).eval()
    with pytest.raises(ValueError, match="metadata"):
        m(torch.randn(1, 12, 100))


def test_se_gates_collected_per_block():
    m = SEResNet1d(SEResNetConfig(**SMALL)).eval()
    gates = collect_se_gates(m, torch.randn(3, 12, 200))
    assert len(gates) == 8
    first = next(iter(gates))
    assert first == "backbone.layer1.0.se"
    assert gates[first].shape == (3, m.config.channels[0])
    assert gates["backbone.layer4.1.se"].shape == (3, m.config.channels[3])


def _uni(**kw):
    torch.manual_seed(1)
    return UniversalECGNet(UniversalConfig(**{**SMALL, **kw})).eval()


def test_universal_permutation_invariant():
    m = _uni()
    x = torch.randn(2, 5, 256)
    idx = torch.tensor([[0, 1, 6, 7, 11], [3, 2, 1, 0, 9]])
    mask = torch.ones(2, 5, dtype=torch.bool)
    out, attn = m(x, idx, mask)
    perm = torch.tensor([4, 2, 0, 3, 1])
    out_p, attn_p = m(x[:, perm], idx[:, perm], mask[:, perm])
    assert torch.allclose(out, out_p, atol=1e-5)
    assert torch.allclose(attn[:, perm], attn_p, atol=1e-6)
    assert torch.allclose(attn.sum(1), torch.ones(2))


@pytest.mark.parametrize("skip_absent", [True, False])
def test_universal_absent_leads_zero_weight_no_influence(skip_absent):
    m = _uni(skip_absent=skip_absent)
    x = torch.randn(1, 12, 256)
    idx = torch.arange(12).unsqueeze(0)
    mask = torch.zeros(1, 12, dtype=torch.bool)
    mask[0, [1, 6, 9]] = True
    out, attn = m(x, idx, mask)
    assert (attn[~mask] == 0).all()
    x2 = x.clone()
    x2[~mask] = torch.randn_like(x2[~mask]) * 100      # garbage in the padded leads
    idx2 = idx.clone()
    idx2[~mask] = 0
    out2, attn2 = m(x2, idx2, mask)
    assert torch.allclose(out, out2, atol=1e-6)
    assert torch.equal(attn, attn2)
    # the same three leads alone, unpadded, give the same answer
    out3, _ = m(x[:, mask[0]], idx[:, mask[0]], torch.ones(1, 3, dtype=torch.bool))
    assert torch.allclose(out, out3, atol=1e-5)


def test_universal_skip_absent_equals_full_pass_in_eval():
    a = _uni(skip_absent=True)
    b = _uni(skip_absent=False)
    b.load_state_dict(a.state_dict())
    x = torch.randn(3, 12, 200)
    idx = torch.arange(12).repeat(3, 1)
    mask = torch.rand(3, 12) > 0.5
    mask[:, 0] = True
    x = x * mask.unsqueeze(-1)        # the training loop zeroes dropped leads
    oa, wa = a(x, idx, mask)
    ob, wb = b(x, idx, mask)
    assert torch.allclose(oa, ob, atol=1e-5) and torch.allclose(wa, wb, atol=1e-6)


def test_universal_rejects_empty_recording():
    m = _uni()
    with pytest.raises(ValueError, match="at least one"):
        m(torch.randn(1, 2, 100), torch.tensor([[0, 1]]), torch.zeros(1, 2, dtype=torch.bool))


def test_universal_checkpointing_matches_plain_training():
    x = torch.randn(4, 3, 200)
    idx = torch.tensor([[0, 1, 2]] * 4)
    mask = torch.ones(4, 3, dtype=torch.bool)
    y = torch.tensor([0, 1, 2, 3])
    results = []
    for ckpt in (True, False):
        m = _uni(checkpointing=ckpt).train()
        loss = torch.nn.functional.cross_entropy(m(x, idx, mask)[0], y)
        loss.backward()
        grads = [p.grad.clone() for p in m.parameters()]
        results.append((loss.item(), grads, {k: v.clone() for k, v in m.state_dict().items()}))
    (l1, g1, s1), (l2, g2, s2) = results
    assert l1 == pytest.approx(l2, abs=1e-6)
    for a, b in zip(g1, g2):
        assert torch.allclose(a, b, atol=1e-5)
    for k in s1:   # BN running statistics updated exactly once
        assert torch.allclose(s1[k].float(), s2[k].float(), atol=1e-6), k


@pytest.mark.parametrize("cfg", [SEResNetConfig(n_meta=16, **SMALL), UniversalConfig(**SMALL)])
def test_save_load_roundtrip(tmp_path, cfg):
    torch.manual_seed(0)
    m = build_model(cfg).eval()
    path = save_checkpoint(tmp_path / "m.pt", m, epoch=3, metrics={"f1": 0.5})
    m2, extra = load_checkpoint(path)
    assert extra == {"epoch": 3, "metrics": {"f1": 0.5}}
    assert dataclasses.asdict(m2.config) == dataclasses.asdict(cfg)
    for k, v in m.state_dict().items():
        assert torch.equal(v, m2.state_dict()[k])
    assert not list(tmp_path.glob("*.tmp"))


def test_load_missing_checkpoint_names_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.pt"):
        load_checkpoint(tmp_path / "nope.pt")
