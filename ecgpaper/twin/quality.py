"""How close is the twin to the real database? Checks the Data chapter and the tests use.

- `metadata_difficulty`: a metadata-only baseline (the caller passes it, e.g.
  `models.tabular.metadata_baseline`) on the paper's split, for any Diagnostics-shaped
  table (twin or real), so that their difficulty can be compared.
- `nk2_rate`: the ventricular rate NeuroKit2 measures on one lead (bpm).
- `rr_cv`: coefficient of variation of the RR intervals NeuroKit2 finds.
- `amplitude_table`: robust per-lead amplitudes of a set of signals (µV), for twin-vs-real.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..constants import CLASSES, LEADS, PAPER_TABLE1
from ..data.labels import rhythm_to_class
from ..data.splits import paper_split
from ..fileio import atomic_write_json
from ..paths import RESOURCES
from .generator import GENERATOR_VERSION, generate_table
from .metadata import MEASUREMENT_NOISE

# The same baseline, measured on the real Diagnostics table with the paper's split and
# stored with its date (shown when the real table is not at hand).
REAL_TABLE_BASELINE = RESOURCES / "real_table_baseline.json"

# baseline(train_table, test_table, seed=...) -> dict with accuracy, macro_f1, macro_auc;
# passed in so that the twin does not depend on the models built on top of it.
Baseline = Callable[..., dict]


def metadata_difficulty(table: pd.DataFrame, baseline: Baseline, seed: int = 42) -> dict:
    """Accuracy, macro-F1 and macro-AUC of `baseline` on the paper's 70/15/15 split of a
    Diagnostics-shaped table; rhythms outside the 8 classes are dropped first."""
    t = table.copy()
    t["label"] = t["Rhythm"].map(rhythm_to_class)
    t = t[t["label"].isin(CLASSES)].reset_index(drop=True)
    split = paper_split(t["label"], seed=seed)
    res = baseline(t[split == "train"], t[split == "test"], seed=seed)
    return {k: res[k] for k in ("accuracy", "macro_f1", "macro_auc")} | {
        "n_train": int((split == "train").sum()), "n_test": int((split == "test").sum())}


def _peaks(lead: np.ndarray, fs: float) -> np.ndarray:
    import neurokit2 as nk
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = nk.ecg_clean(np.asarray(lead, float), sampling_rate=int(fs))
        _, info = nk.ecg_peaks(clean, sampling_rate=int(fs))
    return np.asarray(info["ECG_R_Peaks"], int)


def nk2_rate(lead: np.ndarray, fs: float) -> float:
    """Mean ventricular rate (bpm) from NeuroKit2's R peaks on one lead."""
    p = _peaks(lead, fs)
    if len(p) < 2:
        return float("nan")
    return 60.0 * fs / float(np.mean(np.diff(p)))


def rr_cv(lead: np.ndarray, fs: float) -> float:
    """Coefficient of variation of NeuroKit2's RR intervals on one lead."""
    p = _peaks(lead, fs)
    if len(p) < 3:
        return float("nan")
    rr = np.diff(p) / fs
    return float(np.std(rr) / np.mean(rr))


def amplitude_table(signals: np.ndarray, leads=LEADS) -> pd.DataFrame:
    """Per record and lead: peak-to-peak amplitude after removing the baseline (µV),
    as the 99.5th minus 0.5th percentile of the signal minus its 0.6 s running median."""
    from scipy.ndimage import median_filter
    x = np.asarray(signals, float)
    base = median_filter(x, size=(1, 1, 301), mode="nearest")
    y = x - base
    amp = np.percentile(y, 99.5, axis=2) - np.percentile(y, 0.5, axis=2)
    return pd.DataFrame(amp, columns=list(leads))


def real_chapman_examples(shared_dir) -> list:
    """The real Chapman records kept beside the project (WFDB JSnnnnn + one figshare CSV),
    labelled through the real Diagnostics table; empty when the folder is absent."""
    from ..data.chapman import read_chapman_csv, read_diagnostics
    from ..data.wfdb_io import read_wfdb
    if shared_dir is None:
        return []
    root = Path(shared_dir) / "chapman"
    diag_path = root / "metadata" / "Diagnostics.xlsx"
    if not diag_path.is_file():
        return []
    diag = read_diagnostics(diag_path)
    out = []
    for hea in sorted((root / "wfdb").glob("JS*.hea")):
        out.append(read_wfdb(hea.with_suffix(""), diagnostics=diag))
    for csv in sorted((root / "csv-denoised").glob("*.csv")):
        out.append(read_chapman_csv(csv, diagnostics=diag))
    return out


def difficulty_comparison(active: pd.DataFrame, baseline: Baseline, *, seed: int = 42,
                          twin_seed: int = 0, shared_dir=None, cache=None,
                          synthetic: bool = True) -> pd.DataFrame:
    """The metadata-only `baseline` on the active profile's table, on a twin of the real
    database's size (when `synthetic`) and on the real table (measured here when the
    shared table is present, otherwise the stored figure with the date it was measured).
    The two large fits are cached in the JSON file `cache`."""
    key = f"v{GENERATOR_VERSION}-noise{MEASUREMENT_NOISE}-seed{twin_seed}-split{seed}"
    stored = {}
    if cache is not None and Path(cache).is_file():
        stored = json.loads(Path(cache).read_text())
    rows = [{"data": "active profile", **metadata_difficulty(active, baseline, seed=seed)}]
    if synthetic:
        name = f"twin at real size ({key})"
        if name not in stored:
            counts = {c: v[0] for c, v in PAPER_TABLE1.items()}
            stored[name] = metadata_difficulty(generate_table(counts=counts, seed=twin_seed),
                                               baseline, seed=seed)
        rows.append({"data": "twin, real database size", **stored[name]})
    diag = Path(shared_dir) / "chapman" / "metadata" / "Diagnostics.xlsx" if shared_dir else None
    if diag is not None and diag.is_file():
        name = f"real table (split {seed})"
        if name not in stored:
            stored[name] = metadata_difficulty(pd.read_excel(diag), baseline, seed=seed)
        rows.append({"data": "real table (measured here)", **stored[name]})
    else:
        real = json.loads(REAL_TABLE_BASELINE.read_text())
        rows.append({"data": f"real table (stored figure, measured {real['measured']})",
                     **{k: real[k] for k in ("accuracy", "macro_f1", "macro_auc", "n_train",
                                             "n_test")}})
    if cache is not None:
        atomic_write_json(cache, stored, indent=1)
    return pd.DataFrame(rows).set_index("data")
