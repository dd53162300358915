"""What the refusal checks (`validate`, `plausibility`) and the quality flags (`quality`)
all read from one recording, computed once.

Every check works on the same few quantities: each lead with its baseline wander removed
(a one-second moving average subtracted), each lead's robust amplitude and polarity (its
0.5 %, 50 % and 99.5 % order statistics after detrending), its median, the QRS
positions, and the leads' inner products (`Measures.gram`), from which the correlations,
the distances between leads and the limb identities follow. Computing them once per
record, in float32, keeps the checks a small part of a request's time in the service
(they once cost more than the int8 network itself). The QRS width (`qrs_width`) and the
T-wave directions are computed only when a check asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Measures:
    """Per-lead quantities of one (n_leads, T) µV recording at its declared rate."""
    fs: float
    detrended: np.ndarray        # float32, one-second moving average removed
    low: np.ndarray              # 0.5 % order statistic of `detrended`, per lead (µV)
    middle: np.ndarray           # its median
    high: np.ndarray             # its 99.5 % order statistic
    median: np.ndarray           # median of the raw lead (its DC offset; `measure`)
    _beats: np.ndarray | None = field(default=None, repr=False)
    _qrs: float | None = field(default=None, repr=False)
    _energy: np.ndarray | None = field(default=None, repr=False)
    _gram: np.ndarray | None = field(default=None, repr=False)
    _span: np.ndarray | None = field(default=None, repr=False)

    @property
    def amplitude(self) -> np.ndarray:
        """Per-lead amplitude insensitive to baseline wander and to a few spikes."""
        return (self.high - self.low).astype(np.float64)

    @property
    def polarity(self) -> np.ndarray:
        """Per lead, -1..1: the upward minus the downward excursion from the median over
        the whole range; positive for a mostly upright QRS."""
        span = np.maximum(self.high - self.low, 1e-9)
        return ((self.high - self.middle) - (self.middle - self.low)) / span

    @property
    def energy(self) -> np.ndarray:
        """The summed squared slope of all leads (`slope_energy`), cached: the QRS
        detector and the median beat's alignment both read it."""
        if self._energy is None:
            self._energy = slope_energy(self.detrended)
        return self._energy

    @property
    def span(self) -> np.ndarray:
        """Each lead's peak-to-peak range after detrending (µV): under 1 µV it is flat."""
        if self._span is None:
            self._span = np.ptp(self.detrended, axis=1).astype(np.float64)
        return self._span

    @property
    def gram(self) -> np.ndarray:
        """Inner products of the leads (detrended, then centred on their means; float64
        from a float32 product): the correlations, distances and limb identities of
        the flags and checks all follow from this one (n_leads x n_leads) matrix."""
        if self._gram is None:
            y = self.detrended - self.detrended.mean(axis=1, keepdims=True)
            self._gram = (y @ y.T).astype(np.float64)
        return self._gram

    def correlation(self) -> np.ndarray:
        """Correlation matrix of the leads (`np.corrcoef` of `detrended`, from `gram`);
        0 where a lead is flat."""
        d = np.sqrt(np.clip(np.diag(self.gram), 0.0, None))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = self.gram / np.outer(d, d)
        return np.where(np.isfinite(r), np.clip(r, -1.0, 1.0), 0.0)

    @property
    def beats(self) -> np.ndarray:
        """QRS positions (samples) found in all leads together (`qrs_positions`)."""
        if self._beats is None:
            self._beats = qrs_positions(self.detrended, self.fs, energy=self.energy)
        return self._beats

    def t_polarity(self) -> np.ndarray | None:
        """Each lead's T-wave direction (`t_wave_polarity`), measured when asked."""
        return t_wave_polarity(self.detrended, self.beats, self.fs, energy=self.energy)

    def qrs_seconds(self) -> float:
        """The QRS width of the median beat at the declared rate (`qrs_width`), cached."""
        if self._qrs is None:
            self._qrs = qrs_width(self.detrended, self.beats, self.fs, energy=self.energy)
        return self._qrs

    def rows(self, index) -> "Measures":
        """The measures of some leads only (their beats are found again when asked)."""
        return Measures(self.fs, self.detrended[index], self.low[index], self.middle[index],
                        self.high[index], self.median[index])


