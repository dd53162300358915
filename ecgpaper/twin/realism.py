"""Signal-level realism of the twin: the same statistics measured on twin and real records.

The Diagnostics table can agree while the signals differ (a network sees only the
signal), so the comparison is made on the samples themselves, for any (12, T) record in
microvolts at 500 Hz:

- amplitude per lead (the robust 0.5-99.5 % range of `data.validate`),
- DC offset and baseline wander (what lies below 0.7 Hz), high-frequency noise (above
  40 Hz, where the ECG itself carries little power) and mains hum (50/60 Hz),
- the spectrum (Welch, averaged over leads) as band powers,
- the rhythm: QRS complexes found on the summed slope energy give the rate, the RR coefficient
  of variation and RMSSD,
- intervals from one lead: QRS duration, PR and QT delineated by NeuroKit2 (optional,
  about 0.25 s a record).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import signal as sps

from ..constants import LEADS
from ..data.validate import robust_amplitude, to_microvolts

FS = 500
BANDS = ((0.0, 0.7), (0.7, 5.0), (5.0, 15.0), (15.0, 40.0), (40.0, 100.0), (100.0, 250.0))


def _sos(kind: str, f, fs: float = FS):
    return sps.butter(2, f, btype=kind, fs=fs, output="sos")


def noise_stats(x: np.ndarray, fs: float = FS) -> dict[str, float]:
    """Median over leads of DC offset, wander (std below 0.7 Hz), HF noise (std above 40 Hz
    outside the QRS-dense band, from the median absolute deviation) and mains (µV)."""
    live = np.ptp(x, axis=1) > 1.0
    y = x[live] if live.any() else x
    dc = np.median(y, axis=1)
    low = sps.sosfiltfilt(_sos("lowpass", 0.7, fs), y - dc[:, None], axis=1)
    high = sps.sosfiltfilt(_sos("highpass", 40.0, fs), y, axis=1)
    f, p = sps.welch(y, fs=fs, nperseg=int(2 * fs), axis=1)
    df = f[1] - f[0]
    mains = max(_line(f, p, 50.0, df), _line(f, p, 60.0, df))
    return {"dc_uV": float(np.median(np.abs(dc))),
            "wander_uV": float(np.median(low.std(axis=1))),
            "hf_noise_uV": float(np.median(1.4826 * np.median(np.abs(high), axis=1))),
            "mains_uV": mains}


def _line(f, p, f0: float, df: float) -> float:
    """RMS (µV) of a narrow spectral line at f0 above the neighbouring floor, median over
    leads."""
    on = np.abs(f - f0) <= df
    near = (np.abs(f - f0) > 2 * df) & (np.abs(f - f0) <= 6 * df)
    excess = (p[:, on].sum(axis=1) - p[:, near].mean(axis=1) * on.sum()) * df
    return float(np.sqrt(max(float(np.median(excess)), 0.0)))


def band_powers(x: np.ndarray, fs: float = FS) -> dict[str, float]:
    """Share of each band in the total power (Welch, leads averaged, DC removed)."""
    y = x - np.median(x, axis=1, keepdims=True)
    f, p = sps.welch(y, fs=fs, nperseg=int(2 * fs), axis=1)
    p = p.mean(axis=0)
    total = p.sum()
    return {f"power_{lo:g}_{hi:g}Hz": float(p[(f >= lo) & (f < hi)].sum() / total)
            for lo, hi in BANDS}


def r_peaks(x: np.ndarray, fs: float = FS) -> np.ndarray:
    """QRS times (s): the slope energy of the 8-25 Hz band summed over leads (steep in the
    QRS, small in P and T waves), smoothed over 50 ms; a QRS is a local maximum above
    35 % of the record's 99th percentile, at least 200 ms after the previous one."""
    y = sps.sosfiltfilt(_sos("bandpass", (8.0, 25.0), fs), x, axis=1)
    e = (np.diff(y, axis=1) ** 2).sum(axis=0)
    w = int(0.05 * fs)
    e = np.sqrt(np.convolve(e, np.ones(w) / w, mode="same"))
    peaks, _ = sps.find_peaks(e, height=0.35 * np.percentile(e, 99), distance=int(0.2 * fs))
    return peaks / fs


def rhythm_stats(x: np.ndarray, fs: float = FS) -> dict[str, float]:
    """Heart rate (bpm), RR coefficient of variation and RMSSD (ms) from `r_peaks`."""
    t = r_peaks(x, fs)
    rr = np.diff(t)
    if len(rr) < 3:
        return {"rate_bpm": np.nan, "rr_cv": np.nan, "rmssd_ms": np.nan}
    return {"rate_bpm": float(60.0 / rr.mean()), "rr_cv": float(rr.std() / rr.mean()),
            "rmssd_ms": float(1000.0 * np.sqrt(np.mean(np.diff(rr) ** 2)))}


