"""95 % confidence intervals for every headline and per-class metric, and paired
differences between two runs on the same test records.

Resampling is *stratified by the true class* (the stratified bootstrap; Efron &
Tibshirani 1993, Davison & Hinkley 1997): each resample draws, within every class of
the test split, as many records as the class has, with replacement. Every resample
therefore contains every class of the split with its own count, and a macro average
runs over the same classes in every resample as in the point estimate
(`metrics_from_weights(..., fixed_classes=True)`). Plain resampling would drop a class
of 2 records from about one resample in seven ((1 - 2/N)^N ≈ e^-2), and those
resamples, averaging over fewer classes, make the interval lopsided.

A resample is represented by per-record counts (how often each record was drawn), so all
resamples are evaluated at once with matrix products and a rank-based AUC: 1,000
resamples of 1,593 records x 8 classes take a few seconds. Intervals are the 2.5th and
97.5th percentiles (percentile bootstrap); resamples in which a metric is undefined are
left out of its percentiles. A percentile interval need not contain the point estimate
(a skewed or biased bootstrap distribution); when it does not, the nearer bound is moved
to the estimate, and the table says so in its `method` column.

Per-class intervals of a class with fewer than `SMALL_CLASS` test records use the Wilson
score interval for a proportion (Wilson 1927), which has close to its nominal coverage
for small counts (Brown, Cai & DasGupta 2001) and never has zero width, where the
bootstrap of 2 records can only take three values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..constants import CLASSES
from .metrics import (METRICS, PER_CLASS, check_proba, check_same_records, class_indices,
                      metrics_from_weights, per_class_from_confusion, weighted_confusion)

SMALL_CLASS = 20          # per-class intervals below this many test records: Wilson

# What each interval is (the `method` / `interval` columns).
PERCENTILE = "percentile"
WIDENED = "percentile, widened to the estimate"
WILSON = "wilson"
NONE = "none"


# --- resampling ---------------------------------------------------------------------------

def _counts_from_indices(idx: np.ndarray, n_records: int) -> np.ndarray:
    n = len(idx)
    flat = (idx + np.arange(n)[:, None] * n_records).ravel()
    return np.bincount(flat, minlength=n * n_records).reshape(n, n_records).astype(np.float64)


def resample_counts(n_records: int, n: int = 1000, seed: int = 0) -> np.ndarray:
    """(n, n_records) counts of each record in each plain (unstratified) resample."""
    rng = np.random.default_rng(seed)
    return _counts_from_indices(rng.integers(0, n_records, size=(n, n_records)), n_records)


def stratified_counts(y, n: int = 1000, seed: int = 0) -> np.ndarray:
    """(n, N) counts of each record in each resample stratified by the labels `y`: every
    class keeps its number of records in every resample. Deterministic for a seed."""
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    draws = []
    for c in np.unique(y):                      # sorted, so the seed fixes the order
        members = np.flatnonzero(y == c)
        draws.append(members[rng.integers(0, len(members), size=(n, len(members)))])
    idx = np.concatenate(draws, axis=1) if draws else np.zeros((n, 0), dtype=np.int64)
    return _counts_from_indices(idx, len(y))


# --- intervals ----------------------------------------------------------------------------

def _interval(values: np.ndarray, alpha: float) -> tuple[float, float]:
    v = values[np.isfinite(values)]
    if len(v) == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(v, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(lo), float(hi)


def percentile_interval(draws: np.ndarray, point: float,
                        alpha: float = 0.05) -> tuple[float, float, str]:
    """(low, high, method): the percentile interval of the finite draws, with the nearer
    bound moved to the point estimate when the interval excludes it, so that a reported
    interval always contains its estimate (`method` is then `WIDENED`)."""
    lo, hi = _interval(np.asarray(draws, dtype=np.float64), alpha)
    if not (np.isfinite(point) and np.isfinite(lo)):
        return float("nan"), float("nan"), NONE
    tol = 1e-12 * max(1.0, abs(point))          # float noise is not a widening
    method = PERCENTILE if lo - tol <= point <= hi + tol else WIDENED
    return min(lo, float(point)), max(hi, float(point)), method


def wilson_interval(k, n, level: float = 0.95):
    """Wilson score interval (Wilson 1927) for k successes in n trials: (low, high), as
    floats or as arrays like `k`. NaN where n is 0. Always contains k/n; never zero
    width for n > 0 (2 of 2 gives about 0.34 to 1)."""
    from scipy.stats import norm
    if not 0 < level < 1:
        raise ValueError(f"level: {level}, expected a confidence level between 0 and 1")
    k_arr, n_arr = np.asarray(k, dtype=np.float64), np.asarray(n, dtype=np.float64)
    if np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise ValueError(f"wilson_interval: need 0 <= k <= n, got k={k}, n={n}")
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k_arr / n_arr
        denom = 1 + z ** 2 / n_arr
        centre = (p + z ** 2 / (2 * n_arr)) / denom
        half = z * np.sqrt(p * (1 - p) / n_arr + z ** 2 / (4 * n_arr ** 2)) / denom
        low = np.where(k_arr == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(k_arr == n_arr, 1.0, np.clip(centre + half, 0.0, 1.0))
    low, high = np.where(n_arr > 0, low, np.nan), np.where(n_arr > 0, high, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


# --- headline metrics ------------------------------------------------------------------------

def bootstrap_ci(y_true, proba, n: int = 1000, seed: int = 0, alpha: float = 0.05,
                 chunk: int = 250) -> pd.DataFrame:
    """Point estimate and stratified percentile CI of each Table 4 metric.

    Returns a DataFrame with columns metric, value, low, high, method (rows in `METRICS`
    order). `n=0` gives the point estimates with NaN bounds. Deterministic for a seed."""
    t = class_indices(y_true)
    p = check_proba(proba, len(t))
    point = metrics_from_weights(t, p, np.ones((1, len(t))))
    draws = metric_draws(t, p, n, seed, chunk)
    rows = []
    for m in METRICS:
        value = float(point[m][0])
        lo, hi, method = (percentile_interval(draws[m], value, alpha) if n > 0
                          else (float("nan"), float("nan"), NONE))
        rows.append({"metric": m, "value": value, "low": lo, "high": hi, "method": method})
    return pd.DataFrame(rows)


def metric_draws(t: np.ndarray, p: np.ndarray, n: int, seed: int,
           chunk: int = 250) -> dict[str, np.ndarray]:
    """Every Table 4 metric on `n` stratified resamples over the split's fixed classes."""
    if n <= 0:
        return {m: np.empty(0) for m in METRICS}
    counts = stratified_counts(t, n, seed)
    parts = [metrics_from_weights(t, p, counts[s:s + chunk], fixed_classes=True)
             for s in range(0, n, chunk)]           # bounded memory for large test sets
    return {m: np.concatenate([r[m] for r in parts]) for m in METRICS}


