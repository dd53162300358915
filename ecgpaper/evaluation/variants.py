"""Tables of the ablation, seed and baseline chapters, from stored artifacts only:
expected calibration error with bootstrap intervals, minority-class sensitivity and F1,
seed-to-seed spread, and the extended Table 3 of every model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..constants import CLASSES
from ..training import artifacts as art
from .calibration import expected_calibration_error, reliability

MINORITY = ("AF", "SA", "AT")


def proba_of(pred: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(class indices (N,), probabilities (N, 8)) of a predictions frame."""
    y = pred["label"].astype(str).map({c: i for i, c in enumerate(CLASSES)}).to_numpy(int)
    return y, pred[[f"prob_{c}" for c in CLASSES]].to_numpy(float)


def ece_ci(y, proba, n_boot: int = 200, seed: int = 42, n_bins: int = 10) -> dict:
    """ECE with a 95 % percentile bootstrap interval (test records resampled)."""
    y, proba = np.asarray(y), np.asarray(proba, dtype=float)
    value = expected_calibration_error(y, proba, n_bins)
    rng = np.random.default_rng(seed)
    boots = [expected_calibration_error(y[i], proba[i], n_bins)
             for i in (rng.integers(0, len(y), len(y)) for _ in range(n_boot))] if len(y) else []
    low, high = (np.percentile(boots, [2.5, 97.5]) if boots else (np.nan, np.nan))
    return {"ece": value, "ece_low": float(low), "ece_high": float(high),
            "mean_confidence": float(proba.max(1).mean()) if len(y) else np.nan,
            "accuracy": float((proba.argmax(1) == y).mean()) if len(y) else np.nan}


def calibration_table(profile, runs: dict[str, str], n_boot: int = 200) -> pd.DataFrame:
    """ECE (95 % CI), mean confidence and accuracy of each run (label -> run name)."""
    rows = []
    for label, name in runs.items():
        y, p = proba_of(art.load_predictions(profile, name))
        rows.append({"configuration": label, **ece_ci(y, p, n_boot, profile.seed)})
    return pd.DataFrame(rows)


def reliability_curves(profile, runs: dict[str, str], n_bins: int = 10) -> dict:
    """label -> reliability-diagram table of each run."""
    out = {}
    for label, name in runs.items():
        y, p = proba_of(art.load_predictions(profile, name))
        out[label] = reliability(y, p, n_bins)
    return out


def per_class_pair(profile, runs: dict[str, str], metric: str = "f1",
                   n_boot: int | None = None) -> pd.DataFrame:
    """One metric per class (with 95 % CI) for each run: rows classes, columns
    '<label>' / '<label>_low' / '<label>_high'."""
    from .tables import per_class
    cols = {}
    for label, name in runs.items():
        t = per_class(profile, name, n_boot)
        cols[label] = t[metric]
        cols[f"{label}_low"] = t[f"{metric}_low"]
        cols[f"{label}_high"] = t[f"{metric}_high"]
        cols["test records"] = t["support"]
    return pd.DataFrame(cols).reindex(list(CLASSES))


def seed_summary(profile, groups: dict[str, list[str]],
                 metrics=("accuracy", "f1_macro", "auc_macro")) -> pd.DataFrame:
    """Mean and sd over seeds of each metric, per group of runs (label -> run names);
    missing runs are left out and counted."""
    rows = []
    for label, names in groups.items():
        done = [n for n in names if n in art.available(profile, names)]
        row = {"configuration": label, "seeds": len(done)}
        for m in metrics:
            vals = np.array([art.load_metrics(profile, n)["metrics"].get(m, np.nan)
                             for n in done], dtype=float)
            row[m] = float(np.nanmean(vals)) if len(vals) else np.nan
            row[f"{m} sd"] = float(np.nanstd(vals, ddof=1)) if len(vals) > 1 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
