"""External validation sets: every labelled 12-lead record below a folder, by source.

Two layouts are recognised: PTB-XL in its native form (`ptbxl_database.csv`) and
PhysioNet/CinC 2021 WFDB records (`NAME.hea` + signal file, SNOMED CT codes on `# Dx:`). A CinC record's
database follows from its name, as the challenge named them (A/Q: CPSC, E: Georgia,
HR: PTB-XL, S: PTB, I: St Petersburg, JS up to 10,646: Chapman-Shaoxing, beyond: Ningbo).

PTB-XL ships each ECG at 500 Hz (`records500/`) and again at 100 Hz (`records100/`): the
500 Hz file is used. A record present only in the 100 Hz release (a folder holding
`records100/` alone is a common download) is read through the table's `filename_lr` and
resampled to 500 Hz like any record at another rate; `ExternalSet.notes` counts them.

Records whose rhythm is none of the paper's 8 classes are counted per source, not used;
nothing is dropped without a reason (`ExternalSet.skipped`). Only files that resolve
inside the folder are read: a header or signal file symlinked out of it is refused.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .labels import snomed_to_class
from .ptbxl import PtbxlEntry, is_ptbxl_folder, read_ptbxl, read_ptbxl_table
from .record import Record
from .validate import RecordError

CHAPMAN_LAST_JS = 10_646
_PREFIXES = (("HR", "PTB-XL (CinC)"), ("JS", None), ("A", "CPSC"), ("Q", "CPSC-Extra"),
             ("E", "Georgia"), ("S", "PTB"), ("I", "St Petersburg"))
# Rhythms a source cannot contain because its label set has no code for them.
ABSENT_BY_DESIGN = {"PTB-XL": ("AT",)}
PTBXL_100_HZ = "read from the 100 Hz release (records100/), resampled to 500 Hz"


def cinc_source(name: str) -> str:
    """The database of a CinC 2021 record, from its name."""
    for prefix, source in _PREFIXES:
        if name.upper().startswith(prefix):
            if prefix == "JS":
                number = re.sub(r"\D", "", name)
                return "Chapman-Shaoxing" if number and int(number) <= CHAPMAN_LAST_JS \
                    else "Ningbo"
            return source
    return "other WFDB"


@dataclass(frozen=True)
class ExternalRecord:
    source: str
    record_id: str
    label: str
    path: Path
    ptbxl: PtbxlEntry | None = None
    root: Path | None = None           # the folder its files must resolve inside

    def load(self, fs: float = 500) -> Record:
        """The record at `fs` Hz, through the same readers and checks as the database."""
        if self.ptbxl is not None:
            return read_ptbxl(self.ptbxl, fs=fs, allow_flat=True)
        from .cinc import read_cinc
        return read_cinc(self.path, fs=fs, allow_flat=True, root=self.root)


@dataclass
class ExternalSet:
    folder: Path
    records: list[ExternalRecord] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)    # (source, reason) -> count
    notes: Counter = field(default_factory=Counter)      # (source, note) -> count, used

    def sources(self) -> list[str]:
        return sorted({r.source for r in self.records})

    def counts(self) -> dict[str, Counter]:
        out: dict[str, Counter] = {}
        for r in self.records:
            out.setdefault(r.source, Counter())[r.label] += 1
        return out


def _header_dx(hea: Path) -> list[str] | None:
    """SNOMED codes of a header's `# Dx:` line, None when it has none (read as text: a
    header is a few hundred bytes; large files are refused by the reader later)."""
    if hea.stat().st_size > 1 << 20:
        return None
    for line in hea.read_text(errors="replace").splitlines():
        body = line.lstrip("#").strip()
        if body.lower().startswith("dx:"):
            return [c.strip() for c in body[3:].split(",") if c.strip()]
    return None


def _add_ptbxl(found: ExternalSet, root: Path) -> None:
    """PTB-XL's labelled records of `root`: the 500 Hz file of each, or its 100 Hz file
    where only the 100 Hz release is present (a common download, its records a fifth
    the samples)."""
    low_rate = None
    for entry in read_ptbxl_table(root, fs=500):
        if entry.label is None:
            found.skipped[("PTB-XL", "rhythm outside the 8 classes")] += 1
            continue
        if not entry.path.with_suffix(".hea").is_file():
            if low_rate is None:
                low_rate = {e.ecg_id: e for e in read_ptbxl_table(root, fs=100)}
            entry = low_rate.get(entry.ecg_id)
            if entry is None or not entry.path.with_suffix(".hea").is_file():
                found.skipped[("PTB-XL", "listed in the table, file absent")] += 1
                continue
            found.notes[("PTB-XL", PTBXL_100_HZ)] += 1
        found.records.append(ExternalRecord("PTB-XL", f"ptbxl_{entry.ecg_id:05d}",
                                            entry.label, entry.path, entry))


def find_external(folder) -> ExternalSet:
    """Every record below `folder` labelled with one of the 8 rhythms, grouped by source."""
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: external data folder not found")
    found = ExternalSet(folder=folder)
    ptbxl_roots = sorted({p.parent for p in folder.rglob("ptbxl_database.csv")})
    for root in ptbxl_roots:
        if is_ptbxl_folder(root):
            _add_ptbxl(found, root)
    for hea in sorted(folder.rglob("*.hea")):
        if any(root in hea.parents for root in ptbxl_roots):
            continue
        source = cinc_source(hea.stem)
        if folder not in hea.resolve().parents:
            found.skipped[(source, "header resolves outside the folder (symlink)")] += 1
            continue
        dx = _header_dx(hea)
        if dx is None:
            found.skipped[(source, "no # Dx line")] += 1
            continue
        label = snomed_to_class(dx)
        if label is None:
            found.skipped[(source, "rhythm outside the 8 classes")] += 1
            continue
        found.records.append(ExternalRecord(source, hea.stem, label, hea.with_suffix(""),
                                            root=folder))
    if not found.records:
        raise RecordError(f"{folder}: no record labelled with one of the 8 rhythms (looked "
                          "for PTB-XL's ptbxl_database.csv and CinC 2021 WFDB headers with "
                          "a # Dx line)")
    return found
