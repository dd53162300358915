"""Summarise the real Chapman Diagnostics table into the figures the synthetic twin needs.

Run once by a maintainer who has the real table (it is not shipped):

    python scripts/twin_stats.py path/to/Diagnostics.xlsx [--out ecgpaper/resources/twin_stats.json]

Only summary figures leave this script, never rows of the table: per rhythm class the
record count, the female fraction, quantiles of each measurement (2.5 % steps, tails cut
at 0.5 % / 99.5 %), the normal-score (Gaussian-copula) correlation matrix between the
measurements, the frequencies of the commonest `Beat` strings, and how often the
automated atrial rate equals the ventricular rate. `ecgpaper.twin.metadata` samples new
Diagnostics rows from a Gaussian copula with these margins.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ecgpaper.constants import CLASSES
from ecgpaper.fileio import atomic_write_json
# Variables drawn jointly from the copula; the others are derived from them (QTCorrected,
# QOffset, TOffset) or from the synthetic signal (QRSCount, VentricularRate as measured).
COPULA_VARS = ("PatientAge", "Female", "VentricularRate", "AtrialRate", "QRSDuration",
               "QTInterval", "RAxis", "TAxis", "QOnset")
PROBS = np.concatenate([[0.005], np.arange(0.025, 0.976, 0.025), [0.995]])
TOP_BEATS = 12


def wrap_axis(deg: pd.Series) -> pd.Series:
    """MUSE writes axes in -90..270; map to -180..180 so that quantiles are continuous."""
    return deg.where(deg <= 180, deg - 360)


def normal_scores(x: np.ndarray) -> np.ndarray:
    ranks = stats.rankdata(x, method="average")
    return stats.norm.ppf(ranks / (len(x) + 1))


def summarise(table: pd.DataFrame) -> dict:
    t = table.copy()
    t["Rhythm"] = t["Rhythm"].replace({"SI": "SA"})
    t["Female"] = (t["Gender"].str.upper() == "FEMALE").astype(float)
    t["RAxis"] = wrap_axis(t["RAxis"])
    t["TAxis"] = wrap_axis(t["TAxis"])
    out: dict = {
        "source": "Chapman-Shaoxing Diagnostics.xlsx (Zheng et al., Sci Data 2020), summary "
                  "figures only",
        "n_records": int(len(t)),
        "probs": [round(float(p), 4) for p in PROBS],
        "copula_vars": list(COPULA_VARS),
        "classes": {},
    }
    for c in CLASSES:
        s = t[t["Rhythm"] == c]
        scores = np.column_stack([normal_scores(s[v].to_numpy(float)) for v in COPULA_VARS])
        corr = np.corrcoef(scores, rowvar=False)
        corr = np.nan_to_num(corr, nan=0.0)
        np.fill_diagonal(corr, 1.0)
        beats = s["Beat"].fillna("NONE").value_counts(normalize=True)
        same = (s["AtrialRate"] - s["VentricularRate"]).abs() <= 2
        out["classes"][c] = {
            "n": int(len(s)),
            "female_fraction": round(float(s["Female"].mean()), 4),
            "quantiles": {v: [round(float(q), 2) for q in np.quantile(s[v], PROBS)]
                          for v in COPULA_VARS if v != "Female"},
            "mean": {v: round(float(s[v].mean()), 2) for v in COPULA_VARS},
            "std": {v: round(float(s[v].std()), 2) for v in COPULA_VARS},
            "corr": [[round(float(x), 3) for x in row] for row in corr],
            "beat_freq": {k: round(float(f), 4) for k, f in beats.head(TOP_BEATS).items()},
            "atrial_equals_ventricular": round(float(same.mean()), 4),
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("diagnostics", type=Path, help="the real Diagnostics.xlsx")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1]
                    / "ecgpaper" / "resources" / "twin_stats.json")
    args = ap.parse_args(argv)
    if not args.diagnostics.is_file():
        raise FileNotFoundError(f"{args.diagnostics}: Diagnostics.xlsx not found")
    table = pd.read_excel(args.diagnostics)
    summary = summarise(table)
    atomic_write_json(args.out, summary, indent=1)
    print(f"wrote {args.out} ({len(table)} rows summarised)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
