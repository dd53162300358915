"""What an experiment feeds the network, gathered once into memory: z-scored signals at
the profile's sampling rate and z-scored feature vectors, per split.

Statistics (per-lead mean/std, feature mean/std) come from the training split only. The
store is memory-mapped; reading it once through `ECGDataset` and keeping the tensors in
memory (about 60 MB on the demo, 2.6 GB for the full database at 500 Hz) lets the loop
gather whole batches by index instead of calling Python per sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ..constants import CLASS_INDEX
from ..features.inputs import model_inputs
from .experiments import Experiment
from .loop import Tensors

SPLITS = ("train", "val", "test")


@dataclass
class Inputs:
    splits: dict                      # split -> Tensors
    record_ids: dict                  # split -> list[str]
    feature_names: list = field(default_factory=list)
    feature_stats: dict = field(default_factory=dict)   # raw train median/mean/std
    channel_mean: list = field(default_factory=list)
    channel_std: list = field(default_factory=list)
    fs: int = 500
    n_samples: int = 0
    source_fs: int = 500              # the store's rate; block-averaged by source_fs // fs

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    def sizes(self) -> dict:
        return {s: len(t) for s, t in self.splits.items()}


def load_inputs(store, profile, exp: Experiment, progress: bool = False) -> Inputs:
    """Read every split of `store` for experiment `exp` into memory, at `profile.fs`."""
    from torch.utils.data import DataLoader
    from ..data.dataset import ECGDataset, channel_stats
    if store.fs % profile.fs:
        raise ValueError(f"profile {profile.name!r}: fs={profile.fs} Hz must divide the "
                         f"store's sampling rate {store.fs} Hz")
    down = store.fs // profile.fs
    mean, std = channel_stats(store, downsample=down)
    feats, names, fstats = model_inputs(store, profile, exp.metadata, exp.morphology)
    splits, ids = {}, {}
    label_col = store.index["label"].astype(str)
    for split in SPLITS:
        ds = ECGDataset(store, split, features=feats, downsample=down,
                        channel_mean=mean, channel_std=std)
        rows = np.asarray(store.rows(split))
        xs, fs_, ys = [], [], []
        loader = DataLoader(ds, batch_size=256, shuffle=False,
                            num_workers=profile.num_workers)
        for x, f, y in loader:
            xs.append(x.float())
            fs_.append(f.float())
            ys.append(y.long())
        t = max(1, store.n_samples // down)
        x = torch.cat(xs) if xs else torch.zeros(0, 12, t)
        f = torch.cat(fs_) if fs_ else torch.zeros(0, len(names))
        y = torch.cat(ys) if ys else torch.zeros(0, dtype=torch.long)
        if f.dim() == 1 or f.shape[-1] != len(names):
            f = f.reshape(len(y), len(names))
        expected = torch.tensor([CLASS_INDEX[c] for c in label_col.iloc[rows]], dtype=torch.long)
        if not torch.equal(expected, y):
            raise ValueError(f"ECGDataset({split!r}) does not follow store.rows({split!r}) "
                             f"order; cannot align predictions with record ids")
        splits[split] = Tensors(x.contiguous(), f.contiguous(), y)
        ids[split] = store.index["record_id"].astype(str).iloc[rows].tolist()
    return Inputs(splits=splits, record_ids=ids, feature_names=names, feature_stats=fstats,
                  channel_mean=np.asarray(mean, dtype=float).tolist(),
                  channel_std=np.asarray(std, dtype=float).tolist(), fs=profile.fs,
                  n_samples=int(splits["train"].x.shape[-1]), source_fs=int(store.fs))
