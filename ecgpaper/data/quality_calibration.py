"""How the refusal checks and quality flags behave on real recordings: how many real
records each flag fires on (false alarms, since the published records are taken as
correct), and how often each flag catches the error it is meant for when the same
records are damaged one way each (a sign flip, reversed or swapped chest leads, swapped
arm electrodes, a lead at 10x, a whole record at 0.1x or 10x, a 500 Hz recording declared as 250 or 125 Hz).

The real records are not part of the project; `scripts/calibrate_quality.py` runs this on
a folder of them and commits the result (`book/measurements/quality_calibration.json`),
which the Data chapter and the Data sources page quote, and a test recomputes it from the
same records so that a changed threshold cannot leave stale numbers in the book.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from ..constants import LEADS
from .plausibility import check_plausible
from .quality import quality_flags
from .validate import RecordError

V1, V2, V3 = (LEADS.index(n) for n in ("V1", "V2", "V3"))


def _scaled(k: int, factor: float):
    def fn(x):
        x = x.copy()
        x[k] *= factor
        return x
    return fn


def _arms_swapped(x):
    """Left- and right-arm electrodes exchanged: I inverted, II and III, aVR and aVL
    exchanged (the chest leads, referred to the mean of all three limbs, unchanged)."""
    i = {n: LEADS.index(n) for n in ("I", "II", "III", "aVR", "aVL")}
    y = x.copy()
    y[i["I"]] = -x[i["I"]]
    y[[i["II"], i["III"]]] = x[[i["III"], i["II"]]]
    y[[i["aVR"], i["aVL"]]] = x[[i["aVL"], i["aVR"]]]
    return y


def _swapped(x):
    x = x.copy()
    x[[V1, V2]] = x[[V2, V1]]
    return x


# damage -> (what it does, the flag that should catch it, the function of a µV array)
MUTATIONS = {
    "all leads inverted": ("inverted", lambda x: -x),
    "chest leads V6…V1": ("chest_reversed", lambda x: np.concatenate([x[:6], x[6:][::-1]])),
    "V1 and V2 swapped": ("chest_swapped", _swapped),
    "left and right arm swapped": ("arm_swapped", _arms_swapped),
    "six copies of V3": ("chest_duplicate",
                         lambda x: np.concatenate([x[:6], np.repeat(x[V3:V3 + 1], 6, 0)])),
    "V3 at 10×": ("chest_gain", _scaled(V3, 10.0)),
    "V3 at 0.1×": ("chest_gain", _scaled(V3, 0.1)),
    "whole record at 0.1×": ("amplitude_low", lambda x: x * 0.1),
    "whole record at 10×": ("amplitude_high", lambda x: x * 10.0),
}
# a 500 Hz recording declared at a lower rate: caught as rate_unusual or refused
WRONG_RATES = (250.0, 125.0)


def record_files(folder) -> list[Path]:
    """The recordings under `folder`: each figshare CSV (its first line names the 12
    leads or holds 12 numbers; other tables are passed over), then each WFDB header."""
    folder = Path(folder)
    out = []
    for path in sorted(folder.rglob("*.csv")):
        with open(path, encoding="utf-8", errors="replace") as fh:
            if len(fh.readline().strip().split(",")) == 12:
                out.append(path)
    return out + sorted(folder.rglob("*.hea"))


def real_records(folder) -> list:
    """Every recording of `record_files` as the readers read it, at any rate and length."""
    from .chapman import read_chapman_csv
    from .wfdb_io import read_wfdb
    return [read_chapman_csv(p, expected_samples=None) if p.suffix == ".csv" else
            read_wfdb(p, expected_fs=None, expected_samples=None, allow_flat=True)
            for p in record_files(folder)]


def folder_counts(folder) -> dict[str, int]:
    """Recordings per subfolder of `folder` (relative names, e.g. 'ptbxl/records100')."""
    folder = Path(folder)
    counts = Counter("/".join(p.parent.relative_to(folder).parts[:2])
                     for p in record_files(folder))
    return dict(sorted(counts.items()))


def _outcome(x: np.ndarray, fs: float, source: str) -> list[str] | None:
    """The flag codes of a µV array, or None when it is refused."""
    try:
        check_plausible(x, fs, source, LEADS)
    except RecordError:
        return None
    return [f.code for f in quality_flags(x, fs)]


def _tally(code: str, results: list) -> dict:
    """How damaged records came out: caught by `code`, refused, carrying only other
    flags, or passing without a word."""
    return {"flag": code, "records": len(results),
            "flagged": sum(r is not None and code in r for r in results),
            "refused": sum(r is None for r in results),
            "other_flag": sum(r is not None and bool(r) and code not in r for r in results),
            "silent": sum(r == [] for r in results)}


def calibrate(records) -> dict:
    """Refusals and flags on `records` as published, and each damage's detection rate on
    those of them that last at most 10 s and carry no flag as published."""
    counts, flagged, refused, clean = Counter(), 0, [], []
    for rec in records:
        x = np.asarray(rec.in_microvolts(), dtype=np.float64)
        codes = _outcome(x, rec.fs, rec.record_id)
        if codes is None:
            refused.append(rec.record_id)
            continue
        flagged += bool(codes)
        counts.update(set(codes))
        if not codes and rec.duration_s <= 10:
            clean.append((rec, x))
    damage = {}
    for name, (code, fn) in MUTATIONS.items():
        damage[name] = _tally(code, [_outcome(fn(x), rec.fs, rec.record_id)
                                     for rec, x in clean])
    for fs in WRONG_RATES:
        damage[f"500 Hz declared as {fs:g} Hz"] = _tally(
            "rate_unusual", [_outcome(x, fs, rec.record_id) for rec, x in clean
                             if rec.fs == 500])
    return {"records": len(records), "refused": refused, "flagged": flagged,
            "flags": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
            "clean_records": len(clean), "damage": damage}
