"""The morphology features of a whole store, computed once and cached.

`morphology_table` extracts the 28 features of every store record (parallel over
records) and caches the table under `profile.work_path / "features"`, keyed by the
store's dataset checksum and the extraction settings. Fallbacks are stored as
`FALLBACK_VALUE` (0, what a naive pipeline writes) with a boolean flag column
`<name>__fallback`; `model_columns` replaces them by the training-split median for the
models, and `filtered_columns` is the paper's "filtered" variant.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ...constants import LEADS
from ...fileio import atomic_path, atomic_write_json, text_sha256
from ...paper import NK2_FILTER_THRESHOLD as FILTER_THRESHOLD
from .extract import (DEFAULT_LEAD, DEFAULT_METHOD, FALLBACK_VALUE, FEATURE_SPECS,
                      FEATURE_VERSION, N_FEATURES, NAMES, extract_many)

FLAG_SUFFIX = "__fallback"


def cache_paths(profile, dataset_checksum: str, lead: str = DEFAULT_LEAD,
                method: str = DEFAULT_METHOD) -> tuple[Path, Path]:
    """(table .parquet, summary .json) for this store and these settings."""
    blob = json.dumps({"data": dataset_checksum, "version": FEATURE_VERSION, "lead": lead,
                       "method": method, "names": NAMES}, sort_keys=True)
    key = text_sha256(blob)[:16]
    folder = Path(profile.work_path) / "features"
    return folder / f"morphology-{key}.parquet", folder / f"morphology-{key}.json"


def _store_lead_signals(store, lead_index: int, batch: int = 128):
    n = len(store.index)
    for start in range(0, n, batch):
        rows = np.arange(start, min(n, start + batch))
        sig = store.signals(rows)
        for s in sig:
            yield s[lead_index]


def morphology_table(store, profile, workers: int | None = None, lead: str = DEFAULT_LEAD,
                     method: str = DEFAULT_METHOD, progress: bool = True,
                     refresh: bool = False) -> pd.DataFrame:
    """The 28 features of every store record (store order) with fallback flags.

    Columns: record_id, split, label, the 28 features (fallbacks = FALLBACK_VALUE),
    `<name>__fallback` flags, status, beat_correlation, n_warnings. Cached under
    `profile.work_path/features` (keyed by the store's dataset checksum): a second call
    reads the cache unless `refresh`."""
    if lead not in LEADS:
        raise ValueError(f"lead: expected one of {list(LEADS)}, got {lead!r}")
    checksum = store.manifest.get("dataset_checksum")
    if not checksum:
        raise ValueError("store manifest: missing 'dataset_checksum' (needed to key the "
                         "feature cache); re-prepare the store")
    table_path, summary_path = cache_paths(profile, checksum, lead, method)
    if table_path.is_file() and not refresh:
        table = pd.read_parquet(table_path)
        if len(table) == len(store.index):
            return table
    t0 = time.perf_counter()
    res = extract_many(_store_lead_signals(store, LEADS.index(lead)), float(store.fs),
                       method=method, workers=workers, progress=progress,
                       total=len(store.index))
    seconds = time.perf_counter() - t0
    table = build_table(store.index, res)
    with atomic_path(table_path) as tmp:
        table.to_parquet(tmp, index=False)
    rates = fallback_rates(table)
    atomic_write_json(summary_path, {
        "dataset_checksum": checksum, "feature_version": FEATURE_VERSION, "lead": lead,
        "method": method, "fs": float(store.fs), "n_records": int(len(table)),
        "seconds": round(seconds, 3), "workers": workers or os.cpu_count(),
        "ms_per_record": round(1000 * seconds / max(len(table), 1), 3),
        "fallback_rate": {k: float(v) for k, v in rates["rate"].items()},
        "filtered": filtered_columns(table),
        "status_counts": {k: int(v) for k, v in table["status"].value_counts().items()},
    })
    return table


def read_summary(profile, store, lead: str = DEFAULT_LEAD, method: str = DEFAULT_METHOD) -> dict:
    """The JSON summary written with the cached table (timing, rates, filtered list)."""
    _, path = cache_paths(profile, store.manifest["dataset_checksum"], lead, method)
    return json.loads(path.read_text()) if path.is_file() else {}


def build_table(index: pd.DataFrame, res: dict[str, np.ndarray]) -> pd.DataFrame:
    """Assemble the feature table from `extract_many` results and a store index."""
    values = res["values"]
    flags = ~np.isfinite(values)
    df = pd.DataFrame({c: index[c].to_numpy() for c in ("record_id", "split", "label")
                       if c in index.columns})
    filled = np.where(flags, [f.fallback for f in FEATURE_SPECS], values)
    for j, name in enumerate(NAMES):
        df[name] = filled[:, j]
    for j, name in enumerate(NAMES):
        df[name + FLAG_SUFFIX] = flags[:, j]
    df["status"] = res["status"].astype(str)
    df["beat_correlation"] = res["quality"]
    df["n_warnings"] = res["n_warnings"]
    return df


def _rows_for_stats(table: pd.DataFrame) -> np.ndarray:
    """Training rows when the table knows the split, else all rows."""
    if "split" in table.columns and (table["split"] == "train").any():
        return np.flatnonzero(table["split"].to_numpy() == "train")
    return np.arange(len(table))


def fallback_rates(table: pd.DataFrame, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Per feature: number and share of fallback values (over `rows`, default all rows)."""
    sub = table if rows is None else table.iloc[rows]
    flags = sub[[n + FLAG_SUFFIX for n in NAMES]].to_numpy(dtype=bool)
    out = pd.DataFrame({"feature": NAMES, "n_fallback": flags.sum(axis=0),
                        "rate": flags.mean(axis=0) if len(sub) else np.zeros(N_FEATURES)})
    return out.set_index("feature")


def filtered_columns(table: pd.DataFrame, threshold: float = FILTER_THRESHOLD) -> list[str]:
    """Features with at most `threshold` fallbacks on the training rows (the paper's
    "filtered" variant drops columns with more than 5 %)."""
    rates = fallback_rates(table, _rows_for_stats(table))["rate"]
    return [n for n in NAMES if rates[n] <= threshold]


def model_columns(table: pd.DataFrame, variant: str = "all") -> tuple[np.ndarray, list[str]]:
    """The morphology columns a model gets (unscaled): fallbacks replaced by the
    training-split median of the non-fallback values of the column. `variant` "all"
    (28 columns) or "filtered" (`filtered_columns`). Rows in table order."""
    if variant not in ("all", "filtered"):
        raise ValueError(f"variant: expected 'all' or 'filtered', got {variant!r}")
    names = list(NAMES) if variant == "all" else filtered_columns(table)
    X = table[names].to_numpy(dtype=np.float64).copy()
    flags = table[[n + FLAG_SUFFIX for n in names]].to_numpy(dtype=bool)
    train = _rows_for_stats(table)
    for j in range(len(names)):
        good = train[~flags[train, j]]
        fill = float(np.median(X[good, j])) if len(good) else FALLBACK_VALUE
        X[flags[:, j], j] = fill
    return X, names
