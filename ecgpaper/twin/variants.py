"""Domain randomisation of the twin: the heart a rhythm happens in.

A rhythm is defined by rate, regularity and the P-QRS relationship, never by the shape
of the complexes; a hospital population carries bundle-branch blocks, old infarctions,
hypertrophy, repolarisation changes, low voltage and premature beats in every rhythm.
So that a network learns the rhythm and not the morphology, each record keeps the Beat
statements drawn for it from the real table and may gain more, drawn here independently
of its rhythm at rates typical of adult inpatients and outpatients (bundle-branch block
about 5 %, LVH voltage 5-10 %, T-wave change 10-15 %, pathological Q waves about 5 %,
premature beats in a 10 s strip 5-10 %; e.g. Macfarlane et al., Comprehensive
Electrocardiology, 2011). A statement added here is written into the record's Beat
column, so the table still describes the signal.
"""

from __future__ import annotations

import numpy as np

from . import beats as tb     # module reference: beats imports this module too

# Statement -> probability that a record gains it, whatever its rhythm.
BACKGROUND = {
    "RBBB": 0.04, "LBBB": 0.015, "IVB": 0.03, "LVHV": 0.06, "LVQRSAL": 0.03, "TWC": 0.10,
    "TWO": 0.04, "STDD": 0.04, "STTU": 0.015, "AQW": 0.05, "APB": 0.06, "VPB": 0.06,
    "1AVB": 0.03, "PWC": 0.08,
}
WIDE = ("RBBB", "LBBB", "IVB")
# Statements that need organised atrial activity with a fixed P-QRS relation.
NEEDS_SINUS_P = ("APB", "1AVB", "PWC")


def add_background(beat: str, label: str, rng: np.random.Generator,
                   sinus: tuple) -> str:
    """The record's Beat string with statements drawn independently of its rhythm."""
    have = [] if beat in ("", "NONE") else beat.split()
    u = rng.uniform(size=len(BACKGROUND))
    for (code, p), x in zip(BACKGROUND.items(), u):
        if x >= p or code in have:
            continue
        if code in NEEDS_SINUS_P and label not in sinus:
            continue
        if code in WIDE and any(w in have for w in WIDE):
            continue
        have.append(code)
    return " ".join(have) if have else "NONE"


def wide_qrs_ms(beat: str, qrs_ms: float, rng: np.random.Generator) -> float:
    """QRS duration of a record whose Beat names a conduction block: at least 120 ms for
    complete bundle-branch block, 110 ms for other intraventricular delay."""
    if "RBBB" in beat or "LBBB" in beat:
        return max(qrs_ms, float(rng.uniform(122.0, 165.0)))
    if "IVB" in beat:
        return max(qrs_ms, float(rng.uniform(110.0, 140.0)))
    return qrs_ms


