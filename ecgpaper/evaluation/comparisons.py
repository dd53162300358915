"""Comparing configurations and describing one configuration's results as data: paired
bootstrap differences of two stored runs on the same test records
(`bootstrap.paired_bootstrap`), and the best class, worst class and most frequent
confusion of a run. The experiment pages and the Conclusion word these numbers, so that
their prose follows them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..constants import CLASSES
from .bootstrap import PairedDifference, paired_bootstrap

PROBA_COLUMNS = tuple(f"prob_{c}" for c in CLASSES)


def _columns(frame: pd.DataFrame, name: str) -> None:
    missing = [c for c in ("record_id", "label", *PROBA_COLUMNS) if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: predictions lack the columns {missing}")


def compare_predictions(reference: pd.DataFrame, other: pd.DataFrame, n: int = 1000,
                        seed: int = 42, metrics=("accuracy", "f1_macro"),
                        alpha: float = 0.05) -> dict[str, PairedDifference]:
    """Paired bootstrap differences (other minus reference) of two stored prediction
    frames (record_id, label, prob_<class>): {metric: PairedDifference}.

    The frames must hold the same test records with the same labels (in any order);
    otherwise a ValueError names the records that differ."""
    _columns(reference, "reference")
    _columns(other, "other")
    ids_ref = reference["record_id"].astype(str).to_numpy()
    ids_other = other["record_id"].astype(str).to_numpy()
    if (len(set(ids_ref)) == len(ids_ref) == len(ids_other)
            and set(ids_ref) == set(ids_other)):
        other = other.set_index(ids_other).loc[ids_ref]     # same records: align the order
        ids_other = ids_ref
    proba_ref = reference[list(PROBA_COLUMNS)].to_numpy(float)
    proba_other = other[list(PROBA_COLUMNS)].to_numpy(float)
    y_ref = reference["label"].astype(str).to_numpy()
    y_other = other["label"].astype(str).to_numpy()
    return {m: paired_bootstrap(y_ref, proba_ref, proba_other, m, n=n, seed=seed,
                                alpha=alpha, ids_a=ids_ref, ids_b=ids_other,
                                y_true_b=y_other)
            for m in metrics}


@dataclass(frozen=True)
class ResultsSummary:
    """One configuration's best and worst class by test F1 (value, low, high) and its most
    frequent confusion (None when it makes no error or scores no class)."""
    best: str | None
    best_f1: tuple[float, float, float] | None
    worst: str | None
    worst_f1: tuple[float, float, float] | None
    worst_support: int
    confusion_true: str | None
    confusion_predicted: str | None
    confusion_count: int
    confusion_n_true: int


def results_summary(per_class: pd.DataFrame, confusion: pd.DataFrame) -> ResultsSummary:
    """Best and worst class by F1 and most frequent confusion of one configuration.

    `per_class` has f1, f1_low, f1_high and support per class (`tables.per_class`);
    `confusion` is the count matrix (rows true, columns predicted)."""
    scored = per_class[per_class["support"] > 0]["f1"].dropna()

    def f1(cls):
        row = per_class.loc[cls]
        return (float(row["f1"]), float(row.get("f1_low", np.nan)),
                float(row.get("f1_high", np.nan)))

    best = worst = None
    if not scored.empty:
        best, worst = str(scored.idxmax()), str(scored.idxmin())
    errors = confusion.to_numpy().astype(float).copy()
    np.fill_diagonal(errors, 0)
    true = predicted = None
    count = n_true = 0
    if errors.max() > 0:
        i, j = np.unravel_index(errors.argmax(), errors.shape)
        true, predicted = str(confusion.index[i]), str(confusion.columns[j])
        count, n_true = int(errors[i, j]), int(confusion.loc[true].sum())
    return ResultsSummary(
        best=best, best_f1=f1(best) if best else None, worst=worst,
        worst_f1=f1(worst) if worst else None,
        worst_support=int(per_class.loc[worst, "support"]) if worst else 0,
        confusion_true=true, confusion_predicted=predicted, confusion_count=count,
        confusion_n_true=n_true)
