"""Chapman-Shaoxing in its figshare form: `ECGData/*.csv` (raw, a header line of lead
names) or `ECGDataDenoised/*.csv` (no header, leads in the order I..V6), 5000 x 12 samples
in microvolts at 500 Hz, and `Diagnostics.xlsx` (one row per file: rhythm, conditions,
age, sex and 11 measurements).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import DIAGNOSTICS_COLUMNS, LEADS, MEASUREMENTS
from .labels import rhythm_to_class
from .record import Record
from .validate import RecordError, canonical_lead_order, validate_signal

CHAPMAN_FS = 500
CHAPMAN_SAMPLES = 5000


def read_diagnostics(path) -> pd.DataFrame:
    """Diagnostics.xlsx as a DataFrame with DIAGNOSTICS_COLUMNS plus `label` (class or None).

    Validated: all columns present, FileName unique, rhythm codes known, numbers numeric,
    Gender MALE/FEMALE. Row order is the file's (record JSnnnnn of the PhysioNet release is
    row n, 1-based).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: Diagnostics table not found (expected the "
                                "figshare Diagnostics.xlsx)")
    try:
        if path.suffix.lower() == ".csv":
            df = pd.read_csv(path)
        else:
            df = pd.read_excel(path, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - any parser error means an unreadable file
        raise RecordError(f"{path}: unreadable Diagnostics table ({exc})") from exc
    missing = [c for c in DIAGNOSTICS_COLUMNS if c not in df.columns]
    if missing:
        raise RecordError(f"{path}: column(s) {missing} missing; expected "
                          f"{list(DIAGNOSTICS_COLUMNS)}")
    df = df[list(DIAGNOSTICS_COLUMNS)].copy()
    df["FileName"] = df["FileName"].astype(str).str.strip()
    dup = df["FileName"][df["FileName"].duplicated()].tolist()
    if dup:
        raise RecordError(f"{path}: FileName not unique, e.g. {dup[:3]}")
    df["Rhythm"] = df["Rhythm"].astype(str).str.strip()
    for i, rhythm in enumerate(df["Rhythm"]):
        try:
            rhythm_to_class(rhythm)
        except ValueError as exc:
            raise RecordError(f"{path}: row {i + 1} ({df['FileName'].iat[i]}): {exc}") from None
    for col in ("PatientAge", *MEASUREMENTS):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise RecordError(f"{path}: column {col} row {i + 1} ({df['FileName'].iat[i]}): "
                              f"{df[col].iat[i]!r} is not a number")
        df[col] = values
    df["Gender"] = df["Gender"].astype(str).str.strip().str.upper()
    bad = ~df["Gender"].isin(["MALE", "FEMALE"])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise RecordError(f"{path}: Gender row {i + 1} ({df['FileName'].iat[i]}) is "
                          f"{df['Gender'].iat[i]!r}, expected MALE or FEMALE")
    df["Beat"] = df["Beat"].fillna("NONE").astype(str)
    df["label"] = [rhythm_to_class(r) for r in df["Rhythm"]]
    return df.reset_index(drop=True)


def diagnostics_meta(row: pd.Series) -> dict:
    """A Diagnostics row as plain Python values (for Record.meta and the store index)."""
    meta = {}
    for col in DIAGNOSTICS_COLUMNS:
        v = row[col]
        if isinstance(v, (np.integer,)):
            v = int(v)
        elif isinstance(v, (np.floating,)):
            v = None if np.isnan(v) else (int(v) if float(v).is_integer() else float(v))
        meta[col] = v
    return meta


def _has_header(path: Path) -> bool:
    with open(path, "rb") as fh:
        first = fh.readline(4096).strip()
    if not first:
        raise RecordError(f"{path}: empty file (truncated or unreadable CSV)")
    return any(ch.isalpha() for ch in first.decode("utf-8", "replace").split(",")[0])


def read_csv_matrix(path) -> tuple[np.ndarray, list[str] | None]:
    """(12?, T) float64 samples and the header's lead names (None without a header)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: ECG file not found")
    header = _has_header(path)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(autogenerate_column_names=not header,
                                           use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise RecordError(f"{path}: unreadable CSV ({str(exc).splitlines()[0]})") from None
    cols = []
    for name, col in zip(table.column_names, table.columns):
        if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
                or pa.types.is_null(col.type)):
            raise RecordError(f"{path}: column {name!r} is not numeric ({col.type}); "
                              "the file is damaged or not an ECG CSV")
        cols.append(col.to_numpy(zero_copy_only=False).astype(np.float64, copy=False))
    matrix = np.stack(cols) if cols else np.zeros((0, 0))
    return matrix, (list(table.column_names) if header else None)


def read_chapman_csv(path, *, diagnostics: pd.DataFrame | pd.Series | None = None,
                     units: str = "uV", fs: float = CHAPMAN_FS,
                     expected_samples: int | None = CHAPMAN_SAMPLES,
                     allow_flat: bool = False, resample: bool = False) -> Record:
    """One figshare CSV as a Record (µV, 500 Hz, leads reordered by name to I..V6).

    A header line names the leads (raw ECGData); without one (ECGDataDenoised) the
    columns are taken in the published order I, II, III, aVR, aVL, aVF, V1-V6.
    `diagnostics` (the whole table or the file's row) supplies label and metadata.
    """
    path = Path(path)
    matrix, names = read_csv_matrix(path)
    source = str(path)
    if names is None:
        if matrix.shape[0] != len(LEADS):
            raise RecordError(f"{source}: {matrix.shape[0]} columns, expected 12 leads "
                              f"{list(LEADS)} (file without header line)")
        order = list(range(len(LEADS)))
    else:
        order = canonical_lead_order(names, source)
    signal = matrix[order].astype(np.float32)
    signal, fs = validate_signal(signal, fs=fs, units=units, source=source,
                                 expected_samples=expected_samples, allow_flat=allow_flat,
                                 resample_to_fs=resample)
    record_id = path.stem
    label, meta = None, {}
    if diagnostics is not None:
        row = diagnostics
        if isinstance(diagnostics, pd.DataFrame):
            hit = diagnostics.index[diagnostics["FileName"] == record_id]
            if len(hit) == 0:
                raise RecordError(f"{source}: {record_id} has no row in the Diagnostics table")
            row = diagnostics.loc[hit[0]]
        if str(row["FileName"]) != record_id:
            raise RecordError(f"{source}: Diagnostics row is for {row['FileName']}, "
                              f"not {record_id}")
        meta = diagnostics_meta(row)
        label = rhythm_to_class(meta["Rhythm"])
    return Record(record_id=record_id, signal=signal, fs=fs, units=units, leads=LEADS,
                  label=label, source_file=source, meta=meta)
