"""Checks every reader runs before it hands out a `Record`.

Each check raises `RecordError` (a ValueError) whose message starts with the file and says
what is wrong and what was expected, so that a bad file among ten thousand is found at
once. Nothing is repaired silently: resampling happens only when the caller asks.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..constants import LEADS

# Plausible median peak-to-peak amplitude of a 12-lead ECG, in µV. Real records sit
# around 500-5000 µV; a millivolt file read as microvolts shows ~1 "µV", a microvolt file
# read as millivolts ~1000 "mV" (= 1e6 µV).
MIN_MEDIAN_P2P_UV = 50.0
MAX_MEDIAN_P2P_UV = 50_000.0
FLAT_P2P_UV = 1.0            # a lead whose peak-to-peak is below this carries no signal

_ALIASES = {name.upper(): name for name in LEADS}


class RecordError(ValueError):
    """A record that cannot be used as it is; the message names the file and the problem."""


def canonical_lead_order(names, source: str) -> list[int]:
    """Positions of I, II, ..., V6 in `names` (case-insensitive); error on anything else."""
    names = [str(n).strip() for n in names]
    if len(names) != len(LEADS):
        raise RecordError(f"{source}: {len(names)} leads {names}, expected 12 leads "
                          f"{list(LEADS)}")
    canon = [_ALIASES.get(n.upper()) for n in names]
    unknown = [n for n, c in zip(names, canon) if c is None]
    if unknown:
        raise RecordError(f"{source}: unknown lead name(s) {unknown}; expected the 12 "
                          f"leads {list(LEADS)}")
    missing = [lead for lead in LEADS if lead not in canon]
    if missing:
        dup = sorted({c for c in canon if canon.count(c) > 1})
        raise RecordError(f"{source}: lead(s) {missing} missing (duplicated: {dup}); "
                          f"expected the 12 leads {list(LEADS)}")
    return [canon.index(lead) for lead in LEADS]


def to_microvolts(signal: np.ndarray, units: str) -> np.ndarray:
    if units == "uV":
        return signal
    if units == "mV":
        return signal * 1000.0
    raise RecordError(f"unknown units {units!r}; expected 'uV' or 'mV'")


def flat_leads(signal_uV: np.ndarray, leads=LEADS) -> list[str]:
    """Names of the leads whose peak-to-peak amplitude is below FLAT_P2P_UV."""
    p2p = np.ptp(signal_uV, axis=1)
    return [lead for lead, v in zip(leads, p2p) if v < FLAT_P2P_UV]


def resample(signal: np.ndarray, fs: float, target_fs: float) -> np.ndarray:
    """Polyphase resampling along time (only on request; see `validate_signal`)."""
    from scipy.signal import resample_poly
    ratio = Fraction(float(target_fs) / float(fs)).limit_denominator(1000)
    out = resample_poly(signal, ratio.numerator, ratio.denominator, axis=1)
    return out.astype(np.float32)


def validate_signal(signal: np.ndarray, *, fs: float, units: str, source: str,
                    leads=LEADS, expected_fs: float | None = 500,
                    expected_samples: int | None = 5000, allow_flat: bool = False,
                    resample_to_fs: bool = False) -> tuple[np.ndarray, float]:
    """Check a (12, T) signal already in canonical lead order; return (signal, fs).

    Order of checks: shape, NaN/Inf, sampling rate (or resample when asked), length,
    units plausibility, flat leads.
    """
    if signal.ndim != 2 or signal.shape[0] != len(LEADS):
        raise RecordError(f"{source}: signal of shape {signal.shape}, expected (12, samples)")
    if signal.shape[1] == 0:
        raise RecordError(f"{source}: no samples (empty or truncated file)")
    bad = ~np.isfinite(signal)
    if bad.any():
        lead_i, t = np.argwhere(bad)[0]
        raise RecordError(f"{source}: {int(bad.sum())} NaN/Inf value(s), first in lead "
                          f"{leads[lead_i]} at sample {int(t)}")
    if expected_fs is not None and float(fs) != float(expected_fs):
        if not resample_to_fs:
            raise RecordError(f"{source}: sampling rate {fs:g} Hz, expected {expected_fs:g} Hz "
                              "(ask for resampling explicitly to convert it)")
        signal = resample(signal, fs, expected_fs)
        fs = float(expected_fs)
    if expected_samples is not None and signal.shape[1] != expected_samples:
        raise RecordError(f"{source}: {signal.shape[1]} samples ({signal.shape[1] / fs:g} s "
                          f"at {fs:g} Hz), expected {expected_samples} (truncated file or "
                          "a record of another length)")
    uv = to_microvolts(signal, units)
    p2p = float(np.median(np.ptp(uv, axis=1)))
    if p2p < MIN_MEDIAN_P2P_UV and units == "uV":
        raise RecordError(f"{source}: median peak-to-peak {p2p:.3g} µV is implausibly small "
                          "for microvolts: the file looks like millivolts read as microvolts")
    if p2p > MAX_MEDIAN_P2P_UV and units == "mV":
        raise RecordError(f"{source}: median peak-to-peak {p2p / 1000:.3g} mV is implausibly "
                          "large for millivolts: the file looks like microvolts read as "
                          "millivolts")
    if not MIN_MEDIAN_P2P_UV <= p2p <= MAX_MEDIAN_P2P_UV:
        raise RecordError(f"{source}: median peak-to-peak {p2p:.3g} µV outside the plausible "
                          f"ECG range {MIN_MEDIAN_P2P_UV:g}-{MAX_MEDIAN_P2P_UV:g} µV "
                          f"(declared units {units})")
    flat = flat_leads(uv, leads)
    if flat and not allow_flat:
        raise RecordError(f"{source}: flat lead(s) {flat} (peak-to-peak below "
                          f"{FLAT_P2P_UV:g} µV): lead missing or disconnected")
    return signal, float(fs)
