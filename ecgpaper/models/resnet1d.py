"""SE-ResNet18-1D: ResNet-18 (He et al., 2016) with 1-D convolutions and a
squeeze-and-excitation gate (Hu et al., 2018) in every basic block, as described by
Kisialeu & Nedzved (paper), optionally with the metadata MLP branch (SE-ResNet18-Meta).

Layout: stem Conv1d(in, 64, stem_kernel, stride 2) + BN + ReLU + MaxPool(3, 2); four
stages of `layers` basic blocks with 64/128/256/512 channels (times `width`), the first
block of stages 2-4 striding by 2; SE on the residual branch before the addition; global
average pooling; Linear(512 -> 8), or with metadata Linear(n -> 64) -> ReLU ->
Dropout(0.3) concatenated with the 512 signal features -> Linear(576 -> 8).

Choices the paper leaves open (ours, after torchvision's ResNet): convolutions without
bias (BatchNorm follows each), a 1x1 strided convolution + BN on the shortcut when the
shape changes, padding kernel//2, SE without biases (this is the configuration whose
count reproduces the paper's stated total, see `ecgpaper.models.audit`).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .se import SEModule1d


@dataclass
class SEResNetConfig:
    in_channels: int = 12
    n_classes: int = 8
    n_meta: int = 0                  # metadata inputs (0 = signal only)
    width: float = 1.0               # channel multiplier (1.0 = 64/128/256/512)
    kernel_size: int = 7             # block kernel (7 gives the paper's ~9 M parameters)
    stem_kernel: int = 7             # paper text: 7; its stated total implies 15
    layers: tuple[int, ...] = (2, 2, 2, 2)
    reduction: int = 16
    meta_hidden: int = 64
    meta_dropout: float = 0.3
    se_bias: bool = False
    conv_bias: bool = False
    se: bool = True                  # False: plain ResNet-18-1D (the SE ablation)

    def __post_init__(self):
        self.layers = tuple(int(v) for v in self.layers)
        if self.width <= 0 or self.kernel_size < 1 or self.stem_kernel < 1:
            raise ValueError(f"SEResNetConfig: width, kernel_size and stem_kernel must be "
                             f"positive (got {self.width}, {self.kernel_size}, {self.stem_kernel})")

    @property
    def channels(self) -> tuple[int, ...]:
        return tuple(max(1, int(round(c * self.width))) for c in (64, 128, 256, 512))

    @property
    def feature_dim(self) -> int:
        return self.channels[-1]


class BasicBlock1d(nn.Module):
    """conv-BN-ReLU-conv-BN, SE (or nothing when `se` is off), + shortcut, ReLU."""

    def __init__(self, c_in: int, c_out: int, stride: int, k: int, reduction: int,
                 se_bias: bool, conv_bias: bool, se: bool = True):
        super().__init__()
        self.conv1 = nn.Conv1d(c_in, c_out, k, stride=stride, padding=k // 2, bias=conv_bias)
        self.bn1 = nn.BatchNorm1d(c_out)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv1d(c_out, c_out, k, padding=k // 2, bias=conv_bias)
        self.bn2 = nn.BatchNorm1d(c_out)
        self.se = SEModule1d(c_out, reduction, bias=se_bias) if se else nn.Identity()
        self.downsample = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Sequential(
                nn.Conv1d(c_in, c_out, 1, stride=stride, bias=conv_bias), nn.BatchNorm1d(c_out))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.se(self.bn2(self.conv2(out)))
        return self.relu(out + identity)


class SEResNetBackbone(nn.Module):
    """Stem + four SE stages + global average pooling: (B, C, T) -> (B, feature_dim)."""

    def __init__(self, cfg: SEResNetConfig):
        super().__init__()
        ch = cfg.channels
        self.stem = nn.Sequential(
            nn.Conv1d(cfg.in_channels, ch[0], cfg.stem_kernel, stride=2,
                      padding=cfg.stem_kernel // 2, bias=cfg.conv_bias),
            nn.BatchNorm1d(ch[0]), nn.ReLU(inplace=True),
            nn.MaxPool1d(3, stride=2, padding=1))
        stages, c_in = [], ch[0]
        for i, (c, n) in enumerate(zip(ch, cfg.layers)):
            blocks = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                blocks.append(BasicBlock1d(c_in, c, stride, cfg.kernel_size, cfg.reduction,
                                           cfg.se_bias, cfg.conv_bias, cfg.se))
                c_in = c
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.feature_dim = c_in

    @property
    def stages(self) -> tuple[nn.Module, ...]:
        return (self.layer1, self.layer2, self.layer3, self.layer4)

    def forward(self, x: torch.Tensor, stage_fn=None) -> torch.Tensor:
        """`stage_fn(stage, x)` (default: plain call) lets callers checkpoint the stages."""
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x) if stage_fn is None else stage_fn(stage, x)
        return x.mean(dim=-1)


class SEResNet1d(nn.Module):
    """SE-ResNet18-1D classifier; with `cfg.n_meta > 0` the SE-ResNet18-Meta variant."""

    def __init__(self, cfg: SEResNetConfig):
        super().__init__()
        self.config = cfg
        self.backbone = SEResNetBackbone(cfg)
        d = self.backbone.feature_dim
        self.meta = None
        if cfg.n_meta > 0:
            self.meta = nn.Sequential(nn.Linear(cfg.n_meta, cfg.meta_hidden), nn.ReLU(inplace=True),
                                      nn.Dropout(cfg.meta_dropout))
            d += cfg.meta_hidden
        self.fc = nn.Linear(d, cfg.n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone(x)

    def forward(self, x: torch.Tensor, meta: torch.Tensor | None = None) -> torch.Tensor:
        f = self.backbone(x)
        if self.meta is not None:
            if meta is None or meta.shape[-1] != self.config.n_meta:
                got = None if meta is None else tuple(meta.shape)
                raise ValueError(f"SEResNet1d expects metadata of shape (B, {self.config.n_meta}), "
                                 f"got {got}")
            f = torch.cat([f, self.meta(meta)], dim=1)
        return self.fc(f)
