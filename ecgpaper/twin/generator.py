"""The synthetic Chapman twin: a corpus that looks and behaves like Chapman-Shaoxing.

The real database cannot ship with the project, so the `demo` profile runs on this twin.
Each record gets a Diagnostics-shaped row drawn from the real table's per-class summary
figures (`metadata`), and a 10 s, 500 Hz, 12-lead signal in microvolts made from a 3-D
cardiac dipole (`beats`) beating in the record's rhythm (`rhythms`) with recording noise
(`noise`), in a heart whose morphology is drawn independently of its rhythm
(`variants`: conduction blocks, infarction, hypertrophy, ST-T changes, premature
beats). The measurements in the row are those of the signal: the ventricular rate and
QRS count are measured on the generated beats, the QRS axis, T axis, QRS duration and QT
interval are built into the beats.

Records are named `TWIN_000001`, `TWIN_000002`, ... in corpus order, so that no synthetic
record can be mistaken for a real one. `writer.generate_twin` writes the corpus in the
real on-disk form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..constants import CLASSES, DIAGNOSTICS_COLUMNS
from . import beats as tb
from . import metadata as tm
from . import noise as tn
from . import rhythms as tr
from . import variants as tv

FS = 500
DURATION = 10.0
N_SAMPLES = int(FS * DURATION)
GENERATOR_VERSION = "6"
DEFAULT_RECORDS = 1200

# Leads derived from I and II (rows of the 12 x 8 expansion matrix act on I, II, V1..V6).
_EXPAND = np.zeros((12, 8))
_EXPAND[0, 0] = 1.0                      # I
_EXPAND[1, 1] = 1.0                      # II
_EXPAND[2] = 0.0
_EXPAND[2, :2] = [-1.0, 1.0]             # III = II - I
_EXPAND[3, :2] = [-0.5, -0.5]            # aVR = -(I + II) / 2
_EXPAND[4, :2] = [1.0, -0.5]             # aVL = I - II / 2
_EXPAND[5, :2] = [-0.5, 1.0]             # aVF = II - I / 2
for _k in range(6):
    _EXPAND[6 + _k, 2 + _k] = 1.0        # V1..V6


@dataclass
class TwinRecord:
    """One synthetic record before it is written: signal (12, T) float32 µV and its row."""
    signal: np.ndarray | None
    row: dict
    info: dict                   # generator internals (rhythm kind, noise levels), for plots


def expand_limb_leads(eight: np.ndarray) -> np.ndarray:
    """(8, T) I, II, V1..V6 -> (12, T) in LEADS order, deriving III, aVR, aVL, aVF."""
    return _EXPAND @ eight


def record_name(i: int) -> str:
    """FileName of the i-th record (from 0) of a twin: `TWIN_000001` for the first."""
    return f"TWIN_{i + 1:06d}"


def _muse_axis(deg: float) -> int:
    """Axis in MUSE's -90..270 convention."""
    d = ((float(deg) + 180.0) % 360.0) - 180.0
    return int(round(d + 360.0 if d < -90.0 else d))


def _even(x: float) -> int:
    return int(2 * round(float(x) / 2))


