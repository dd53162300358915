"""Heart beats of the synthetic twin from a 3-D cardiac dipole.

The heart's electrical activity is modelled as one current dipole whose tip traces the
P, QRS and T loops (in the spirit of Sameni et al., 2007, and the dipole models behind
ECGSYN, McSharry et al., 2003): each wave is a sum of a few asymmetric Gaussian bumps in
time, each with its own 3-D direction. A lead is the dot product of the dipole with that
lead's vector, so the Einthoven/Goldberger identities (III = II - I, aVR = -(I + II)/2,
...) hold by construction.

Axes: x points to the patient's left, y downwards (inferior), z forwards (anterior).
Frontal-plane angles are measured from +x towards +y, as the hexaxial reference system.
Amplitudes are in millivolts, times in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import variants as tv


# Precordial electrodes: angle in the horizontal plane from +x towards +z (anterior),
# inferior component and a gain (chest leads sit closer to the heart).
_PRECORDIAL_ANGLE = np.deg2rad([118.0, 95.0, 76.0, 58.0, 32.0, 6.0])
_PRECORDIAL_Y = np.array([-0.05, 0.0, 0.05, 0.12, 0.18, 0.2])
# Gains set so that the twin's median chest-lead amplitudes match real 12-lead records
# (see `realism`: about 1.0, 1.85, 1.75, 1.75, 1.5 and 1.2 mV for V1..V6).
_PRECORDIAL_GAIN = np.array([1.5, 3.6, 3.5, 3.0, 1.9, 1.35])


def frontal(deg: float | np.ndarray) -> np.ndarray:
    """Unit vector(s) in the frontal plane at the hexaxial angle `deg`."""
    r = np.deg2rad(deg)
    return np.stack([np.cos(r), np.sin(r), np.zeros_like(r)], axis=-1)


def lead_matrix(rng: np.random.Generator | None = None) -> np.ndarray:
    """(8, 3) lead vectors for I, II, V1..V6; with `rng`, jittered per patient to mimic
    heart position and electrode placement."""
    rot = np.zeros(6)
    gain = np.ones(6)
    limb = 1.0
    if rng is not None:
        rot = np.deg2rad(rng.normal(0.0, 7.0) + rng.normal(0.0, 3.0, 6))
        gain = np.exp(rng.normal(0.0, 0.15) + rng.normal(0.0, 0.07, 6))
        limb = float(np.exp(rng.normal(0.0, 0.08)))
    a = _PRECORDIAL_ANGLE + rot
    prec = np.stack([np.cos(a), _PRECORDIAL_Y, np.sin(a)], axis=1)
    prec = prec * (_PRECORDIAL_GAIN * gain)[:, None]
    limb_rows = limb * np.array([[1.0, 0.0, 0.0], [0.5, np.sqrt(3) / 2, 0.0]])
    return np.vstack([limb_rows, prec])


@dataclass
class Waves:
    """A set of asymmetric Gaussian bumps: centre (s), left/right widths (s), 3-D vector (mV)."""
    centre: np.ndarray
    sl: np.ndarray
    sr: np.ndarray
    vec: np.ndarray   # (n, 3)

    @staticmethod
    def concat(parts: list["Waves"]) -> "Waves":
        parts = [p for p in parts if len(p.centre)]
        if not parts:
            return Waves(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros((0, 3)))
        return Waves(np.concatenate([p.centre for p in parts]),
                     np.concatenate([p.sl for p in parts]),
                     np.concatenate([p.sr for p in parts]),
                     np.concatenate([p.vec for p in parts]))


def render(w: Waves, n_samples: int, fs: float) -> np.ndarray:
    """Sum the bumps into a (3, n_samples) dipole, evaluating each only within 4 widths."""
    out = np.zeros((3, n_samples))
    if not len(w.centre):
        return out
    half = int(np.ceil(4.0 * max(w.sl.max(), w.sr.max()) * fs)) + 1
    offs = np.arange(-half, half + 1)
    c = w.centre * fs
    idx = np.round(c).astype(np.int64)[:, None] + offs[None, :]
    dt = idx - c[:, None]
    sig = np.where(dt < 0, w.sl[:, None], w.sr[:, None]) * fs
    g = np.exp(-0.5 * (dt / sig) ** 2)
    ok = (idx >= 0) & (idx < n_samples)
    idx, g = idx[ok], g[ok]
    rows = np.broadcast_to(np.arange(len(c))[:, None], ok.shape)[ok]
    for k in range(3):
        out[k] = np.bincount(idx, weights=g * w.vec[rows, k], minlength=n_samples)
    return out


@dataclass
class Morphology:
    """One patient's beat shapes: QRS bumps relative to the QRS centre, the T wave relative
    to QRS onset (scaled by the beat's QT), and the P-wave bumps relative to P onset."""
    qrs_dt: np.ndarray
    qrs_sl: np.ndarray
    qrs_sr: np.ndarray
    qrs_vec: np.ndarray
    qrs_duration: float
    t_vec: np.ndarray            # (3,)
    p_dt: np.ndarray
    p_sl: np.ndarray
    p_sr: np.ndarray
    p_vec: np.ndarray
    pr: float                    # P onset to QRS onset (s)
    st_vec: np.ndarray | None = None   # (3,) ST-segment shift (mV), None when isoelectric
    u_vec: np.ndarray | None = None    # (3,) U wave after the T wave (mV), None when absent


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def qrs_waves(rng: np.random.Generator, raxis: float, d: float, amp: float,
              beat: str) -> tuple[np.ndarray, ...]:
    """QRS bumps whose net frontal area points at `raxis` degrees (the QRS axis as
    computed from net areas in I and aVF). d: QRS duration (s); amp: main R amplitude (mV)."""
    rbbb = "RBBB" in beat
    lbbb = "LBBB" in beat
    # (centre as fraction of d, width as fraction of d) for q, R1, R2, S[, R']
    dt = np.array([-0.30, -0.07, 0.10, 0.30])
    # R bumps about 7-8 ms wide at a 90 ms QRS: real QRS complexes carry a fifth of their
    # power at 15-40 Hz, which broader bumps would lose.
    sw = np.array([0.06, 0.08, 0.075, 0.065])
    post = rng.uniform(0.25, 0.8)              # how far back the late R forces point
    a_q = 0.0 if lbbb else amp * rng.uniform(0.08, 0.22)
    a_s = amp * rng.uniform(0.12, 0.35)
    v_q = a_q * _unit(np.array([-0.6, rng.uniform(-0.3, 0.3), 0.75]))
    v_s = a_s * _unit(np.array([rng.uniform(-0.9, -0.2), rng.uniform(-0.8, -0.1), -0.5]))
    extra_dt, extra_sw, extra_v = [], [], []
    if rbbb:  # terminal rightward-anterior forces: rsR' in V1, broad S in I and V6
        extra_dt, extra_sw = [0.36], [0.09]
        extra_v = [amp * rng.uniform(0.3, 0.55) * _unit(np.array([-0.7, 0.1, 0.7]))]
        dt = np.array([-0.32, -0.14, 0.02, 0.18])
        post *= 0.6
    if lbbb:
        post = rng.uniform(0.7, 1.2)
        sw = np.array([0.065, 0.13, 0.13, 0.07])
    r_share = np.array([0.55, 0.45]) * rng.uniform(0.85, 1.15, 2)
    # Frontal areas of the non-R bumps; then rotate the R forces so the sum is at raxis.
    others_v = np.array([v_q, v_s, *extra_v])
    others_w = np.array([sw[0], sw[3], *extra_sw]) * d
    o = (others_v[:, :2] * others_w[:, None]).sum(axis=0)
    r_area = amp * (r_share * sw[1:3] * d).sum()
    e = frontal(raxis)[:2]
    eo = e @ o
    s = eo + np.sqrt(max(eo * eo - o @ o + r_area * r_area, 1e-12))
    u = (s * e - o) / r_area
    u = u / np.linalg.norm(u)
    # The R forces sweep an open loop (early and late forces delta degrees either side),
    # so that a lead perpendicular to the axis still shows a biphasic complex; rotate the
    # pair so that their combined area still points along u.
    delta = np.deg2rad(rng.uniform(15.0, 40.0)) * (1 if rng.uniform() < 0.8 else -1)
    w = r_share * sw[1:3]
    eps = np.arctan2((w[0] - w[1]) * np.sin(delta), (w[0] + w[1]) * np.cos(delta))
    base = np.arctan2(u[1], u[0]) - eps
    u1 = np.array([np.cos(base + delta), np.sin(base + delta)])
    u2 = np.array([np.cos(base - delta), np.sin(base - delta)])
    scale = 1.0 / np.cos(delta)   # keep the combined area (and the amplitude) as drawn
    z1 = rng.uniform(-0.1, 0.35)
    v_r1 = amp * r_share[0] * np.array([u1[0], u1[1], z1])
    v_r2 = amp * r_share[1] * np.array([u2[0], u2[1], -post])
    v_r1[:2] *= scale
    v_r2[:2] *= scale
    vec = np.vstack([v_q, v_r1, v_r2, v_s, *extra_v])
    dts = np.concatenate([dt, extra_dt]) * d
    sws = np.concatenate([sw, extra_sw]) * d
    skew = rng.uniform(0.9, 1.1, len(dts))
    return dts, sws * skew, sws / skew, vec


def p_waves(rng: np.random.Generator, kind: str) -> tuple[np.ndarray, ...]:
    """P-wave bumps relative to P onset: 'sinus' (right then left atrium, upright in I, II,
    aVF), 'ectopic' (abnormal axis or shape) or 'retrograde' (narrow, superior axis)."""
    if kind in ("sinus", "sinus-abnormal"):
        # Normal adults: P axis about 0-75 degrees, amplitude 0.05-0.25 mV (small P waves,
        # barely above the noise, are common in real sinus records), duration 80-120 ms;
        # 'sinus-abnormal' (PWC, atrial enlargement) adds broad notched P mitrale,
        # peaked P pulmonale or a flat, low P.
        pd_ = rng.normal(0.100, 0.012)
        axis = rng.normal(52.0, 18.0)
        amp = float(np.exp(rng.normal(np.log(0.105), 0.45)))
        gap = 0.25
        if kind == "sinus-abnormal":
            r = rng.uniform()
            if r < 0.4:
                pd_, gap = rng.uniform(0.115, 0.14), rng.uniform(0.35, 0.45)
            elif r < 0.7:
                amp, axis = rng.uniform(0.22, 0.35), rng.normal(75.0, 10.0)
            else:
                amp, axis = rng.uniform(0.03, 0.06), rng.normal(40.0, 30.0)
        v1 = amp * 0.9 * (frontal(axis + 12) + np.array([0, 0, rng.uniform(0.3, 0.7)]))
        v2 = amp * 0.8 * (frontal(axis - 18) + np.array([0, 0, -rng.uniform(0.2, 0.8)]))
        dt = np.array([0.5 - gap / 2, 0.5 + gap / 2]) * pd_
        sw = np.array([0.15, 0.15]) * pd_
        return dt, sw, sw, np.vstack([v1, v2])
    if kind == "ectopic":
        pd_ = rng.normal(0.090, 0.012)
        r = rng.uniform()
        if r < 0.35:      # low atrial focus: inverted in II, III, aVF
            axis = rng.uniform(-130.0, -50.0)
        elif r < 0.55:    # left atrial focus: negative in I and aVL
            axis = rng.uniform(110.0, 170.0)
        else:             # focus near the sinus node (crista terminalis): a P wave much
            axis = rng.uniform(10.0, 95.0)   # like a sinus one, only its rate tells
        amp = float(np.exp(rng.normal(np.log(0.12), 0.3)))
        v = amp * (frontal(axis) + np.array([0, 0, rng.uniform(-0.8, 0.8)]))
        return (np.array([0.5 * pd_]), np.array([0.2 * pd_]), np.array([0.17 * pd_]),
                v[None, :])
    if kind == "retrograde":
        pd_ = rng.normal(0.075, 0.008)
        amp = float(np.exp(rng.normal(np.log(0.10), 0.25)))
        v = amp * (frontal(rng.normal(-90.0, 15.0)) + np.array([0, 0, rng.uniform(-0.2, 0.5)]))
        return (np.array([0.5 * pd_]), np.array([0.18 * pd_]), np.array([0.18 * pd_]),
                v[None, :])
    raise ValueError(f"unknown P-wave kind {kind!r}; expected sinus, ectopic or retrograde")


def morphology(rng: np.random.Generator, *, raxis: float, taxis: float, qrs_ms: float,
               age: float, female: bool, beat: str, p_kind: str | None) -> Morphology:
    """Draw one patient's beat shapes from the record's measurements and a little chance."""
    amp = np.exp(rng.normal(np.log(1.4), 0.25)) * (0.88 if female else 1.0)
    amp *= 1.0 - 0.004 * max(age - 40.0, 0.0)
    if "LVH" in beat:
        amp *= rng.uniform(1.3, 1.8)
    if "LVQRS" in beat:
        amp *= rng.uniform(0.4, 0.6)
    d = qrs_ms / 1000.0
    q_dt, q_sl, q_sr, q_vec = qrs_waves(rng, raxis, d, amp, beat)
    q_dt, q_sl, q_sr, q_vec = _add_q_wave(beat, amp, d, rng, q_dt, q_sl, q_sr, q_vec)
    t_amp = np.exp(rng.normal(np.log(0.26), 0.35))
    if "TWC" in beat or "STTC" in beat:
        t_amp *= rng.uniform(0.2, 0.8)
    t_vec = t_amp * (frontal(taxis) + np.array([0.0, 0.0, rng.uniform(0.15, 0.6)]))
    if "TWO" in beat or ("LVH" in beat and rng.uniform() < 0.3):
        t_vec[2] = -abs(t_vec[2]) - rng.uniform(0.05, 0.2)   # inverted in V1-V4
    if p_kind is None:
        p = (np.zeros(0), np.zeros(0), np.zeros(0), np.zeros((0, 3)))
    else:
        abnormal = p_kind == "sinus" and any(k in beat for k in ("PWC", "RAH", "LAH"))
        p = p_waves(rng, "sinus-abnormal" if abnormal else p_kind)
    pr = rng.normal(0.155, 0.022)
    if "1AVB" in beat:
        pr = rng.uniform(0.21, 0.30)
    return Morphology(q_dt, q_sl, q_sr, q_vec, d, t_vec, *p, pr=float(np.clip(pr, 0.10, 0.32)),
                      st_vec=tv.st_waves(beat, q_vec, rng), u_vec=u_wave(t_vec, rng))


def u_wave(t_vec: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A U wave in about half of the hearts: a small bump after the T wave, concordant
    with it and strongest in V2-V3 (5-25 % of the T wave). Without it, a network meets
    real U waves first on real records and may read them as blocked ectopic P waves."""
    if rng.uniform() >= 0.5:
        return None
    return rng.uniform(0.05, 0.25) * t_vec + np.array([0.0, 0.0, rng.uniform(0.01, 0.04)])


def _add_q_wave(beat, amp, d, rng, dt, sl, sr, vec):
    """Append an infarction's initial force (see `variants.q_wave`) to the QRS bumps."""
    q = tv.q_wave(beat, amp, rng)
    if q is None:
        return dt, sl, sr, vec
    return (np.append(dt, -0.33 * d), np.append(sl, 0.08 * d), np.append(sr, 0.08 * d),
            np.vstack([vec, q]))


def beat_waves(m: Morphology, qrs_times: np.ndarray, qt: np.ndarray,
               amp_mod: np.ndarray) -> Waves:
    """QRS and T bumps for beats centred at `qrs_times` with per-beat QT (s) and amplitude
    modulation (respiration moves the heart)."""
    nb, nq = len(qrs_times), len(m.qrs_dt)
    c = (qrs_times[:, None] + m.qrs_dt[None, :]).ravel()
    sl = np.tile(m.qrs_sl, nb)
    sr = np.tile(m.qrs_sr, nb)
    vec = (amp_mod[:, None, None] * m.qrs_vec[None, :, :]).reshape(nb * nq, 3)
    # T wave: asymmetric bump whose end (about 2.6 right-widths after the peak) is QT
    # after QRS onset.
    onset = qrs_times - m.qrs_duration / 2
    s_dn = 0.075 * qt
    s_up = 0.12 * qt
    t_peak = onset + qt - 2.6 * s_dn
    t_vec = amp_mod[:, None] * m.t_vec[None, :]
    w = Waves(np.concatenate([c, t_peak]), np.concatenate([sl, s_up]),
              np.concatenate([sr, s_dn]), np.vstack([vec, t_vec]))
    if m.u_vec is not None:      # U peak about 0.1 s after the end of the T wave
        w = Waves.concat([w, Waves(onset + qt + 0.1, np.full(nb, 0.045), np.full(nb, 0.05),
                                   amp_mod[:, None] * m.u_vec[None, :])])
    if m.st_vec is None:
        return w
    # ST plateau: from the J point to the T upstroke, scaled with the beat's QT.
    st_c = onset + m.qrs_duration + 0.2 * qt
    st = Waves(st_c, 0.11 * qt, 0.13 * qt, amp_mod[:, None] * m.st_vec[None, :])
    return Waves.concat([w, st])


def p_wave_train(m: Morphology, p_onsets: np.ndarray) -> Waves:
    """P-wave bumps for P waves starting at `p_onsets`."""
    n, k = len(p_onsets), len(m.p_dt)
    if n == 0 or k == 0:
        return Waves(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros((0, 3)))
    return Waves((p_onsets[:, None] + m.p_dt[None, :]).ravel(), np.tile(m.p_sl, n),
                 np.tile(m.p_sr, n), np.tile(m.p_vec, (n, 1)))
