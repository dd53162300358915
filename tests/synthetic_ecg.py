"""Small synthetic ECGs for tests that need many distinct, valid records fast.

They obey what `prepare` checks on every real record: limb leads related by Einthoven's
and Goldberger's laws, chest leads of similar amplitude, a plausible overall amplitude,
and Diagnostics values inside the physiological ranges.
"""

from __future__ import annotations

import numpy as np

from ecgpaper.data.chapman import DIAGNOSTICS_RANGES


def ecg_like(rng: np.random.Generator, base: np.ndarray, noise_uV: float = 15.0) -> np.ndarray:
    """(12, T) µV from a (T,) waveform in µV: I and II are scaled copies with noise, the
    other limb leads derived from them, the chest leads scaled copies with noise."""
    t = base.size
    lead_i = base * rng.uniform(0.5, 1.0) + rng.normal(0, noise_uV, t)
    lead_ii = base * rng.uniform(0.8, 1.5) + rng.normal(0, noise_uV, t)
    lead_iii = lead_ii - lead_i
    limb = [lead_i, lead_ii, lead_iii, -(lead_i + lead_ii) / 2, (lead_i - lead_iii) / 2,
            (lead_ii + lead_iii) / 2]
    chest = [base * g + rng.normal(0, noise_uV, t) for g in rng.uniform(0.6, 1.4, 6)]
    return np.stack(limb + chest)


def measurements(rng: np.random.Generator) -> dict:
    """One Diagnostics row's numeric columns (without PatientAge), inside the ranges."""
    return {col: int(rng.integers(int(lo) + 1, int(hi))) for col, (lo, hi)
            in DIAGNOSTICS_RANGES.items() if col != "PatientAge"}
