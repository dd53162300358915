"""One ECG recording, whatever file it came from.

Every reader returns a `Record`: the signal as (12, T) float32 with its units and sampling
rate, the lead names in the canonical order I, II, III, aVR, aVL, aVF, V1-V6, the rhythm
label (one of the paper's 8 classes, or None when the record is outside them) and the
clinical metadata that came with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..constants import LEADS


@dataclass
class Record:
    record_id: str                 # e.g. "MUSE_20180111_155115_19000" or "JS00001"
    signal: np.ndarray             # (n_leads, n_samples) float32, rows in `leads` order
    fs: float                      # sampling rate in Hz
    units: str                     # "uV" or "mV"
    leads: tuple[str, ...] = LEADS
    label: str | None = None       # one of constants.CLASSES, or None
    source_file: str = ""          # path the signal was read from
    meta: dict = field(default_factory=dict)  # Diagnostics-style fields (PatientAge, Gender, ...)

    @property
    def n_samples(self) -> int:
        return int(self.signal.shape[1])

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.fs

    def lead(self, name: str) -> np.ndarray:
        """The samples of one lead, by name."""
        return self.signal[self.leads.index(name)]

    def in_microvolts(self) -> np.ndarray:
        """The signal in µV whatever the stored units."""
        if self.units == "uV":
            return self.signal
        if self.units == "mV":
            return self.signal * 1000.0
        raise ValueError(f"{self.record_id}: unknown units {self.units!r}")
