"""Quality flags: what is possible in a real ECG but unusual and often an error.

A record that passes `validate` (nothing physically impossible) may still carry signs of
a mistake that changes a network's answer: every lead inverted (or dextrocardia), chest
leads in reverse order or two of them swapped, the arm electrodes swapped, one chest
lead far off its neighbours,
two identical chest leads, a whole record ten times too small or large, a heart rate
that fits the declared sampling rate only barely. None of these is refused, since real
hearts and real recordings produce each of them now and then; each is reported as a
`QualityFlag` (a short code and a message naming the leads) beside the prediction, and
`--strict` turns them into errors. Thresholds were calibrated on the real records of
Chapman-Shaoxing, Ningbo, Georgia, CPSC, PTB and PTB-XL (tests/test_quality_flags.py
counts how many of them are flagged).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..constants import LEADS
from .measures import measure
from .plausibility import rate_of
from .validate import PRECORDIAL_LEADS, precordial_ratios

# Median lead amplitude (µV, `robust_amplitude`) of real 12-lead records: 378-4,856
# over 111 real records; outside this range a record is more likely mis-scaled 10x.
TYPICAL_AMPLITUDE_UV = (350.0, 5_000.0)
# Heart rate at the declared sampling rate: real records 46-216 bpm (below 40 is severe
# bradycardia, rare and worth a second look either way); outside this range
# (but inside the 20-300 bpm that `rhythm_rate` refuses outside) the declared rate may
# be wrong (a 500 Hz recording declared as 250 Hz halves the rate).
TYPICAL_RATE_BPM = (40.0, 250.0)
# A slow heart with wide QRS complexes is what a recording declared at half its true
# sampling rate looks like (every interval and every wave twice as long), and also what
# bradycardia with a bundle-branch block looks like, which is rarer: below this rate and
# at or above this QRS width (`measures.qrs_width`) the record is flagged. Real records:
# none of 111; the same records' 500 Hz recordings declared as 250 Hz: 16 of the 30 whose
# halved rate stays above 40 bpm (the rate bound above catches the others).
SLOW_WIDE = (70.0, 0.150)
# Leads whose QRS points the same way in nearly every heart (+ up, - down): all of them
# the other way means inverted leads (or dextrocardia). Real records: at most 8 of 8 in
# a few, 6 or more in 9 of 111; all-inverted copies of the same records: 6 or more in 91.
EXPECTED_POLARITY = {"I": 1, "II": 1, "aVF": 1, "V4": 1, "V5": 1, "V6": 1, "aVR": -1,
                     "V1": -1}
INVERTED_MIN_DISAGREE = 6
# One lead short of that, the T waves decide: upright in I, II and V4-V6 and inverted in
# aVR in most hearts, so when at least 4 of these 6 point the other way as well, the
# record is flagged. Real records: none more; all-inverted copies: 3 more of 67.
EXPECTED_T_POLARITY = {"I": 1, "II": 1, "V4": 1, "V5": 1, "V6": 1, "aVR": -1}
T_MIN_DISAGREE = 4
# A chest lead at more than this factor from the geometric mean of its neighbours (real
# records: within ~0.15-6.5 at the extremes; `validate` refuses beyond 8).
CHEST_RATIO_FLAG = (1 / 3, 3.0)
# Two neighbouring chest leads count as swapped when each correlates better (by this
# margin of |r|) with the other's outer neighbour: real records 12 of 108, the same
# records with V1/V2 or V3/V4 swapped 94-97 of 97.
SWAP_MARGIN = 0.05
# Lead I sees the heart from the left like V5 and V6, so in nearly every heart they look
# alike: lead I correlating below this with both (over the whole detrended record) is
# the mirror image an arm-electrode swap gives (it inverts I, exchanges II with III and
# aVR with aVL, and keeps the limb identities). Real records: 2 of 111; the same records
# with the arm electrodes swapped: 94 of 111 (besides the chest flag in a few others).
ARM_SWAP_CORRELATION = -0.3
# Chest leads reversed put V6's lateral waveform in V1's place: V1 resembling lead I
# better than V6 does by this margin (correlation) is flagged too, unless lead I is the
# mirror of V5 and V6 (an arm swap). Real records: none; reversed copies: 101 of 111
# flagged with the progression rule, 85 without.
REVERSED_LEAD_I_MARGIN = 0.3
# Two chest leads whose difference is under this fraction of the larger: a copied lead.
DUPLICATE_TOL = 0.02


@dataclass(frozen=True)
class QualityFlag:
    """One reason to look twice at a record: `code` for programs, `message` for people."""
    code: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def _live(span: np.ndarray, names) -> list[str]:
    """The leads of `names` that are not flat (`Measures.span` of at least 1 µV)."""
    return [n for n in names if span[LEADS.index(n)] >= 1.0]


def inverted_flag(pol: np.ndarray, live, t_polarity=None) -> QualityFlag | None:
    """Most leads pointing the other way from nearly every heart's: by the QRS alone, or
    one lead short of that and the T waves too (`t_polarity`, a callable giving each
    lead's T-wave direction, measured only then)."""
    checked = [n for n in EXPECTED_POLARITY if n in live]
    wrong = [n for n in checked if np.sign(pol[LEADS.index(n)]) != EXPECTED_POLARITY[n]]
    if len(checked) < len(EXPECTED_POLARITY):
        return None
    cause = ("all leads inverted (sign of the gain) or dextrocardia")
    qrs = (f"{len(wrong)} of {len(checked)} leads ({', '.join(wrong)}) have the opposite QRS "
           "polarity of nearly every heart (I, II, aVF, V4-V6 upright, aVR and V1 downward)")
    if len(wrong) >= INVERTED_MIN_DISAGREE:
        return QualityFlag("inverted", f"{qrs}: {cause}")
    if len(wrong) == INVERTED_MIN_DISAGREE - 1 and t_polarity is not None:
        t = t_polarity()
        t_live = [n for n in EXPECTED_T_POLARITY if n in live]
        t_wrong = [] if t is None else [n for n in t_live
                                        if t[LEADS.index(n)] != EXPECTED_T_POLARITY[n]]
        if len(t_wrong) >= T_MIN_DISAGREE:
            return QualityFlag("inverted", f"{qrs}, and so have the T waves in "
                               f"{len(t_wrong)} of {len(t_live)} ({', '.join(t_wrong)}; "
                               f"usually upright in I, II, V4-V6, inverted in aVR): {cause}")
    return None


def chest_order_flags(r: np.ndarray, pol: np.ndarray, live,
                      lead_i: dict | None = None) -> list[QualityFlag]:
    """Chest leads reversed (V1 upright and V6 downward, falling R progression, or V1 more
    like lead I than V6: `lead_i`, from `lead_i_correlations`) or two neighbours swapped
    (each correlates better with the other's neighbour); `r` is the leads' correlation
    matrix (`Measures.correlation`)."""
    lead_i = lead_i_correlations(r) if lead_i is None else lead_i
    out = []
    chest = [LEADS.index(n) for n in PRECORDIAL_LEADS]
    if not all(n in live for n in PRECORDIAL_LEADS):
        return out
    p = pol[chest]
    # Spearman's correlation of the QRS polarity with the lead's place (ranks of six
    # distinct values, so 1 - 6 sum d^2 / (n (n^2 - 1)), exactly np.corrcoef of the ranks)
    trend = 1.0 - float(np.sum((np.argsort(np.argsort(p)) - np.arange(6)) ** 2)) / 35.0
    if p[0] > 0 and p[5] < 0 and trend < -0.5:
        out.append(QualityFlag("chest_reversed", "V1 is upright and V6 downward with the "
                               "QRS turning from up to down across V1-V6, the reverse of the "
                               "usual R-wave progression: chest leads in reverse order?"))
    elif "I" in live and not _arm_mirror(lead_i):
        r1, r6 = lead_i["V1"], lead_i["V6"]
        if r1 - r6 > REVERSED_LEAD_I_MARGIN:
            out.append(QualityFlag("chest_reversed", f"V1 resembles lead I (correlation "
                                   f"{r1:.2f}) more than V6 does ({r6:.2f}); in nearly every "
                                   "heart V6 is the chest lead most like lead I: chest leads "
                                   "in reverse order, or V1 and V6 swapped?"))
    c = np.abs(r[np.ix_(chest, chest)])
    for k in range(5):
        left = k == 0 or c[k - 1, k + 1] > c[k - 1, k] + SWAP_MARGIN
        right = k == 4 or c[k, k + 2] > c[k + 1, k + 2] + SWAP_MARGIN
        if left and right:
            a, b = PRECORDIAL_LEADS[k], PRECORDIAL_LEADS[k + 1]
            out.append(QualityFlag("chest_swapped", f"{a} resembles the neighbours of {b} "
                                   f"and {b} those of {a}: leads {a} and {b} swapped?"))
    return out


def lead_i_correlations(r: np.ndarray) -> dict[str, float]:
    """Correlation of lead I with V1, V5 and V6 over the detrended record (0 for a flat
    lead; `r` from `Measures.correlation`), for the chest-order and arm-swap flags."""
    return {n: float(r[0, LEADS.index(n)]) for n in ("V1", "V5", "V6")}


def _arm_mirror(lead_i: dict) -> bool:
    return all(lead_i[n] < ARM_SWAP_CORRELATION for n in ("V5", "V6"))


def arm_swap_flag(lead_i: dict, live, chest_flagged: bool) -> QualityFlag | None:
    """Lead I the mirror image of V5 and V6 (see ARM_SWAP_CORRELATION; `lead_i` from
    `lead_i_correlations`); not raised beside a chest-reversal flag, whose misplaced V5
    and V6 can look the same."""
    if chest_flagged or not all(n in live for n in ("I", "V5", "V6")) or \
            not _arm_mirror(lead_i):
        return None
    r5, r6 = lead_i["V5"], lead_i["V6"]
    return QualityFlag("arm_swapped", f"lead I is the mirror image of V5 and V6 (correlation "
                       f"{r5:.2f} and {r6:.2f}; in nearly every heart the three look alike): "
                       "left- and right-arm electrodes swapped, or dextrocardia?")


def chest_duplicate_flag(gram: np.ndarray, live) -> QualityFlag | None:
    """Two chest leads (nearly) identical: one copied into the other's place. Distances
    from the leads' inner products (`Measures.gram`): |a - b|^2 = a.a + b.b - 2 a.b."""
    names = [n for n in PRECORDIAL_LEADS if n in live]
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            ia, ib = LEADS.index(a), LEADS.index(b)
            size2 = max(gram[ia, ia], gram[ib, ib])
            distance2 = gram[ia, ia] + gram[ib, ib] - 2 * gram[ia, ib]
            if distance2 < DUPLICATE_TOL ** 2 * size2:
                pairs.append(f"{a} = {b}")
    if pairs:
        return QualityFlag("chest_duplicate", f"identical chest leads ({', '.join(pairs)}, "
                           f"differing by under {DUPLICATE_TOL:.0%}): one lead copied into "
                           "another's place")
    return None


# Each chest lead's usual amplitude over its neighbours' geometric mean (median over the
# 111 real records; V1 is small beside V2, V2 large beside V1 and V3, V6 smaller than V5).
TYPICAL_CHEST_RATIO = {"V1": 0.53, "V2": 1.48, "V3": 0.98, "V4": 1.06, "V5": 1.04,
                       "V6": 0.79}


def odd_chest_lead(amp: np.ndarray, odd: dict, skip) -> str:
    """Of the chest leads off their neighbours and those next to them, the one whose
    correction (set to its usual ratio to its neighbours) leaves the others closest to
    their usual ratios: with V2 at 8x, V1 (next to V2) is as far off as V2 itself, and
    with V5 at 8x V6 may be the only lead past a bound, but correcting V2 (or V5) is
    what explains them all."""
    ratios = precordial_ratios(amp, LEADS, skip=skip)
    names = list(ratios)
    candidates = {n for k, n in enumerate(names) if n in odd or
                  any(0 <= j < len(names) and names[j] in odd for j in (k - 1, k + 1))}

    def left_over(name: str) -> float:
        fixed = amp.copy()
        k = LEADS.index(name)
        fixed[k] = amp[k] / ratios[name] * TYPICAL_CHEST_RATIO[name]
        rest = precordial_ratios(fixed, LEADS, skip=skip)
        return max(abs(np.log(r / TYPICAL_CHEST_RATIO[n])) for n, r in rest.items())
    return min(sorted(candidates), key=left_over)


def chest_gain_flag(amp: np.ndarray, live) -> QualityFlag | None:
    """The chest lead most likely at a wrong gain, when one is beyond CHEST_RATIO_FLAG."""
    skip = [n for n in PRECORDIAL_LEADS if n not in live]
    ratios = precordial_ratios(amp, LEADS, skip=skip)
    lo, hi = CHEST_RATIO_FLAG
    odd = {n: r for n, r in ratios.items() if not lo <= r <= hi}
    if not odd:
        return None
    name = odd_chest_lead(amp, odd, skip) if len(ratios) > 2 else max(odd)
    return QualityFlag("chest_gain", f"lead {name} is {ratios[name]:.2g}x the amplitude of its "
                       f"neighbouring chest leads, usually {lo:.2g}-{hi:g}x: that lead's gain "
                       "or placement may be wrong")


def record_flags(amp: np.ndarray, rate: float, fs: float,
                 qrs_seconds=None) -> list[QualityFlag]:
    """Whole-record amplitude and the heart rate the declared rate implies, with the QRS
    width (`qrs_seconds`, a callable: it is measured only for a slow rate)."""
    out = []
    median = float(np.median(amp[amp >= 1.0])) if (amp >= 1.0).any() else 0.0
    lo, hi = TYPICAL_AMPLITUDE_UV
    if not lo <= median <= hi:
        word = "small" if median < lo else "large"
        out.append(QualityFlag(f"amplitude_{'low' if median < lo else 'high'}",
                               f"typical lead amplitude {median:.0f} µV, usually "
                               f"{lo:g}-{hi:g} µV: the whole record may be 10x too {word} "
                               "(header gain or units)"))
    lo, hi = TYPICAL_RATE_BPM
    if np.isfinite(rate) and not lo <= rate <= hi:
        out.append(QualityFlag("rate_unusual", f"heart rate {rate:.0f} bpm at the declared "
                               f"{fs:g} Hz, usually {lo:g}-{hi:g} bpm: check the sampling rate"))
    elif qrs_seconds is not None and np.isfinite(rate) and rate < SLOW_WIDE[0]:
        qrs = qrs_seconds()
        if np.isfinite(qrs) and qrs >= SLOW_WIDE[1]:
            out.append(QualityFlag("rate_unusual", f"heart rate {rate:.0f} bpm with QRS "
                                   f"complexes {1000 * qrs:.0f} ms wide at the declared "
                                   f"{fs:g} Hz: a recording declared at half its sampling "
                                   "rate looks like this (so does bradycardia with bundle-"
                                   "branch block): check the sampling rate"))
    return out


def quality_flags(signal_uV: np.ndarray, fs: float, leads=LEADS,
                  measures=None) -> list[QualityFlag]:
    """Every flag for a (n_leads, T) µV signal with named leads; the lead-pattern flags
    need all 12 leads. `measures` (`measures.measure` of the same signal, e.g. from
    `validate.validate_signal`) saves computing them again."""
    m = measures if measures is not None else measure(signal_uV, fs)
    flags = record_flags(m.amplitude, rate_of(m.beats, fs), fs, m.qrs_seconds)
    if tuple(leads) != LEADS:
        return flags
    live = _live(m.span, LEADS)
    pol = m.polarity
    flags += [f for f in (inverted_flag(pol, live, m.t_polarity),) if f]
    r = m.correlation()
    lead_i = lead_i_correlations(r)
    order = chest_order_flags(r, pol, live, lead_i)
    flags += order
    reversed_chest = any(f.code == "chest_reversed" for f in order)
    flags += [f for f in (arm_swap_flag(lead_i, live, reversed_chest),
                          chest_duplicate_flag(m.gram, live),
                          chest_gain_flag(m.amplitude, live))
              if f]
    return flags
