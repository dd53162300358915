"""Attention pooling over time for the recurrent baselines: (B, T, D) -> (B, D), (B, T)."""

from __future__ import annotations

import math

import torch
from torch import nn


class AdditiveAttention(nn.Module):
    """Score each step with v^T tanh(W h_t + b) (Bahdanau et al., 2015) and return the
    softmax-weighted sum of the steps."""

    def __init__(self, dim: int, hidden: int | None = None):
        super().__init__()
        hidden = hidden or dim
        self.score = nn.Sequential(nn.Linear(dim, hidden), nn.Tanh(), nn.Linear(hidden, 1, bias=False))

    def forward(self, h: torch.Tensor):
        w = torch.softmax(self.score(h).squeeze(-1), dim=1)
        return torch.einsum("bt,btd->bd", w, h), w


class QueryAttention(nn.Module):
    """Scaled dot-product attention (Vaswani et al., 2017) of one learned query over the
    steps: keys are a linear map of the steps, values the steps themselves."""

    def __init__(self, dim: int):
        super().__init__()
        self.query = nn.Parameter(torch.randn(dim) / math.sqrt(dim))
        self.key = nn.Linear(dim, dim)

    def forward(self, h: torch.Tensor):
        s = self.key(h) @ self.query / math.sqrt(h.shape[-1])
        w = torch.softmax(s, dim=1)
        return torch.einsum("bt,btd->bd", w, h), w
