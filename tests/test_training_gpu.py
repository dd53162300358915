"""GPU training settings: the parts a CPU can check (the automatic gradient-checkpointing
rule, the settings' validation, that the CPU path ignores the GPU options and stays
bit-for-bit reproducible), and the CUDA path itself, which skips with its reason on a
machine without a GPU (its speed is measured by `ecgpaper bench train --device cuda`)."""

import dataclasses

import pytest
import torch

from ecgpaper.profiles import get_profile
from ecgpaper.training.experiments import get_experiment
from ecgpaper.training.loop import FitConfig, fit, make_optimizer, resident
from ecgpaper.training.settings import (effective_profile, fit_config, model_config,
                                        needs_checkpointing)
from test_training_loop import CFG, _data, _model

CUDA = pytest.mark.skipif(not torch.cuda.is_available(),
                          reason="no CUDA GPU on this machine: the GPU path is measured "
                                 "with `ecgpaper bench train --device cuda --out FILE`")


def test_checkpointing_only_when_memory_requires_it():
    gib = 2**30
    # the paper's UniversalECGNet at batch 32 needs about 7 GB: not on an 80 GB GPU
    assert not needs_checkpointing("auto", 32, 1.0, 5000, 80 * gib)
    assert needs_checkpointing("auto", 32, 1.0, 5000, 8 * gib)
    assert not needs_checkpointing("auto", 32, 1.0, 5000, None)        # the CPU
    assert needs_checkpointing("on", 1, 0.1, 100, None)
    assert not needs_checkpointing("off", 512, 1.0, 5000, 8 * gib)


def test_gpu_settings_are_validated_and_reach_the_loop():
    with pytest.raises(ValueError, match="amp has 'fp16', expected one of"):
        get_profile("full", amp="fp16")
    with pytest.raises(ValueError, match="checkpointing has 'always'"):
        get_profile("full", checkpointing="always")
    p = get_profile("full", amp="bf16", compile=True, checkpointing="on")
    exp = get_experiment("7")
    cfg = fit_config(effective_profile(p, exp), exp, progress=False)
    assert cfg.amp == "bf16" and cfg.compile
    cpu = model_config(effective_profile(p, exp), exp, 0, device="cpu")
    assert cpu.checkpointing and cpu.skip_absent          # "on" is on; CPU skips absent
    auto = model_config(effective_profile(get_profile("full"), exp), exp, 0, device="cpu")
    assert not auto.checkpointing


def test_cpu_path_ignores_gpu_options_and_stays_reproducible():
    """amp, compile and device_data change nothing on the CPU: the same history as the
    plain configuration, bit for bit, and a plain (unfused) AdamW."""
    train, val = _data(96, 0), _data(48, 1)
    plain = dataclasses.replace(CFG, max_epochs=2)
    gpu_options = dataclasses.replace(plain, amp="bf16", compile=True, device_data=True)
    a = fit(_model(), train, val, plain, log=None)
    b = fit(_model(), train, val, gpu_options, log=None)
    assert [h["train_loss"] for h in a.history] == [h["train_loss"] for h in b.history]
    assert [h["val_f1_macro"] for h in a.history] == [h["val_f1_macro"] for h in b.history]
    opt = make_optimizer(_model(), plain, "cpu")
    assert not opt.defaults.get("fused")
    assert resident(train, "cpu") is train


@CUDA
def test_cuda_training_keeps_data_on_the_device_and_learns():
    train, val = _data(128, 0), _data(64, 1)
    gpu = resident(train, "cuda")
    assert gpu.x.is_cuda and gpu.y.is_cuda
    from ecgpaper.training import distributed as dist_
    cfg = dataclasses.replace(CFG, max_epochs=4, amp="bf16")
    result = fit(_model(), train, val, cfg, log=None, info=dist_.DistInfo(device="cuda"))
    assert result.best_score > 0.5
    opt = make_optimizer(_model().cuda(), cfg, "cuda")
    assert opt.defaults.get("fused")


@CUDA
def test_cuda_universal_static_shapes_equal_skipping_in_eval():
    from ecgpaper.models.universal import UniversalConfig, UniversalECGNet
    torch.manual_seed(0)
    net = UniversalECGNet(UniversalConfig(width=0.125, checkpointing=False)).cuda().eval()
    x = torch.randn(4, 12, 500, device="cuda")
    idx = torch.arange(12, device="cuda").expand(4, 12)
    mask = torch.rand(4, 12, device="cuda") < 0.5
    mask[:, 1] = True
    with torch.no_grad():
        a = net(x, idx, mask)[0]
        net.config = dataclasses.replace(net.config, skip_absent=False)
        b = net(x * mask[..., None], idx, mask)[0]
    torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)


def test_fitconfig_defaults_match_the_profile():
    assert FitConfig().amp == get_profile("demo").amp == "off"
