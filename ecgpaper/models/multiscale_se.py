"""Multi-scale SE CNN for reduced-lead ECGs, after Xia et al. (PhysioNet/CinC Challenge
2021, team AIRCAS_MELI), adapted to the 8-class task.

From their paper: the ECG is a 2-D (lead x time) input; three branches see the recording at
three time scales (1000, 500 and 250 samples of a 10 s, 100 Hz recording: direct
down-sampling by 1, 2 and 4); each branch stacks five residual 2-D convolution blocks
with batch normalisation, spatial dropout and squeeze-and-excitation; the first two
blocks have a large time kernel, lead kernel 1 and stride 2; the last three have time
kernels 3, 9, 27, stride 1 and lead kernels set by the lead count ([5,5,5] for 12 leads,
[3,3,3] for 6, [2,2,2] for 4, [1,2,2] for 3, [1,1,2] for 2); global average pooling per
branch, concatenation and one fully connected layer.

Open in their text (the figure with the filter numbers is not reproduced in it), our
choices: 16 filters in every block (32 would cost 4.9 GFLOP per 10 s at 100 Hz), large time kernel 15, spatial dropout 0.2, SE
reduction 16 (at least 1 hidden unit), "same" padding, a 1x1 strided convolution + BN on
the shortcut, ReLU after the addition, lead kernels (1,1,1) for a single lead. For inputs
at other rates or lengths the three scales stay relative (T, T/2, T/4).
Adaptation: their sigmoid multi-label output (30 classes, weighted BCE) becomes 8
softmax logits trained with the project's cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .se import SEModule1d

LEAD_KERNELS: dict[int, tuple[int, int, int]] = {
    12: (5, 5, 5), 6: (3, 3, 3), 4: (2, 2, 2), 3: (1, 2, 2), 2: (1, 1, 2), 1: (1, 1, 1)}


@dataclass
class MultiScaleSEConfig:
    in_channels: int = 12            # number of leads
    n_classes: int = 8
    filters: int = 16
    large_kernel: int = 15
    small_kernels: tuple[int, ...] = (3, 9, 27)
    lead_kernels: tuple[int, ...] | None = None   # None: from LEAD_KERNELS
    scales: tuple[int, ...] = (1, 2, 4)
    dropout: float = 0.2
    reduction: int = 16

    def __post_init__(self):
        self.small_kernels = tuple(self.small_kernels)
        self.scales = tuple(self.scales)
        if self.lead_kernels is None:
            if self.in_channels not in LEAD_KERNELS:
                raise ValueError(f"MultiScaleSEConfig: no lead kernels for {self.in_channels} "
                                 f"leads; give lead_kernels or use one of {sorted(LEAD_KERNELS)}")
            self.lead_kernels = LEAD_KERNELS[self.in_channels]
        self.lead_kernels = tuple(self.lead_kernels)


def _same_conv(c_in, c_out, kernel):
    """Stride-1 convolution with "same" output size for odd or even kernels (Keras-style:
    the extra padding goes after)."""
    kl, kt = kernel
    pad = nn.ZeroPad2d(((kt - 1) // 2, kt // 2, (kl - 1) // 2, kl // 2))
    return nn.Sequential(pad, nn.Conv2d(c_in, c_out, kernel, bias=False))


class ResSEBlock2d(nn.Module):
    def __init__(self, c_in, c_out, kernel, stride_t, dropout, reduction):
        super().__init__()
        kl, kt = kernel
        if stride_t == 1:
            self.conv1 = _same_conv(c_in, c_out, kernel)
        else:
            if kl != 1 or kt % 2 == 0:
                raise ValueError("strided blocks need lead kernel 1 and an odd time kernel")
            self.conv1 = nn.Conv2d(c_in, c_out, kernel, stride=(1, stride_t), padding=(0, kt // 2),
                                   bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.drop = nn.Dropout2d(dropout)
        self.conv2 = _same_conv(c_out, c_out, kernel)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.se = SEModule1d(c_out, reduction)
        self.relu = nn.ReLU(inplace=True)
        self.short = None
        self.stride_t = stride_t
        if stride_t != 1 or c_in != c_out:
            # the strided 1x1 convolution as every stride-th sample into a 1x1 one: the same
            # arithmetic, and oneDNN's strided 1x1 backward in the channels-last layout
            # corrupts memory for few channels (4 or 8; PyTorch 2.13 on x86)
            self.short = nn.Sequential(nn.Conv2d(c_in, c_out, 1, bias=False),
                                       nn.BatchNorm2d(c_out))

    def forward(self, x):
        idt = x if self.short is None else self.short(x[..., ::self.stride_t])
        y = self.drop(self.relu(self.bn1(self.conv1(x))))
        y = self.se(self.bn2(self.conv2(y)))
        return self.relu(y + idt)


class MultiScaleSECNN(nn.Module):
    def __init__(self, cfg: MultiScaleSEConfig):
        super().__init__()
        self.config = cfg
        F = cfg.filters

        def branch():
            blocks = [ResSEBlock2d(1, F, (1, cfg.large_kernel), 2, cfg.dropout, cfg.reduction),
                      ResSEBlock2d(F, F, (1, cfg.large_kernel), 2, cfg.dropout, cfg.reduction)]
            blocks += [ResSEBlock2d(F, F, (kl, kt), 1, cfg.dropout, cfg.reduction)
                       for kl, kt in zip(cfg.lead_kernels, cfg.small_kernels)]
            return nn.Sequential(*blocks)

        self.branches = nn.ModuleList(branch() for _ in cfg.scales)
        self.fc = nn.Linear(F * len(cfg.scales), cfg.n_classes)
        # (batch, height, width, channel) order: with 16 filters, oneDNN's 2-D convolutions
        # (their backward above all) run 1.7x faster on a CPU in this layout than in the
        # default one; the arithmetic is the same convolution
        self.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, leads, T) -> logits (B, n_classes)."""
        x = x.unsqueeze(1)                                  # (B, 1, leads, T)
        feats = [b(x[..., ::s]).mean(dim=(2, 3)) for b, s in zip(self.branches, self.config.scales)]
        return self.fc(torch.cat(feats, dim=1))
