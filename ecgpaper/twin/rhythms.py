"""When the heart beats in each rhythm of the twin, and what the atria do meanwhile.

Each class follows its clinical definition:
SB/SR/ST: regular sinus rhythm below 60, 60-100, above 100 bpm with normal variability;
SA: sinus rhythm whose RR interval swings with breathing (well beyond normal variability);
AFIB: irregularly irregular RR, no P waves, fibrillatory f-waves (about 300-550/min);
AF (flutter): regular sawtooth F-waves at 250-350/min, fixed or variable AV conduction;
SVT: regular narrow-complex tachycardia, P waves hidden or retrograde; as labelled in the
database its rate reaches down to about 104 bpm, overlapping ST and AT;
AT: ectopic P waves, usually conducted 1:1 (in the database often below 100/min), sometimes
with 3:2 or 2:1 block.
Times are in seconds; atrial waves are 3-D dipoles in millivolts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .beats import frontal

PAD = 2.5  # seconds simulated before and after the record so that edges look natural

# Ventricular rate (bpm) each class may show, as measured over the 10 s.
RATE_RANGE: dict[str, tuple[float, float]] = {
    "SB": (36.0, 59.4), "SR": (60.6, 99.4), "ST": (100.6, 180.0), "SA": (45.0, 110.0),
    "SVT": (104.0, 250.0), "AT": (55.0, 220.0), "AF": (45.0, 175.0), "AFIB": (40.0, 200.0),
}
SINUS = ("SB", "SR", "ST", "SA")


@dataclass
class Rhythm:
    qrs_times: np.ndarray          # QRS centres (s), covering [-PAD, duration + PAD]
    p_onsets: np.ndarray           # onsets of visible P waves (s)
    p_kind: str | None             # "sinus", "ectopic", "retrograde" or None
    atrial_rate: float             # true atrial rate (per min); nan when not organised
    kind: str                      # short description, e.g. "flutter 2:1"


def measured_rate(qrs_times: np.ndarray, duration: float) -> float:
    """Ventricular rate (bpm) from the mean RR of the beats inside the record."""
    t = qrs_times[(qrs_times >= 0) & (qrs_times < duration)]
    if len(t) < 2:
        return float("nan")
    return 60.0 / float(np.mean(np.diff(t)))


def qrs_count(qrs_times: np.ndarray, duration: float) -> int:
    return int(((qrs_times >= 0) & (qrs_times < duration)).sum())


def _fit_rate(times: np.ndarray, duration: float, lo: float, hi: float,
              target: float) -> np.ndarray:
    """Stretch beat times about t=0 so that the measured rate lands in [lo, hi]."""
    for _ in range(4):
        r = measured_rate(times, duration)
        if np.isfinite(r) and lo <= r <= hi:
            break
        goal = float(np.clip(target, lo + 0.3, hi - 0.3)) if np.isfinite(r) else target
        times = times * ((r / goal) if np.isfinite(r) else 1.0)
    return times


def _regular_train(rng, rr0: float, duration: float, resp_f: float, swing: float,
                   jitter: float) -> np.ndarray:
    """Beat times with a respiratory RR swing (peak-to-peak, s) and Gaussian jitter."""
    phase = rng.uniform(0, 2 * np.pi)
    t = -PAD + rng.uniform(0, rr0)
    out = []
    while t < duration + PAD:
        out.append(t)
        rr = rr0 + 0.5 * swing * np.sin(2 * np.pi * resp_f * t + phase) + rng.normal(0, jitter)
        t += max(rr, 0.22)
    return np.asarray(out)


def sinus(label: str, rng, vr: float, duration: float, resp_f: float, m) -> Rhythm:
    lo, hi = RATE_RANGE[label]
    target = float(np.clip(vr, lo + 0.5, hi - 0.5))
    rr0 = 60.0 / target
    if label == "SA":   # phasic variation beyond the 0.16 s criterion, to marked
        swing = max(0.16, rr0 * rng.uniform(0.18, 0.5))
        swing = min(swing, 0.6 * rr0)
        jitter = 0.015 * rr0
    elif label == "ST":
        swing, jitter = rr0 * rng.uniform(0.0, 0.04), 0.005 * rr0
    else:               # SB, SR: normal heart-rate variability. Resting sinus records
        # labelled SR span 0.04-0.22 s between shortest and longest RR over 10 s (median
        # about 0.09 s), so the restless end of this range meets sinus arrhythmia.
        calm = rng.uniform() ** 1.5 if label == "SR" else rng.uniform()  # most records calm
        swing = min(rr0 * calm * (0.24 if label == "SR" else 0.14), 0.22)
        jitter = rr0 * rng.uniform(0.006, 0.025)
    times = _regular_train(rng, rr0, duration, resp_f, swing, jitter)
    times = _fit_rate(times, duration, lo, hi, target)
    p = times - m.qrs_duration / 2 - m.pr
    return Rhythm(times, p, "sinus", measured_rate(times, duration), "sinus")


def afib(rng, vr: float, duration: float) -> Rhythm:
    lo, hi = RATE_RANGE["AFIB"]
    target = float(np.clip(vr, lo + 1, hi - 1))
    rr0 = 60.0 / target
    # RR irregularity (about the RR coefficient of variation) narrows as the ventricular
    # rate rises: the AV node's refractory period clips the short intervals, so fast
    # fibrillation can be only mildly irregular (CV about 0.1).
    s = rng.uniform(0.08, 0.32) * min(1.0, (100.0 / target) ** 0.5)
    n = int((duration + 2 * PAD) / (rr0 * 0.5)) + 4
    rr = rr0 * np.exp(rng.normal(-0.5 * s * s, s, n))
    rr = np.maximum(rr, 0.26 + 0.1 * rng.uniform())
    times = -PAD + rng.uniform(0, rr0) + np.concatenate([[0.0], np.cumsum(rr)])
    times = times[times < duration + PAD]
    times = _fit_rate(times, duration, lo, hi, target)
    return Rhythm(times, np.zeros(0), None, float("nan"), "fibrillation")


def flutter(rng, vr: float, ar: float, duration: float, m) -> tuple[Rhythm, float]:
    """Returns the rhythm and the F-wave rate (per min)."""
    f_rate = ar if 245.0 <= ar <= 355.0 else rng.uniform(250.0, 340.0)
    lo, hi = RATE_RANGE["AF"]
    k_mean = float(np.clip(f_rate / np.clip(vr, lo, hi), 2.0, 6.0))
    if abs(k_mean - round(k_mean)) < 0.2 or rng.uniform() < 0.35:
        k = int(round(k_mean))
        ratios = np.full(200, k)
        kind = f"flutter {k}:1"
    else:
        k0 = int(np.floor(k_mean))
        frac = k_mean - k0
        ratios = k0 + (rng.uniform(size=200) < frac).astype(int)
        kind = "flutter variable block"
    cycle = 60.0 / f_rate
    f_onsets = -PAD - 1.0 + rng.uniform(0, cycle) + cycle * np.arange(
        int((duration + 2 * PAD + 2) / cycle) + 2)
    conducted = np.cumsum(ratios) - ratios[0]
    conducted = conducted[conducted < len(f_onsets)]
    av = rng.uniform(0.20, 0.30)
    # Variable block conducts with varying concealment, so its AV delay wanders too
    # (flutter with variable conduction is then irregular, like fibrillation).
    av_sd = 0.025 if kind == "flutter variable block" else 0.003
    times = f_onsets[conducted] + av + m.qrs_duration / 2 + rng.normal(0, av_sd, len(conducted))
    times = times[(times > -PAD) & (times < duration + PAD)]
    return Rhythm(times, np.zeros(0), None, f_rate, kind), f_rate


def svt(rng, vr: float, duration: float, resp_f: float, m) -> Rhythm:
    lo, hi = RATE_RANGE["SVT"]
    target = float(np.clip(vr, lo + 1, hi - 1))
    rr0 = 60.0 / target
    times = _regular_train(rng, rr0, duration, resp_f, 0.0, 0.0025 * rr0)
    times = _fit_rate(times, duration, lo, hi, target)
    if rng.uniform() < 0.35:   # retrograde P in the ST segment (RP shorter than PR)
        rp = rng.uniform(0.07, 0.12)
        p = times + rp - 0.035
        return Rhythm(times, p, "retrograde", measured_rate(times, duration),
                      "SVT, retrograde P")
    return Rhythm(times, np.zeros(0), None, measured_rate(times, duration), "SVT, P hidden")


def atrial_tachycardia(rng, vr: float, ar: float, duration: float, m) -> Rhythm:
    """Conduction follows the drawn atrial/ventricular rate ratio, as in the database:
    106 of its 121 AT rows have an atrial rate below 1.3 times the ventricular rate (1:1
    conduction), and 39 run below 100 bpm, where only the ectopic P wave's shape and axis
    tell them from sinus rhythm. Block (3:2, 2:1) appears only when the atrial rate is
    clearly higher."""
    lo, hi = RATE_RANGE["AT"]
    vr = float(np.clip(vr, lo + 1, hi - 1))
    ratio = ar / vr if ar > 0 else 1.0
    if ratio < 1.3 or vr * 2 > 250:
        a_rate, pattern, kind = vr, np.array([1]), "AT 1:1"
    elif ratio < 1.75 and vr * 1.5 <= 250 and vr * 1.5 >= 100:
        a_rate, pattern, kind = vr * 1.5, np.array([1, 1, 0]), "AT 3:2 block"
    else:
        a_rate = float(np.clip(2 * vr, 100, 250))
        pattern, kind = np.array([1, 0]), "AT 2:1 block"
    cycle = 60.0 / a_rate
    n = int((duration + 2 * PAD + 1) / cycle) + 2
    p = -PAD - 0.5 + rng.uniform(0, cycle) + cycle * np.arange(n) + rng.normal(0, 0.003, n)
    cond = np.resize(pattern, n).astype(bool)
    pr = np.clip(m.pr + rng.uniform(-0.01, 0.03), 0.12, 0.26)
    times = p[cond] + pr + m.qrs_duration / 2
    if kind == "AT 3:2 block":  # Wenckebach: the second conducted beat has a longer PR
        second = np.resize(np.array([0, 1]), cond.sum()).astype(bool)
        times = times + second * 0.06
    keep = (times > -PAD) & (times < duration + PAD)
    return Rhythm(times[keep], p, "ectopic", a_rate, kind)


# ---------------------------------------------------------------------------- atria
def _smooth_walk(rng, t: np.ndarray, n: int = 3, fmax: float = 0.5) -> np.ndarray:
    """A slow random curve with unit-order amplitude (sum of a few sinusoids)."""
    f = rng.uniform(0.05, fmax, n)
    ph = rng.uniform(0, 2 * np.pi, n)
    a = rng.uniform(0.3, 1.0, n)
    return (a[:, None] * np.sin(2 * np.pi * f[:, None] * t[None, :] + ph[:, None])).sum(0) / n


def fibrillatory_waves(rng, n_samples: int, fs: float) -> np.ndarray:
    """f-waves: disorganised atrial activity at 5-9 Hz with drifting frequency, amplitude
    and direction, strongest in V1 and the inferior leads; fine in about one record in
    five (below 0.025 mV), so that irregularity and the missing P waves, not the f-waves
    alone, must tell fibrillation. (3, n) in mV."""
    t = np.arange(n_samples) / fs
    f = np.clip(rng.uniform(5.0, 7.8) + 0.9 * _smooth_walk(rng, t, 4, 0.8), 4.0, 9.5)
    phase = 2 * np.pi * np.cumsum(f) / fs
    wave = np.sin(phase) + rng.uniform(0.1, 0.4) * np.sin(2 * phase + rng.uniform(0, 6.3))
    # from fine fibrillation (f-waves lost in the noise, common in long-standing AF) to coarse
    amp = np.exp(rng.normal(np.log(0.04), 0.6)) * (1 + 0.45 * _smooth_walk(rng, t, 3, 0.6))
    v0 = np.array([-0.3, 0.6, 0.75]) + rng.normal(0, 0.25, 3)
    v1 = rng.normal(0, 0.5, 3)
    rot = np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t + rng.uniform(0, 6.3))
    direction = v0[:, None] + v1[:, None] * rot[None, :]
    direction /= np.linalg.norm(v0)
    return direction * (amp * wave)[None, :]


def flutter_waves(rng, f_rate: float, n_samples: int, fs: float) -> np.ndarray:
    """F-waves at `f_rate` per minute, as typical (counter-clockwise) flutter shows them: a
    sawtooth without isoelectric baseline, negative in II, III and aVF, and in V1 discrete
    upright waves separated by a flat baseline, which at 2:1 conduction look like a second
    P wave between the QRS complexes. About one record in seven is clockwise flutter, with
    the polarities reversed. (3, n) in mV."""
    t = np.arange(n_samples) / fs
    p = (t * f_rate / 60.0 + rng.uniform()) % 1.0
    rise = rng.uniform(0.6, 0.8)
    w = np.where(p < rise, -1 + 2 * p / rise, 1 - 2 * (p - rise) / (1 - rise))
    k = np.exp(-0.5 * (np.arange(-12, 13) / (0.008 * fs)) ** 2)
    w = np.convolve(w, k / k.sum(), mode="same")
    # the anterior, rightward part of the circuit: one narrow wave per cycle, late in the
    # inferior leads' descent, seen mostly by V1
    cycle = 60.0 / f_rate
    d = (p - (rise - rng.uniform(0.05, 0.25)) + 0.5) % 1.0 - 0.5
    pulse = np.exp(-0.5 * (d * cycle / rng.uniform(0.012, 0.02)) ** 2)
    amp = np.exp(rng.normal(np.log(0.15), 0.3))
    saw = frontal(rng.normal(-95.0, 15.0)) + np.array([0.0, 0.0, rng.uniform(-0.1, 0.1)])
    anterior = np.array([-0.45, 0.0, 0.9]) * rng.uniform(0.35, 0.8)
    sign = -1.0 if rng.uniform() < 0.15 else 1.0
    return sign * amp * (saw[:, None] * w[None, :] + anterior[:, None] * pulse[None, :])
