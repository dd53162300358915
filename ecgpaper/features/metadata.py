"""The clinical metadata inputs of Experiments 2-6.

The paper lists PatientAge, Gender (one-hot, 2 inputs), VentricularRate, AtrialRate,
QRSDuration, QTInterval, QTCorrected, RAxis, TAxis, QRSCount, QOnset, QOffset, TOffset and
POnset, and calls them 14 features. That list makes 15 inputs, and Chapman's
Diagnostics table has no POnset column. We use what the table has:
age (1) + gender one-hot (2) + the 11 measurement columns (11) = **14 inputs**, which
matches the paper's stated count and MLP input size (14 -> 64). The age/gender set
(Experiments 5-6) is age + the 2 gender one-hots = 3 inputs.

Missing values are imputed with the training-split median of the column, then every
column (one-hots included, as the paper standardises "all metadata features") is
z-scored with the training-split mean and standard deviation. Nothing from the
validation or test rows enters these statistics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..constants import MEASUREMENTS

GENDER_COLUMNS: tuple[str, ...] = ("GenderMale", "GenderFemale")
AGE_GENDER: tuple[str, ...] = ("PatientAge", *GENDER_COLUMNS)
FULL: tuple[str, ...] = (*AGE_GENDER, *MEASUREMENTS)
COLUMN_SETS: dict[str, tuple[str, ...]] = {"full": FULL, "age_gender": AGE_GENDER}

# name, definition, unit (as documented in Chapman's AttributesDictionary)
DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    ("PatientAge", "age of the patient", "years"),
    ("GenderMale", "1 if Gender is MALE, else 0", "0/1"),
    ("GenderFemale", "1 if Gender is FEMALE, else 0", "0/1"),
    ("VentricularRate", "ventricular (QRS) rate", "bpm"),
    ("AtrialRate", "atrial (P-wave) rate; 0 when no atrial activity was measured", "bpm"),
    ("QRSDuration", "QRS duration", "ms"),
    ("QTInterval", "QT interval", "ms"),
    ("QTCorrected", "heart-rate corrected QT interval", "ms"),
    ("RAxis", "electrical axis of the QRS complex", "degrees"),
    ("TAxis", "electrical axis of the T wave", "degrees"),
    ("QRSCount", "number of QRS complexes in the 10 s record", "count"),
    ("QOnset", "Q onset, from the start of the median beat", "samples (500 Hz)"),
    ("QOffset", "Q offset (end of QRS), from the start of the median beat", "samples (500 Hz)"),
    ("TOffset", "T offset, from the start of the median beat", "samples (500 Hz)"),
)


def definitions() -> pd.DataFrame:
    """The 14 metadata inputs: name, definition, unit."""
    return pd.DataFrame(DEFINITIONS, columns=["input", "definition", "unit"])


def _gender_onehot(gender: pd.Series) -> np.ndarray:
    g = gender.astype("string").str.strip().str.upper()
    male = g.isin(["MALE", "M"])
    female = g.isin(["FEMALE", "F"])
    out = np.column_stack([male, female]).astype(np.float64)
    out[~(male | female).to_numpy()] = np.nan      # unknown gender: missing, imputed later
    return out


def metadata_matrix(index_df: pd.DataFrame, columns: str = "full") -> tuple[np.ndarray, list[str]]:
    """Raw (unscaled) metadata inputs, one row per row of `index_df` (store index or
    Diagnostics-shaped frame). NaN marks a missing value. Returns (X float64, names)."""
    if columns not in COLUMN_SETS:
        raise ValueError(f"columns: expected one of {sorted(COLUMN_SETS)}, got {columns!r}")
    names = list(COLUMN_SETS[columns])
    needed = ["PatientAge", "Gender", *(MEASUREMENTS if columns == "full" else ())]
    missing = [c for c in needed if c not in index_df.columns]
    if missing:
        raise ValueError(f"metadata table: missing column(s) {missing}; expected the "
                         f"Diagnostics columns {needed}")
    parts = [pd.to_numeric(index_df["PatientAge"], errors="coerce").to_numpy(float)[:, None],
             _gender_onehot(index_df["Gender"])]
    if columns == "full":
        parts.append(index_df[list(MEASUREMENTS)].apply(pd.to_numeric, errors="coerce")
                     .to_numpy(float))
    return np.hstack(parts), names


def _train_rows(train_rows, n: int) -> np.ndarray:
    rows = np.asarray(train_rows)
    if rows.dtype == bool:
        if len(rows) != n:
            raise ValueError(f"train_rows: boolean mask of length {len(rows)} for {n} rows")
        rows = np.flatnonzero(rows)
    if len(rows) == 0:
        raise ValueError("train_rows: no training rows to compute statistics from")
    return rows.astype(np.int64)


def train_medians(X: np.ndarray, train_rows) -> np.ndarray:
    """Column medians over the training rows (ignoring NaN); 0 for an all-missing column."""
    rows = _train_rows(train_rows, len(X))
    sub = X[rows]
    med = np.zeros(X.shape[1])
    has = ~np.isnan(sub).all(axis=0)
    med[has] = np.nanmedian(sub[:, has], axis=0)
    return med


def impute_train_median(X: np.ndarray, train_rows) -> np.ndarray:
    """Replace NaN by the column's training-split median."""
    X = np.array(X, dtype=np.float64, copy=True)
    med = train_medians(X, train_rows)
    r, c = np.nonzero(np.isnan(X))
    X[r, c] = med[c]
    return X


def zscore_from_train(X: np.ndarray, train_rows) -> np.ndarray:
    """Impute NaN with training medians, then z-score every column with the training
    mean and standard deviation (a constant column is only centred). float32 result."""
    X = impute_train_median(X, train_rows)
    rows = _train_rows(train_rows, len(X))
    mean = X[rows].mean(axis=0)
    std = X[rows].std(axis=0)
    std[std == 0] = 1.0
    return ((X - mean) / std).astype(np.float32)


def summary(index_df: pd.DataFrame, label_col: str = "label") -> pd.DataFrame:
    """Definition, unit, missing count and per-class median of every input (for the book)."""
    from ..constants import CLASSES
    X, names = metadata_matrix(index_df, "full")
    df = definitions().set_index("input")
    df["missing"] = np.isnan(X).sum(axis=0)
    labels = index_df[label_col].astype(str).to_numpy()
    frame = pd.DataFrame(X, columns=names)
    for c in CLASSES:
        sel = labels == c
        df[f"median {c}"] = frame[sel].median().to_numpy() if sel.any() else np.nan
    return df.reset_index()
