"""PTB-XL in its native PhysioNet layout (Wagner et al., Scientific Data 7:154, 2020):
`ptbxl_database.csv` (one row per ECG, SCP-ECG statements in `scp_codes`) beside
`records500/NNNNN/NNNNN_hr.{hea,dat}` (500 Hz) and `records100/…_lr` (100 Hz), 10 s,
12 leads in millivolts.

Every file read (the table, each header and signal file) must resolve inside the folder:
a path in the table or a symlink leading out of it is refused.

`read_ptbxl_table(folder, fs=100)` gives each ECG's 100 Hz file (`filename_lr`), for a
folder that holds only the 100 Hz release; `read_ptbxl` resamples it to the rate asked for
(500 Hz for the external sets), as it does any record recorded at another rate.

Rhythm statements (SR, SBRAD, STACH, SARRH, AFIB, AFLT, SVTAC, PSVT) map onto the
paper's classes through `labels.SCP_TO_CLASS`; PTB-XL has no atrial-tachycardia statement,
so AT never occurs. Records are read through the same WFDB reader and checks as Chapman.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .labels import scp_to_class
from .record import Record
from .validate import RecordError, safe_name
from .wfdb_io import check_inside, read_wfdb

DATABASE_CSV = "ptbxl_database.csv"
RATES = {500: "filename_hr", 100: "filename_lr"}
MAX_TABLE_BYTES = 256 * 2**20
# PTB-XL codes sex 0 = male, 1 = female, and writes age 300 for patients over 89.
SEX = {0: "MALE", 1: "FEMALE"}
AGE_OVER_89 = 300


@dataclass(frozen=True)
class PtbxlEntry:
    """One row of the database table: where the record is and what it is."""
    ecg_id: int
    path: Path                 # record base (without extension), inside the folder
    label: str | None          # one of the 8 classes, or None
    scp_codes: tuple[str, ...]
    age: float | None
    sex: str | None
    folder: Path | None = None  # the PTB-XL folder its files must resolve inside


def is_ptbxl_folder(folder) -> bool:
    return (Path(folder) / DATABASE_CSV).is_file()


def _scp_codes(text, where: str) -> dict:
    try:
        codes = ast.literal_eval(str(text))
    except (ValueError, SyntaxError):
        raise RecordError(f"{where}: scp_codes is not a {{'CODE': likelihood}} mapping") from None
    if not isinstance(codes, dict):
        raise RecordError(f"{where}: scp_codes is a {type(codes).__name__}, expected a mapping "
                          "of SCP-ECG statements")
    return codes


def _table_number(value, column: str, where: str, bounds: tuple, integer: bool = False,
                  allowed=()) -> float | int | None:
    """A numeric cell of the table (None when empty), refused naming the file, row and
    column when it is text, fractional where an integer belongs, or outside `bounds`."""
    if pd.isna(value):
        if column == "ecg_id":
            raise RecordError(f"{where}: column ecg_id is empty, expected a positive integer")
        return None
    low, high = bounds
    kind = "an integer" if integer else "a number"
    expected = f"expected {kind} {low}-{high}" + \
        "".join(f" (or {a})" for a in allowed)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordError(f"{where}: column {column} is {safe_name(value)}, "
                          f"{expected}") from None
    if (integer and not number.is_integer()) or not (low <= number <= high
                                                      or number in allowed):
        raise RecordError(f"{where}: column {column} is {number:g}, {expected}")
    return int(number) if integer else number


def read_ptbxl_table(folder, fs: int = 500) -> list[PtbxlEntry]:
    """Every ECG of `folder`'s ptbxl_database.csv, labelled, with its record path for the
    chosen sampling rate (500 or 100 Hz). Paths must stay inside the folder."""
    folder = Path(folder).resolve()
    table = folder / DATABASE_CSV
    if not table.is_file():
        raise FileNotFoundError(f"{table}: not found; expected PTB-XL's {DATABASE_CSV} beside "
                                "records500/ and records100/")
    if fs not in RATES:
        raise ValueError(f"PTB-XL sampling rate {fs}: expected 500 or 100")
    check_inside(table, folder)
    if table.stat().st_size > MAX_TABLE_BYTES:
        raise RecordError(f"{table}: larger than {MAX_TABLE_BYTES >> 20} MB, expected the "
                          "PTB-XL table (about 8 MB)")
    try:
        df = pd.read_csv(table)
    except (pd.errors.ParserError, UnicodeError, ValueError) as exc:
        raise RecordError(f"{table}: unreadable CSV ({type(exc).__name__})") from None
    needed = ["ecg_id", "scp_codes", "age", "sex", RATES[fs]]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise RecordError(f"{table}: column(s) {missing} missing, expected PTB-XL's columns "
                          f"{needed}")
    entries, seen_ids, seen_files = [], {}, {}
    for i, row in enumerate(df.itertuples(index=False)):
        where = f"{table}: row {i + 1} (ecg_id {safe_name(row.ecg_id)})"
        ecg_id = _table_number(row.ecg_id, "ecg_id", where, (1, 10**7), integer=True)
        if ecg_id in seen_ids:
            raise RecordError(f"{where}: ecg_id {ecg_id} already used by row "
                              f"{seen_ids[ecg_id]}, expected one row per ECG")
        seen_ids[ecg_id] = i + 1
        rel = str(getattr(row, RATES[fs]))
        path = (folder / rel).resolve()
        if folder not in path.parents:
            raise RecordError(f"{where}: record path {safe_name(rel)} leaves the PTB-XL folder")
        if path in seen_files:          # resolved: './a', 'a' and 'x/../a' are one file
            raise RecordError(f"{where}: record file {safe_name(Path(rel).name)} (column "
                              f"{RATES[fs]}) already listed in row "
                              f"{seen_files[path]}, expected each file once (two rows would "
                              "score one recording twice, under two sets of scp_codes)")
        seen_files[path] = i + 1
        codes = _scp_codes(row.scp_codes, where)
        age = _table_number(row.age, "age", where, (0, 120), allowed=(AGE_OVER_89,))
        if age == AGE_OVER_89:
            age = 90.0
        sex = _table_number(row.sex, "sex", where, (0, 1), integer=True)
        sex = SEX.get(int(sex)) if sex is not None else None
        entries.append(PtbxlEntry(ecg_id=ecg_id, path=folder / rel,
                                  label=scp_to_class(codes), scp_codes=tuple(codes),
                                  age=age, sex=sex, folder=folder))
    return entries


def read_ptbxl(entry: PtbxlEntry, *, fs: float = 500, allow_flat: bool = False) -> Record:
    """One PTB-XL ECG as a Record (mV, resampled to `fs` when it was recorded at another
    rate), labelled from its SCP statements. Its header and signal file must resolve
    inside the PTB-XL folder, as the table's paths must."""
    rec = read_wfdb(entry.path, diagnostics=None, expected_fs=fs, expected_samples=None,
                    allow_flat=allow_flat, resample=True, root=entry.folder)
    rec.record_id = f"ptbxl_{entry.ecg_id:05d}"
    rec.label = entry.label
    rec.meta = {**rec.meta, "PatientAge": entry.age, "Gender": entry.sex,
                "scp_codes": list(entry.scp_codes)}
    return rec
