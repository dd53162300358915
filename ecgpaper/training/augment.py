"""Online signal augmentations of the paper's Table 2 and the universal model's lead
dropout, vectorised over a batch and driven by one seeded `torch.Generator` (so a run is
reproducible and its augmentation state can be checkpointed).

Amplitudes are relative to each channel's RMS, so the same settings work on microvolts
and on z-scored signals. At the demo's 100 Hz a 50 Hz hum sits exactly at the Nyquist
frequency and appears as an alternating sequence scaled by sin(phase); it is still
added, as the sampled version of the same physical interference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class AugmentConfig:
    """Per-sample probabilities and ranges (paper Table 2: each with p = 0.5)."""
    p_wander: float = 0.5
    p_powerline: float = 0.5
    p_noise: float = 0.5
    p_scale: float = 0.5
    wander_hz: tuple[float, float] = (0.1, 1.0)
    wander_rel_amp: tuple[float, float] = (0.05, 0.3)     # x channel RMS
    powerline_hz: float = 50.0
    powerline_rel_amp: tuple[float, float] = (0.02, 0.2)  # x channel RMS
    snr_db: tuple[float, float] = (20.0, 40.0)
    scale: tuple[float, float] = (0.8, 1.2)


def _uniform(shape, low, high, gen) -> torch.Tensor:
    return low + (high - low) * torch.rand(shape, generator=gen, device=gen.device)


def _coin(n: int, p: float, gen) -> torch.Tensor:
    """(n,) float 0/1: which samples receive an augmentation (always draws, so the
    generator advances the same way whatever p is)."""
    return (torch.rand(n, generator=gen, device=gen.device) < p).float()


def augment(x: torch.Tensor, fs: float, gen: torch.Generator,
            cfg: AugmentConfig = AugmentConfig()) -> torch.Tensor:
    """Return an augmented copy of `x` (B, C, T); each augmentation hits each sample
    independently with its probability. Order: wander, hum, noise, gain. `x` and `gen`
    live on the same device: on a GPU the batch never leaves it (the CPU path draws the
    same numbers as before)."""
    b, c, t = x.shape
    x = x.clone()
    time = torch.arange(t, dtype=x.dtype, device=x.device) / fs     # (T,)
    rms = x.pow(2).mean(dim=2, keepdim=True).sqrt().clamp_min(1e-6)  # (B, C, 1)

    # (1) baseline wander: one low-frequency sinusoid per sample, amplitude per lead
    on = _coin(b, cfg.p_wander, gen).view(b, 1, 1)
    f = _uniform((b, 1, 1), *cfg.wander_hz, gen)
    ph = _uniform((b, 1, 1), 0.0, 2 * math.pi, gen)
    amp = _uniform((b, c, 1), *cfg.wander_rel_amp, gen) * rms
    x += on * amp * torch.sin(2 * math.pi * f * time + ph)

    # (2) power-line interference at exactly 50 Hz, random amplitude and phase
    on = _coin(b, cfg.p_powerline, gen).view(b, 1, 1)
    ph = _uniform((b, 1, 1), 0.0, 2 * math.pi, gen)
    amp = _uniform((b, c, 1), *cfg.powerline_rel_amp, gen) * rms
    x += on * amp * torch.sin(2 * math.pi * cfg.powerline_hz * time + ph)

    # (3) white Gaussian noise at an SNR drawn per sample (relative to each lead's power)
    on = _coin(b, cfg.p_noise, gen).view(b, 1, 1)
    snr = _uniform((b, 1, 1), *cfg.snr_db, gen)
    sigma = rms * torch.pow(10.0, -snr / 20.0)
    x += on * sigma * torch.randn((b, c, t), generator=gen, dtype=x.dtype, device=x.device)

    # (4) gain change common to all leads of a recording
    on = _coin(b, cfg.p_scale, gen).view(b, 1, 1)
    g = _uniform((b, 1, 1), *cfg.scale, gen)
    x *= 1.0 + on * (g - 1.0)
    return x


def lead_dropout_mask(batch: int, n_leads: int, gen: torch.Generator,
                      p_all: float = 0.5) -> torch.Tensor:
    """Boolean (B, L) mask of present leads for one training batch of the universal model.

    With probability `p_all` the whole batch keeps all leads; otherwise a count k is drawn
    uniformly from 1..L-1 for the batch and every sample keeps k leads of its own random
    choice (paper: lead dropout p = 0.5). One count per batch keeps the number of present
    leads, and so the backbone's batch shape, to L possible values: CPU kernels are
    prepared once per shape, and a new shape every batch made training 3-5x slower.
    """
    dev = gen.device
    if torch.rand(1, generator=gen, device=dev).item() < p_all:
        return torch.ones(batch, n_leads, dtype=torch.bool, device=dev)
    k = int(torch.randint(1, n_leads, (1,), generator=gen, device=dev))
    order = torch.rand(batch, n_leads, generator=gen, device=dev).argsort(dim=1).argsort(dim=1)
    return order < k


def apply_lead_mask(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Zero the absent leads of `x` (B, L, T) given a (B, L) mask."""
    return x * mask.unsqueeze(-1).to(x.dtype)
