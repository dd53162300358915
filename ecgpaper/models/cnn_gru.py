"""Lightweight CNN-GRU after Borra, Andalò, Severi & Corsi (PhysioNet/CinC Challenge
2020), adapted to the 8-class task.

From their abstract: a convolutional module learning spatio-temporal features with few
trainable parameters (their best variant has a single branch), one GRU layer, an attention
module and a fully connected output layer.

Only the abstract is available, so the module's inside is our choice, in the spirit of
their lightweight spatio-temporal design (the EEGNet pattern): a temporal convolution
(8 filters, kernel 33), a depthwise convolution across all leads (depth multiplier 2),
BN, ELU, average pooling by 4, dropout 0.25, a separable convolution (depthwise kernel
17 + pointwise to 16 filters), BN, ELU, average pooling by 4, dropout; then a GRU with 32
hidden units over the remaining time steps, additive attention over its outputs, and
Linear(32 -> 8). Adaptation: their sigmoid multi-label output (9 classes) becomes 8
softmax logits.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .attention import AdditiveAttention


@dataclass
class CNNGRUConfig:
    in_channels: int = 12
    n_classes: int = 8
    f1: int = 8
    depth: int = 2
    f2: int = 16
    temporal_kernel: int = 33
    separable_kernel: int = 17
    pool1: int = 4
    pool2: int = 4
    hidden: int = 32
    dropout: float = 0.25


class CNNGRU(nn.Module):
    def __init__(self, cfg: CNNGRUConfig):
        super().__init__()
        self.config = cfg
        f1, fd = cfg.f1, cfg.f1 * cfg.depth
        self.conv = nn.Sequential(
            nn.Conv2d(1, f1, (1, cfg.temporal_kernel), padding=(0, cfg.temporal_kernel // 2), bias=False),
            nn.BatchNorm2d(f1),
            nn.Conv2d(f1, fd, (cfg.in_channels, 1), groups=f1, bias=False),   # across leads
            nn.BatchNorm2d(fd), nn.ELU(),
            nn.AvgPool2d((1, cfg.pool1), ceil_mode=True), nn.Dropout(cfg.dropout),
            nn.Conv2d(fd, fd, (1, cfg.separable_kernel), padding=(0, cfg.separable_kernel // 2),
                      groups=fd, bias=False),
            nn.Conv2d(fd, cfg.f2, 1, bias=False),
            nn.BatchNorm2d(cfg.f2), nn.ELU(),
            nn.AvgPool2d((1, cfg.pool2), ceil_mode=True), nn.Dropout(cfg.dropout),
        )
        self.gru = nn.GRU(cfg.f2, cfg.hidden, num_layers=1, batch_first=True)
        self.attn = AdditiveAttention(cfg.hidden)
        self.fc = nn.Linear(cfg.hidden, cfg.n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, 12, T) -> logits (B, n_classes)."""
        z = self.conv(x.unsqueeze(1)).squeeze(2).transpose(1, 2)   # (B, T', f2)
        h, _ = self.gru(z)
        pooled, _ = self.attn(h)
        return self.fc(pooled)
