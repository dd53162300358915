"""Which records the model sees.

The paper's protocol: a seeded uniform random sample of 100 records of the test split
(`draw_sample`). `stratified=True` goes beyond the paper: one record of every class
present is drawn first, so that per-class recall is defined for all eight rhythms, and
the rest is filled uniformly. Few-shot examples (`draw_examples`) come from the training
split only, so no test record is ever shown with its label.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..constants import CLASSES


@dataclass(frozen=True)
class Sample:
    seed: int
    n_requested: int
    stratified: bool
    split: str
    rows: tuple[int, ...]          # store rows, in the order drawn
    record_ids: tuple[str, ...]
    labels: tuple[str, ...]

    def to_dict(self) -> dict:
        return asdict(self)


def _labels(store, rows) -> list[str]:
    return [CLASSES[i] for i in store.labels(np.asarray(rows, dtype=np.int64))]


def draw_sample(store, n: int = 100, seed: int = 42, stratified: bool = False,
                split: str = "test") -> Sample:
    """A seeded random sample of `n` records of `split` (all of them when the split is
    smaller); the same seed and store give the same records."""
    if n < 1:
        raise ValueError(f"--n: {n} records, expected at least 1")
    pool = np.asarray(store.rows(split), dtype=np.int64)
    if len(pool) == 0:
        raise ValueError(f"the store at {store.path} has no {split!r} records")
    rng = np.random.default_rng(seed)
    take = min(n, len(pool))
    if not stratified:
        rows = rng.choice(pool, size=take, replace=False)
    else:
        labels = store.labels(pool)
        first = [int(rng.choice(pool[labels == k])) for k in range(len(CLASSES))
                 if (labels == k).any()][:take]
        rest = np.setdiff1d(pool, first)
        rows = np.concatenate([first, rng.choice(rest, size=take - len(first),
                                                 replace=False)]).astype(np.int64)
    ids = store.index["record_id"].to_numpy()[rows]
    return Sample(int(seed), int(n), bool(stratified), split, tuple(int(r) for r in rows),
                  tuple(str(i) for i in ids), tuple(_labels(store, rows)))


def draw_examples(store, k: int, seed: int = 42) -> list[tuple[int, str, str]]:
    """k labelled training records per class as (row, record_id, class), shuffled so the
    examples do not arrive in class order; a class with fewer than k training records
    contributes all it has."""
    if k < 0:
        raise ValueError(f"--few-shot: {k} examples per class, expected 0 or more")
    if k == 0:
        return []
    pool = np.asarray(store.rows("train"), dtype=np.int64)
    labels = store.labels(pool)
    rng = np.random.default_rng(seed + 1)     # independent of the test sample's draw
    chosen: list[int] = []
    for c in range(len(CLASSES)):
        members = pool[labels == c]
        if len(members):
            chosen += [int(r) for r in rng.choice(members, size=min(k, len(members)),
                                                  replace=False)]
    chosen = [chosen[i] for i in rng.permutation(len(chosen))]
    ids = store.index["record_id"].to_numpy()
    return [(r, str(ids[r]), lab) for r, lab in zip(chosen, _labels(store, chosen))]