# --- per-class metrics ---------------------------------------------------------------------

def _wilson_per_class(cm: np.ndarray, level: float) -> dict[str, tuple[np.ndarray, ...]]:
    """Wilson bounds of each per-class metric from one (K, K) confusion matrix. F1 is not
    a proportion, but F1 = 2J / (1 + J) for the Jaccard index J = TP / (TP + FP + FN),
    which is one; J's interval is carried through that increasing map."""
    tp = np.diag(cm)
    support, predicted, total = cm.sum(axis=1), cm.sum(axis=0), cm.sum()
    tn = total - support - predicted + tp
    j_low, j_high = wilson_interval(tp, support + predicted - tp, level)
    return {"sensitivity": wilson_interval(tp, support, level),
            "specificity": wilson_interval(tn, total - support, level),
            "ppv": wilson_interval(tp, predicted, level),
            "f1": (2 * j_low / (1 + j_low), 2 * j_high / (1 + j_high))}


def per_class_ci(y_true, y_pred, n: int = 1000, seed: int = 0,
                 alpha: float = 0.05) -> pd.DataFrame:
    """Table 6 with 95 % bounds: columns <metric>, <metric>_low, <metric>_high for
    sensitivity, specificity, PPV and F1, support, and `interval` (how the row's bounds
    were computed); one row per class (all 8).

    A class with fewer than `SMALL_CLASS` test records gets Wilson intervals; so does a
    class whose stratified bootstrap has no spread (e.g. no error at all: every resample
    gives 1), since a zero-width interval would claim certainty. Other classes get
    stratified percentile intervals. `n=0`: no intervals (NaN, interval 'none')."""
    from .metrics import table6
    t = class_indices(y_true)
    pred = class_indices(y_pred, "y_pred")
    df = table6(t, pred)
    for m in PER_CLASS:
        df[f"{m}_low"] = np.nan
        df[f"{m}_high"] = np.nan
    df["interval"] = NONE
    if n <= 0:
        return df
    cm = weighted_confusion(t, pred, np.ones((1, len(t))))[0]
    wilson = _wilson_per_class(cm, 1 - alpha)
    counts = stratified_counts(t, n, seed)
    pc = per_class_from_confusion(weighted_confusion(t, pred, counts))
    # a ratio whose denominator is empty in a resample is undefined there
    denom = {"sensitivity": pc["support"], "ppv": pc["predicted"],
             "f1": pc["support"] + pc["predicted"],
             "specificity": counts.sum(axis=1, keepdims=True) - pc["support"]}
    for k, c in enumerate(CLASSES):
        boot = {}
        for m in PER_CLASS:
            vals = np.where(denom[m][:, k] > 0, pc[m][:, k], np.nan)
            boot[m] = percentile_interval(vals, float(df.loc[c, m]), alpha)
        degenerate = any(lo == hi for lo, hi, _ in boot.values())
        if df.loc[c, "support"] < SMALL_CLASS or degenerate:
            bounds = {m: (wilson[m][0][k], wilson[m][1][k]) for m in PER_CLASS}
            method = WILSON
        else:
            bounds = {m: b[:2] for m, b in boot.items()}
            methods = {b[2] for b in boot.values()}
            method = WIDENED if WIDENED in methods else PERCENTILE
        for m, (lo, hi) in bounds.items():
            df.loc[c, f"{m}_low"], df.loc[c, f"{m}_high"] = lo, hi
        df.loc[c, "interval"] = method
    return df


