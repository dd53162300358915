"""PhysioNet WFDB records (`NAME.hea` + `NAME.mat`, as in the CinC 2021 training sets
and the `ecg-arrhythmia` release of Chapman-Shaoxing).

Gain, baseline and units come from the header; the `# Age/Sex/Dx` comment lines become
metadata. A Chapman record `JSnnnnn` is row n (1-based) of Diagnostics.xlsx: given that
table, the record is joined to its row (age and sex must agree) and labelled from the
row's rhythm; otherwise the label comes from the SNOMED CT codes on the `# Dx:` line.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import LEADS
from .chapman import diagnostics_meta
from .labels import SNOMED_TO_CLASS, rhythm_to_class, snomed_to_class
from .record import Record
from .validate import RecordError, canonical_lead_order, safe_name, validate_signal
from .wfdb_header import check_header_text

_UNITS = {"mv": "mV", "uv": "uV", "µv": "uV", "μv": "uV"}
CHAPMAN_RECORD_NAME = re.compile(r"^JS(\d+)$", re.IGNORECASE)   # JSnnnnn = row n
# Real headers are under 2 KB; a signal file holds n_sig x sig_len 16-bit samples plus a
# small container header. Both are checked before anything is parsed.
MAX_HEADER_BYTES = 1 << 20
MAX_SAMPLES_PER_LEAD = 1000 * 3600          # one hour at 1 kHz
SIGNAL_FILE_SLACK_BYTES = 64 * 1024


def record_base(path) -> Path:
    """Path without the .hea/.mat/.dat extension."""
    path = Path(path)
    return path.with_suffix("") if path.suffix.lower() in (".hea", ".mat", ".dat") else path


def parse_comments(comments: list[str]) -> dict:
    """`# Age: 85`, `# Sex: Male`, `# Dx: a,b` -> {"PatientAge": 85, "Gender": "MALE",
    "dx_codes": ["a", "b"]} (Age "NaN"/"Unknown" -> None)."""
    fields = {}
    for line in comments:
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip()
    age = fields.get("age")
    try:
        age = float(age)
        age = None if np.isnan(age) else int(age) if age.is_integer() else age
    except (TypeError, ValueError):
        age = None
    sex = (fields.get("sex") or "").upper()
    sex = sex if sex in ("MALE", "FEMALE") else None
    dx = [c.strip() for c in (fields.get("dx") or "").split(",") if c.strip()]
    return {"PatientAge": age, "Gender": sex, "dx_codes": dx}


def check_inside(path: Path, root: Path | None) -> None:
    """Refuse a file that resolves outside `root` (a symlink or `..` leading out of the
    data folder): only files of the folder given may be read. No-op without a root."""
    if root is None:
        return
    real, root = Path(path).resolve(), Path(root).resolve()
    if root not in real.parents:
        raise RecordError(f"{path}: resolves outside the data folder {root} (to {real}); "
                          "expected record files inside it, not a symlink leading out")


def _read_digital(base: Path, header, root: Path | None = None) -> np.ndarray:
    """(n_sig, sig_len) digital samples, checked against the header."""
    hea = f"{base}.hea"
    files = sorted(set(header.file_name or []))
    if len(files) != 1:
        shown = ", ".join(safe_name(f) for f in files[:4])
        raise RecordError(f"{hea}: signals spread over files ({shown}); expected one signal "
                          "file")
    name = files[0]
    if Path(name).name != name or Path(name).stem.lower() != base.name.lower():
        raise RecordError(f"{hea}: signal file {safe_name(name)} is not {base.name}.mat or "
                          f"{base.name}.dat: a header must describe its own record's samples")
    sig_file = base.parent / name
    if not sig_file.is_file():
        raise RecordError(f"{hea}: signal file {sig_file.name} not found beside the header")
    check_inside(sig_file, root)
    expected_bytes = 2 * header.n_sig * header.sig_len
    size = sig_file.stat().st_size
    if size > 2 * expected_bytes + SIGNAL_FILE_SLACK_BYTES:
        raise RecordError(f"{sig_file}: {size} bytes, expected about {expected_bytes} for "
                          f"{header.n_sig} x {header.sig_len} samples declared by "
                          f"{Path(hea).name}: header and signal file disagree")
    try:
        if sig_file.suffix.lower() == ".mat":
            from scipy.io import loadmat
            digital = np.asarray(loadmat(sig_file, variable_names=["val"])["val"])
        else:
            import wfdb
            digital = wfdb.rdrecord(str(base), physical=False).d_signal.T
    except Exception as exc:  # noqa: BLE001 - any reader error means a damaged file
        raise RecordError(f"{sig_file}: unreadable or truncated signal file "
                          f"({str(exc).splitlines()[0]})") from None
    expected = (header.n_sig, header.sig_len)
    if digital.shape != expected:
        raise RecordError(f"{sig_file}: holds {digital.shape[0]} signals x {digital.shape[1]} "
                          f"samples but its header {Path(hea).name} declares {expected[0]} x "
                          f"{expected[1]}: header and signal file disagree")
    if header.checksum is not None:
        sums = digital.astype(np.int64).sum(axis=1)
        actual = ((sums + 32768) % 65536) - 32768   # 16-bit sum, as WFDB defines it
        for name, got, want in zip(header.sig_name, actual, header.checksum):
            if want is not None and (int(got) - int(want)) % 65536 != 0:
                raise RecordError(f"{sig_file}: lead {name} checksum {int(got)} but header "
                                  f"{Path(hea).name} says {int(want)}: header and signal "
                                  "file disagree (file altered or corrupted)")
    return digital


def write_cinc_record(folder, name: str, digital: np.ndarray, *, fs: int = 500,
                      gain: float = 1000.0, leads=LEADS, comments=()) -> Path:
    """Write a record the way the CinC 2021 sets are laid out (MATLAB v4 `val` + header).

    `digital`: (n_leads, T) int16 samples (physical = digital / gain mV). Used by the
    benchmark and tests to build corpora; returns the record base path.
    """
    from scipy.io import savemat
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    digital = np.asarray(digital, dtype=np.int16)
    savemat(folder / f"{name}.mat", {"val": digital}, format="4")
    sums = ((digital.astype(np.int64).sum(axis=1) + 32768) % 65536) - 32768
    lines = [f"{name} {len(leads)} {fs} {digital.shape[1]}"]
    for lead, first, cs in zip(leads, digital[:, 0], sums):
        lines.append(f"{name}.mat 16+24 {gain:g}/mV 16 0 {int(first)} {int(cs)} 0 {lead}")
    lines += [f"#{c}" for c in comments]
    (folder / f"{name}.hea").write_text("\n".join(lines) + "\n")
    return folder / name


def read_wfdb(path, *, diagnostics: pd.DataFrame | None = None,
              expected_fs: float | None = 500, expected_samples: int | None = 5000,
              allow_flat: bool = False, resample: bool = False,
              root: Path | None = None) -> Record:
    """One WFDB record (path with or without extension) as a Record in mV.

    `diagnostics`: the Chapman Diagnostics table; when given the record must be a
    Chapman `JSnnnnn` record and is joined to row n. `resample`: convert a record at
    another rate to `expected_fs` instead of failing; `expected_samples=None` accepts
    any length (CPSC records last 6-60 s). `root`: the data folder; a header or signal
    file that resolves outside it is refused before it is read.
    """
    import wfdb

    base = record_base(path)
    hea = Path(f"{base}.hea")
    if not hea.is_file():
        raise FileNotFoundError(f"{hea}: WFDB header not found")
    check_inside(hea, root)
    if hea.stat().st_size > MAX_HEADER_BYTES:
        raise RecordError(f"{hea}: {hea.stat().st_size / 2**20:.1f} MB, expected a WFDB header "
                          f"under {MAX_HEADER_BYTES >> 20} MB (real ones are under 2 KB)")
    check_header_text(hea)
    try:
        header = wfdb.rdheader(str(base))
    except Exception as exc:  # noqa: BLE001 - any parser error means a damaged header
        raise RecordError(f"{hea}: unreadable WFDB header ({type(exc).__name__}); expected "
                          "a record line, one line per signal and # comments") from None
    if not header.sig_name or header.sig_len in (None, 0):
        raise RecordError(f"{hea}: header declares no signals or no samples")
    if header.sig_len > MAX_SAMPLES_PER_LEAD:
        raise RecordError(f"{hea}: declares {header.sig_len} samples per lead, expected at "
                          f"most {MAX_SAMPLES_PER_LEAD} (one hour at 1 kHz)")
    order = canonical_lead_order(header.sig_name, str(hea))
    digital = _read_digital(base, header, root)
    units = {_UNITS.get(str(u).strip().lower(), str(u)) for u in header.units}
    if len(units) != 1 or not units <= {"mV", "uV"}:
        raise RecordError(f"{hea}: units {sorted(units)}; expected one of mV or uV for all leads")
    gain = np.array([g if g else 200.0 for g in header.adc_gain], dtype=np.float64)[:, None]
    baseline = np.array(header.baseline, dtype=np.float64)[:, None]
    signal = ((digital - baseline) / gain)[order].astype(np.float32)
    units = units.pop()
    signal, fs = validate_signal(signal, fs=float(header.fs), units=units, source=str(hea),
                                 expected_fs=expected_fs, expected_samples=expected_samples,
                                 allow_flat=allow_flat, resample_to_fs=resample)
    info = parse_comments(header.comments or [])
    meta = {**info, "wfdb_record": base.name}
    if diagnostics is not None:
        meta = {**join_diagnostics(base.name, info, diagnostics, str(hea)),
                "dx_codes": info["dx_codes"], "wfdb_record": base.name}
        label = rhythm_to_class(meta["Rhythm"])
    else:
        label = snomed_to_class(info["dx_codes"])
    return Record(record_id=base.name, signal=signal, fs=fs, units=units, leads=LEADS,
                  label=label, source_file=str(hea), meta=meta)


def chapman_row(record_name: str, diagnostics: pd.DataFrame, source: str) -> int:
    """0-based Diagnostics row of a Chapman WFDB record JSnnnnn (row n, 1-based)."""
    m = CHAPMAN_RECORD_NAME.match(record_name)
    if not m:
        raise RecordError(f"{source}: record name {record_name!r} is not a Chapman JSnnnnn "
                          "name, so it cannot be joined to Diagnostics.xlsx")
    n = int(m.group(1))
    if not 1 <= n <= len(diagnostics):
        raise RecordError(f"{source}: {record_name} points to row {n} but the Diagnostics "
                          f"table has {len(diagnostics)} rows (not a Chapman-Shaoxing record; "
                          "Ningbo records continue the numbering)")
    return n - 1


def join_diagnostics(record_name: str, info: dict, diagnostics: pd.DataFrame,
                     source: str) -> dict:
    """Diagnostics row of the record, after checking that header age and sex agree and
    that the header's `# Dx` SNOMED codes name the row's rhythm.

    The join itself is positional (JSnnnnn = row n); age and sex alone cannot catch two
    swapped rows of patients of the same age and sex, the diagnosis can."""
    i = chapman_row(record_name, diagnostics, source)
    meta = diagnostics_meta(diagnostics.iloc[i])
    age_h, sex_h = info.get("PatientAge"), info.get("Gender")
    age_d, sex_d = meta["PatientAge"], meta["Gender"]
    if (age_h is not None and age_d is not None and int(age_h) != int(age_d)) or \
            (sex_h is not None and sex_h != sex_d):
        raise RecordError(f"{source}: {record_name} says age {age_h}, sex {sex_h} but "
                          f"Diagnostics row {i + 1} ({meta['FileName']}) says age {age_d}, "
                          f"sex {sex_d}: the record does not join its Diagnostics row")
    row_class = rhythm_to_class(meta["Rhythm"])
    if row_class is not None:
        dx = info.get("dx_codes") or []
        header_classes = sorted({SNOMED_TO_CLASS[c] for c in dx if c in SNOMED_TO_CLASS})
        if row_class not in header_classes:
            said = f"rhythm(s) {header_classes}" if header_classes else \
                "no rhythm of the 8 classes" if dx else "no # Dx line"
            raise RecordError(f"{source}: {record_name}'s header # Dx names {said} but "
                              f"Diagnostics row {i + 1} ({meta['FileName']}) says "
                              f"{meta['Rhythm']}: the record does not join its Diagnostics "
                              "row (rows swapped or shifted?)")
    return meta
