"""Non-neural baseline: gradient boosting on the paper's clinical metadata alone.

The paper (Kisialeu & Nedzved) feeds 14 metadata inputs to the MLP branch of
SE-ResNet18-Meta: PatientAge, Gender one-hot (2 columns), VentricularRate, AtrialRate,
QRSDuration, QTInterval, QTCorrected, RAxis, TAxis, QRSCount, QOnset, QOffset, TOffset.
Its list also names a fifth interval, POnset, which Chapman's Diagnostics table does not
have (and which would make the count 15): we use the 14 inputs that exist.

How far do the machine's own measurements go without the signal? This baseline answers
that with scikit-learn's histogram gradient boosting (native NaN handling, no scaling
needed, deterministic for a fixed seed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..constants import CLASSES, MEASUREMENTS

METADATA_INPUTS: tuple[str, ...] = ("PatientAge", "Gender_MALE", "Gender_FEMALE", *MEASUREMENTS)


def metadata_inputs(df: pd.DataFrame) -> np.ndarray:
    """The 14 metadata inputs of a Diagnostics-shaped frame as a float (n, 14) array.

    Gender is one-hot encoded ("MALE"/"FEMALE", case-insensitive, also "M"/"F"); an unknown
    gender gives two zeros. Missing numeric values stay NaN (the booster handles them).
    """
    needed = ["PatientAge", "Gender", *MEASUREMENTS]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(f"metadata frame lacks column(s) {missing}; expected the "
                         f"Diagnostics columns {needed}")
    g = df["Gender"].astype(str).str.strip().str.upper()
    male = g.isin(["MALE", "M"]).to_numpy(float)
    female = g.isin(["FEMALE", "F"]).to_numpy(float)
    num = df[["PatientAge", *MEASUREMENTS]].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    return np.column_stack([num[:, :1], male, female, num[:, 1:]])


def macro_auc_ovr(y_true: np.ndarray, proba: np.ndarray) -> float:
    """One-vs-rest macro ROC AUC over the classes that occur in `y_true` (with negatives).

    Equals sklearn's `roc_auc_score(..., multi_class="ovr", average="macro")` when every
    class is present; stays defined on tiny splits where some classes are missing.
    """
    from sklearn.metrics import roc_auc_score
    y_true = np.asarray(y_true)
    aucs = []
    for k in range(proba.shape[1]):
        pos = y_true == k
        if pos.any() and (~pos).any():
            aucs.append(roc_auc_score(pos, proba[:, k]))
    return float(np.mean(aucs)) if aucs else float("nan")


def metadata_baseline(train_df: pd.DataFrame, test_df: pd.DataFrame, seed: int = 42) -> dict:
    """Fit gradient boosting on the 14 metadata inputs of `train_df`, score on `test_df`.

    Both frames are Diagnostics-shaped with a `label` column of class names (CLASSES).
    Returns accuracy, macro_f1, macro_auc (one-vs-rest), y_true and y_pred (int indices
    into CLASSES) and proba (n_test, 8) in CLASSES order (zero for classes the training
    frame lacks).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import accuracy_score, f1_score

    def labels(df, name):
        if "label" not in df.columns:
            raise ValueError(f"{name} frame has no 'label' column (class names {CLASSES})")
        bad = sorted(set(df["label"]) - set(CLASSES))
        if bad:
            raise ValueError(f"{name} frame: unknown label(s) {bad}; expected {CLASSES}")
        return df["label"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy(int)

    y_tr, y_te = labels(train_df, "train"), labels(test_df, "test")
    X_tr, X_te = metadata_inputs(train_df), metadata_inputs(test_df)
    proba = np.zeros((len(X_te), len(CLASSES)))
    if len(np.unique(y_tr)) == 1:       # degenerate tiny split: predict the only class
        proba[:, y_tr[0]] = 1.0
    else:
        from threadpoolctl import threadpool_limits
        clf = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1,
                                             early_stopping=False, random_state=seed)
        # One OpenMP thread: the result is the same for any thread count, and in a
        # process that also runs torch, or on a busy machine, several threads spin
        # against each other (a 10k-row fit took 225 s with two threads, 17 s with one).
        with threadpool_limits(limits=1, user_api="openmp"):
            clf.fit(X_tr, y_tr)
            proba[:, clf.classes_] = clf.predict_proba(X_te)
    y_pred = proba.argmax(1)
    return {
        "accuracy": float(accuracy_score(y_te, y_pred)),
        "macro_f1": float(f1_score(y_te, y_pred, average="macro",
                                   labels=np.unique(np.r_[y_te, y_pred]), zero_division=0)),
        "macro_auc": macro_auc_ovr(y_te, proba),
        "y_true": y_te,
        "y_pred": y_pred,
        "proba": proba,
        "features": list(METADATA_INPUTS),
    }
