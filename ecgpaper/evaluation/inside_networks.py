"""Looking inside a trained network on this build's test records: which committed or
built weights to read, the test records as that network saw its training data (its own
sampling rate and its training split's per-lead statistics), and UniversalECGNet's steps
on one recording. The reference edition commits the weights of experiments 1 and 7 only;
its twin and this build's come from the same generator, so its networks can be read on
this build's records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..training import artifacts as art


@dataclass(frozen=True)
class Weights:
    """A trained checkpoint and the set of results (edition) it belongs to."""
    edition: object            # reference.Edition
    path: Path


def committed_weights(shown, config: str) -> list[Weights]:
    """The checkpoints of `config` among the editions `shown` (main first), skipping an
    edition whose folder holds no best.pt."""
    found = []
    for e in shown:
        path = art.experiment_dir(e.profile, config) / "best.pt"
        if path.is_file():
            found.append(Weights(e, path))
    return found


def test_inputs(store, extra: dict, max_records: int | None = None):
    """The store's test records as the network of checkpoint `extra` was trained on them:
    (signals (N, 12, T) tensor, class indices (N,), store rows (N,))."""
    from ..data.dataset import ECGDataset
    test = ECGDataset(store, "test", downsample=store.fs // int(extra["fs"]),
                      channel_mean=extra["channel_mean"], channel_std=extra["channel_std"])
    n = len(test) if max_records is None else min(len(test), max_records)
    if n == 0:
        raise ValueError(f"{store.path}: the store has no test records to read the "
                         f"network on")
    items = [test[i] for i in range(n)]
    return (torch.stack([s for s, _, _ in items]), np.array([int(y) for _, _, y in items]),
            np.asarray(test.rows[:n]))


@dataclass(frozen=True)
class UniversalSteps:
    per_lead: np.ndarray       # (12, D) backbone features of each lead alone
    embedding: np.ndarray      # (12, E) L2-normalised lead embeddings
    weights: np.ndarray        # (12,) attention over the leads
    predicted: int             # class index


def universal_steps(model, signal: torch.Tensor) -> UniversalSteps:
    """UniversalECGNet's steps on one 12-lead recording (12, T): every lead through the
    shared backbone alone, the normalised lead embeddings, the attention and the class."""
    import torch.nn.functional as F
    model.eval()
    with torch.no_grad():
        x = torch.as_tensor(signal, dtype=torch.float32)[None]
        per_lead = model.backbone(x.reshape(x.shape[1], 1, -1))
        embedding = F.normalize(model.lead_embedding.weight, dim=-1)
        lead_idx = torch.arange(x.shape[1])[None]
        logits, weights = model(x, lead_idx, torch.ones(1, x.shape[1], dtype=torch.bool))
    return UniversalSteps(per_lead.numpy(), embedding.numpy(), weights[0].numpy(),
                          int(logits.argmax()))
