"""The training loop on small stand-in tensors: learning, class weights, scheduler,
early stopping, best checkpoint, determinism, in-process resume, universal model."""

import math

import numpy as np
import pytest
import torch

from ecgpaper.models.resnet1d import SEResNet1d, SEResNetConfig
from ecgpaper.models.universal import UniversalConfig, UniversalECGNet
from ecgpaper.training.loop import (FitConfig, Tensors, class_weights, fit, make_optimizer,
                                    make_scheduler, predict)

T = 64


def _data(n, seed, n_meta=0, classes=3):
    """Easy synthetic task: the class sets the frequency of a sine on every lead."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % classes
    t = torch.arange(T) / T
    freq = (2.0 + 3.0 * y.float()).view(n, 1, 1)
    phase = torch.rand(n, 1, 1, generator=g) * 6.28
    x = torch.sin(2 * math.pi * freq * t + phase).expand(n, 12, T).clone()
    x += 0.1 * torch.randn(n, 12, T, generator=g)
    f = torch.randn(n, n_meta, generator=g)
    return Tensors(x, f, y.long())


def _model(n_meta=0, seed=0):
    torch.manual_seed(seed)
    return SEResNet1d(SEResNetConfig(n_meta=n_meta, width=0.125, kernel_size=3, stem_kernel=3,
                                     layers=(1, 1, 1, 1)))


CFG = FitConfig(max_epochs=4, patience=10, batch_size=16, seed=0, fs=T, progress=False)


def test_class_weights_inverse_frequency():
    y = torch.tensor([0] * 6 + [1] * 3 + [2] * 1)
    w = class_weights(y, 4)
    assert torch.allclose(w[:3], torch.tensor([10 / (4 * 6), 10 / (4 * 3), 10 / (4 * 1)]))
    assert w[3] == 0.0                             # absent class
    assert (w[:3] * torch.tensor([6, 3, 1])).allclose(torch.full((3,), 2.5))


def test_scheduler_warm_restarts_at_10_and_30():
    model = torch.nn.Linear(2, 2)
    opt = make_optimizer(model, CFG)
    sched = make_scheduler(opt, CFG)
    lrs = []
    for _ in range(31):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[0] == pytest.approx(1e-3)
    assert lrs[9] < 1e-4 and lrs[10] == pytest.approx(1e-3)      # restart after T0 = 10
    assert lrs[29] < 1e-4 and lrs[30] == pytest.approx(1e-3)     # then after 20 more
    assert opt.param_groups[0]["weight_decay"] == pytest.approx(1e-4)
    assert isinstance(opt, torch.optim.AdamW)


def test_fit_learns_and_keeps_best(tmp_path):
    train, val = _data(96, 0, n_meta=3), _data(48, 1, n_meta=3)
    model = _model(n_meta=3)
    saved = []
    cfg = FitConfig(**{**CFG.__dict__, "max_epochs": 8})
    res = fit(model, train, val, cfg, tmp_path, save_best=lambda p, m, meta: saved.append(
        (meta["epoch"], meta["val_f1_macro"])), log=None)
    assert res.epochs_run == 8 and len(res.history) == 8
    assert res.best_score > 0.8
    assert saved[-1] == (res.best_epoch, res.best_score)
    # the model ends with the best epoch's weights
    logits, _ = predict(model, val)
    from ecgpaper.training.loop import macro_f1
    assert macro_f1(val.y.numpy(), logits.argmax(1)) == pytest.approx(res.best_score)
    assert (tmp_path / "last.pt").is_file()
    assert set(res.history[0]) == {"epoch", "train_loss", "val_loss", "val_f1_macro", "lr",
                                   "seconds"}


def test_early_stopping_with_patience():
    train, val = _data(48, 0), _data(24, 1)
    cfg = FitConfig(max_epochs=30, patience=2, batch_size=16, lr=0.0, seed=0, fs=T,
                    progress=False, augment=None)
    res = fit(_model(), train, val, cfg, None, log=None)
    # lr 0: validation F1 never improves after epoch 1, so it stops at epoch 1 + patience
    assert res.best_epoch == 1 and res.epochs_run == 3 and res.stopped_early


def test_same_seed_same_history_and_resume_equals_uninterrupted(tmp_path):
    train, val = _data(64, 0, n_meta=2), _data(32, 1, n_meta=2)
    a = fit(_model(2), train, val, CFG, tmp_path / "a", log=None)
    b = fit(_model(2), train, val, CFG, tmp_path / "b", log=None)
    strip = lambda h: [{k: v for k, v in r.items() if k != "seconds"} for r in h]
    assert strip(a.history) == strip(b.history)
    # interrupted after 2 epochs, then resumed to 4: same as the uninterrupted run
    m = _model(2)
    fit(m, train, val, FitConfig(**{**CFG.__dict__, "max_epochs": 2}), tmp_path / "c", log=None)
    m2 = _model(2, seed=123)                        # a fresh process would rebuild the model
    torch.manual_seed(999)                          # ... with whatever RNG state
    c = fit(m2, train, val, CFG, tmp_path / "c", resume=True, log=None)
    assert c.resumed_from == 2
    assert strip(c.history) == strip(a.history)
    ref = _model(2)
    fit(ref, train, val, CFG, None, log=None)
    for (k, v), (_, w) in zip(ref.state_dict().items(), m2.state_dict().items()):
        assert torch.equal(v, w), k


def test_universal_model_trains_with_lead_dropout():
    train, val = _data(48, 0), _data(24, 1)
    torch.manual_seed(0)
    model = UniversalECGNet(UniversalConfig(width=0.125, kernel_size=3, stem_kernel=3,
                                            layers=(1, 1, 1, 1), checkpointing=False))
    cfg = FitConfig(max_epochs=2, batch_size=8, seed=0, fs=T, universal=True, progress=False)
    res = fit(model, train, val, cfg, None, log=None)
    assert res.epochs_run == 2
    logits, attn = predict(model, val, universal=True, leads=[0, 1, 6])
    assert logits.shape == (24, 8) and attn.shape == (24, 12)
    assert np.allclose(attn.sum(1), 1.0, atol=1e-5)
    assert (attn[:, [2, 3, 4, 5, 7, 8, 9, 10, 11]] == 0).all()
