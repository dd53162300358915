"""Checks every reader runs before it hands out a `Record`.

Each check raises `RecordError` (a ValueError) whose message starts with the file and says
what is wrong and what was expected, so that a bad file among ten thousand is found at
once. Nothing is repaired silently: resampling happens only when the caller asks.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np

from ..constants import LEADS
from .limbs import (LIMB_GAIN_RANGE, LIMB_LEADS, LIMB_RANK_TOL,  # noqa: F401 (re-exported)
                    check_limb_gains, check_limb_identities, limb_gram,
                    limb_identity_gains, limb_lead_gains, limb_rank)
from .plausibility import check_plausible

# Plausible median peak-to-peak amplitude of a 12-lead ECG, in µV. Real records sit
# around 500-5000 µV; a millivolt file read as microvolts shows ~1 "µV", a microvolt file
# read as millivolts ~1000 "mV" (= 1e6 µV).
MIN_MEDIAN_P2P_UV = 50.0
MAX_MEDIAN_P2P_UV = 50_000.0
FLAT_P2P_UV = 1.0            # a lead whose peak-to-peak is below this carries no signal
# Shortest record the checks below can judge: the amplitude checks detrend over one
# second, and a shorter record would otherwise be reported as "flat" or "mis-scaled".
MIN_RECORD_SECONDS = 1.0

# Physiological cross-checks (see `check_physiology`). Amplitudes are the 0.5-99.5 %
# percentile range of each lead after removing a one-second moving average (baseline
# wander). Bounds measured on real 12-lead records of Chapman, Ningbo, Georgia, CPSC,
# PTB and PTB-XL (median over leads 390-4,550 µV; largest single lead 25 mV, an artefact;
# Einthoven gains within 0.8-1.22; precordial neighbour ratios 0.15-6.5) and kept wide.
MIN_RECORD_AMPLITUDE_UV = 100.0
MAX_RECORD_AMPLITUDE_UV = 8_000.0
MAX_LEAD_AMPLITUDE_UV = 30_000.0
PRECORDIAL_RATIO_RANGE = (1 / 8, 8.0)
PRECORDIAL_LEADS = ("V1", "V2", "V3", "V4", "V5", "V6")
_TOKEN = re.compile(r"^[A-Za-z0-9_+\-.]{1,12}$")
_WORD = re.compile(r"^[\w+\-.]{1,64}$")      # \w: Unicode letters and digits too

_ALIASES = {name.upper(): name for name in LEADS}


class RecordError(ValueError):
    """A record that cannot be used as it is; the message names the file and the problem."""


def safe_name(text) -> str:
    """`text` quoted if it looks like a lead or column name, else a placeholder.

    Messages may name what a file calls its leads, but must never echo arbitrary file
    content (a CSV symlinked to a system file would otherwise print a line of it).
    """
    text = str(text).strip()
    return repr(text) if _TOKEN.match(text) else "<unrecognised text>"


def name_as_given(text) -> str:
    """`text` quoted as given (Unicode letters kept, e.g. 'Ⅱ' or 'V1é') when it is one
    short word, else `safe_name`'s placeholder: a file's own names, never its content."""
    text = str(text).strip()
    return f"'{text}'" if _WORD.match(text) else safe_name(text)


def canonical_lead_order(names, source: str) -> list[int]:
    """Positions of I, II, ..., V6 in `names` (case-insensitive); error on anything else."""
    names = [str(n).strip() for n in names]
    if len(names) != len(LEADS):
        shown = ", ".join(name_as_given(n) for n in names[:16])
        raise RecordError(f"{source}: {len(names)} leads ({shown}), expected 12 leads "
                          f"{list(LEADS)}")
    canon = [_ALIASES.get(n.upper()) for n in names]
    unknown = [n for n, c in zip(names, canon) if c is None]
    if unknown:
        shown = ", ".join(name_as_given(n) for n in unknown[:12])
        raise RecordError(f"{source}: unknown lead name(s) {shown}; expected the 12 "
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


def robust_amplitude(signal_uV: np.ndarray, fs: float) -> np.ndarray:
    """Per-lead amplitude in µV, insensitive to baseline wander and to a few spikes:
    the 0.5-99.5 % range after removing a one-second moving average (`measures`)."""
    from .measures import measure
    return measure(signal_uV, fs).amplitude


def precordial_ratios(amplitude: np.ndarray, leads=LEADS, skip=()) -> dict[str, float]:
    """Each chest lead's amplitude over the geometric mean of its neighbours' (V1: V2;
    V6: V5). Neighbouring chest leads see the same heart from a few centimetres apart:
    real ratios stay within 0.15-6.5, so a lead at 10x or 0.1x the gain leaves the accepted
    range unless its true ratio was already low (or high) enough to absorb the error."""
    amp = {name: float(amplitude[leads.index(name)]) for name in PRECORDIAL_LEADS}
    usable = [name for name in PRECORDIAL_LEADS if name not in skip and amp[name] > 0]
    out = {}
    for k, name in enumerate(usable):      # plain floats: six numbers, no arrays needed
        neighbours = [amp[usable[j]] for j in (k - 1, k + 1) if 0 <= j < len(usable)]
        if neighbours:
            out[name] = amp[name] / math.prod(neighbours) ** (1.0 / len(neighbours))
    return out


def check_physiology(signal_uV: np.ndarray, fs: float, source: str, leads=LEADS,
                     flat=(), measures=None) -> None:
    """Amplitude checks that a uniform scale error cannot hide behind (unlike the units
    check): the record's overall amplitude, each lead's amplitude, the limb-lead
    identities (one limb lead at the wrong gain) and agreement of neighbouring chest
    leads (one chest lead at the wrong gain). Leads in `flat` are left out; `measures`
    (`measures.measure` of the same signal) saves computing the amplitudes again, and its
    inner products of the detrended leads give the limb identities."""
    amp = measures.amplitude if measures is not None else robust_amplitude(signal_uV, fs)
    live = np.array([lead not in flat for lead in leads])
    median = float(np.median(amp[live]))
    if not MIN_RECORD_AMPLITUDE_UV <= median <= MAX_RECORD_AMPLITUDE_UV:
        raise RecordError(
            f"{source}: typical lead amplitude {median:.0f} µV (median over leads), expected "
            f"{MIN_RECORD_AMPLITUDE_UV:g}-{MAX_RECORD_AMPLITUDE_UV:g} µV for a 12-lead ECG: "
            "the whole record looks mis-scaled (wrong gain or units)")
    worst = int(np.argmax(np.where(live, amp, -1)))
    if amp[worst] > MAX_LEAD_AMPLITUDE_UV:
        raise RecordError(
            f"{source}: lead {leads[worst]} amplitude {amp[worst] / 1000:.1f} mV, expected at "
            f"most {MAX_LEAD_AMPLITUDE_UV / 1000:g} mV: that lead's gain or units are wrong")
    if not any(lead in flat for lead in LIMB_LEADS):
        rows = [leads.index(name) for name in LIMB_LEADS]
        gram = (measures.gram[np.ix_(rows, rows)] if measures is not None
                else limb_gram(signal_uV, leads))
        if limb_rank(None, leads, gram=gram) < 2:
            check_limb_identities(signal_uV, source, leads)
        else:
            check_limb_gains(None, source, leads, gram=gram)
    lo, hi = PRECORDIAL_RATIO_RANGE
    ratios = precordial_ratios(amp, leads, skip=flat)
    odd = {name: r for name, r in ratios.items() if not lo <= r <= hi}
    if odd:                  # V2 at 8x puts V1 off too: name the lead whose fix explains both
        from .quality import odd_chest_lead
        name = odd_chest_lead(amp, odd, flat) if len(ratios) > 2 else max(odd)
        raise RecordError(
            f"{source}: lead {name} is {ratios[name]:.3g}x the amplitude of its neighbouring "
            f"chest leads, expected {lo:.3g}-{hi:g}x: that lead's gain or units are wrong")


def validate_signal(signal: np.ndarray, *, fs: float, units: str, source: str,
                    leads=LEADS, expected_fs: float | None = 500,
                    expected_samples: int | None = 5000, allow_flat: bool = False,
                    resample_to_fs: bool = False,
                    measures=None) -> tuple[np.ndarray, float]:
    """Check a (12, T) signal already in canonical lead order; return (signal, fs).
    `measures` (`measures.measure` of the signal in µV, as checked: no resampling)
    saves computing them here; the caller can reuse them for the quality flags.

    Order of checks: shape, NaN/Inf, minimum length, sampling rate (or resample when asked), length,
    a flat record, units plausibility, flat leads, what no body produces
    (`plausibility.check_plausible`), physiology (`check_physiology`).
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
    need = int(np.ceil(MIN_RECORD_SECONDS * float(fs)))
    if signal.shape[1] < need:
        raise RecordError(f"{source}: record too short: {signal.shape[1]} sample(s) "
                          f"({signal.shape[1] / fs:.3g} s at {fs:g} Hz), expected at least "
                          f"{need} samples ({MIN_RECORD_SECONDS:g} s)")
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
    flat = flat_leads(uv, leads)
    if len(flat) == len(leads):
        raise RecordError(f"{source}: flat record: every lead has a peak-to-peak below "
                          f"{FLAT_P2P_UV:g} µV (all zero or disconnected), expected an ECG")
    # over the live leads: with seven disconnected leads the median of all twelve is a
    # flat one's, and the record would be blamed on its units instead of its leads
    live = [k for k, name in enumerate(leads) if name not in flat]
    p2p = float(np.median(np.ptp(uv[live], axis=1)))
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
    if flat and not allow_flat:
        raise RecordError(f"{source}: flat lead(s) {flat} (peak-to-peak below "
                          f"{FLAT_P2P_UV:g} µV): lead missing or disconnected")
    from .measures import measure
    m = measures if measures is not None else measure(uv, fs)
    check_plausible(uv, fs, source, leads, flat=flat, measures=m)
    check_physiology(uv, fs, source, leads, flat=flat, measures=m)
    return signal, float(fs)
