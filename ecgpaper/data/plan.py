"""Planning a store: which files of a database folder become which records, what is
left out and why, and whether the chosen store folder is safe to write.

Rules, because users point `prepare` at folders that hold their only copy of the data:
- the store folder may not be, contain or lie inside the data folder, nor contain the
  Diagnostics table; an existing folder is acceptable only if it is empty or a store
  that `prepare` can prove it wrote (its signed marker, `ecgpaper.markers`): any other
  is refused with its name, even one holding files named like a store's;
- every file read must resolve inside the data folder (no `..`, no symlink escaping it);
- every file or Diagnostics row that does not become a record is reported with the
  reason (`Plan.summary`), so nothing is dropped without a word.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..fileio import file_sha256
from .store import FORMAT_VERSION, SOURCES, ownership_problem
from .validate import RecordError
from .wfdb_io import CHAPMAN_RECORD_NAME

_SIGNAL_SUFFIXES = (".mat", ".dat")


@dataclass
class Plan:
    """Which files become which store rows, what was left out and why, and the input's
    fingerprint (a store built from the same fingerprint is current)."""
    source: str
    data_dir: Path
    denoised: bool
    diag_path: Path
    diag: pd.DataFrame
    rows: list[int]                  # Diagnostics rows that become records, in store order
    files: list[Path]                # their files (CSV, or WFDB record base)
    rel: list[str]                   # the same, relative to data_dir
    split: np.ndarray
    missing: list[str]               # kept Diagnostics rows without a file
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (file, reason)
    excluded: dict = field(default_factory=dict)   # rhythm outside the 8 classes -> rows
    fingerprint: str = ""

    def summary(self) -> list[str]:
        """What did not become a record, one line per reason (empty when nothing)."""
        lines = []
        if self.excluded:
            parts = ", ".join(f"{k} {v}" for k, v in sorted(self.excluded.items()))
            lines.append(f"excluded by the paper's 8-class filter: "
                         f"{sum(self.excluded.values())} Diagnostics rows ({parts})")
        if self.missing:
            lines.append(f"skipped {len(self.missing)} Diagnostics row(s) without a "
                         f"{self.source} file, e.g. {self.missing[:3]}")
        by_reason: dict[str, list[str]] = {}
        for name, reason in self.skipped:
            by_reason.setdefault(reason, []).append(name)
        for reason, names in by_reason.items():
            lines.append(f"skipped {len(names)} file(s): {reason}, e.g. {names[:3]}")
        return lines

    @property
    def n_skipped(self) -> int:
        return len(self.missing) + len(self.skipped)


# --------------------------------------------------------------------------- checks

def find_diagnostics(data_dir: Path) -> Path:
    for cand in (data_dir / "Diagnostics.xlsx", data_dir / "metadata" / "Diagnostics.xlsx",
                 data_dir.parent / "Diagnostics.xlsx"):
        if cand.is_file():
            return cand
    raise FileNotFoundError(
        f"{data_dir}: Diagnostics.xlsx not found (looked in {data_dir} and "
        f"{data_dir / 'metadata'}). `prepare` needs the figshare Diagnostics.xlsx for labels "
        "and metadata; see `ecgpaper download chapman --dry-run` for where to get it.")


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_destination(out: Path, data_dir: Path, diag_path: Path) -> None:
    """Refuse a store folder that overlaps the input or holds anything but a store."""
    out = out.resolve()
    if _within(out, data_dir) or _within(data_dir, out):
        raise RecordError(f"{out}: the store folder may not be, contain or lie inside the "
                          f"data folder {data_dir}; choose a separate folder for --out")
    if _within(diag_path, out):
        raise RecordError(f"{out}: the store folder contains the Diagnostics table "
                          f"{diag_path}; choose a separate folder for --out")
    check_replaceable(out)


def check_replaceable(out: Path) -> None:
    """Refuse an existing `out` unless it is empty or a store that `prepare` can prove
    it wrote (its marker, `store.ownership_problem`): a name proves nothing."""
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir() or out.is_symlink():
        raise RecordError(f"{out}: exists and is not a folder; expected a new, empty or "
                          "store folder for --out")
    entries = sorted(e.name for e in out.iterdir())
    problem = ownership_problem(out) if entries else None
    if problem:
        raise RecordError(f"{out}: exists and is not an ecgpaper store ({problem}; it holds "
                          f"{len(entries)} item(s), e.g. {entries[:3]}); refusing to replace "
                          "it: expected a new or empty folder, or a store written by "
                          "`ecgpaper prepare`, for --out")


def _checked_file(path: Path, roots: tuple[Path, ...]) -> Path:
    """`path` if it resolves inside one of `roots`, else a RecordError naming it."""
    real = path.resolve()
    if not any(_within(real, root) for root in roots):
        raise RecordError(f"{path}: resolves outside the data folder ({roots[0]}); expected "
                          "record files inside it (a symlink or a path escaping the folder)")
    return path


def _walk(root: Path) -> list[Path]:
    """Every non-hidden file below `root`, sorted, without following symlinked folders."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(folder) / f for f in sorted(files) if not f.startswith(".")]
    return found


# --------------------------------------------------------------------------- planning

def _csv_records(kept: pd.DataFrame, folder: Path, roots) -> tuple[dict, list]:
    """{diag row: csv path} of present files and [(file, reason)] of extra files."""
    names = set(kept["FileName"])
    present = {}
    for i, name in zip(kept.index, kept["FileName"]):
        f = folder / f"{name}.csv"
        if f.is_file():
            present[i] = _checked_file(f, roots)
    skipped = []
    for f in _walk(folder):
        if f.suffix.lower() != ".csv":
            skipped.append((str(f.relative_to(folder)), "not a .csv record"))
        elif f.stem not in names and f.parent == folder:
            skipped.append((f.name, "no row in the Diagnostics table (or a rhythm outside "
                                    "the 8 classes)"))
        elif f.parent != folder:
            skipped.append((str(f.relative_to(folder)), "in a sub-folder of the record folder"))
    return present, skipped


