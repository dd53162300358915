"""The paper's metrics (Tables 3-6) from labels and class probabilities.

Everything is computed from per-record *weights* so that one code path gives both the
point estimate (all weights 1) and the bootstrap resamples (weights = how often each
record was drawn; see `ecgpaper.evaluation.bootstrap`). Labels may be class names
("SB", ...) or indices into `CLASSES`; probability columns are always in `CLASSES` order.

Conventions (each checked against scikit-learn in the tests):
- Macro precision/recall/F1 average over the classes present in `y_true` or `y_pred`
  (scikit-learn's default label set), with 0 for an undefined ratio (`zero_division=0`).
- Macro one-vs-rest AUC averages over the classes present in `y_true` (a class with no
  positive or no negative record has no AUC and is skipped, never counted as 0 or 0.5).
- With `fixed_classes=True` (what the bootstrap uses) both label sets are those of the
  whole test split, in every resample: a resample then averages over the same classes as
  the point estimate instead of over whichever classes it happens to contain.
- Log loss clips probabilities at machine epsilon like scikit-learn.
- The confusion matrix always has all 8 classes in order, present or not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import paper as _paper
from ..constants import CLASSES, CLASS_INDEX

K = len(CLASSES)

# Headline metrics in the order of the paper's Table 4.
METRICS: tuple[str, ...] = ("accuracy", "precision_macro", "recall_macro", "f1_macro",
                            "f1_weighted", "auc_macro", "kappa", "mcc", "log_loss",
                            "top2_accuracy")
METRIC_LABELS: dict[str, str] = {
    "accuracy": "Accuracy", "precision_macro": "Precision (macro)",
    "recall_macro": "Recall (macro)", "f1_macro": "F1-score (macro)",
    "f1_weighted": "F1-score (weighted)", "auc_macro": "AUC (macro, OvR)",
    "kappa": "Cohen's kappa", "mcc": "MCC", "log_loss": "Log loss",
    "top2_accuracy": "Top-2 accuracy",
}
PER_CLASS: tuple[str, ...] = ("sensitivity", "specificity", "ppv", "f1")

# The paper's reported figures (Table 4: experiment 2; Table 6: per class) come from
# `ecgpaper.paper`, where each is written once.
PAPER_TABLE4: dict[str, float] = _paper.TABLE4
PAPER_TABLE6: pd.DataFrame = _paper.table6_frame().reindex(list(CLASSES))


# --- inputs ----------------------------------------------------------------------------

def class_indices(y, name: str = "y_true") -> np.ndarray:
    """Labels as int indices into CLASSES (accepts class names or indices)."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of labels, got shape {arr.shape}")
    if arr.dtype.kind in "iu":
        bad = (arr < 0) | (arr >= K)
        if bad.any():
            raise ValueError(f"{name}: label index {arr[bad][0]} outside 0..{K - 1}")
        return arr.astype(np.int64)
    out = np.empty(len(arr), dtype=np.int64)
    for i, v in enumerate(arr):
        try:
            out[i] = CLASS_INDEX[str(v)]
        except KeyError:
            raise ValueError(f"{name}: unknown class {str(v)!r} at position {i}; "
                             f"expected one of {list(CLASSES)}") from None
    return out


def check_proba(proba, n: int) -> np.ndarray:
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != K or p.shape[0] != n:
        raise ValueError(f"proba: expected shape ({n}, {K}) in CLASSES order "
                         f"{list(CLASSES)}, got {p.shape}")
    if not np.isfinite(p).all():
        raise ValueError("proba: contains NaN or infinite values")
    return p


def _examples(values, k: int = 3) -> str:
    shown = ", ".join(repr(str(v)) for v in list(values)[:k])
    return f" (e.g. {shown})" if len(values) else ""


def check_same_records(y_a: np.ndarray, y_b: np.ndarray | None = None,
                       ids_a=None, ids_b=None) -> None:
    """Raise ValueError naming what differs unless both runs hold the same records in the
    same order (when ids are given) with the same true labels (when y_b is given)."""
    if (ids_a is None) != (ids_b is None):
        raise ValueError("record ids: give them for both runs (ids_a and ids_b) or neither")
    if ids_a is not None:
        a, b = np.asarray(ids_a).astype(str), np.asarray(ids_b).astype(str)
        for name, ids in (("A", a), ("B", b)):
            uniq, n_seen = np.unique(ids, return_counts=True)
            if (n_seen > 1).any():
                raise ValueError(f"record ids of run {name}: {int((n_seen > 1).sum())} "
                                 f"appear more than once{_examples(uniq[n_seen > 1])}")
        only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
        if only_a or only_b:
            raise ValueError(f"record ids differ: {len(only_a)} only in run A"
                             f"{_examples(only_a)}, {len(only_b)} only in run B"
                             f"{_examples(only_b)}; a paired comparison needs the same "
                             f"test records")
        moved = np.flatnonzero(a != b)
        if len(moved):
            i = moved[0]
            raise ValueError(f"record ids are in a different order at {len(moved)} of "
                             f"{len(a)} positions (first: position {i}, {str(a[i])!r} in run A, "
                             f"{str(b[i])!r} in run B); align the runs by record id first")
    if y_b is not None:
        if len(y_b) != len(y_a):
            raise ValueError(f"labels: run A has {len(y_a)} records, run B {len(y_b)}")
        wrong = np.flatnonzero(y_a != y_b)
        if len(wrong):
            i = wrong[0]
            where = (f"record {str(np.asarray(ids_a)[i])!r}" if ids_a is not None
                     else f"position {i}")
            raise ValueError(f"true labels differ on {len(wrong)} of {len(y_a)} records "
                             f"(first: {where}, {CLASSES[y_a[i]]} in run A, "
                             f"{CLASSES[y_b[i]]} in run B)")


