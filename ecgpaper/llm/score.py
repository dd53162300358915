"""Scoring cached answers: accuracy and per-class recall with 95 % bootstrap intervals,
the confusion matrix, outcome counts, and the networks on the same records with an exact
McNemar test of the paired difference.

Every record of the sample counts: a refused, unparseable or never-answered record is a
wrong answer (its outcome is counted and shown), so no failure can raise the accuracy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..constants import CLASSES
from ..evaluation.bootstrap import resample_counts
from .cache import AnswerCache
from .parse import OUTCOMES, parse_answer

NO_CLASS = "no class"           # confusion-matrix column of refused/unparseable/missing
MISSING = "not answered"        # outcome of a record whose request failed


def answers_frame(run: dict, cache: AnswerCache) -> pd.DataFrame:
    """One row per sampled record: label, the answer's text, parsed class and outcome."""
    rows = []
    for item in run["items"]:
        entry = cache.get(item["key"])
        if entry is None:
            parsed_label, outcome, text, finish = None, MISSING, None, None
        else:
            text, finish = entry["text"], entry.get("finish_reason")
            parsed = parse_answer(text, finish)
            parsed_label, outcome = parsed.label, parsed.outcome
        rows.append({"record_id": item["record_id"], "label": item["label"],
                     "answer": text, "finish_reason": finish, "pred": parsed_label,
                     "outcome": outcome})
    df = pd.DataFrame(rows)
    df["correct"] = df["pred"].eq(df["label"])
    return df


def _interval(draws: np.ndarray) -> tuple[float, float]:
    v = draws[np.isfinite(draws)]
    if not len(v):
        return float("nan"), float("nan")
    lo, hi = np.percentile(v, [2.5, 97.5])
    return float(lo), float(hi)


def accuracy_ci(correct, n_boot: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    """Share correct with a 95 % percentile bootstrap interval."""
    c = np.asarray(correct, dtype=float)
    if not len(c):
        return float("nan"), float("nan"), float("nan")
    if n_boot <= 0:
        return float(c.mean()), float("nan"), float("nan")
    w = resample_counts(len(c), n_boot, seed)
    return (float(c.mean()), *_interval(w @ c / len(c)))


def per_class_recall(df: pd.DataFrame, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Recall (sensitivity) per class with bootstrap bounds; NaN for an absent class."""
    c = df["correct"].to_numpy(float)
    w = resample_counts(len(df), n_boot, seed) if n_boot > 0 else None
    rows = []
    for cls in CLASSES:
        mask = (df["label"] == cls).to_numpy()
        n = int(mask.sum())
        value = float(c[mask].mean()) if n else float("nan")
        low = high = float("nan")
        if n and w is not None:
            denom = w[:, mask].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                low, high = _interval(np.where(denom > 0, w[:, mask] @ c[mask] / denom,
                                               np.nan))
        rows.append({"class": cls, "support": n, "correct": int(c[mask].sum()),
                     "recall": value, "recall_low": low, "recall_high": high})
    return pd.DataFrame(rows).set_index("class")


def confusion(df: pd.DataFrame) -> pd.DataFrame:
    """Counts: rows the true class, columns the class read (plus 'no class')."""
    cols = list(CLASSES) + [NO_CLASS]
    pred = df["pred"].fillna(NO_CLASS)
    table = pd.crosstab(pd.Categorical(df["label"], CLASSES), pd.Categorical(pred, cols),
                        dropna=False)
    table.index.name, table.columns.name = "true class", "read as"
    return table.reindex(index=list(CLASSES), columns=cols, fill_value=0)


def outcome_counts(df: pd.DataFrame) -> pd.Series:
    return df["outcome"].value_counts().reindex(list(OUTCOMES) + [MISSING], fill_value=0)


def mcnemar(correct_a, correct_b) -> dict:
    """Exact McNemar test: a two-sided binomial test on the discordant pairs
    (b: only A right, c: only B right)."""
    from scipy.stats import binomtest
    a, b_ = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != b_.shape:
        raise ValueError(f"mcnemar: {a.shape} vs {b_.shape} answers, expected the same records")
    only_a, only_b = int((a & ~b_).sum()), int((~a & b_).sum())
    p = 1.0 if only_a + only_b == 0 else float(binomtest(min(only_a, only_b),
                                                         only_a + only_b, 0.5).pvalue)
    return {"only_a": only_a, "only_b": only_b, "p_value": p}


def network_on_sample(profile, experiment: str, record_ids) -> pd.Series:
    """Whether experiment `experiment`'s stored test prediction is right, per sampled
    record (read by record id from its predictions.csv; never retrained)."""
    from ..training.artifacts import load_predictions
    pred = load_predictions(profile, experiment).set_index("record_id")
    missing = [r for r in record_ids if r not in pred.index]
    if missing:
        raise ValueError(f"experiment {experiment} of profile {profile.name!r}: "
                         f"{len(missing)} sampled record(s) (e.g. {missing[0]}) are not in "
                         f"its predictions.csv; the LLM run used another dataset or split")
    sub = pred.loc[list(record_ids)]
    return (sub["pred"].astype(str) == sub["label"].astype(str)).rename(
        f"experiment {experiment}")


def score_run(run: dict, cache: AnswerCache, n_boot: int = 1000, seed: int = 0) -> dict:
    df = answers_frame(run, cache)
    return {"answers": df, "accuracy": accuracy_ci(df["correct"], n_boot, seed),
            "per_class": per_class_recall(df, n_boot, seed), "confusion": confusion(df),
            "outcomes": outcome_counts(df), "n": len(df)}


def networks_beside(profile, run: dict, answers: pd.DataFrame, n_boot: int = 1000,
                    seed: int = 0) -> pd.DataFrame:
    """SE-ResNet18 experiment 1 and the book's best configuration (validation macro-F1)
    on the run's records: accuracy with CI, and McNemar against the model's answers.
    Empty when no experiment has been trained under this profile."""
    from ..evaluation.tables import best_experiment
    from ..training.artifacts import available
    have = available(profile)
    best = best_experiment(profile)
    wanted = [e for e in dict.fromkeys(["1", best]) if e is not None and e in have]
    rows = []
    for e in wanted:
        right = network_on_sample(profile, e, answers["record_id"].tolist()).to_numpy()
        acc, lo, hi = accuracy_ci(right, n_boot, seed)
        test = mcnemar(right, answers["correct"].to_numpy())
        role = " and ".join(([ "experiment 1"] if e == "1" else [])
                            + (["best by validation macro-F1"] if e == best else []))
        rows.append({"classifier": f"SE-ResNet18 experiment {e} ({role})",
                     "records": len(right), "accuracy": acc, "accuracy_low": lo,
                     "accuracy_high": hi, "only network right": test["only_a"],
                     "only LLM right": test["only_b"], "McNemar p": test["p_value"]})
    return pd.DataFrame(rows)