def _same_bytes(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and file_sha256(a) == file_sha256(b)


def _wfdb_records(kept: pd.DataFrame, n_rows: int, data_dir: Path,
                  roots) -> tuple[dict, list]:
    """{diag row: record base} of JSnnnnn records below data_dir and [(file, reason)]."""
    files = _walk(data_dir)
    headers: dict[int, list[Path]] = {}
    skipped = []
    header_bases = {f.with_suffix("") for f in files if f.suffix.lower() == ".hea"}
    for f in files:
        suffix = f.suffix.lower()
        rel = str(f.relative_to(data_dir))
        if suffix in _SIGNAL_SUFFIXES and f.with_suffix("") not in header_bases:
            skipped.append((rel, "signal file without its .hea header"))
        if suffix != ".hea":
            continue
        m = CHAPMAN_RECORD_NAME.match(f.stem)
        if not m:
            skipped.append((rel, "not a Chapman JSnnnnn record"))
        elif not 1 <= int(m.group(1)) <= n_rows:
            skipped.append((rel, f"JS number beyond the {n_rows} Diagnostics rows (another "
                                 "database, e.g. Ningbo, continues the numbering)"))
        elif int(m.group(1)) - 1 in kept.index:
            headers.setdefault(int(m.group(1)) - 1, []).append(f)
    present = {}
    for row, copies in headers.items():
        first = copies[0]
        for other in copies[1:]:
            if not (_same_bytes(first, other) and _same_signal(first, other)):
                raise RecordError(f"{other}: a second, different copy of record {first.stem} "
                                  f"(the first is {first}); keep one of them")
            skipped.append((str(other.relative_to(data_dir)),
                            f"identical copy of {first.relative_to(data_dir)}"))
        present[row] = _checked_file(first, roots).with_suffix("")
        for suffix in _SIGNAL_SUFFIXES:
            sig = first.with_suffix(suffix)
            if sig.exists():
                _checked_file(sig, roots)
    return present, skipped


def _same_signal(a: Path, b: Path) -> bool:
    for suffix in _SIGNAL_SUFFIXES:
        sa, sb = a.with_suffix(suffix), b.with_suffix(suffix)
        if sa.exists() != sb.exists() or (sa.exists() and not _same_bytes(sa, sb)):
            return False
    return True


def _fingerprint(source, denoised, diag_sha, data_dir, rows_files) -> tuple[list, str]:
    from .. import __version__
    stats = []
    for f in rows_files:
        p = Path(f) if source == "chapman-csv" else Path(f"{f}.hea")
        st = p.stat()
        extra = sum(Path(f"{f}{s}").stat().st_size for s in _SIGNAL_SUFFIXES
                    if source == "chapman-wfdb" and Path(f"{f}{s}").is_file())
        stats.append((str(p.relative_to(data_dir)), st.st_size, st.st_mtime_ns, extra))
    blob = json.dumps([FORMAT_VERSION, __version__, source, denoised, diag_sha, stats])
    return [s[0] for s in stats], hashlib.sha256(blob.encode()).hexdigest()


def plan(source: str, data_dir, *, denoised: bool = False, diagnostics=None,
         allow_missing: bool | None = None) -> Plan:
    """Which files become which store rows, what is skipped and why."""
    from .chapman import read_diagnostics
    from .splits import paper_split

    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {list(SOURCES)}")
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir}: data folder not found")
    diag_path = Path(diagnostics).resolve() if diagnostics else find_diagnostics(data_dir)
    diag = read_diagnostics(diag_path)
    kept = diag[diag["label"].notna()]
    excluded = diag.loc[diag["label"].isna(), "Rhythm"].value_counts().to_dict()
    split = paper_split(kept["label"], seed=42)      # split on the whole table, always
    if source == "chapman-csv":
        folder = data_dir / ("ECGDataDenoised" if denoised else "ECGData")
        if not folder.is_dir():
            raise FileNotFoundError(
                f"{folder}: folder not found; chapman-csv expects DIR/"
                f"{folder.name}/<FileName>.csv and DIR/Diagnostics.xlsx")
        present, skipped = _csv_records(kept, folder, (data_dir, folder.resolve()))
        allow_missing = False if allow_missing is None else allow_missing
        missing = [kept.at[i, "FileName"] for i in kept.index if i not in present]
    else:
        present, skipped = _wfdb_records(kept, len(diag), data_dir, (data_dir,))
        allow_missing = True if allow_missing is None else allow_missing
        missing = [f"JS{i + 1:05d}" for i in kept.index if i not in present]
    if missing and not allow_missing:
        raise FileNotFoundError(
            f"{data_dir}: {len(missing)} of {len(kept)} records listed in {diag_path.name} "
            f"have no file (e.g. {missing[:3]}); place the complete set or pass "
            "--allow-missing")
    rows = [i for i in kept.index if i in present]
    if not rows:
        raise FileNotFoundError(f"{data_dir}: none of the {len(kept)} records of "
                                f"{diag_path.name} has a {source} file there")
    files = [present[i] for i in rows]
    diag_sha = file_sha256(diag_path)
    rel, fingerprint = _fingerprint(source, denoised, diag_sha, data_dir, files)
    return Plan(source=source, data_dir=data_dir, denoised=denoised, diag_path=diag_path,
                diag=diag, rows=rows, files=files, rel=rel,
                split=split.loc[rows].to_numpy(), missing=missing, skipped=skipped,
                excluded=excluded, fingerprint=fingerprint)
