"""Reading a predictions CSV (record_id, label, pred, prob_SB ... prob_AT), the one input
of `ecgpaper evaluate` and of every results table.

A file that cannot be the output of a classifier is refused with its name, the row
(1 = first record) and the column: probabilities outside [0, 1] or not summing to 1, a
record listed twice (it would inflate n and narrow the confidence intervals), a `pred`
that is not the most probable class, labels outside the 8 rhythms.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import CLASSES
from .metrics import PREDICTION_COLUMNS, class_indices

PROB_COLUMNS: tuple[str, ...] = tuple(f"prob_{c}" for c in CLASSES)
SUM_TOLERANCE = 1e-3        # CSV rounding of eight softmax outputs stays far below this
EXPECTED = f"a predictions CSV with columns {', '.join(PREDICTION_COLUMNS)}"


def read_predictions(path) -> pd.DataFrame:
    """Read and validate a predictions CSV; probability columns come back as floats."""
    path = Path(path)
    df = _read_table(path)
    missing = [c for c in PREDICTION_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}, expected {EXPECTED}")
    if len(df) == 0:
        raise ValueError(f"{path}: no rows, expected one row per test record")
    _check_record_ids(path, df)
    for col in ("label", "pred"):
        _check_classes(path, df, col)
    proba = _probabilities(path, df)
    _check_pred_is_argmax(path, df, proba)
    df[list(PROB_COLUMNS)] = proba
    return df


def split_predictions(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(y_true indices, proba (N, 8)) from a predictions table."""
    return (class_indices(df["label"].astype(str).to_numpy()),
            df[list(PROB_COLUMNS)].to_numpy(dtype=np.float64))


# --- the checks --------------------------------------------------------------------------

def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file, expected {EXPECTED}")
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if b"\x00" in head:
        raise ValueError(f"{path}: a binary file, expected {EXPECTED}")
    try:
        return pd.read_csv(path, dtype={"record_id": str, "label": str, "pred": str},
                           encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: empty file, expected {EXPECTED}") from None
    except (ValueError, pd.errors.ParserError) as exc:   # UnicodeDecodeError included
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ValueError(f"{path}: not a readable CSV ({first}), expected {EXPECTED}") \
            from None


def _where(df: pd.DataFrame, i: int) -> str:
    rid = df["record_id"].iloc[i]
    return f"row {i + 1} (record {rid})" if isinstance(rid, str) else f"row {i + 1}"


def _check_record_ids(path: Path, df: pd.DataFrame) -> None:
    ids = df["record_id"]
    blank = ids.isna() | (ids.astype(str).str.strip() == "")
    if blank.any():
        i = int(np.flatnonzero(blank.to_numpy())[0])
        raise ValueError(f"{path}: row {i + 1} column 'record_id' is empty, expected the "
                         f"record's identifier")
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        rid = ids.iloc[int(np.flatnonzero(dup)[0])]
        rows = (np.flatnonzero((ids == rid).to_numpy()) + 1).tolist()
        raise ValueError(f"{path}: column 'record_id' lists {rid} in rows {rows}, expected "
                         f"each record once (repeats inflate n and narrow the "
                         f"confidence intervals)")


def _check_classes(path: Path, df: pd.DataFrame, col: str) -> None:
    bad = ~df[col].isin(CLASSES).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}: {_where(df, i)} column {col!r} has {df[col].iloc[i]!r}, "
                         f"expected one of {list(CLASSES)}")


def _probabilities(path: Path, df: pd.DataFrame) -> np.ndarray:
    """The (N, 8) probabilities, each a number in [0, 1] and each row summing to 1."""
    cols = []
    for col in PROB_COLUMNS:
        raw = df[col]
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(num) | (num < 0) | (num > 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            value = "an empty cell" if pd.isna(raw.iloc[i]) else repr(raw.iloc[i])
            raise ValueError(f"{path}: {_where(df, i)} column {col!r} has {value}, "
                             f"expected a probability between 0 and 1")
        cols.append(num)
    proba = np.stack(cols, axis=1)
    off = np.abs(proba.sum(axis=1) - 1.0) > SUM_TOLERANCE
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise ValueError(f"{path}: {_where(df, i)} probabilities sum to "
                         f"{proba[i].sum():.6g}, expected 1 (within {SUM_TOLERANCE:g})")
    return proba


def _check_pred_is_argmax(path: Path, df: pd.DataFrame, proba: np.ndarray) -> None:
    """`pred` must be a most probable class (any of them when several tie)."""
    pred = np.array([CLASSES.index(c) for c in df["pred"]])
    chosen = proba[np.arange(len(df)), pred]
    wrong = chosen < proba.max(axis=1) - 1e-12
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        top = CLASSES[int(proba[i].argmax())]
        raise ValueError(f"{path}: {_where(df, i)} column 'pred' is {df['pred'].iloc[i]!r} "
                         f"but prob_{top}={proba[i].max():.4g} is the highest, expected "
                         f"pred to be the most probable class")