# --- building blocks on weighted records ------------------------------------------------

def weighted_confusion(t: np.ndarray, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(B, K, K) confusion matrices (rows true, columns predicted) for B weight vectors."""
    w = np.atleast_2d(w).astype(np.float64)
    onehot = np.zeros((len(t), K * K))
    onehot[np.arange(len(t)), t * K + p] = 1.0
    return (w @ onehot).reshape(len(w), K, K)


def _div(a, b):
    return np.divide(a, b, out=np.zeros(np.broadcast_shapes(np.shape(a), np.shape(b))),
                     where=np.asarray(b) > 0)


def per_class_from_confusion(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Per-class sensitivity, specificity, PPV, F1, support from (B,K,K) matrices."""
    tp = np.diagonal(cm, axis1=1, axis2=2)
    support = cm.sum(axis=2)
    predicted = cm.sum(axis=1)
    n = cm.sum(axis=(1, 2))[:, None]
    tn = n - support - predicted + tp
    return {"sensitivity": _div(tp, support), "specificity": _div(tn, n - support),
            "ppv": _div(tp, predicted), "f1": _div(2 * tp, support + predicted),
            "support": support, "predicted": predicted}


def global_from_confusion(cm: np.ndarray, labels: np.ndarray | None = None
                          ) -> dict[str, np.ndarray]:
    """Accuracy, macro P/R/F1, weighted F1, kappa and MCC from (B,K,K) matrices.

    `labels` ((K,) bool) fixes the classes the macro averages run over; by default each
    matrix uses the classes it contains (true or predicted)."""
    pc = per_class_from_confusion(cm)
    support, predicted = pc["support"], pc["predicted"]
    n = cm.sum(axis=(1, 2))
    tp = np.diagonal(cm, axis1=1, axis2=2)
    present = ((support + predicted) > 0 if labels is None
               else np.broadcast_to(np.asarray(labels, dtype=bool), support.shape))
    n_present = present.sum(axis=1)

    def macro(v):
        return _div((v * present).sum(axis=1), n_present)

    correct = tp.sum(axis=1)
    po = _div(correct, n)
    pe = _div((support * predicted).sum(axis=1), n ** 2)
    kappa = _div(po - pe, 1 - pe)
    cov_yy = n ** 2 - (support ** 2).sum(axis=1)
    cov_pp = n ** 2 - (predicted ** 2).sum(axis=1)
    mcc = _div(correct * n - (support * predicted).sum(axis=1), np.sqrt(cov_yy * cov_pp))
    return {"accuracy": po, "precision_macro": macro(pc["ppv"]),
            "recall_macro": macro(pc["sensitivity"]), "f1_macro": macro(pc["f1"]),
            "f1_weighted": _div((pc["f1"] * support).sum(axis=1), n),
            "kappa": kappa, "mcc": mcc}


def weighted_auc(scores: np.ndarray, positive: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Rank (Mann-Whitney) AUC of one class for B weight vectors: (B,) with NaN where the
    weighted sample has no positive or no negative. Ties count one half."""
    w = np.atleast_2d(w).astype(np.float64)
    order = np.argsort(scores, kind="mergesort")
    s, pos, w = scores[order], positive[order].astype(np.float64), w[:, order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    group = np.cumsum(np.r_[True, s[1:] != s[:-1]]) - 1
    wneg = w * (1.0 - pos)
    wpos = w * pos
    neg_in_group = np.add.reduceat(wneg, starts, axis=1)                  # (B, G)
    neg_below = np.cumsum(neg_in_group, axis=1) - neg_in_group
    rank_part = neg_below[:, group] + 0.5 * neg_in_group[:, group]       # (B, N)
    num = (wpos * rank_part).sum(axis=1)
    den = wpos.sum(axis=1) * wneg.sum(axis=1)
    out = np.full(len(w), np.nan)
    ok = den > 0
    out[ok] = num[ok] / den[ok]
    return out


def auc_per_class(t: np.ndarray, proba: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """(B, K) one-vs-rest AUCs; NaN for a class without positives or negatives."""
    w = np.ones((1, len(t))) if w is None else np.atleast_2d(w)
    return np.stack([weighted_auc(proba[:, k], t == k, w) for k in range(K)], axis=1)


def split_classes(t: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(K,) bool masks of the whole split: the classes macro P/R/F1 average over (true or
    predicted, scikit-learn's default) and those macro-AUC averages over (with both
    positive and negative records)."""
    n_true = np.bincount(t, minlength=K)
    predicted = np.bincount(p, minlength=K) > 0
    return (n_true > 0) | predicted, (n_true > 0) & (n_true < len(t))


def metrics_from_weights(t: np.ndarray, proba: np.ndarray, w: np.ndarray,
                         y_pred: np.ndarray | None = None,
                         fixed_classes: bool = False) -> dict[str, np.ndarray]:
    """All Table 4 metrics for B weight vectors (each a (B,) array).

    `fixed_classes`: average every macro metric over the classes of the whole split
    (`split_classes`), so that resamples and the point estimate measure the same thing; a
    resample lacking positives of such a class has an undefined (NaN) macro-AUC."""
    w = np.atleast_2d(w).astype(np.float64)
    p = proba.argmax(axis=1) if y_pred is None else y_pred
    labels, auc_labels = split_classes(t, p) if fixed_classes else (None, None)
    out = global_from_confusion(weighted_confusion(t, p, w), labels)
    auc = auc_per_class(t, proba, w)
    if fixed_classes:
        out["auc_macro"] = (auc[:, auc_labels].mean(axis=1) if auc_labels.any()
                            else np.full(len(w), np.nan))
    else:
        with np.errstate(invalid="ignore"):
            n_auc = np.isfinite(auc).sum(axis=1)
            out["auc_macro"] = np.where(n_auc > 0,
                                        np.nansum(auc, axis=1) / np.maximum(n_auc, 1), np.nan)
    nll = -np.log(np.clip(proba[np.arange(len(t)), t], np.finfo(np.float64).eps, 1.0))
    # rank of the true class: top-2 hit when at most one class scores strictly higher
    higher = (proba > proba[np.arange(len(t)), t][:, None]).sum(axis=1)
    n = w.sum(axis=1)
    out["log_loss"] = _div(w @ nll, n)
    out["top2_accuracy"] = _div(w @ (higher < 2).astype(np.float64), n)
    return {m: out[m] for m in METRICS}


# --- public tables ------------------------------------------------------------------------

def table4(y_true, proba) -> dict:
    """The paper's Table 4 metrics as a dict of floats (keys in `METRICS` order).

    The prediction is the arg-max class; `auc_macro` averages over classes present in
    y_true (NaN when fewer than one class has both positives and negatives)."""
    t = class_indices(y_true)
    p = check_proba(proba, len(t))
    if len(t) == 0:
        raise ValueError("y_true: no records to evaluate")
    res = metrics_from_weights(t, p, np.ones((1, len(t))))
    return {m: float(res[m][0]) for m in METRICS}


def table6(y_true, y_pred, proba=None) -> pd.DataFrame:
    """Per-class sensitivity, specificity, PPV, F1 and support (all 8 classes, in order);
    with `proba`, also the one-vs-rest AUC (NaN for a class absent from y_true)."""
    t = class_indices(y_true)
    p = class_indices(y_pred, "y_pred")
    if len(p) != len(t):
        raise ValueError(f"y_pred: {len(p)} labels but y_true has {len(t)}")
    pc = per_class_from_confusion(weighted_confusion(t, p, np.ones((1, len(t)))))
    df = pd.DataFrame({m: pc[m][0] for m in PER_CLASS},
                      index=pd.Index(CLASSES, name="class"))
    df["support"] = pc["support"][0].astype(int)
    if proba is not None:
        df["auc"] = auc_per_class(t, check_proba(proba, len(t)))[0]
    return df


def confusion(y_true, y_pred) -> pd.DataFrame:
    """Counts, rows = true class, columns = predicted class, all 8 CLASSES in order."""
    t = class_indices(y_true)
    p = class_indices(y_pred, "y_pred")
    if len(p) != len(t):
        raise ValueError(f"y_pred: {len(p)} labels but y_true has {len(t)}")
    cm = weighted_confusion(t, p, np.ones((1, len(t))))[0].astype(int)
    return pd.DataFrame(cm, index=pd.Index(CLASSES, name="true"),
                        columns=pd.Index(CLASSES, name="predicted"))


def predictions_frame(record_ids, y_true, proba) -> pd.DataFrame:
    """A predictions table in the artifacts format: record_id, label, pred, prob_<class>."""
    t = class_indices(y_true)
    p = check_proba(proba, len(t))
    df = pd.DataFrame({"record_id": list(record_ids),
                       "label": [CLASSES[i] for i in t],
                       "pred": [CLASSES[i] for i in p.argmax(axis=1)]})
    for k, c in enumerate(CLASSES):
        df[f"prob_{c}"] = p[:, k]
    return df


PREDICTION_COLUMNS: tuple[str, ...] = ("record_id", "label", "pred",
                                       *(f"prob_{c}" for c in CLASSES))