def detrend(x: np.ndarray, fs: float) -> np.ndarray:
    """`x` minus its one-second moving average along time (float32)."""
    from scipy.ndimage import uniform_filter1d
    x = np.asarray(x, dtype=np.float32)
    window = max(1, min(x.shape[1], int(round(fs))))
    return x - uniform_filter1d(x, window, axis=1, mode="nearest")


def measure(signal_uV: np.ndarray, fs: float) -> Measures:
    """The `Measures` of a (n_leads, T) recording in µV at sampling rate `fs`."""
    x = np.asarray(signal_uV, dtype=np.float32)
    detrended = detrend(x, fs)
    n = x.shape[1]
    lo = int(0.005 * n)
    hi, mid = n - 1 - lo, n // 2
    # a full sort (vectorised in numpy) is three times faster than selecting three
    # order statistics with np.partition, and gives the same values
    ranked = np.sort(detrended, axis=1)
    # The DC offset from every 4th sample: it only has to place a lead within millivolts
    # of zero (the offset and spike bounds of 20-50 mV).
    offset = _median_rows(x[:, ::4] if n >= 400 else x)
    return Measures(float(fs), detrended, ranked[:, lo].astype(np.float64),
                    ranked[:, mid].astype(np.float64), ranked[:, hi].astype(np.float64),
                    offset.astype(np.float64))


