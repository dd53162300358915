"""Scores on external databases: accuracy, balanced recall, macro-F1 and per-class recall
with bootstrap CIs, per source and overall.

External sources rarely contain all 8 rhythms (PTB-XL has no atrial tachycardia; a few
hundred records may hold no flutter at all), so every average is taken over the classes
the source actually contains, and the absent classes are listed rather than scored as 0.
The sim-to-real summary the project tracks is the balanced recall over the four common
rhythms SB, SR, ST and AFIB.

Sources define the sinus rhythms differently (Chapman-Shaoxing by rate, PTB-XL and the
CinC sources by a cardiologist's reading), so `scores_both_ways` scores the same
predictions as labelled and harmonised, the sinus labels replaced by the measured rate
(`evaluation.harmonise`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..constants import CLASSES
from .bootstrap import _interval, resample_counts
from .metrics import class_indices, weighted_confusion

COMMON_RHYTHMS = ("SB", "SR", "ST", "AFIB")
ALL_SOURCES = "all sources"


def _scores(cm: np.ndarray, present: np.ndarray) -> dict[str, np.ndarray]:
    """(B,) accuracy, balanced recall over the common rhythms present, macro-F1 over the
    classes present, and (B, K) recall, from (B, K, K) confusion matrices."""
    tp = np.diagonal(cm, axis1=1, axis2=2)
    support = cm.sum(axis=2)
    predicted = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(support > 0, tp / support, np.nan)
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), np.nan)
    common = np.array([c in COMMON_RHYTHMS for c in CLASSES]) & present
    total = cm.sum(axis=(1, 2))
    # a resample may hold none of a source's common rhythms: its mean is NaN, which the
    # percentile interval leaves out
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {
            "accuracy": np.where(total > 0, tp.sum(axis=1) / np.maximum(total, 1), np.nan),
            "balanced_recall_common": (np.nanmean(recall[:, common], axis=1)
                                       if common.any() else np.full(len(cm), np.nan)),
            "macro_f1_present": np.nanmean(f1[:, present], axis=1),
            "recall": recall,
        }


def _one_source(t: np.ndarray, p: np.ndarray, n_boot: int, seed: int) -> dict:
    present = np.bincount(t, minlength=len(CLASSES)) > 0
    point = _scores(weighted_confusion(t, p, np.ones((1, len(t)))), present)
    draws = _scores(weighted_confusion(t, p, resample_counts(len(t), n_boot, seed)), present) \
        if n_boot > 0 else None
    out = {"records": len(t),
           "classes_present": [c for c, k in zip(CLASSES, present) if k],
           "classes_absent": [c for c, k in zip(CLASSES, present) if not k]}
    for key in ("accuracy", "balanced_recall_common", "macro_f1_present"):
        lo, hi = _interval(draws[key], 0.05) if draws is not None else (np.nan, np.nan)
        out[key] = (float(point[key][0]), lo, hi)
    out["recall"] = {}
    for k, c in enumerate(CLASSES):
        if present[k]:
            lo, hi = (_interval(draws["recall"][:, k], 0.05) if draws is not None
                      else (np.nan, np.nan))
            out["recall"][c] = (float(point["recall"][0, k]), lo, hi)
    return out


def external_scores(frame: pd.DataFrame, n_boot: int = 1000, seed: int = 0) -> dict[str, dict]:
    """{source: scores} for a frame with columns source, label, pred (class names), plus
    an ALL_SOURCES entry pooling every record."""
    t_all = class_indices(frame["label"].to_numpy())
    p_all = class_indices(frame["pred"].to_numpy(), "pred")
    out = {}
    for source in sorted(frame["source"].unique()):
        sel = (frame["source"] == source).to_numpy()
        out[source] = _one_source(t_all[sel], p_all[sel], n_boot, seed)
    out[ALL_SOURCES] = _one_source(t_all, p_all, n_boot, seed)
    return out


def summary_table(scores: dict[str, dict]) -> pd.DataFrame:
    """One row per source: records, accuracy, balanced recall (SB, SR, ST, AFIB), macro-F1
    over the classes present (value, low, high columns), and the classes it lacks."""
    rows = []
    for source, s in scores.items():
        row = {"source": source, "records": s["records"]}
        for key in ("accuracy", "balanced_recall_common", "macro_f1_present"):
            row[key], row[f"{key}_low"], row[f"{key}_high"] = s[key]
        row["classes_absent"] = ", ".join(s["classes_absent"]) or "none"
        rows.append(row)
    return pd.DataFrame(rows)


def recall_table(scores: dict[str, dict]) -> pd.DataFrame:
    """Per-class recall (value, low, high) per source; NaN where the source lacks the class."""
    rows = []
    for source, s in scores.items():
        for c in CLASSES:
            v = s["recall"].get(c, (np.nan, np.nan, np.nan))
            rows.append({"source": source, "class": c, "recall": v[0],
                         "recall_low": v[1], "recall_high": v[2]})
    return pd.DataFrame(rows)


AS_LABELLED, HARMONISED = "as labelled", "harmonised"
SHORT_NAMES = {"accuracy": "accuracy", "balanced_recall_common": "balanced recall"}


def scores_both_ways(predictions: pd.DataFrame, harmonised: pd.DataFrame, n_boot: int = 1000,
                     seed: int = 0) -> dict[str, dict]:
    """{AS_LABELLED: scores, HARMONISED: scores}: the same predictions scored against
    the sources' labels and against the labels harmonised by measured heart rate
    (`evaluation.harmonise`), so that a network taught Chapman's rate rule is not
    marked wrong where a source's cardiologist read a slow sinus rhythm as SR."""
    from .harmonise import harmonised_predictions
    return {AS_LABELLED: external_scores(predictions, n_boot, seed),
            HARMONISED: external_scores(harmonised_predictions(predictions, harmonised),
                                        n_boot, seed)}


def both_ways_table(both: dict[str, dict],
                    metrics: tuple[str, ...] = ("accuracy", "balanced_recall_common")
                    ) -> pd.DataFrame:
    """One row per source: records, and each metric as labelled and harmonised (value,
    low, high columns, which `report.present` merges into one column with its CI)."""
    rows = []
    for source, s in both[AS_LABELLED].items():
        row = {"source": source, "records": s["records"]}
        for key in metrics:
            for way in (AS_LABELLED, HARMONISED):
                name = f"{SHORT_NAMES.get(key, key)}, {way}"
                row[name], row[f"{name}_low"], row[f"{name}_high"] = both[way][source][key]
        rows.append(row)
    return pd.DataFrame(rows).set_index("source")


def pooled_both_ways(both: dict[str, dict]) -> dict[str, tuple]:
    """The pooled scores over all sources, both ways, keyed "accuracy_as_labelled",
    "balanced_recall_common_harmonised" and so on: (value, low, high) each."""
    out = {}
    for way, scores in both.items():
        for key in ("accuracy", "balanced_recall_common", "macro_f1_present"):
            out[f"{key}_{way.replace(' ', '_')}"] = tuple(scores[ALL_SOURCES][key])
    out["records"] = both[AS_LABELLED][ALL_SOURCES]["records"]
    return out