# --- paired differences --------------------------------------------------------------------

@dataclass(frozen=True)
class PairedDifference:
    """`metric` of run B minus run A on the same test records, with a paired stratified
    bootstrap interval (both runs scored on the same resamples)."""
    metric: str
    difference: float
    low: float
    high: float
    n_records: int
    n_resamples: int
    level: float
    method: str
    excludes_zero: bool


def paired_bootstrap(y_true, proba_a, proba_b, metric: str = "f1_macro", n: int = 1000,
                     seed: int = 0, alpha: float = 0.05, *, ids_a=None, ids_b=None,
                     y_true_b=None) -> PairedDifference:
    """`metric` of run B minus run A (any of `METRICS`) with a paired bootstrap interval:
    the same stratified resamples score both runs, so the interval reflects only how
    the two differ on the records, not the records' own spread.

    `ids_a`/`ids_b` (record ids) and `y_true_b` (run B's labels), when given, must match
    run A's; a ValueError names what differs. Deterministic for a seed."""
    if metric not in METRICS:
        raise ValueError(f"metric: {metric!r}, expected one of {list(METRICS)}")
    t = class_indices(y_true)
    check_same_records(t, None if y_true_b is None else class_indices(y_true_b, "y_true_b"),
                       ids_a, ids_b)
    pa, pb = np.asarray(proba_a), np.asarray(proba_b)
    if len(pa) != len(pb):
        raise ValueError(f"proba_a holds {len(pa)} records, proba_b {len(pb)}: a paired "
                         f"comparison needs the same test records")
    pa, pb = check_proba(pa, len(t)), check_proba(pb, len(t))
    ones = np.ones((1, len(t)))
    point = float(metrics_from_weights(t, pb, ones)[metric][0]
                  - metrics_from_weights(t, pa, ones)[metric][0])
    if n > 0:
        draws = metric_draws(t, pb, n, seed)[metric] - metric_draws(t, pa, n, seed)[metric]
        lo, hi, method = percentile_interval(draws, point, alpha)
    else:
        lo, hi, method = float("nan"), float("nan"), NONE
    return PairedDifference(metric=metric, difference=point, low=lo, high=hi,
                            n_records=len(t), n_resamples=max(int(n), 0), level=1 - alpha,
                            method=method, excludes_zero=bool(lo > 0 or hi < 0))


# --- display -------------------------------------------------------------------------------

def format_ci(value: float, low: float, high: float, digits: int = 3) -> str:
    """'0.942 [0.930, 0.953]' (just the value when the bounds are undefined)."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return f"{value:.{digits}f}"
    return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def format_table(ci: pd.DataFrame, digits: int = 3, paper: dict | None = None) -> pd.DataFrame:
    """A display table: metric label, 'value [low, high]' and optionally the paper's value."""
    from .metrics import METRIC_LABELS
    out = pd.DataFrame({
        "Metric": [METRIC_LABELS.get(m, m) for m in ci["metric"]],
        "Ours (95 % CI)": [format_ci(v, lo, hi, digits)
                           for v, lo, hi in zip(ci["value"], ci["low"], ci["high"])],
    })
    if paper is not None:
        out["Paper"] = [paper.get(m, np.nan) for m in ci["metric"]]
    return out
