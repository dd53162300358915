"""CNN + attention + bidirectional GRU after Kropf, Radhakrishnan & Dharmalingam
(PhysioNet/CinC Challenge 2020), adapted to the 8-class task.

From their abstract: each signal has its mean removed; a convolutional network, an
attention layer and bidirectional GRUs classify the recording (9 classes, binary
cross-entropy, model chosen by validation loss).

Only the abstract is available; our choices: four convolution blocks (Conv1d, BN, ReLU,
max-pooling by 2) with 32/64/64/128 channels and kernels 7/5/5/3; one bidirectional GRU
layer with 64 units per direction over the pooled sequence; additive attention over the
GRU outputs (the attention layer pools time); Linear(128 -> 8). The per-lead mean
removal is part of the forward pass. Adaptation: sigmoid multi-label outputs become 8
softmax logits.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .attention import AdditiveAttention


@dataclass
class CNNAttBiGRUConfig:
    in_channels: int = 12
    n_classes: int = 8
    channels: tuple[int, ...] = (32, 64, 64, 128)
    kernels: tuple[int, ...] = (7, 5, 5, 3)
    hidden: int = 64
    dropout: float = 0.2
    demean: bool = True

    def __post_init__(self):
        self.channels, self.kernels = tuple(self.channels), tuple(self.kernels)
        if len(self.channels) != len(self.kernels):
            raise ValueError("CNNAttBiGRUConfig: channels and kernels need the same length")


class CNNAttBiGRU(nn.Module):
    def __init__(self, cfg: CNNAttBiGRUConfig):
        super().__init__()
        self.config = cfg
        layers, c_in = [], cfg.in_channels
        for c, k in zip(cfg.channels, cfg.kernels):
            layers += [nn.Conv1d(c_in, c, k, padding=k // 2, bias=False), nn.BatchNorm1d(c),
                       nn.ReLU(inplace=True), nn.MaxPool1d(2, ceil_mode=True)]
            c_in = c
        layers.append(nn.Dropout(cfg.dropout))
        self.cnn = nn.Sequential(*layers)
        self.gru = nn.GRU(c_in, cfg.hidden, batch_first=True, bidirectional=True)
        self.attn = AdditiveAttention(2 * cfg.hidden)
        self.fc = nn.Linear(2 * cfg.hidden, cfg.n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, 12, T) -> logits (B, n_classes)."""
        if self.config.demean:
            x = x - x.mean(dim=-1, keepdim=True)
        h, _ = self.gru(self.cnn(x).transpose(1, 2))
        pooled, _ = self.attn(h)
        return self.fc(pooled)