def synth_record(label: str, meas: dict, beat: str, rng: np.random.Generator,
                 aeq: float = 1.0, signal: bool = True) -> TwinRecord:
    """Make one record of class `label` from its drawn measurements `meas` (copula
    variables, see `metadata`) and `Beat` string; `aeq` is the probability that the
    automated atrial rate equals the ventricular rate in sinus rhythms. With
    `signal=False` only the Diagnostics row is made (same row, far faster)."""
    if label not in CLASSES:
        raise ValueError(f"twin: unknown rhythm class {label!r}; expected one of {CLASSES}")
    resp_f = rng.uniform(0.15, 0.33)
    beat = tv.add_background(beat, label, rng, tr.SINUS)
    qrs_ms = float(np.clip(_even(tv.wide_qrs_ms(beat, meas["QRSDuration"], rng)), 56, 190))
    p_kind = {"AT": "ectopic", "SVT": "retrograde", "AFIB": None, "AF": None}.get(label, "sinus")
    age = float(np.clip(round(meas["PatientAge"]), 4, 98))
    female = bool(meas["Female"])
    m = tb.morphology(rng, raxis=meas["RAxis"], taxis=meas["TAxis"], qrs_ms=qrs_ms, age=age,
                      female=female, beat=beat, p_kind=p_kind)
    vr, ar = float(meas["VentricularRate"]), float(meas["AtrialRate"])
    f_rate = None
    if label in tr.SINUS:
        rh = tr.sinus(label, rng, vr, DURATION, resp_f, m)
    elif label == "AFIB":
        rh = tr.afib(rng, vr, DURATION)
    elif label == "AF":
        rh, f_rate = tr.flutter(rng, vr, ar, DURATION, m)
    elif label == "SVT":
        rh = tr.svt(rng, vr, DURATION, resp_f, m)
    else:
        rh = tr.atrial_tachycardia(rng, vr, ar, DURATION, m)

    times, p_onsets, pvc, beat = _with_premature(label, rh, beat, rng)
    vr_meas = tr.measured_rate(times, DURATION)
    rr_mean = 60.0 / vr_meas
    qt_ms = float(np.clip(_even(meas["QTInterval"]), max(200.0, qrs_ms + 90.0),
                          max(200.0, min(700.0, 0.95 * rr_mean * 1000.0))))
    qt_ms = float(_even(qt_ms))

    vr_int = int(round(vr_meas))
    # The electrocardiograph's automated atrial rate: the true atrial rate where P waves
    # are organised and visible; for fibrillation, flutter outside the usual F-wave band
    # and SVT with hidden P waves it is unreliable in the real table (often simply the
    # ventricular rate, otherwise a drawn value), and it occasionally misfires in sinus
    # rhythms. `aeq` is the real class's share of rows with atrial == ventricular rate.
    u = rng.uniform()
    if label in tr.SINUS:
        atrial_rate = vr_int if u <= aeq else int(round(max(ar, 0)))
    elif label == "AT":
        atrial_rate = int(round(rh.atrial_rate))
    elif label == "SVT" and rh.p_kind:
        atrial_rate = vr_int
    elif label == "AF" and 245.0 <= ar <= 355.0:
        atrial_rate = int(round(f_rate))
    else:
        atrial_rate = vr_int if u <= aeq else int(round(max(ar, 0)))
    # The real table's atrial rates lie within 0-535/min; the blur of `metadata` must not
    # push a row beyond what the electrocardiograph reports (nor past prepare's checks).
    atrial_rate = int(np.clip(atrial_rate, 0, 535))
    qonset = int(round(meas["QOnset"]))
    row = {
        "Rhythm": label,
        "Beat": beat,
        "PatientAge": int(age),
        "Gender": "FEMALE" if female else "MALE",
        "VentricularRate": vr_int,
        "AtrialRate": atrial_rate,
        "QRSDuration": int(qrs_ms),
        "QTInterval": int(qt_ms),
        "QTCorrected": int(np.floor(qt_ms / np.sqrt(60.0 / vr_meas))),
        "RAxis": _muse_axis(meas["RAxis"]),
        "TAxis": _muse_axis(meas["TAxis"]),
        "QRSCount": tr.qrs_count(times, DURATION),
        "QOnset": qonset,
        "QOffset": qonset + int(qrs_ms) // 2,
        "TOffset": qonset + int(qt_ms) // 2,
    }
    if not signal:
        return TwinRecord(None, row, {"rhythm": rh.kind})

    rr_prev = np.diff(times, prepend=times[0] - rr_mean)
    qt_beats = qt_ms / 1000.0 * (np.clip(rr_prev, 0.25, 2.5) / rr_mean) ** 0.35
    amp_mod = (1.0 + rng.uniform(0.02, 0.08) * np.sin(2 * np.pi * resp_f * times
                                                      + rng.uniform(0, 6.3))
               + rng.normal(0, 0.01, len(times)))
    waves = tb.Waves.concat([tb.beat_waves(m, times[~pvc], qt_beats[~pvc], amp_mod[~pvc]),
                             tv.pvc_waves(rng, times[pvc], qt_ms / 1000.0),
                             tb.p_wave_train(m, p_onsets)])
    dipole = tb.render(waves, N_SAMPLES, FS)
    if label == "AFIB":
        dipole += tr.fibrillatory_waves(rng, N_SAMPLES, FS)
    elif label == "AF":
        dipole += tr.flutter_waves(rng, f_rate, N_SAMPLES, FS)
    lm = tb.lead_matrix(rng)
    levels = tn.noise_levels(rng)
    eight = 1000.0 * (lm @ dipole) + tn.recording_noise(rng, N_SAMPLES, FS, levels, resp_f)
    eight, fault = tn.faults(tn.amplifier(eight, rng, FS), rng)
    eight = np.round(eight)               # integer µV, like the real files
    signal = expand_limb_leads(eight).astype(np.float32)
    inside = (times >= 0) & (times < DURATION)
    info = {"rhythm": rh.kind, "p_kind": rh.p_kind, "true_atrial_rate": rh.atrial_rate,
            "noisy": bool(levels["noisy"]), "qrs_times": times[inside],
            "premature_ventricular": int(pvc[inside].sum()), "fault": fault}
    return TwinRecord(signal, row, info)


