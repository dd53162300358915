"""Comparing configurations and describing one configuration's results in computed
sentences: paired bootstrap differences on the same test records, and the best class,
worst class and most frequent confusion of a run (the experiment pages and the
Conclusion use them, so that their prose follows the numbers)."""

from __future__ import annotations

import pandas as pd

from ..report import fmt_ci, fmt_number


def _macro_f1_from_counts(cm) -> float:
    import numpy as np
    tp = np.diag(cm).astype(float)
    fp, fn = cm.sum(0) - tp, cm.sum(1) - tp
    present_ = (cm.sum(0) + cm.sum(1)) > 0
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1[present_].mean()) if present_.any() else float("nan")


def paired_difference(y_true, pred_a, pred_b, n: int = 1000, seed: int = 42,
                      n_classes: int = 8) -> dict[str, tuple[float, float, float]]:
    """Accuracy and macro-F1 of B minus A on the same test records, with a 95 % paired
    bootstrap interval (records resampled once for both models).

    Labels are integer class indices. Returns {metric: (difference, low, high)}."""
    import numpy as np
    y, a, b = (np.asarray(v, dtype=int) for v in (y_true, pred_a, pred_b))
    k = n_classes

    def metrics(idx):
        ya, pa, pb = y[idx], a[idx], b[idx]
        cm_a = np.bincount(ya * k + pa, minlength=k * k).reshape(k, k)
        cm_b = np.bincount(ya * k + pb, minlength=k * k).reshape(k, k)
        return ((pb == ya).mean() - (pa == ya).mean(),
                _macro_f1_from_counts(cm_b) - _macro_f1_from_counts(cm_a))

    point = metrics(np.arange(len(y)))
    rng = np.random.default_rng(seed)
    draws = np.array([metrics(rng.integers(0, len(y), len(y))) for _ in range(max(n, 1))])
    out = {}
    for j, name in enumerate(("accuracy", "f1_macro")):
        low, high = np.percentile(draws[:, j], [2.5, 97.5])
        out[name] = (float(point[j]), float(low), float(high))
    return out


def compare_predictions(reference: pd.DataFrame, other: pd.DataFrame, n: int = 1000,
                        seed: int = 42) -> dict[str, tuple[float, float, float]]:
    """`paired_difference` of two stored prediction frames (record_id, label, pred),
    other minus reference, on the test records both contain."""
    from ..constants import CLASSES
    merged = reference.merge(other, on="record_id", suffixes=("_ref", ""))
    index = {c: i for i, c in enumerate(CLASSES)}
    return paired_difference(merged["label"].astype(str).map(index),
                             merged["pred_ref"].astype(str).map(index),
                             merged["pred"].astype(str).map(index), n=n, seed=seed,
                             n_classes=len(CLASSES))


def difference_sentence(name: str, diff: tuple[float, float, float], digits: int = 3) -> str:
    """'macro-F1 is 0.021 higher (95 % CI −0.004 to 0.046; the interval includes 0)'."""
    value, low, high = diff
    direction = "higher" if value > 0 else "lower" if value < 0 else "the same"
    size = fmt_number(abs(value), digits)
    span = f"95 % CI {fmt_number(low, digits)} to {fmt_number(high, digits)}"
    if low > 0 or high < 0:
        verdict = "the interval excludes 0"
    else:
        verdict = "the interval includes 0, so the data do not separate the two"
    if direction == "the same":
        return f"{name} is the same ({span}; {verdict})"
    return f"{name} is {size} {direction} ({span}; {verdict})"


def results_summary(per_class: pd.DataFrame, confusion: pd.DataFrame) -> dict[str, str]:
    """Computed sentences about one configuration's test results: its best and worst class
    by F1 (with 95 % intervals) and its most frequent confusion.

    `per_class` has f1, f1_low, f1_high and support per class; `confusion` is the count
    matrix (rows true, columns predicted). Returns {"best", "worst", "classes",
    "confusion"}."""
    import numpy as np
    scored = per_class[per_class["support"] > 0]["f1"].dropna()
    out = {"best": "", "worst": "", "classes": "", "confusion": ""}
    if scored.empty:
        return out
    best, worst = str(scored.idxmax()), str(scored.idxmin())

    def f1(cls: str) -> str:
        row = per_class.loc[cls]
        return fmt_ci(row["f1"], row.get("f1_low"), row.get("f1_high"))

    out.update(best=best, worst=worst, classes=(
        f"Its best class is **{best}** (F1 {f1(best)}) and its worst **{worst}** (F1 "
        f"{f1(worst)}, {int(per_class.loc[worst, 'support']):,} test records)."))
    errors = confusion.to_numpy().astype(float).copy()
    np.fill_diagonal(errors, 0)
    if errors.max() > 0:
        i, j = np.unravel_index(errors.argmax(), errors.shape)
        true, predicted = confusion.index[i], confusion.columns[j]
        out["confusion"] = (f"The most frequent error is **{true} read as {predicted}**: "
                            f"{int(errors[i, j]):,} of {int(confusion.loc[true].sum()):,} "
                            f"{true} test records.")
    else:
        out["confusion"] = "It makes no error on the test split."
    return out
