"""Residual CNN + bidirectional GRU + attention after Nejedly et al. (ISIBrno,
PhysioNet/CinC Challenge 2020), adapted to the 8-class task.

From their paper: besides the 12 leads, two power envelopes per lead are input, in a low
(0-8 Hz, T waves) and a mid band (0-24 Hz, QRS complexes): the magnitude of the Hilbert
transform of the signal filtered in the frequency domain with a Tukey window
(alpha 0.5); five residual blocks of three 1x3 convolutions with BN and dropout, each
down-sampling by 2 with a strided convolution (15 convolutions in all); a bidirectional
GRU with attention (they cite Vaswani et al.); a per-class sigmoid output.

Our choices for what they leave open: 64 channels in every block, dropout 0.2 after the
first two convolutions of a block, a strided 1x1 convolution + BN on the shortcut, ReLU
after the addition; the Tukey window spans -f_hi..f_hi of the spectrum (flat up to
f_hi/2); the envelopes are computed inside the forward pass (torch FFT) from `fs` in the
config, so the model takes the plain (B, 12, T) input; one BiGRU layer of 64 units per
direction; attention is scaled dot-product of one learned query over the GRU outputs.
They resample to 250 Hz; we feed the project's rate. Adaptation: sigmoid multi-label
outputs (24 classes) become 8 softmax logits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from .attention import QueryAttention


@dataclass
class ResCNNBiGRUConfig:
    in_channels: int = 12
    n_classes: int = 8
    fs: float = 500.0
    bands_hz: tuple[float, ...] = (8.0, 24.0)     # low-pass edges of the envelope bands
    tukey_alpha: float = 0.5
    channels: int = 64
    n_blocks: int = 5
    dropout: float = 0.2
    hidden: int = 64

    def __post_init__(self):
        self.bands_hz = tuple(float(b) for b in self.bands_hz)


def power_envelopes(x: torch.Tensor, fs: float, bands_hz=(8.0, 24.0), alpha: float = 0.5) -> torch.Tensor:
    """|Hilbert(FFT-filtered x)| for each low-pass band: (B, C, T) -> (B, C * len(bands), T)."""
    T = x.shape[-1]
    X = torch.fft.fft(x.float(), dim=-1)
    f = torch.fft.fftfreq(T, d=1.0 / fs, device=x.device).abs()
    # analytic-signal multiplier: keep DC (and Nyquist), double positive, drop negative
    h = torch.zeros(T, device=x.device)
    h[0] = 1
    if T % 2 == 0:
        h[T // 2] = 1
        h[1:T // 2] = 2
    else:
        h[1:(T + 1) // 2] = 2
    outs = []
    for fc in bands_hz:
        flat = fc * (1 - alpha)
        w = torch.where(f <= flat, torch.ones_like(f),
                        0.5 * (1 + torch.cos(math.pi * (f - flat) / max(alpha * fc, 1e-9))))
        w = torch.where(f > fc, torch.zeros_like(f), w)
        outs.append(torch.fft.ifft(X * (w * h), dim=-1).abs())
    return torch.cat(outs, dim=1).to(x.dtype)


class ResBlock3(nn.Module):
    def __init__(self, c_in, c_out, dropout):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(c_in, c_out, 3, stride=2, padding=1, bias=False), nn.BatchNorm1d(c_out),
            nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Conv1d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm1d(c_out),
            nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Conv1d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm1d(c_out))
        self.short = nn.Sequential(nn.Conv1d(c_in, c_out, 1, stride=2, bias=False),
                                   nn.BatchNorm1d(c_out))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.body(x) + self.short(x))


class ResCNNBiGRU(nn.Module):
    def __init__(self, cfg: ResCNNBiGRUConfig):
        super().__init__()
        self.config = cfg
        c_in = cfg.in_channels * (1 + len(cfg.bands_hz))
        blocks = []
        for _ in range(cfg.n_blocks):
            blocks.append(ResBlock3(c_in, cfg.channels, cfg.dropout))
            c_in = cfg.channels
        self.blocks = nn.Sequential(*blocks)
        self.gru = nn.GRU(cfg.channels, cfg.hidden, batch_first=True, bidirectional=True)
        self.attn = QueryAttention(2 * cfg.hidden)
        self.fc = nn.Linear(2 * cfg.hidden, cfg.n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, 12, T) -> logits (B, n_classes)."""
        c = self.config
        x = torch.cat([x, power_envelopes(x, c.fs, c.bands_hz, c.tukey_alpha)], dim=1)
        h, _ = self.gru(self.blocks(x).transpose(1, 2))
        pooled, _ = self.attn(h)
        return self.fc(pooled)
