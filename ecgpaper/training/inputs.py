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
from .experiments import Experiment
from .loop import Tensors

SPLITS = ("train", "val", "test")


@dataclass
class Inputs:
    splits: dict                      # split -> Tensors
    record_ids: dict                  # split -> list[str]
    feature_names: list = field(default_factory=list)
    feature_mean: list = field(default_factory=list)
    feature_std: list = field(default_factory=list)
    channel_mean: list = field(default_factory=list)
    channel_std: list = field(default_factory=list)
    fs: int = 500
    n_samples: int = 0

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    def sizes(self) -> dict:
        return {s: len(t) for s, t in self.splits.items()}


def feature_matrix(store, profile, exp: Experiment):
    """(N_store, n) float32 z-scored features (train statistics), names, raw mean, raw std;
    (None, [], [], []) for signal-only experiments."""
    if not exp.uses_features:
        return None, [], [], []
    from ..features.metadata import metadata_matrix, zscore_from_train
    blocks, names = [], []
    if exp.metadata is not None:
        X, cols = metadata_matrix(store.index, columns=exp.metadata)
        blocks.append(np.asarray(X, dtype=np.float64))
        names += list(cols)
    if exp.morphology is not None:
        from ..features.morphology import filtered_columns, morphology_table
        table = morphology_table(store, profile)
        cols = (filtered_columns(table) if exp.morphology == "filtered"
                else morphology_columns(table))
        blocks.append(_align(table, store)[cols].to_numpy(dtype=np.float64))
        names += [str(c) for c in cols]
    X = np.concatenate(blocks, axis=1)
    train_rows = np.asarray(store.rows("train"))
    Xz = np.asarray(zscore_from_train(X, train_rows), dtype=np.float64)
    Xz = np.nan_to_num(Xz, nan=0.0, posinf=0.0, neginf=0.0)
    ref = X[train_rows] if len(train_rows) else X
    with np.errstate(all="ignore"):
        mean = np.nan_to_num(np.nanmean(ref, axis=0)).tolist()
        std = np.nan_to_num(np.nanstd(ref, axis=0), nan=1.0).tolist()
    return Xz.astype(np.float32), names, mean, std


def morphology_columns(table) -> list:
    """The NeuroKit2 feature columns of a morphology table (not its fallback flags)."""
    try:
        from ..features.morphology import FEATURES  # the 28 names, when the module has them
        return [c for c in FEATURES if c in table.columns]
    except ImportError:
        pass
    return [c for c in table.columns
            if np.issubdtype(table[c].dtype, np.number) and not str(c).endswith("_fallback")
            and not str(c).startswith("fallback") and table[c].dtype != bool]


def _align(table, store):
    """Rows of `table` in store order (by record_id when the table is keyed by it)."""
    ids = store.index["record_id"].astype(str).tolist()
    if "record_id" in table.columns:
        return table.set_index(table["record_id"].astype(str)).loc[ids]
    if len(table) == len(ids) and table.index.astype(str).tolist() == ids:
        return table
    if set(ids) <= set(table.index.astype(str)):
        return table.set_axis(table.index.astype(str)).loc[ids]
    if len(table) == len(ids):
        return table
    raise ValueError(f"morphology table has {len(table)} rows but the store has {len(ids)} "
                     f"records and the table is not keyed by record_id")


def load_inputs(store, profile, exp: Experiment, progress: bool = False) -> Inputs:
    """Read every split of `store` for experiment `exp` into memory, at `profile.fs`."""
    from torch.utils.data import DataLoader
    from ..data.dataset import ECGDataset, channel_stats
    if store.fs % profile.fs:
        raise ValueError(f"profile {profile.name!r}: fs={profile.fs} Hz must divide the "
                         f"store's sampling rate {store.fs} Hz")
    down = store.fs // profile.fs
    mean, std = channel_stats(store, downsample=down)
    feats, names, fmean, fstd = feature_matrix(store, profile, exp)
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
    return Inputs(splits=splits, record_ids=ids, feature_names=names, feature_mean=fmean,
                  feature_std=fstd, channel_mean=np.asarray(mean, dtype=float).tolist(),
                  channel_std=np.asarray(std, dtype=float).tolist(), fs=profile.fs,
                  n_samples=int(splits["train"].x.shape[-1]))
