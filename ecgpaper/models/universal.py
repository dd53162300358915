"""UniversalECGNet (Kisialeu & Nedzved, paper): one model for any non-empty subset of
the 12 leads, in any order.

Each present lead goes alone through a shared single-channel SE-ResNet18 backbone; its
512-d features are concatenated with an L2-normalised learned lead embedding (12 x 64) and
projected back to 512; a small attention network (Linear 512->128, tanh, Linear 128->1)
scores the leads, absent leads get -inf before the softmax (weight exactly 0), and the
weighted sum of lead vectors goes to Linear(512 -> 8).

Two implementation choices of ours:
- The backbone runs only on present leads (`skip_absent`). In evaluation mode this gives
  exactly the same output as running zero-filled absent leads through it, since the pool
  gives them weight 0; it saves the compute of padded leads. In training mode it also keeps
  the zeroed leads out of the BatchNorm batch statistics.
- Gradient checkpointing over the four stages is used only when training and
  `checkpointing` is on. Recomputation in the backward pass does not update BatchNorm
  running statistics a second time, so checkpointed and plain training give the same
  model.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint

from .resnet1d import SEResNetBackbone, SEResNetConfig


@dataclass
class UniversalConfig:
    n_classes: int = 8
    n_leads: int = 12
    width: float = 1.0
    kernel_size: int = 7
    stem_kernel: int = 7
    layers: tuple[int, ...] = (2, 2, 2, 2)
    reduction: int = 16
    se_bias: bool = False
    conv_bias: bool = False
    se: bool = True
    lead_dim: int = 64
    proj_dim: int | None = None      # None: the backbone's feature width (512 at width 1)
    attn_hidden: int | None = None   # None: proj_dim // 4 (128 at width 1)
    checkpointing: bool = True       # only ever active in training mode
    skip_absent: bool = True

    def __post_init__(self):
        self.layers = tuple(int(v) for v in self.layers)

    def backbone_config(self) -> SEResNetConfig:
        return SEResNetConfig(in_channels=1, n_classes=0, width=self.width,
                              kernel_size=self.kernel_size, stem_kernel=self.stem_kernel,
                              layers=self.layers, reduction=self.reduction,
                              se_bias=self.se_bias, conv_bias=self.conv_bias, se=self.se)


class LeadAttentionPool(nn.Module):
    """Masked additive attention over leads: (B, L, D), mask (B, L) -> (B, D), (B, L)."""

    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.score = nn.Sequential(nn.Linear(dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, h: torch.Tensor, mask: torch.Tensor):
        s = self.score(h).squeeze(-1)
        s = s.masked_fill(~mask, float("-inf"))
        w = torch.softmax(s, dim=1)
        w = torch.where(mask, w, torch.zeros_like(w))   # exact zeros for absent leads
        return torch.einsum("bl,bld->bd", w, h), w


@contextlib.contextmanager
def _frozen_bn_stats(module: nn.Module):
    """Keep BatchNorm running statistics unchanged (momentum 0) inside the block."""
    bns = [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [(m.momentum, m.num_batches_tracked.clone()) for m in bns]
    for m in bns:
        m.momentum = 0.0
    try:
        yield
    finally:
        for m, (mom, nbt) in zip(bns, saved):
            m.momentum = mom
            m.num_batches_tracked.copy_(nbt)


def _checkpointed(stage: nn.Module, x: torch.Tensor) -> torch.Tensor:
    calls = [0]

    def run(inp):
        calls[0] += 1
        if calls[0] == 1:
            return stage(inp)
        with _frozen_bn_stats(stage):        # the recomputation in backward
            return stage(inp)
    return checkpoint(run, x, use_reentrant=False)


class UniversalECGNet(nn.Module):
    def __init__(self, cfg: UniversalConfig):
        super().__init__()
        self.config = cfg
        self.backbone = SEResNetBackbone(cfg.backbone_config())
        d = self.backbone.feature_dim
        p = cfg.proj_dim or d
        self.lead_embedding = nn.Embedding(cfg.n_leads, cfg.lead_dim)
        self.proj = nn.Linear(d + cfg.lead_dim, p)
        self.pool = LeadAttentionPool(p, cfg.attn_hidden or max(1, p // 4))
        self.fc = nn.Linear(p, cfg.n_classes)

    def _lead_features(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        B, L, T = x.shape
        stage_fn = _checkpointed if (self.training and self.config.checkpointing
                                     and torch.is_grad_enabled()) else None
        if self.config.skip_absent:
            flat = x[mask].unsqueeze(1)                       # (n_present, 1, T)
            f = self.backbone(flat, stage_fn)
            out = f.new_zeros(B, L, f.shape[-1])
            out[mask] = f
            return out
        f = self.backbone(x.reshape(B * L, 1, T), stage_fn)
        return f.reshape(B, L, -1)

    def forward(self, x: torch.Tensor, lead_idx: torch.Tensor, mask: torch.Tensor | None = None):
        """x (B, L, T), lead_idx (B, L) long in 0..11, mask (B, L) bool (True = present).

        Returns logits (B, n_classes) and attention weights (B, L) (0 for absent leads).
        """
        if x.dim() != 3:
            raise ValueError(f"UniversalECGNet expects x of shape (B, L, T), got {tuple(x.shape)}")
        if mask is None:
            mask = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device)
        mask = mask.bool()
        if lead_idx.shape != x.shape[:2] or mask.shape != x.shape[:2]:
            raise ValueError(f"lead_idx {tuple(lead_idx.shape)} and mask {tuple(mask.shape)} "
                             f"must both have shape (B, L) = {tuple(x.shape[:2])}")
        if not bool(mask.any(dim=1).all()):
            raise ValueError("UniversalECGNet: every recording needs at least one present lead")
        return self.head(self._lead_features(x, mask), lead_idx, mask)

    def head(self, feats: torch.Tensor, lead_idx: torch.Tensor, mask: torch.Tensor):
        """Steps 5-7 on per-lead backbone features (B, L, D): lead embedding, projection,
        masked attention pooling, classifier. In evaluation mode a lead's features do not
        depend on the other leads, so one backbone pass serves every lead subset."""
        emb = F.normalize(self.lead_embedding(lead_idx.long()), dim=-1)
        h = self.proj(torch.cat([feats, emb], dim=-1))
        pooled, attn = self.pool(h, mask.bool())
        return self.fc(pooled), attn