def st_waves(beat: str, qrs_vec: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """(3,) vector (mV) of a plateau between QRS end and T: ST depression opposite the
    main QRS forces (strain, ischaemia, digoxin) or ST elevation along the anterior and
    inferior wall; None when the record has neither."""
    if "STDD" in beat or ("STTC" in beat and rng.uniform() < 0.5):
        main = tb._unit(qrs_vec.sum(axis=0) + 1e-9)
        return -rng.uniform(0.04, 0.15) * main
    if "STTU" in beat or "STE" in beat:
        return rng.uniform(0.08, 0.25) * tb._unit(np.array([0.2, 0.5, 0.8]))
    return None


def q_wave(beat: str, amp: float, rng: np.random.Generator) -> np.ndarray | None:
    """Initial force (mV) of an old infarction: pointing away from the dead wall, so
    inferior infarction writes Q in II, III, aVF and anterior infarction QS in V1-V3."""
    if not any(k in beat for k in ("AQW", "MI")):
        return None
    if "MIFW" in beat or ("MILW" not in beat and rng.uniform() < 0.5):
        return amp * rng.uniform(0.25, 0.5) * tb._unit(np.array([0.1, 0.0, -1.0]))
    return amp * rng.uniform(0.25, 0.5) * tb._unit(np.array([0.2, -1.0, 0.0]))


# ------------------------------------------------------------------- premature beats
def premature(times: np.ndarray, p_onsets: np.ndarray | None, beat: str,
              rng: np.random.Generator, duration: float
              ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Insert atrial (APB) and ventricular (VPB) premature beats into a beat train.

    An APB comes 20-40 % early with its P wave and resets the sinus node (the pause after
    it is less than compensatory); a VPB comes 25-45 % early without a P wave and the
    sinus beat after it keeps its time (fully compensatory pause). Returns the new times,
    P onsets (aligned with the times in sinus rhythms, else unchanged) and a mask of the
    ventricular beats."""
    times = times.copy()
    pvc = np.zeros(len(times), bool)
    inside = np.flatnonzero((times > 0.5) & (times < duration - 0.5))
    if len(inside) < 3:
        return times, p_onsets, pvc
    aligned = p_onsets is not None and len(p_onsets) == len(times)
    if "APB" in beat and aligned:
        for i in rng.choice(inside[1:], size=min(rng.integers(1, 3), len(inside) - 1),
                            replace=False):
            rr = times[i] - times[i - 1]
            shift = rr * rng.uniform(0.2, 0.4)
            times[i:] -= shift
            times[i + 1:] += 0.3 * shift            # the reset pause, a little long
            p_onsets[i:] -= shift
            p_onsets[i + 1:] += 0.3 * shift
    if "VPB" in beat:
        k = min(int(rng.integers(1, 4)), len(inside) - 1)
        for i in rng.choice(inside[1:], size=k, replace=False):
            if pvc[i - 1] or (i + 1 < len(pvc) and pvc[i + 1]) \
                    or times[i] - times[i - 1] < 0.45:
                continue
            times[i] -= (times[i] - times[i - 1]) * rng.uniform(0.25, 0.45)
            pvc[i] = True
            if aligned:
                p_onsets[i] = np.nan                # the sinus P is buried in the VPB
    if aligned:
        p_onsets = p_onsets[np.isfinite(p_onsets)]
    return times, p_onsets, pvc


def pvc_waves(rng: np.random.Generator, times: np.ndarray, qt: float) -> "tb.Waves":
    """Wide (140-180 ms), tall complexes of a ventricular focus with a T wave opposite
    the QRS: one focus per record, so every VPB of a record has the same shape."""
    n = len(times)
    if n == 0:
        return tb.Waves(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros((0, 3)))
    d = rng.uniform(0.14, 0.18)
    # About 1.5x a normal QRS. A right-ventricular focus writes an LBBB-like complex
    # (deep in V1), a left-ventricular one an RBBB-like complex (tall in V1): either way
    # the forces run strongly front-to-back, so V1 never sees a VPB edge-on.
    front = rng.choice([-1.0, 1.0]) * rng.uniform(0.7, 1.2)
    v = tb._unit(np.array([*rng.normal(0.0, 0.8, 2), front])) * rng.uniform(0.9, 1.7)
    v2 = 0.6 * tb._unit(v + rng.normal(0.0, 1.0, 3)) * np.linalg.norm(v)
    t_vec = -0.35 * v
    c = np.concatenate([times - 0.12 * d, times + 0.18 * d, times - d / 2 + qt - 0.06])
    sl = np.concatenate([np.full(n, 0.2 * d), np.full(n, 0.2 * d), np.full(n, 0.05)])
    sr = np.concatenate([np.full(n, 0.2 * d), np.full(n, 0.2 * d), np.full(n, 0.035)])
    vec = np.vstack([np.tile(v, (n, 1)), np.tile(v2, (n, 1)), np.tile(t_vec, (n, 1))])
    return tb.Waves(c, sl, sr, vec)
