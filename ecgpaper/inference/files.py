"""Reading a recording file for inference with the project's own readers: a figshare CSV
(`data.chapman.read_chapman_csv`, µV at 500 Hz) or a WFDB record (`data.wfdb_io.read_wfdb`:
Chapman, CinC 2021 sources, PTB-XL; gain and units from its header, any rate and length,
resampled later by the inference path)."""

from __future__ import annotations

from pathlib import Path

from ..data.record import Record

WFDB_SUFFIXES = (".hea", ".mat", ".dat")


def read_recording(path, diagnostics=None) -> Record:
    """One file as a `Record`; `diagnostics` (Chapman's table) supplies metadata."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        from ..data.chapman import read_chapman_csv
        return read_chapman_csv(path, diagnostics=diagnostics, expected_samples=None)
    if suffix in WFDB_SUFFIXES or (not suffix and path.with_suffix(".hea").is_file()):
        from ..data.wfdb_io import read_wfdb
        return read_wfdb(path, diagnostics=diagnostics, expected_fs=None,
                         expected_samples=None)
    raise ValueError(f"{path}: unknown recording format {suffix or '(no suffix)'!r}, expected "
                     "a figshare .csv or a WFDB record (.hea with .mat or .dat)")
