"""Running a network over one split held in memory: logits, class probabilities and, for
UniversalECGNet, the attention each lead received. Used by the training loop for
validation and by `training.run` for the test predictions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..constants import CLASSES

N_CLASSES = len(CLASSES)


@dataclass
class Tensors:
    """One split in memory: signals (N, L, T) float32, features (N, n), labels (N,)."""
    x: torch.Tensor
    feats: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.y.shape[0])


def forward(model, x, feats, universal: bool, lead_idx=None, mask=None):
    """Logits (and attention for the universal model, else None)."""
    if universal:
        b, l = x.shape[:2]
        if lead_idx is None:
            lead_idx = torch.arange(l, device=x.device).expand(b, l)
        if mask is None:
            mask = torch.ones(b, l, dtype=torch.bool, device=x.device)
        logits, attn = model(x, lead_idx, mask)
        return logits, attn
    if feats is not None and feats.shape[1] > 0:
        return model(x, feats), None
    return model(x), None            # signal-only networks take one argument


@torch.no_grad()
def predict(model, data: Tensors, universal: bool = False, leads: list[int] | None = None,
            batch_size: int = 256, device: str = "cpu"):
    """Logits (N, 8) as numpy, and attention (N, 12) with zeros at absent leads for the
    universal model (else None). `leads` selects lead positions for the universal model."""
    model.eval()
    outs, attns = [], []
    n_leads = data.x.shape[1]
    sel = torch.tensor(leads if leads is not None else list(range(n_leads)))
    for start in range(0, len(data), batch_size):
        xb = data.x[start:start + batch_size]
        fb = data.feats[start:start + batch_size].to(device)
        if universal:
            xb = xb[:, sel].to(device)
            idx = sel.to(device).expand(xb.shape[0], len(sel))
            logits, attn = forward(model, xb, fb, True, lead_idx=idx)
            full = torch.zeros(xb.shape[0], n_leads)
            full[:, sel] = attn.float().cpu()
            attns.append(full)
        else:
            logits, _ = forward(model, xb.to(device), fb, False)
        outs.append(logits.float().cpu())
    logits = torch.cat(outs) if outs else torch.zeros(0, N_CLASSES)
    attn = (torch.cat(attns) if attns else torch.zeros(0, n_leads)) if universal else None
    return logits.numpy(), (attn.numpy() if attn is not None else None)


def softmax(logits: np.ndarray) -> np.ndarray:
    return torch.softmax(torch.as_tensor(logits, dtype=torch.float64), dim=1).numpy()
