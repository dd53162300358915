"""NeuroKit2 morphology features (Experiments 3, 4 and 6): 28 numbers per record.

Pipeline on one lead (II, as recorded, 500 Hz): `nk.ecg_clean` -> `nk.ecg_peaks` (R peaks)
-> `nk.ecg_delineate(method="prominence")` (P, Q, S, T peaks and P, QRS, T on/offsets,
Emrich et al., 2024). The full `nk.ecg_process` costs about 0.24 s per lead; the
"dwt" and "peak" delineators about 40 ms; "prominence" about 3 ms for equal coverage
(timings in the Features chapter, `report.compare_methods`), so the whole demo corpus
takes seconds.

Per-beat quantities are reduced to one value per record by the median over the beats
where the wave was delineated. A value is a **fallback** (detection failure) when
- fewer than 3 R peaks were found, the extraction raised, or the beats do not resemble
  each other (median correlation of the beats with their median template < 0.8, which
  is what NeuroKit2 "detects" on pure noise) -> all 28 features fall back; or
- the wave a feature needs was delineated on fewer than half of the beats, or the result
  is not finite/positive where it must be (durations) -> that feature falls back.
Here a fallback is NaN; `table` stores it as `FALLBACK_VALUE` with a flag column.
NeuroKit2 warnings are silenced inside the extraction and counted per record
(`n_warnings`).
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

FEATURE_VERSION = 1          # bump when the extraction changes: invalidates caches
FALLBACK_VALUE = 0.0
MIN_BEATS = 3
MIN_WAVE_FRACTION = 0.5
MIN_BEAT_CORRELATION = 0.8
DEFAULT_LEAD = "II"
DEFAULT_METHOD = "prominence"


@dataclass(frozen=True)
class Feature:
    name: str
    group: str
    definition: str
    unit: str
    fallback: float = FALLBACK_VALUE


FEATURE_SPECS: tuple[Feature, ...] = (
    # R peaks: counts, amplitudes, locations
    Feature("r_count", "R peaks", "number of R peaks detected in the record", "count"),
    Feature("r_amp", "R peaks", "median R-peak amplitude (cleaned signal)", "µV"),
    Feature("r_amp_sd", "R peaks", "standard deviation of R-peak amplitudes", "µV"),
    Feature("r_first", "R peaks", "time of the first R peak", "s"),
    Feature("r_last", "R peaks", "time of the last R peak", "s"),
    # RR interval statistics and time-domain HRV
    Feature("hr_mean", "RR / HRV", "60000 / mean RR", "bpm"),
    Feature("rr_mean", "RR / HRV", "mean RR interval", "ms"),
    Feature("rr_median", "RR / HRV", "median RR interval", "ms"),
    Feature("rr_min", "RR / HRV", "shortest RR interval", "ms"),
    Feature("rr_max", "RR / HRV", "longest RR interval", "ms"),
    Feature("hrv_sdnn", "RR / HRV", "standard deviation of RR intervals (SDNN)", "ms"),
    Feature("hrv_rmssd", "RR / HRV", "root mean square of successive RR differences", "ms"),
    Feature("hrv_pnn50", "RR / HRV", "share of successive RR differences > 50 ms", "%"),
    Feature("hrv_cvnn", "RR / HRV", "SDNN / mean RR", "ratio"),
    # wave amplitudes
    Feature("p_amp", "wave amplitudes", "median P-peak amplitude", "µV"),
    Feature("q_amp", "wave amplitudes", "median Q-peak amplitude", "µV"),
    Feature("s_amp", "wave amplitudes", "median S-peak amplitude", "µV"),
    Feature("t_amp", "wave amplitudes", "median T-peak amplitude", "µV"),
    # P/Q/S/T boundary positions, as intervals
    Feature("p_duration", "boundaries", "P offset - P onset", "ms"),
    Feature("pr_interval", "boundaries", "QRS onset - P onset", "ms"),
    Feature("qrs_duration", "boundaries", "QRS offset - QRS onset", "ms"),
    Feature("qt_interval", "boundaries", "T offset - QRS onset", "ms"),
    Feature("qtc_bazett", "boundaries", "QT / sqrt(mean RR in s) (Bazett)", "ms"),
    Feature("st_segment", "boundaries", "T onset - QRS offset", "ms"),
    Feature("t_duration", "boundaries", "T offset - T onset", "ms"),
    Feature("q_to_r", "boundaries", "R peak - Q peak", "ms"),
    Feature("r_to_s", "boundaries", "S peak - R peak", "ms"),
    Feature("r_to_t", "boundaries", "T peak - R peak", "ms"),
)
NAMES: tuple[str, ...] = tuple(f.name for f in FEATURE_SPECS)   # in table order
N_FEATURES = len(NAMES)


def feature_definitions() -> pd.DataFrame:
    """The 28 features: name, group, definition, unit, fallback value."""
    return pd.DataFrame([f.__dict__ for f in FEATURE_SPECS]).rename(
        columns={"fallback": "fallback value"})


# --- one record ---------------------------------------------------------------------------

def _beat_correlation(clean: np.ndarray, r: np.ndarray, fs: float) -> float:
    """Median correlation of ±100 ms beat windows with their median template."""
    h = int(0.1 * fs)
    r = r[(r >= h) & (r < len(clean) - h)]
    if len(r) < MIN_BEATS:
        return float("nan")
    w = clean[r[:, None] + np.arange(-h, h)[None, :]]
    tpl = np.median(w, axis=0)
    wc = w - w.mean(axis=1, keepdims=True)
    tc = tpl - tpl.mean()
    den = np.sqrt((wc ** 2).sum(axis=1) * (tc ** 2).sum())
    cor = np.divide(wc @ tc, den, out=np.zeros(len(w)), where=den > 0)
    return float(np.median(cor))


def _wave_stat(values: np.ndarray, positive: bool = False) -> float:
    """Median over beats where the quantity is defined, NaN when under half are."""
    v = values[np.isfinite(values)]
    if positive:
        v = v[v > 0]
    if len(values) == 0 or len(v) < MIN_WAVE_FRACTION * len(values):
        return float("nan")
    return float(np.median(v))


def _delineate(clean: np.ndarray, r: np.ndarray, fs: float, method: str) -> dict[str, np.ndarray]:
    import neurokit2 as nk
    _, waves = nk.ecg_delineate(clean, r, sampling_rate=fs, method=method)
    out = {}
    for key in ("P_Onsets", "P_Peaks", "P_Offsets", "Q_Peaks", "R_Onsets", "R_Offsets",
                "S_Peaks", "T_Onsets", "T_Peaks", "T_Offsets"):
        v = np.asarray(waves.get(f"ECG_{key}", [np.nan] * len(r)), dtype=np.float64)
        if len(v) != len(r):       # not aligned with the R peaks: treat as not delineated
            v = np.full(len(r), np.nan)
        out[key] = v
    return out


def extract_record(signal: np.ndarray, fs: float, method: str = DEFAULT_METHOD
                   ) -> tuple[np.ndarray, str, float, int]:
    """The 28 features of one lead (µV) as an array with NaN for failed detections.

    Returns (values (28,), status, beat_correlation, n_warnings); status is "ok",
    "few_beats", "low_quality" or "error: <exception type>"."""
    import neurokit2 as nk
    values = np.full(N_FEATURES, np.nan)
    x = np.asarray(signal, dtype=np.float64)
    status, quality = "ok", float("nan")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if not np.isfinite(x).all() or np.ptp(x) == 0:
                return values, "few_beats", quality, 0
            clean = nk.ecg_clean(x, sampling_rate=fs)
            _, info = nk.ecg_peaks(clean, sampling_rate=fs)
            r = np.asarray(info["ECG_R_Peaks"], dtype=np.int64)
            if len(r) < MIN_BEATS:
                status = "few_beats"
            else:
                quality = _beat_correlation(clean, r, fs)
                if not quality >= MIN_BEAT_CORRELATION:
                    status = "low_quality"
                else:
                    values = _features_from_waves(clean, r, fs, _delineate(clean, r, fs, method))
        except Exception as exc:        # noqa: BLE001 - any NeuroKit2 failure is a fallback
            status = f"error: {type(exc).__name__}"
            values = np.full(N_FEATURES, np.nan)
    return values, status, quality, len(caught)


def _features_from_waves(clean, r, fs, w) -> np.ndarray:
    ms = 1000.0 / fs
    n = len(clean)

    def amp(idx):
        idx = np.asarray(idx, dtype=np.float64)
        ok = np.isfinite(idx) & (idx >= 0) & (idx < n)
        out = np.full(len(idx), np.nan)
        out[ok] = clean[idx[ok].astype(np.int64)]
        return out

    rr = np.diff(r) * ms
    drr = np.diff(rr)
    r_amps = clean[r]
    f: dict[str, float] = {
        "r_count": float(len(r)),
        "r_amp": float(np.median(r_amps)),
        "r_amp_sd": float(np.std(r_amps, ddof=1)),
        "r_first": r[0] / fs,
        "r_last": r[-1] / fs,
        "hr_mean": 60000.0 / rr.mean(),
        "rr_mean": rr.mean(),
        "rr_median": float(np.median(rr)),
        "rr_min": rr.min(),
        "rr_max": rr.max(),
        "hrv_sdnn": float(np.std(rr, ddof=1)) if len(rr) > 1 else np.nan,
        "hrv_rmssd": float(np.sqrt(np.mean(drr ** 2))) if len(drr) else np.nan,
        "hrv_pnn50": float(100.0 * np.mean(np.abs(drr) > 50)) if len(drr) else np.nan,
        "p_amp": _wave_stat(amp(w["P_Peaks"])),
        "q_amp": _wave_stat(amp(w["Q_Peaks"])),
        "s_amp": _wave_stat(amp(w["S_Peaks"])),
        "t_amp": _wave_stat(amp(w["T_Peaks"])),
        "p_duration": _wave_stat((w["P_Offsets"] - w["P_Onsets"]) * ms, positive=True),
        "pr_interval": _wave_stat((w["R_Onsets"] - w["P_Onsets"]) * ms, positive=True),
        "qrs_duration": _wave_stat((w["R_Offsets"] - w["R_Onsets"]) * ms, positive=True),
        "qt_interval": _wave_stat((w["T_Offsets"] - w["R_Onsets"]) * ms, positive=True),
        "st_segment": _wave_stat((w["T_Onsets"] - w["R_Offsets"]) * ms, positive=True),
        "t_duration": _wave_stat((w["T_Offsets"] - w["T_Onsets"]) * ms, positive=True),
        "q_to_r": _wave_stat((r - w["Q_Peaks"]) * ms, positive=True),
        "r_to_s": _wave_stat((w["S_Peaks"] - r) * ms, positive=True),
        "r_to_t": _wave_stat((w["T_Peaks"] - r) * ms, positive=True),
    }
    f["hrv_cvnn"] = f["hrv_sdnn"] / f["rr_mean"]
    f["qtc_bazett"] = f["qt_interval"] / np.sqrt(f["rr_mean"] / 1000.0)
    return np.array([f[name] for name in NAMES], dtype=np.float64)


def _extract_chunk(args) -> list[tuple[np.ndarray, str, float, int]]:
    signals, fs, method = args
    return [extract_record(s, fs, method) for s in signals]


def extract_many(signals, fs: float, method: str = DEFAULT_METHOD, workers: int | None = None,
                 progress: bool = True, chunk: int = 32, total: int | None = None
                 ) -> dict[str, np.ndarray]:
    """Features of many single-lead signals, in parallel over processes.

    `signals` is an iterable of 1-D arrays (or an (n, T) array). Returns a dict with
    values (n, 28) NaN = failure, status (n,), quality (n,), n_warnings (n,)."""
    from tqdm import tqdm       # plain tqdm: tqdm.auto warns inside kernels without widgets
    if isinstance(signals, np.ndarray):
        total = len(signals)
    workers = (os.cpu_count() or 1) if workers is None else max(1, int(workers))

    def chunks():
        buf = []
        for s in signals:
            buf.append(np.asarray(s, dtype=np.float32))
            if len(buf) == chunk:
                yield buf
                buf = []
        if buf:
            yield buf

    import neurokit2  # noqa: F401 - imported once here so forked workers inherit it
    if total is not None and total <= 2 * chunk:
        workers = 1                      # a pool costs more than it saves on a few records
    results: list = []
    bar = tqdm(total=total, desc="NeuroKit2 features", unit="rec", disable=not progress)
    if workers == 1:
        for c in chunks():
            results.extend(_extract_chunk((c, fs, method)))
            bar.update(len(c))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pending = []
            for c in chunks():           # keep a bounded number of chunks in flight
                pending.append(pool.submit(_extract_chunk, (c, fs, method)))
                while len(pending) > 2 * workers:
                    done = pending.pop(0).result()
                    results.extend(done)
                    bar.update(len(done))
            for fut in pending:
                done = fut.result()
                results.extend(done)
                bar.update(len(done))
    bar.close()
    if not results:
        return {"values": np.zeros((0, N_FEATURES)), "status": np.array([], dtype=object),
                "quality": np.zeros(0), "n_warnings": np.zeros(0, dtype=int)}
    return {"values": np.vstack([r[0] for r in results]),
            "status": np.array([r[1] for r in results], dtype=object),
            "quality": np.array([r[2] for r in results]),
            "n_warnings": np.array([r[3] for r in results], dtype=int)}


def delineate_record(signal: np.ndarray, fs: float, method: str = DEFAULT_METHOD
                     ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(cleaned signal, R peaks, wave positions) of one lead, for figures."""
    import neurokit2 as nk
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = nk.ecg_clean(np.asarray(signal, dtype=np.float64), sampling_rate=fs)
        r = np.asarray(nk.ecg_peaks(clean, sampling_rate=fs)[1]["ECG_R_Peaks"], dtype=np.int64)
        waves = _delineate(clean, r, fs, method) if len(r) >= MIN_BEATS else {}
    return clean, r, waves
