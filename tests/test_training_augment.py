"""Augmentations: probabilities, SNR range, gain range, wander/hum frequencies; lead
dropout masks."""

import math

import pytest
import torch

from ecgpaper.training.augment import (AugmentConfig, apply_lead_mask, augment,
                                       lead_dropout_mask)

ONLY = dict(p_wander=0.0, p_powerline=0.0, p_noise=0.0, p_scale=0.0)
FS = 500.0


def _signal(b=400, c=12, t=1000, seed=0):
    g = torch.Generator().manual_seed(seed)
    time = torch.arange(t) / FS
    base = torch.sin(2 * math.pi * 1.2 * time) + 0.3 * torch.sin(2 * math.pi * 7 * time)
    amp = 0.5 + torch.rand(b, c, 1, generator=g)
    return amp * base


def _changed(x, y):
    return ((y - x).abs().amax(dim=(1, 2)) > 1e-6)


@pytest.mark.parametrize("name", ["p_wander", "p_powerline", "p_noise", "p_scale"])
def test_each_augmentation_hits_about_half_the_samples(name):
    x = _signal(b=2000, t=200)
    cfg = AugmentConfig(**{**ONLY, name: 0.5})
    y = augment(x, FS, torch.Generator().manual_seed(1), cfg)
    frac = _changed(x, y).float().mean().item()
    assert 0.45 < frac < 0.55, (name, frac)
    # probability 0 leaves the batch untouched
    y0 = augment(x, FS, torch.Generator().manual_seed(1), AugmentConfig(**ONLY))
    assert torch.equal(x, y0)


def test_noise_snr_within_20_to_40_db():
    x = _signal()
    y = augment(x, FS, torch.Generator().manual_seed(2), AugmentConfig(**{**ONLY, "p_noise": 1.0}))
    noise = y - x
    snr = 10 * torch.log10(x.pow(2).mean(dim=2) / noise.pow(2).mean(dim=2))
    assert snr.min() > 19.0 and snr.max() < 41.0
    assert snr.max() - snr.min() > 15.0          # the whole range is used


def test_scaling_within_range_and_common_to_leads():
    x = _signal() + 2.0                          # no zeros: the ratio is the gain
    y = augment(x, FS, torch.Generator().manual_seed(3), AugmentConfig(**{**ONLY, "p_scale": 1.0}))
    ratio = (y / x)
    per_sample = ratio.mean(dim=(1, 2))
    assert per_sample.min() >= 0.8 - 1e-6 and per_sample.max() <= 1.2 + 1e-6
    assert per_sample.max() - per_sample.min() > 0.3
    assert torch.allclose(ratio, per_sample.view(-1, 1, 1).expand_as(ratio), atol=1e-5)


def test_wander_is_low_frequency_and_hum_is_50hz():
    x = torch.zeros(64, 2, 5000) + 1.0          # flat signal: the addition is all we see
    for name, band in (("p_wander", (0.1, 1.0)), ("p_powerline", (49.9, 50.1))):
        y = augment(x, FS, torch.Generator().manual_seed(4), AugmentConfig(**{**ONLY, name: 1.0}))
        spec = torch.fft.rfft(y - x, dim=-1).abs()
        freqs = torch.fft.rfftfreq(5000, 1 / FS)
        peak = freqs[spec[:, 0].argmax(dim=-1)]
        assert (peak >= band[0] - 0.1).all() and (peak <= band[1] + 0.1).all(), name


def test_augment_reproducible_with_seeded_generator():
    x = _signal(b=8)
    a = augment(x, FS, torch.Generator().manual_seed(5))
    b = augment(x, FS, torch.Generator().manual_seed(5))
    c = augment(x, FS, torch.Generator().manual_seed(6))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_lead_dropout_masks():
    g = torch.Generator().manual_seed(0)
    full, counts = 0, []
    n = 2000
    for _ in range(n):
        m = lead_dropout_mask(4, 12, g)
        assert m.dtype == torch.bool and m.shape == (4, 12)
        k = m.sum(dim=1)
        assert (k >= 1).all()
        if bool(m.all()):
            full += 1
        else:
            assert (k <= 11).all()
            counts += k.tolist()
    assert 0.45 < full / n < 0.55                  # half of the batches keep all leads
    hist = torch.bincount(torch.tensor(counts), minlength=12)[1:12].float()
    assert (hist > 0).all()
    assert hist.max() / hist.min() < 1.4           # counts 1..11 roughly uniform
    x = torch.ones(4, 12, 10)
    m = lead_dropout_mask(4, 12, torch.Generator().manual_seed(1), p_all=0.0)
    xz = apply_lead_mask(x, m)
    assert torch.equal(xz.amax(dim=2) > 0, m)
