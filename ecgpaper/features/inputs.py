"""The auxiliary inputs of an experiment: clinical metadata and NeuroKit2 morphology
columns side by side, one row per store record, as the network's MLP branch gets them.

Missing metadata and NeuroKit2 fallbacks are replaced by training-split medians, then
every column is z-scored with training-split statistics; the raw training median, mean
and standard deviation are returned too, so that inference can repeat the construction.
"""

from __future__ import annotations

import numpy as np

from .metadata import impute_train_median, metadata_matrix, train_medians, zscore_from_train


def model_inputs(store, profile, metadata: str | None = None, morphology: str | None = None
                 ) -> tuple[np.ndarray | None, list[str], dict]:
    """(N_store, n) float32 z-scored inputs, their names, and the raw columns' training
    median/mean/std; (None, [], {}) when neither input set is asked for.

    `metadata`: a `metadata.COLUMN_SETS` name ("full", "age_gender") or None;
    `morphology`: "all", "filtered" or None (the cached table of `profile`'s work folder)."""
    if metadata is None and morphology is None:
        return None, [], {}
    train = np.asarray(store.rows("train"))
    parts, names = [], []
    if metadata is not None:
        X, cols = metadata_matrix(store.index, metadata)
        parts.append(X)
        names += list(cols)
    if morphology is not None:
        from .morphology import model_columns, morphology_table
        table = morphology_table(store, profile, progress=False)
        if len(table) != len(store.index) or ("record_id" in table.columns and list(
                table["record_id"].astype(str)) != list(store.index["record_id"].astype(str))):
            raise ValueError("morphology table rows do not follow the store's record order")
        X, cols = model_columns(table, morphology)
        parts.append(X)
        names += [f"nk2_{c}" for c in cols]
    raw = np.hstack(parts).astype(np.float64)
    imputed = impute_train_median(raw, train)
    stats = {"median": train_medians(raw, train).tolist(),
             "mean": imputed[train].mean(axis=0).tolist(),
             "std": imputed[train].std(axis=0).tolist()}
    return np.asarray(zscore_from_train(raw, train), dtype=np.float32), names, stats
