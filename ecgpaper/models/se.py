"""1-D squeeze-and-excitation (Hu, Shen & Sun, "Squeeze-and-Excitation Networks",
CVPR 2018), parameterised like timm's `SEModule`.

Squeeze: average each channel over time into one number. Excite: a two-layer bottleneck
(C -> C/r, ReLU, C/r -> C) and a sigmoid turn the C numbers into C gates in (0, 1) that
rescale the channels. The gate is a separate `nn.Sigmoid` module so that its output (the
per-channel weights the SE chapter plots) can be read with a forward hook; see
`collect_se_gates`.
"""

from __future__ import annotations

import torch
from torch import nn


class SEModule1d(nn.Module):
    """Channel recalibration for (B, C, T) feature maps (also (B, C, H, W): the squeeze
    averages over every axis after the channel axis).

    channels: C; reduction: r (hidden width max(min_channels, round(C / r)));
    bias: whether the two 1x1 layers have biases (timm default True; the paper's stated
    parameter total is only reproduced without them, see `ecgpaper.models.audit`).
    """

    def __init__(self, channels: int, reduction: int = 16, bias: bool = False,
                 min_channels: int = 1):
        super().__init__()
        hidden = max(min_channels, int(round(channels / reduction)))
        self.fc1 = nn.Conv1d(channels, hidden, kernel_size=1, bias=bias)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv1d(hidden, channels, kernel_size=1, bias=bias)
        self.gate = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x.flatten(2).mean(dim=-1, keepdim=True)      # squeeze: (B, C, 1)
        g = self.gate(self.fc2(self.act(self.fc1(s))))   # excite: (B, C, 1)
        return x * g.view(*g.shape[:2], *([1] * (x.dim() - 2)))


@torch.no_grad()
def collect_se_gates(model: nn.Module, *inputs, **kwargs) -> dict[str, torch.Tensor]:
    """Run `model(*inputs, **kwargs)` once and return every SE gate as (B, C) tensors,
    keyed by the SE module's name (e.g. "layer1.0.se"), in forward order."""
    gates: dict[str, torch.Tensor] = {}
    handles = []
    for name, mod in model.named_modules():
        if isinstance(mod, SEModule1d):
            def hook(_m, _inp, out, name=name):
                gates[name] = out.detach().squeeze(-1).cpu()
            handles.append(mod.gate.register_forward_hook(hook))
    try:
        model(*inputs, **kwargs)
    finally:
        for h in handles:
            h.remove()
    return gates


@torch.no_grad()
def gates_by_record(model: nn.Module, x: torch.Tensor, meta: torch.Tensor | None = None,
                    batch: int = 64) -> dict[str, "np.ndarray"]:
    """SE gates of every block for every recording of `x` (N, C, T), batched:
    name -> (N, channels) numpy array. The model is put in eval mode."""
    import numpy as np
    model.eval()
    parts: dict[str, list] = {}
    for i in range(0, len(x), batch):
        kw = {} if meta is None or meta.shape[-1] == 0 else {"meta": meta[i:i + batch]}
        for name, g in collect_se_gates(model, x[i:i + batch], **kw).items():
            parts.setdefault(name, []).append(g.numpy())
    return {k: np.concatenate(v) for k, v in parts.items()}
