"""Calibration: does a predicted confidence of 0.9 mean 90 % correct?

Top-label calibration (Guo et al., 2017): records are binned by the probability of the
predicted class; the expected calibration error (ECE) is the record-weighted mean gap
between accuracy and mean confidence over the bins. Equal-width bins on [0, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .metrics import check_proba, class_indices


def reliability(y_true, proba, n_bins: int = 10) -> pd.DataFrame:
    """Reliability-diagram data: one row per bin (bin_low, bin_high, count, confidence,
    accuracy, gap); empty bins have count 0 and NaN confidence/accuracy."""
    if n_bins < 1:
        raise ValueError(f"n_bins: expected a positive integer, got {n_bins}")
    t = class_indices(y_true)
    p = check_proba(proba, len(t))
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == t).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # bin i holds (edges[i], edges[i+1]]; a confidence of exactly 0 goes to the first bin
    b = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    count = np.bincount(b, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(b, conf, minlength=n_bins) / count
        acc = np.bincount(b, correct, minlength=n_bins) / count
    return pd.DataFrame({"bin_low": edges[:-1], "bin_high": edges[1:], "count": count,
                         "confidence": mean_conf, "accuracy": acc,
                         "gap": acc - mean_conf})


def expected_calibration_error(y_true, proba, n_bins: int = 10) -> float:
    """ECE = sum over bins of (count / N) * |accuracy - confidence|."""
    r = reliability(y_true, proba, n_bins)
    used = r["count"] > 0
    return float((r.loc[used, "count"] / r["count"].sum()
                  * (r.loc[used, "accuracy"] - r.loc[used, "confidence"]).abs()).sum())


def max_calibration_error(y_true, proba, n_bins: int = 10) -> float:
    """MCE: the largest bin gap."""
    r = reliability(y_true, proba, n_bins)
    return float(r.loc[r["count"] > 0, "gap"].abs().max())