def _with_premature(label: str, rh, beat: str, rng: np.random.Generator):
    """Beat times, P onsets and VPB mask with the record's premature beats; a sinus record
    whose premature beats would carry its mean rate out of its class keeps none (and its
    Beat string loses APB/VPB), so the label stays true."""
    aligned = label in tr.SINUS
    times, p, pvc = tv.premature(rh.qrs_times, rh.p_onsets.copy() if aligned else None,
                                 beat, rng, DURATION)
    if not aligned:
        return times, rh.p_onsets, pvc, beat
    lo, hi = tr.RATE_RANGE[label]
    if lo <= tr.measured_rate(times, DURATION) <= hi:
        return times, p, pvc, beat
    kept = [b for b in beat.split() if b not in ("APB", "VPB")]
    return rh.qrs_times, rh.p_onsets, np.zeros(len(rh.qrs_times), bool), \
        " ".join(kept) or "NONE"


def plan(n: int | None = None, counts: dict | None = None, seed: int = 0) -> pd.DataFrame:
    """Decide, deterministically for a seed, every record's class, drawn measurements,
    Beat string and FileName (one row per record, in corpus order)."""
    if counts is None:
        counts = tm.class_counts(DEFAULT_RECORDS if n is None else int(n))
    bad = sorted(set(counts) - set(CLASSES))
    if bad:
        raise ValueError(f"twin: counts has unknown classes {bad}; expected keys from {CLASSES}")
    if any(int(v) < 0 for v in counts.values()):
        raise ValueError(f"twin: counts must be non-negative, got {counts}")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7001]))
    parts = []
    for c in CLASSES:
        k = int(counts.get(c, 0))
        if k == 0:
            continue
        d = pd.DataFrame(tm.sample_measurements(c, k, rng))
        d["Rhythm"] = c
        d["Beat"] = tm.sample_beat(c, k, rng)
        parts.append(d)
    if not parts:
        raise ValueError("twin: no records requested (n or counts is zero)")
    p = pd.concat(parts, ignore_index=True)
    p = p.iloc[rng.permutation(len(p))].reset_index(drop=True)
    p["FileName"] = [record_name(i) for i in range(len(p))]
    return p


def iter_records(n: int | None = None, counts: dict | None = None, seed: int = 0,
                 progress: bool = False, signal: bool = True):
    """Yield (FileName, TwinRecord) in corpus order; each record has its own random stream,
    so a record is the same whatever else is generated."""
    p = plan(n, counts, seed)
    st = tm.load_stats()["classes"]
    children = np.random.SeedSequence([seed, 7002]).spawn(len(p))
    rows = p.to_dict("records")
    it = range(len(rows))
    if progress:
        from tqdm import tqdm
        it = tqdm(it, desc="twin", unit="rec")
    for i in it:
        r = rows[i]
        rec = synth_record(r["Rhythm"], r, r["Beat"], np.random.default_rng(children[i]),
                           aeq=st[r["Rhythm"]]["atrial_equals_ventricular"], signal=signal)
        rec.row["FileName"] = r["FileName"]
        yield r["FileName"], rec


def generate_arrays(n: int | None = None, counts: dict | None = None, seed: int = 0,
                    progress: bool = False) -> tuple[np.ndarray, pd.DataFrame]:
    """The twin in memory: signals (N, 12, 5000) float32 µV and the Diagnostics table."""
    sigs, rows = [], []
    for _, rec in iter_records(n, counts, seed, progress):
        sigs.append(rec.signal)
        rows.append(rec.row)
    return np.stack(sigs), pd.DataFrame(rows)[list(DIAGNOSTICS_COLUMNS)]


def generate_table(n: int | None = None, counts: dict | None = None, seed: int = 0,
                   progress: bool = False) -> pd.DataFrame:
    """Only the Diagnostics table of the twin (identical rows to `generate_arrays`, no
    signals): fast enough for a real-sized corpus."""
    rows = [rec.row for _, rec in iter_records(n, counts, seed, progress, signal=False)]
    return pd.DataFrame(rows)[list(DIAGNOSTICS_COLUMNS)]
