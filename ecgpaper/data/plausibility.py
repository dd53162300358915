"""What no body and no electrode produce: checks that refuse a record outright.

`validate.validate_signal` runs `check_plausible` on every record a reader or the service
accepts. Each bound was set far outside what 111 real records of Chapman-Shaoxing,
Ningbo, Georgia, CPSC, PTB and PTB-XL show (their largest value in brackets), so that a
refused record is certainly damaged or mislabelled:

- a sample more than 50 mV from its lead's median (real: 11.5 mV), e.g. one 5 V spike;
- a step between two samples steeper than 50 mV/ms (real: 5.4 mV/ms);
- a lead whose median sits more than 20 mV from zero (real: 1.0 mV), e.g. a header
  baseline of 30000 read as -30 mV on every lead;
- a heart rate, measured from the QRS complexes at the declared sampling rate, outside
  20-300 bpm (real: 46-216 bpm), e.g. a 500 Hz recording declared as 100 or 125 Hz. A
  rate below 20 bpm is refused only when the beats found are regular: a few large
  ectopic beats can hide the normal QRS complexes from the detector and leave uneven
  gaps that read as a slow rate (the quality flag `rate_unusual` still reports it).
"""

from __future__ import annotations

import numpy as np

MAX_EXCURSION_UV = 50_000.0
MAX_SLEW_UV_PER_MS = 50_000.0
MAX_OFFSET_UV = 20_000.0
RATE_RANGE_BPM = (20.0, 300.0)
MIN_RATE_SECONDS = 4.0        # shorter records hold too few beats to judge the rate
MAX_RR_RATIO = 1.5            # a slow rate is refused only when its beats are this regular


def beat_positions(signal_uV: np.ndarray, fs: float) -> np.ndarray:
    """Sample positions of the QRS complexes at the declared `fs` (`measures.qrs_positions`
    on the detrended signal)."""
    from .measures import detrend, qrs_positions
    return qrs_positions(detrend(signal_uV, fs), fs)


def rate_of(peaks: np.ndarray, fs: float) -> float:
    """60 over the median interval between `peaks` (NaN below three), so a few missed or
    extra beats do not move it."""
    if len(peaks) < 3:
        return float("nan")
    return float(60.0 * fs / np.median(np.diff(peaks)))


def heart_rate(signal_uV: np.ndarray, fs: float) -> float:
    """Beats per minute implied by the QRS complexes at the declared `fs`, NaN when fewer
    than three are found (`beat_positions`, `rate_of`)."""
    return rate_of(beat_positions(signal_uV, fs), fs)


def regular(peaks: np.ndarray, ratio: float = MAX_RR_RATIO) -> bool:
    """Whether the intervals between `peaks` agree within `ratio` (longest over shortest).
    A wrong declared rate stretches every interval alike; a few large ectopic complexes
    that outshine the normal QRS (their slope energy can be ten times higher, so the
    normal beats fall below the detection threshold) leave uneven gaps instead."""
    rr = np.diff(peaks)
    return len(rr) >= 2 and float(rr.max()) <= ratio * float(rr.min())


def check_plausible(signal_uV: np.ndarray, fs: float, source: str, leads, flat=(),
                    measures=None) -> None:
    """Refuse spikes, slews, offsets and heart rates no body produces (see the module
    docstring); raises `validate.RecordError` naming the record, the lead and the bound.
    `measures` (`measures.measure` of the same signal) saves computing them again."""
    from .measures import measure
    from .validate import RecordError
    x = np.asarray(signal_uV, dtype=np.float32)
    m = measures if measures is not None else measure(x, fs)
    median = m.median
    k = int(np.argmax(np.abs(median)))
    if abs(median[k]) > MAX_OFFSET_UV:
        raise RecordError(f"{source}: lead {leads[k]} sits at {median[k] / 1000:.1f} mV "
                          f"(its median), expected within ±{MAX_OFFSET_UV / 1000:g} mV of zero "
                          "for an ECG: wrong baseline (ADC zero) in the header?")
    reach = np.maximum(x.max(axis=1) - median, median - x.min(axis=1))
    if reach.max() > MAX_EXCURSION_UV:
        k = int(np.argmax(reach))
        t = int(np.argmax(np.abs(x[k] - median[k])))
        raise RecordError(f"{source}: lead {leads[k]} reaches {reach[k] / 1000:.0f} mV "
                          f"from its median at sample {t}, expected at most "
                          f"{MAX_EXCURSION_UV / 1000:g} mV: a spike no heart produces "
                          "(damaged sample or wrong gain)")
    if x.shape[1] > 1:
        step = np.abs(np.diff(x, axis=1))
        k, t = np.unravel_index(int(np.argmax(step)), step.shape)
        slew = float(step[k, t]) * (fs / 1000.0)
        if slew > MAX_SLEW_UV_PER_MS:
            raise RecordError(f"{source}: lead {leads[k]} changes by {slew / 1000:.0f} "
                              f"mV/ms at sample {int(t)}, expected at most "
                              f"{MAX_SLEW_UV_PER_MS / 1000:g} mV/ms: a jump no heart produces")
    live = [i for i, name in enumerate(leads) if name not in flat]
    if x.shape[1] / fs < MIN_RATE_SECONDS or not live:
        return
    peaks = m.beats if len(live) == len(leads) else m.rows(live).beats
    rate = rate_of(peaks, fs)
    lo, hi = RATE_RANGE_BPM
    if np.isfinite(rate) and (rate > hi or (rate < lo and regular(peaks))):
        raise RecordError(f"{source}: heart rate {rate:.0f} bpm at the declared {fs:g} Hz "
                          f"({x.shape[1]} samples = {x.shape[1] / fs:.1f} s), expected "
                          f"{lo:g}-{hi:g} bpm: the declared sampling rate is wrong")
