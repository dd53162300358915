"""The paper's split: stratified by rhythm, seed 42, 70 % train, the remaining 30 %
halved into validation and test, with scikit-learn's `train_test_split` exactly as the
paper describes. On Chapman's 10,615 kept records this gives 7,430 / 1,592 / 1,593 and
every per-class count of the paper's Table 1.

Tiny corpora (a few hundred synthetic records in tests) can have classes too small to
stratify; those classes are pooled for stratification only, so the split still works.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_RARE = "__rare__"


def _strata(labels: pd.Series, n_test: int) -> pd.Series | None:
    """Labels usable for stratification (rare classes pooled), or None if impossible."""
    strata = labels.astype(str).copy()
    counts = strata.value_counts()
    rare = counts.index[counts < 2]
    if len(rare):
        strata[strata.isin(rare)] = _RARE
        counts = strata.value_counts()
        if counts.get(_RARE, 2) < 2:  # a single rare record: join the largest class
            strata[strata == _RARE] = counts.drop(_RARE).idxmax() if len(counts) > 1 else _RARE
            counts = strata.value_counts()
    if len(counts) < 2 or n_test < len(counts) or len(strata) - n_test < len(counts):
        return None
    return strata


def _split(index: pd.Index, labels: pd.Series, test_size: float, seed: int):
    from sklearn.model_selection import train_test_split

    n_test = int(np.ceil(test_size * len(index)))
    strata = _strata(labels, n_test)
    return train_test_split(index, test_size=test_size, random_state=seed,
                            stratify=None if strata is None else strata.to_numpy())


def paper_split(labels: pd.Series, seed: int = 42) -> pd.Series:
    """'train'/'val'/'test' for each entry of `labels` (aligned with labels.index)."""
    labels = pd.Series(labels)
    if labels.isna().any():
        raise ValueError("paper_split: labels contain missing values; drop the records "
                         "outside the 8 classes first")
    split = pd.Series("train", index=labels.index, dtype=object)
    if len(labels) < 3:
        return split
    _, rest = _split(labels.index, labels, 0.3, seed)
    rest_labels = labels.loc[rest]
    if len(rest) < 2:
        split.loc[rest] = "val"
        return split
    val, test = _split(rest_labels.index, rest_labels, 0.5, seed)
    split.loc[val] = "val"
    split.loc[test] = "test"
    return split


def split_counts(labels: pd.Series, split: pd.Series) -> pd.DataFrame:
    """Per-class counts: columns total, train, val, test (Table 1 layout)."""
    from ..constants import CLASSES
    table = pd.crosstab(pd.Series(labels, name="label"), pd.Series(split, name="split"))
    table = table.reindex(index=[c for c in CLASSES], columns=["train", "val", "test"],
                          fill_value=0)
    table.insert(0, "total", table.sum(axis=1))
    return table.astype(int)