def _median_rows(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """np.median along `axis`, by sorting: the same values, and faster than np.median
    on short rows and along a short first axis."""
    ranked = np.moveaxis(np.sort(x, axis=axis), axis, 0)
    mid = len(ranked) // 2
    return ranked[mid] if len(ranked) % 2 else (ranked[mid - 1] + ranked[mid]) / 2


def slope_energy(detrended: np.ndarray) -> np.ndarray:
    """The squared sample-to-sample slope summed over leads (float64, one shorter than the
    record): large where the heart's vector moves fast, i.e. in the QRS complexes."""
    return np.square(np.diff(detrended, axis=1)).sum(axis=0, dtype=np.float64)


def _peaks(energy: np.ndarray, smooth: int, distance: int) -> tuple[np.ndarray, np.ndarray]:
    from scipy.ndimage import uniform_filter1d
    from scipy.signal import find_peaks
    e = uniform_filter1d(energy, max(1, smooth))
    top = np.percentile(e, 99.5)
    if top <= 0:
        return np.zeros(0, dtype=int), e
    peaks, _ = find_peaks(e, height=0.25 * top, distance=max(1, distance))
    return peaks, e


def qrs_positions(detrended: np.ndarray, fs: float,
                  energy: np.ndarray | None = None) -> np.ndarray:
    """Sample positions of the QRS complexes at the declared `fs`: the peaks of the summed
    squared slope of all leads (smoothed over 50 ms, above a quarter of its 99.5th
    percentile, 250 ms apart). Smoothing and spacing then widen to the measured QRS width
    (three widths apart), so a recording declared at too low a rate does not count each
    QRS twice. `energy` (`slope_energy` of `detrended`) when the caller has it."""
    from scipy.signal import peak_widths
    if detrended.shape[1] < 3:
        return np.zeros(0, dtype=int)
    energy = slope_energy(detrended) if energy is None else energy
    smooth, distance = int(0.05 * fs), int(0.25 * fs)
    peaks, smoothed = _peaks(energy, smooth, distance)
    if len(peaks) >= 3:
        width = float(np.median(peak_widths(smoothed, peaks, rel_height=0.5)[0]))
        wider = (max(smooth, int(width)), max(distance, int(3 * width)))
        if wider != (smooth, distance):          # else the same search gives the same peaks
            peaks, _ = _peaks(energy, *wider)
    return peaks


# QRS width: where the spatial velocity of the median beat (the speed of the heart's
# vector over all leads) exceeds this fraction of its QRS peak above its floor (the 10th
# percentile over the beat), allowing dips of up to 20 ms. On the 10 Chapman-Shaoxing
# WFDB records of the test data it is within 8 ms of the database's own QRSDuration
# (GE MUSE) for the 9 sinus and fibrillation records and 44 ms short for the flutter
# record (flutter waves blur the onset): a coarse measure, meant to tell 80 ms from
# 160 ms, not to replace a measuring system.
QRS_THRESHOLD = 0.04


def _speed(x: np.ndarray, smooth: int, energy: np.ndarray | None = None) -> np.ndarray:
    from scipy.ndimage import uniform_filter1d
    energy = slope_energy(x) if energy is None else energy
    return np.sqrt(uniform_filter1d(energy, smooth))


def median_beat(detrended: np.ndarray, beats: np.ndarray, fs: float, before: float,
                after: float, energy: np.ndarray | None = None) -> np.ndarray | None:
    """The median over beats of each lead from `before` seconds ahead of the QRS to `after`
    seconds behind it, each beat aligned on its fastest moment (the largest spatial
    velocity within 50 ms of its detected position) so that the median keeps the QRS
    sharp; None below three beats that far inside the record. `energy`: as in
    `qrs_positions`."""
    pre, post = int(round(before * fs)), int(round(after * fs))
    reach = int(round(0.05 * fs))
    n = detrended.shape[1]
    beats = [int(b) for b in beats if pre + reach <= b < n - post - reach]
    if len(beats) < 3:
        return None
    speed = _speed(detrended, max(1, int(round(0.008 * fs))), energy)
    aligned = [b - reach + int(np.argmax(speed[b - reach:b + reach + 1])) for b in beats]
    # np.median over the short beat axis is slow; sorting gives the same values in a
    # third of the time (this runs on every slow-rate request the service checks)
    return _median_rows(np.stack([detrended[:, a - pre:a + post + 1] for a in aligned]), 0)


def t_wave_polarity(detrended: np.ndarray, beats: np.ndarray, fs: float,
                    energy: np.ndarray | None = None) -> np.ndarray | None:
    """Per lead, +1 or -1: the sign of the median beat's largest deflection from its PR
    level (40-100 ms before the QRS) between 100 ms after the QRS and the earlier of
    450 ms and 70 % of the beat interval, where the T wave lies; None below three beats."""
    template = median_beat(detrended, beats, fs, 0.3, 0.6, energy)
    if template is None:
        return None
    c = int(round(0.3 * fs))
    rr = float(np.median(np.diff(beats))) / fs
    base = np.median(template[:, c - int(0.1 * fs):c - int(0.04 * fs)], axis=1, keepdims=True)
    segment = template[:, c + int(0.1 * fs):c + int(min(0.45, 0.7 * rr) * fs)] - base
    if segment.shape[1] == 0:
        return None
    return np.where(np.abs(segment.max(axis=1)) >= np.abs(segment.min(axis=1)), 1, -1)


def qrs_width(detrended: np.ndarray, beats: np.ndarray, fs: float,
              energy: np.ndarray | None = None) -> float:
    """Seconds from QRS onset to offset of the median beat at the declared `fs`, NaN below
    three beats a quarter second inside the record. Each beat is aligned on its fastest
    moment (within 50 ms of its detected position) before the median, so the template
    keeps the QRS sharp; a recording declared at half its true rate doubles the result."""
    half = int(round(0.25 * fs))
    template = median_beat(detrended, beats, fs, 0.25, 0.25, energy)
    if template is None:
        return float("nan")
    smooth = max(1, int(round(0.008 * fs)))
    v = _speed(template, smooth)
    w = int(round(0.03 * fs))
    peak = half - w + int(np.argmax(v[half - w:half + w + 1]))
    floor = float(np.percentile(v, 10))
    above = v > floor + QRS_THRESHOLD * (v[peak] - floor)
    gap = max(1, int(round(0.02 * fs)))

    def edge(step: int) -> int:
        i = last = peak
        while 0 <= i + step < len(v) and abs(i + step - last) <= gap:
            i += step
            if above[i]:
                last = i
        return last
    return (edge(1) - edge(-1)) / fs