def interval_stats(lead: np.ndarray, fs: float = FS) -> dict[str, float]:
    """Median QRS duration, PR and QT (ms) that NeuroKit2's DWT delineation finds on one
    lead; NaN where it finds none."""
    import neurokit2 as nk
    out = {"qrs_ms": np.nan, "pr_ms": np.nan, "qt_ms": np.nan}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clean = nk.ecg_clean(lead, sampling_rate=fs)
            _, info = nk.ecg_peaks(clean, sampling_rate=fs)
            _, w = nk.ecg_delineate(clean, info["ECG_R_Peaks"], sampling_rate=fs,
                                    method="dwt")
    except Exception:               # delineation fails on some noisy or odd records
        return out

    def span(a, b):
        d = np.asarray(w.get(b), float) - np.asarray(w.get(a), float)
        d = d[np.isfinite(d) & (d > 0)]
        return float(1000.0 * np.median(d) / fs) if len(d) else np.nan
    out["qrs_ms"] = span("ECG_R_Onsets", "ECG_R_Offsets")
    out["pr_ms"] = span("ECG_P_Onsets", "ECG_R_Onsets")
    out["qt_ms"] = span("ECG_R_Onsets", "ECG_T_Offsets")
    return out


def record_stats(x: np.ndarray, fs: float = FS, intervals: bool = True) -> dict[str, float]:
    """Every statistic of one (12, T) µV record at `fs`, flat: amp_<lead>, noise, bands,
    rhythm and (optionally) intervals from lead II."""
    x = np.asarray(x, dtype=np.float64)
    amp = robust_amplitude(x, fs)
    out = {f"amp_{name}": float(a) for name, a in zip(LEADS, amp)}
    out.update(noise_stats(x, fs))
    out.update(band_powers(x, fs))
    out.update(rhythm_stats(x, fs))
    if intervals:
        out.update(interval_stats(x[LEADS.index("II")], fs))
    return out


def real_table(folder, intervals: bool = True, limit: int | None = None) -> pd.DataFrame:
    """`record_stats` of every labelled real record below `folder` (see
    `data.external.find_external`), with source and label."""
    from ..data.external import find_external
    rows = []
    for item in find_external(folder).records[:limit]:
        try:
            rec = item.load(fs=FS)
        except (ValueError, FileNotFoundError):
            continue
        x = to_microvolts(np.asarray(rec.signal, np.float64), rec.units)[:, :10 * FS]
        rows.append({"kind": "real", "source": item.source, "label": item.label,
                     **record_stats(x, FS, intervals)})
    return pd.DataFrame(rows)


def signals_table(signals, labels, kind: str, fs: float = FS,
                  intervals: bool = True) -> pd.DataFrame:
    """`record_stats` of (N, 12, T) µV signals at `fs` (e.g. a store's records)."""
    return pd.DataFrame([{"kind": kind, "source": kind, "label": lab,
                          **record_stats(x, fs, intervals)}
                         for x, lab in zip(signals, labels)])


def twin_table(n: int = 200, seed: int = 0, intervals: bool = True) -> pd.DataFrame:
    """`record_stats` of the first `n` records of a twin (generated in memory)."""
    from .generator import iter_records
    recs = [rec for _, rec in iter_records(n, seed=seed)]
    return signals_table([r.signal for r in recs], [r.row["Rhythm"] for r in recs], "twin",
                         FS, intervals)


LABELS = {"dc_uV": "DC offset (µV)", "wander_uV": "baseline wander < 0.7 Hz (µV)",
          "hf_noise_uV": "noise > 40 Hz (µV)", "mains_uV": "mains hum 50/60 Hz (µV)",
          "rate_bpm": "heart rate (bpm)", "rr_cv": "RR coefficient of variation",
          "rmssd_ms": "RMSSD (ms)", "qrs_ms": "QRS duration, lead II (ms)",
          "pr_ms": "PR interval, lead II (ms)", "qt_ms": "QT interval, lead II (ms)",
          **{f"amp_{name}": f"amplitude {name} (µV)" for name in LEADS},
          **{f"power_{lo:g}_{hi:g}Hz": f"power share {lo:g}–{hi:g} Hz" for lo, hi in BANDS}}


def compare(table: pd.DataFrame, columns=None) -> pd.DataFrame:
    """Median and interquartile range of each statistic per kind of record (e.g. twin,
    real), one row per statistic, labelled for reading."""
    cols = columns or [c for c in table.columns if c not in ("kind", "source", "label")]
    g = table.groupby("kind")[cols]
    q = {k: g.quantile(k).T for k in (0.25, 0.5, 0.75)}
    rows = []
    for col in cols:
        row = {"statistic": LABELS.get(col, col)}
        for kind in sorted(table["kind"].unique()):
            row[f"{kind} median"] = q[0.5].loc[col, kind]
            row[f"{kind} IQR"] = f"{q[0.25].loc[col, kind]:.3g}–{q[0.75].loc[col, kind]:.3g}"
        rows.append(row)
    return pd.DataFrame(rows)
