"""Evaluate a trained UniversalECGNet on every lead set of `evaluation.lead_sets` and
store the class probabilities and lead attention as arrays for the chapters.

In evaluation mode the shared backbone sees each lead alone, so a lead's features do not
depend on which other leads are present: the backbone runs once per test record and lead
(and once on a flat, all-zero lead), and each lead set only reruns the small head (lead
embedding, projection, masked attention, classifier). `masking_check` confirms on real
test records that this equals the model's own forward pass, and that masked leads get
exactly zero attention whatever signal they carry.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..constants import LEAD_INDEX
from ..evaluation.lead_sets import lead_sets, to_json
from . import artifacts as art
from .predict import Tensors, softmax


@torch.no_grad()
def lead_features(model, x: torch.Tensor, batch: int = 64, device: str = "cpu"):
    """Backbone features of every lead of every record (N, 12, D), and of a flat lead (D,)."""
    model.eval()
    parts = []
    for start in range(0, len(x), batch):
        xb = x[start:start + batch].to(device)
        b, l, t = xb.shape
        parts.append(model.backbone(xb.reshape(b * l, 1, t)).reshape(b, l, -1).cpu())
    flat = model.backbone(torch.zeros(1, 1, x.shape[-1], device=device))[0].cpu()
    d = flat.shape[-1]
    return (torch.cat(parts) if parts else torch.zeros(0, x.shape[1], d)), flat


@torch.no_grad()
def head_outputs(model, feats: torch.Tensor, flat: torch.Tensor, present, flat_leads=(),
                 device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Probabilities (N, 8) and attention (N, 12) for one lead set: `present` leads carry
    their own features, `flat_leads` the flat-lead features, the others are masked."""
    n = feats.shape[0]
    f = feats.clone()
    mask = torch.zeros(n, 12, dtype=torch.bool)
    mask[:, [LEAD_INDEX[name] for name in present]] = True
    for name in flat_leads:
        f[:, LEAD_INDEX[name]] = flat
        mask[:, LEAD_INDEX[name]] = True
    idx = torch.arange(12).expand(n, 12)
    logits, attn = model.head(f.to(device), idx.to(device), mask.to(device))
    return softmax(logits.float().cpu().numpy()), attn.float().cpu().numpy()


@torch.no_grad()
def masking_check(model, x: torch.Tensor, n: int = 16, seed: int = 0,
                  device: str = "cpu") -> dict:
    """On the first `n` records with random lead subsets: the largest difference between
    (a) the model's forward pass on the present leads only and (b) all 12 leads passed
    with the absent ones masked but still carrying their signal; the largest attention on
    a masked lead; and the largest difference between the cached head and (a)."""
    model.eval()
    xb = x[:n].to(device)
    if len(xb) == 0:
        return {}
    b = len(xb)
    g = torch.Generator().manual_seed(seed)
    k = int(torch.randint(1, 12, (1,), generator=g))
    order = torch.rand(b, 12, generator=g).argsort(1)
    sel = order[:, :k].sort(1).values                     # k present leads per record
    mask = torch.zeros(b, 12, dtype=torch.bool)
    mask[torch.arange(b)[:, None], sel] = True
    only = torch.gather(xb.cpu(), 1, sel[..., None].expand(b, k, xb.shape[-1])).to(device)
    logits_a, attn_a = model(only, sel.to(device), torch.ones(b, k, dtype=torch.bool,
                                                              device=device))
    idx = torch.arange(12).expand(b, 12).to(device)
    logits_b, attn_b = model(xb, idx, mask.to(device))
    feats, _ = lead_features(model, xb.cpu(), device=device)
    logits_c, _ = model.head(feats.to(device), idx, mask.to(device))
    return {"records": b, "present_leads": k,
            "max_logit_difference_masked_vs_present_only": float((logits_a - logits_b).abs().max()),
            "max_attention_on_masked_leads": float(attn_b[~mask.to(device)].abs().max()),
            "max_logit_difference_cached_head": float((logits_a - logits_c).abs().max())}


def write_lead_sets(model, test: Tensors, folder: Path, seed: int,
                    device: str = "cpu") -> dict:
    """Write lead_sets.json, lead_sets_proba.npy (S, N, 8) and lead_sets_attention.npy
    (S, N, 12); return the masking check for metrics.json."""
    sets = lead_sets(seed)
    feats, flat = lead_features(model, test.x, device=device)
    probas, attns = [], []
    for s in sets:
        p, a = head_outputs(model, feats, flat, s.leads, s.flat, device)
        probas.append(p.astype(np.float32))
        attns.append(a.astype(np.float32))
    n = len(test)
    art.write_json(folder / "lead_sets.json", to_json(sets))
    art.write_npy(folder / "lead_sets_proba.npy",
                  np.stack(probas) if probas else np.zeros((0, n, 8), np.float32))
    art.write_npy(folder / "lead_sets_attention.npy",
                  np.stack(attns) if attns else np.zeros((0, n, 12), np.float32))
    return masking_check(model, test.x, seed=seed, device=device)
