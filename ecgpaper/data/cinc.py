"""Other PhysioNet/CinC 2021 sources in the same WFDB layout (Ningbo, Georgia, CPSC,
PTB, PTB-XL): records labelled from their SNOMED CT `# Dx:` codes.

These sets differ from Chapman: CPSC records last 6-60 s, PTB (Diagnostic) is sampled
at 1000 Hz, some Ningbo records have a flat lead. `read_cinc` states what it accepts:
by default it resamples to 500 Hz and accepts any length; flat leads still raise unless
`allow_flat=True`.
"""

from __future__ import annotations

from pathlib import Path

from .record import Record
from .wfdb_io import read_wfdb


def find_records(folder) -> list[Path]:
    """All WFDB record bases (without extension) below `folder`, sorted by name."""
    return sorted((p.with_suffix("") for p in Path(folder).rglob("*.hea")),
                  key=lambda p: (p.name, str(p)))


def read_cinc(path, *, fs: float = 500, resample: bool = True,
              expected_samples: int | None = None, allow_flat: bool = False,
              root: Path | None = None) -> Record:
    """A CinC 2021 record with its SNOMED label (None when none of the 8 rhythms);
    with `root`, its files must resolve inside that data folder."""
    return read_wfdb(path, diagnostics=None, expected_fs=fs, expected_samples=expected_samples,
                     allow_flat=allow_flat, resample=resample, root=root)
