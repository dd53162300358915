"""A torch Dataset over a prepared store: (signal, features, label) per record.

Signals are z-scored per lead with the mean and standard deviation of the training split
only (never validation or test), after optional block-averaging `downsample` (5 turns
500 Hz into 100 Hz for the demo).
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset

from .store import Store


def _downsample(x: np.ndarray, factor: int) -> np.ndarray:
    """Average consecutive blocks of `factor` samples along the last axis."""
    if factor == 1:
        return x
    t = x.shape[-1] // factor * factor
    return x[..., :t].reshape(*x.shape[:-1], t // factor, factor).mean(axis=-1)


def channel_stats(store: Store, downsample: int = 1, batch: int = 256
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per-lead mean and std (12,) of the training split, after downsampling (µV)."""
    key = ("channel_stats", int(downsample))
    if key in store._cache:
        return store._cache[key]
    rows = store.rows("train")
    if len(rows) == 0:
        raise ValueError(f"{store.path}: the store has no training records to take "
                         "normalisation statistics from")
    n = 0
    s1 = np.zeros(12, dtype=np.float64)
    s2 = np.zeros(12, dtype=np.float64)
    for k in range(0, len(rows), batch):
        x = _downsample(store.signals(rows[k:k + batch]), downsample).astype(np.float64)
        s1 += x.sum(axis=(0, 2))
        s2 += np.square(x).sum(axis=(0, 2))
        n += x.shape[0] * x.shape[2]
    mean = s1 / n
    std = np.sqrt(np.maximum(s2 / n - mean ** 2, 0.0))
    std[std < 1e-6] = 1.0
    result = (mean.astype(np.float32), std.astype(np.float32))
    store._cache[key] = result
    return result


class ECGDataset(Dataset):
    """Records of one split as (signal (12, T//downsample) float32, features (n,) float32,
    label int64). `features` is an (N_store, n) array aligned with store rows."""

    def __init__(self, store: Store, split: str | None, features: np.ndarray | None = None,
                 downsample: int = 1, channel_mean=None, channel_std=None):
        self.store = store
        self.rows = store.rows(split)
        self.downsample = int(downsample)
        if self.downsample < 1:
            raise ValueError(f"downsample must be >= 1, got {downsample}")
        if features is not None:
            features = np.asarray(features, dtype=np.float32)
            if features.ndim != 2 or len(features) != len(store):
                raise ValueError(f"features of shape {features.shape}; expected "
                                 f"({len(store)}, n) aligned with the store rows")
        self.features = features
        if channel_mean is None or channel_std is None:
            channel_mean, channel_std = channel_stats(store, self.downsample)
        self.mean = np.asarray(channel_mean, dtype=np.float32)[:, None]
        self.std = np.asarray(channel_std, dtype=np.float32)[:, None]
        self.labels = store.labels(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int):
        row = self.rows[i]
        x = _downsample(self.store.signal(row), self.downsample)
        x = (x - self.mean) / self.std
        f = self.features[row] if self.features is not None else np.zeros(0, np.float32)
        return (torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)),
                torch.from_numpy(np.asarray(f, dtype=np.float32)),
                torch.tensor(self.labels[i], dtype=torch.int64))
