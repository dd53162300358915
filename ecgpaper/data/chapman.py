"""Chapman-Shaoxing in its figshare form: `ECGData/*.csv` (raw, a header line of lead
names) or `ECGDataDenoised/*.csv` (no header, leads in the order I..V6), 5000 x 12 samples
in microvolts at 500 Hz, and `Diagnostics.xlsx` (one row per file: rhythm, conditions,
age, sex and 11 measurements).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import DIAGNOSTICS_COLUMNS, LEADS, MEASUREMENTS
from .labels import rhythm_to_class
from .record import Record
from .validate import RecordError, canonical_lead_order, safe_name, validate_signal

CHAPMAN_FS = 500
CHAPMAN_SAMPLES = 5000
# A Chapman CSV is about 0.45 MB (raw) or 0.9 MB (denoised, long decimals). Files are
# refused before parsing when they exceed this many bytes per expected sample and lead,
# so a huge or hostile file cannot take minutes and gigabytes to reject.
MAX_BYTES_PER_VALUE = 64
MAX_CSV_BYTES_ANY_LENGTH = 256 * 2**20
MAX_DIAGNOSTICS_BYTES = 64 * 2**20

# Plausible ranges of the Diagnostics columns. The real table (10,646 rows) spans: age
# 4-98, ventricular rate 34-263 bpm, atrial rate 0-535 bpm (0 = not measurable, e.g. in
# AFIB), QRS 18-256 ms, QT 114-736 ms, QTc 219-760 ms, axes -89-270 degrees, QRS count
# 5-40 per 10 s, Q onset/offset and T offset 159-582 (sample positions in the median
# beat). The bounds below are wider, physiological limits; missing values are allowed
# (imputed later), infinite ones never.
DIAGNOSTICS_RANGES: dict[str, tuple[float, float]] = {
    "PatientAge": (0, 120),
    "VentricularRate": (15, 350),
    "AtrialRate": (0, 700),
    "QRSDuration": (10, 400),
    "QTInterval": (50, 1000),
    "QTCorrected": (100, 1000),
    "RAxis": (-180, 360),
    "TAxis": (-180, 360),
    "QRSCount": (1, 100),
    "QOnset": (0, 1000),
    "QOffset": (0, 1000),
    "TOffset": (0, 1000),
}
_SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")


def check_file_name(name: str, where: str) -> str:
    """A Diagnostics FileName must be a plain record name: it becomes a path below the
    data folder, so separators, `..` and absolute paths are refused."""
    if not _SAFE_FILENAME.match(name) or ".." in name:
        raise RecordError(f"{where}: FileName {safe_name(name)} is not a plain record name "
                          "(expected letters, digits, '_', '-' or '.', no folders)")
    return name


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
    if path.stat().st_size > MAX_DIAGNOSTICS_BYTES:
        raise RecordError(f"{path}: {path.stat().st_size / 2**20:.0f} MB, expected a "
                          f"Diagnostics table under {MAX_DIAGNOSTICS_BYTES >> 20} MB (the real "
                          "one is 1 MB)")
    try:
        if path.suffix.lower() == ".csv":
            df = pd.read_csv(path)
        else:
            df = pd.read_excel(path, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - any parser error means an unreadable file
        raise RecordError(f"{path}: unreadable Diagnostics table ({type(exc).__name__}); "
                          "expected an .xlsx workbook (or .csv) with the figshare "
                          "columns") from None
    missing = [c for c in DIAGNOSTICS_COLUMNS if c not in df.columns]
    if missing:
        raise RecordError(f"{path}: column(s) {missing} missing; expected "
                          f"{list(DIAGNOSTICS_COLUMNS)}")
    df = df[list(DIAGNOSTICS_COLUMNS)].copy()
    empty = df["FileName"].isna() | (df["FileName"].astype(str).str.strip() == "")
    if empty.any():     # astype(str) would turn it into a record named 'nan'
        i = int(np.flatnonzero(empty)[0])
        raise RecordError(f"{path}: row {i + 1} has an empty FileName ({int(empty.sum())} "
                          "row(s) affected), expected the record's file name, e.g. "
                          "MUSE_20180111_155115_19000")
    df["FileName"] = df["FileName"].astype(str).str.strip()
    for i, name in enumerate(df["FileName"]):
        check_file_name(name, f"{path}: row {i + 1}")
    dup = df["FileName"][df["FileName"].duplicated()].tolist()
    if dup:
        raise RecordError(f"{path}: FileName not unique, e.g. {dup[:3]}")
    empty = df["Rhythm"].isna() | (df["Rhythm"].astype(str).str.strip() == "")
    if empty.any():     # astype(str) would report it as rhythm code 'nan'
        i = int(np.flatnonzero(empty)[0])
        raise RecordError(f"{path}: row {i + 1} ({df['FileName'].iat[i]}) has an empty "
                          f"Rhythm ({int(empty.sum())} row(s) affected), expected a Chapman "
                          "rhythm code such as SR, SB or AFIB")
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
                              f"{safe_name(df[col].iat[i])} is not a number")
        low, high = DIAGNOSTICS_RANGES[col]
        out = values.notna() & ~values.between(low, high)
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise RecordError(f"{path}: column {col} row {i + 1} ({df['FileName'].iat[i]}): "
                              f"{values.iat[i]:g} outside the plausible range {low:g} to "
                              f"{high:g} ({int(out.sum())} row(s) affected)")
        df[col] = values
    df["Gender"] = df["Gender"].astype(str).str.strip().str.upper()
    bad = ~df["Gender"].isin(["MALE", "FEMALE"])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise RecordError(f"{path}: Gender row {i + 1} ({df['FileName'].iat[i]}) is "
                          f"{safe_name(df['Gender'].iat[i])}, expected MALE or FEMALE")
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


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _has_header(path: Path) -> bool:
    """A first line with any cell that is not a number (`1.5e-05` is one) is a header.
    Numbers in quotes are refused: as lead names they would be reported as unknown leads,
    as samples they would shift every row by one, and neither is what the file meant."""
    with open(path, "rb") as fh:
        first = fh.readline(4096).strip()
    if not first:
        raise RecordError(f"{path}: empty file (truncated or unreadable CSV)")
    if b"\0" in first:
        raise RecordError(f"{path}: binary content, expected a text CSV of 12 leads")
    cells = [c.strip() for c in first.decode("utf-8-sig", "replace").split(",")]
    bare = [c[1:-1].strip() if len(c) > 1 and c[0] == c[-1] == '"' else c for c in cells]
    if all(_is_number(c) for c in bare) and bare != cells:
        shown = ", ".join(safe_name(c) for c in bare[:3])
        raise RecordError(f"{path}: the first row holds numbers in quotes ({shown}, ...), "
                          f"expected lead names such as {', '.join(LEADS[:3])}, ..., V6 as a "
                          "header, or unquoted samples in a file without header")
    return not all(_is_number(c) for c in cells)


def check_csv_size(path: Path, expected_samples: int | None) -> None:
    """Refuse a CSV far larger than its expected length before reading it."""
    size = path.stat().st_size
    limit = MAX_CSV_BYTES_ANY_LENGTH if expected_samples is None else \
        max(1 << 20, expected_samples * len(LEADS) * MAX_BYTES_PER_VALUE)
    if size > limit:
        length = "" if expected_samples is None else f" for {expected_samples} samples x 12 leads"
        raise RecordError(f"{path}: {size / 2**20:.1f} MB, expected at most "
                          f"{limit / 2**20:.1f} MB{length}: not a single ECG record")


def read_csv_matrix(path, expected_samples: int | None = None
                    ) -> tuple[np.ndarray, list[str] | None]:
    """(12?, T) float64 samples and the header's lead names (None without a header)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: ECG file not found")
    check_csv_size(path, expected_samples)
    header = _has_header(path)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(autogenerate_column_names=not header,
                                           use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            # only an empty cell is missing; "nan"/"inf" are read as numbers and reported
            # by the NaN/Inf check with their lead and sample
            convert_options=pacsv.ConvertOptions(null_values=[""]),
        )
    except (pa.ArrowInvalid, OSError, UnicodeError) as exc:
        # pyarrow quotes the offending line: keep only its description of the problem.
        reason = str(exc).splitlines()[0].split(":")[0] if str(exc) else type(exc).__name__
        raise RecordError(f"{path}: unreadable CSV ({reason}); expected 12 numeric columns "
                          "of comma-separated samples") from None
    cols = []
    for name, col in zip(table.column_names, table.columns):
        if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
                or pa.types.is_null(col.type)):
            raise RecordError(f"{path}: column {safe_name(name)} is not numeric "
                              f"({col.type}); expected 12 numeric columns: the file is "
                              "damaged or not an ECG CSV")
        if col.null_count:
            row = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])
            raise RecordError(f"{path}: {col.null_count} empty cell(s) in column "
                              f"{safe_name(name)}, first in data row {row + 1}; expected a "
                              "number in every cell (truncated or damaged file)")
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
    matrix, names = read_csv_matrix(path, expected_samples)
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
