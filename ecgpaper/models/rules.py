"""Rule-based rhythm classifier: what heart rate, RR irregularity and atrial activity
alone say, with textbook thresholds. A floor for the networks, and a readable one.

Measurements per recording (NeuroKit2 `ecg_clean` + `ecg_peaks` on lead II; atrial
activity on V1, where flutter and fibrillatory waves are usually clearest):
- heart rate HR = 60 / mean RR;
- irregularity nRMSSD = RMSSD(RR) / mean(RR);
- atrial activity after QRST cancellation (the median beat, from 0.12 s before to 0.40 s
  after each R peak, is subtracted beat by beat): the dominant frequency DF of the
  residual in 3-10 Hz, its organisation OI (power within +-0.5 Hz of DF over the power in
  3-10 Hz) and the atrial share AA (power in 3-10 Hz over power in 1-30 Hz).

Thresholds and their sources (THRESHOLDS below):
- bradycardia < 60 bpm, tachycardia > 100 bpm (sinus rate limits; Kusumoto et al., 2018
  ACC/AHA/HRS bradycardia guideline);
- >= 150 bpm regular narrow-complex tachycardia read as SVT (SVT rates 150-250 bpm; Page
  et al., 2015 ACC/AHA/HRS SVT guideline; sinus tachycardia at rest rarely exceeds it);
- irregular rhythm when nRMSSD > 0.10 (Dash et al., 2009, Ann Biomed Eng 37:1701, whose
  AF detector uses RMSSD/mean RR with this order of threshold); markedly irregular > 0.20;
- atrial flutter: organised atrial wave at 220-360 /min, i.e. DF 3.7-6.0 Hz (typical
  flutter 250-350 /min; Brugada et al., 2019 ESC SVT guideline), OI >= 0.35, unless the
  rhythm is regular and DF lies within 0.3 Hz of a harmonic of the ventricular rate
  (then the peak is residual P/T activity of each beat);
- atrial fibrillation: irregular RR with fibrillatory activity (f-wave rates 240-540 /min,
  4-9 Hz; Bollmann et al., 2006, Europace 8:911), here AA >= 0.30, or markedly irregular;
- sinus arrhythmia: irregular RR at a normal sinus rate without fibrillatory activity.
Known limit: flutter with fixed 2:1 conduction has its flutter waves locked to the QRS, so
the median-beat cancellation removes them too and the recording reads as SVT.
Atrial tachycardia cannot be told from sinus tachycardia by these three measurements; it
gets a fixed small share of the tachycardia score and is never the top class.

Scores are soft versions of the same rules (logistic steps around each threshold),
combined so that they sum to 1; the predicted class is the top score. They are
"proba-like" (usable for ROC curves), not calibrated probabilities.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..constants import CLASSES, LEAD_INDEX

THRESHOLDS: dict[str, float] = {
    "brady_bpm": 60.0, "tachy_bpm": 100.0, "svt_bpm": 150.0,
    "irregular_nrmssd": 0.10, "very_irregular_nrmssd": 0.20,
    "flutter_df_low_hz": 3.7, "flutter_df_high_hz": 6.0, "flutter_oi": 0.35,
    "fibrillatory_aa": 0.30, "harmonic_tolerance_hz": 0.3,
    "at_share_of_tachycardia": 0.15,
}
_PRE_S, _POST_S = 0.12, 0.40


def _sig(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _qrst_cancel(x: np.ndarray, peaks: np.ndarray, fs: float) -> np.ndarray:
    pre, post = int(round(_PRE_S * fs)), int(round(_POST_S * fs))
    ok = peaks[(peaks - pre >= 0) & (peaks + post < len(x))]
    if len(ok) < 2:
        return x - np.median(x)
    template = np.median(np.stack([x[p - pre:p + post] for p in ok]), axis=0)
    r = x.copy()
    for i, p in enumerate(peaks):
        a, b = p - pre, p + post
        if i + 1 < len(peaks):
            b = min(b, peaks[i + 1] - pre)          # never eat the next beat's window
        lo, hi = max(a, 0), min(b, len(x))
        if hi > lo:
            r[lo:hi] -= template[lo - a:hi - a]
    return r


def rhythm_measurements(signal_uV: np.ndarray, fs: float) -> dict:
    """HR, RR irregularity and atrial-activity measures of one (12, T) recording."""
    import neurokit2 as nk
    from scipy.signal import welch

    out = {"hr_bpm": np.nan, "nrmssd": np.nan, "rr_range_s": np.nan, "n_beats": 0,
           "df_hz": np.nan, "oi": np.nan, "aa": np.nan, "ok": False}
    ii = np.asarray(signal_uV[LEAD_INDEX["II"]], float) / 1000.0     # mV
    v1 = np.asarray(signal_uV[LEAD_INDEX["V1"]], float) / 1000.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            clean = nk.ecg_clean(ii, sampling_rate=int(fs))
            _, info = nk.ecg_peaks(clean, sampling_rate=int(fs))
            peaks = np.asarray(info["ECG_R_Peaks"], int)
            v1c = nk.ecg_clean(v1, sampling_rate=int(fs))
        except Exception:                      # flat or broken lead: no measurement
            return out
    out["n_beats"] = len(peaks)
    if len(peaks) < 4:
        return out
    rr = np.diff(peaks) / fs
    out["hr_bpm"] = 60.0 / rr.mean()
    out["nrmssd"] = float(np.sqrt(np.mean(np.diff(rr) ** 2)) / rr.mean())
    out["rr_range_s"] = float(rr.max() - rr.min())
    resid = _qrst_cancel(v1c, peaks, fs)
    f, p = welch(resid, fs=fs, nperseg=min(len(resid), int(4 * fs)))
    band = (f >= 3) & (f <= 10)
    wide = (f >= 1) & (f <= min(30, fs / 2))
    if band.sum() >= 3 and p[wide].sum() > 0:
        df = f[band][np.argmax(p[band])]
        near = band & (np.abs(f - df) <= 0.5)
        out["df_hz"] = float(df)
        out["oi"] = float(p[near].sum() / p[band].sum())
        out["aa"] = float(p[band].sum() / p[wide].sum())
    out["ok"] = True
    return out


def rule_scores(m: dict, th: dict = THRESHOLDS) -> np.ndarray:
    """Class scores (8, CLASSES order, summing to 1) from one measurement dict."""
    if not m["ok"]:
        return np.full(len(CLASSES), 1.0 / len(CLASSES))
    hr, irr_v = m["hr_bpm"], m["nrmssd"]
    brady = _sig((th["brady_bpm"] - hr) / 3)
    tachy = _sig((hr - th["tachy_bpm"]) / 3)
    svt = _sig((hr - th["svt_bpm"]) / 5)
    irr = _sig((irr_v - th["irregular_nrmssd"]) / 0.02)
    very = _sig((irr_v - th["very_irregular_nrmssd"]) / 0.03)
    aa = 0.0 if np.isnan(m["aa"]) else _sig((m["aa"] - th["fibrillatory_aa"]) / 0.05)
    if np.isnan(m["df_hz"]):
        fl = 0.0
    else:
        in_band = (_sig((m["df_hz"] - th["flutter_df_low_hz"]) / 0.15)
                   * _sig((th["flutter_df_high_hz"] - m["df_hz"]) / 0.15))
        fl = in_band * _sig((m["oi"] - th["flutter_oi"]) / 0.05) * _sig((hr - 90) / 5)
        # a peak at a harmonic of a regular ventricular rate is left-over P/T waves
        f_v = hr / 60.0
        dist = abs(m["df_hz"] - f_v * max(1, round(m["df_hz"] / f_v)))
        fl *= 1 - _sig((th["harmonic_tolerance_hz"] - dist) / 0.05) * (1 - irr)
    af = irr * (1 - (1 - aa) * (1 - very))
    s = dict.fromkeys(CLASSES, 0.0)
    s["AF"] = fl
    s["AFIB"] = (1 - fl) * af
    rest = (1 - fl) * (1 - af)
    s["SB"] = rest * brady
    normal = rest * (1 - brady) * (1 - tachy)
    s["SA"], s["SR"] = normal * irr, normal * (1 - irr)
    fast = rest * (1 - brady) * tachy
    s["SVT"] = fast * svt
    share = th["at_share_of_tachycardia"]
    s["ST"], s["AT"] = fast * (1 - svt) * (1 - share), fast * (1 - svt) * share
    v = np.array([s[c] for c in CLASSES], float)
    return v / v.sum()


def predict_rules(signals_uV: np.ndarray, fs: float, progress: bool = False):
    """(N, 12, T) recordings in µV -> (predicted class names (N,), scores (N, 8)).

    Recordings without at least 4 detectable beats get uniform scores (and predict the
    first class, SB); `rule_measurements_table` shows which ones.
    """
    from tqdm import tqdm

    x = np.asarray(signals_uV)
    if x.ndim != 3 or x.shape[1] != len(LEAD_INDEX):
        raise ValueError(f"predict_rules expects signals of shape (N, 12, T) in µV, got {x.shape}")
    scores = np.stack([rule_scores(rhythm_measurements(s, fs))
                       for s in tqdm(x, disable=not progress, desc="rules")])
    return np.asarray(CLASSES, dtype=object)[scores.argmax(1)], scores


def rule_measurements_table(signals_uV: np.ndarray, fs: float):
    """The measurements behind `predict_rules`, one row per recording (pandas)."""
    import pandas as pd
    return pd.DataFrame([rhythm_measurements(s, fs) for s in np.asarray(signals_uV)])
