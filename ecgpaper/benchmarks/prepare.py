"""Benchmark of the data layer: records per second when preparing a store from figshare
CSVs and from WFDB records, and the time of one full pass over a store (one epoch of
signal reads), extrapolated to the 10,615-record database.

Corpora are built in a temporary folder: synthetic figshare-style CSVs (random µV values
with the real file's size and layout) and WFDB records in the CinC layout (.mat + .hea).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:           # numpy and pandas load only when the benchmark runs
    import numpy as np
    import pandas as pd

DESCRIPTION = ("Data layer: prepare throughput (CSV and WFDB records per second) and one "
               "full pass over a store")
FULL_RECORDS = 10_615
CLASSES_CYCLE = ("SB", "SR", "AFIB", "ST", "SVT", "AF", "SA", "AT")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=int, default=None,
                        help="records per synthetic corpus (default 60 quick, 600 full)")
    parser.add_argument("--workers", type=int, default=None, help="prepare processes")


def _diagnostics(names: list[str]) -> pd.DataFrame:
    """A Diagnostics table whose values lie inside the ranges `prepare` accepts."""
    import numpy as np
    import pandas as pd

    from ..data.chapman import DIAGNOSTICS_RANGES
    rng = np.random.default_rng(0)
    n = len(names)
    df = pd.DataFrame({"FileName": names,
                       "Rhythm": [CLASSES_CYCLE[i % 8] for i in range(n)],
                       "Beat": "NONE", "PatientAge": rng.integers(20, 90, n),
                       "Gender": np.where(rng.random(n) < 0.5, "MALE", "FEMALE")})
    for column, (low, high) in DIAGNOSTICS_RANGES.items():
        if column != "PatientAge":
            df[column] = rng.integers(int(low), int(high), n)
    return df


def _signals(n_distinct: int = 4) -> list[np.ndarray]:
    """ECG-like (12, 5000) µV arrays: a spike train per limb axis, limb leads derived by
    Einthoven's and Goldberger's laws, chest leads scaled copies, plus noise, so that
    they pass `prepare`'s physiological checks like real records."""
    import numpy as np

    rng = np.random.default_rng(1)
    t = np.arange(5000) / 500
    out = []
    for _ in range(n_distinct):
        beats = np.exp(-((t[None, :] % 0.8 - 0.4) / 0.012) ** 2)
        lead_i = 700 * beats[0] + rng.normal(0, 30, t.size)
        lead_ii = 1100 * beats[0] + 150 * np.sin(2 * np.pi * 0.3 * t) + rng.normal(0, 30, t.size)
        lead_iii = lead_ii - lead_i
        limb = [lead_i, lead_ii, lead_iii, -(lead_i + lead_ii) / 2, (lead_i - lead_iii) / 2,
                (lead_ii + lead_iii) / 2]
        chest = [g * 1000 * beats[0] + rng.normal(0, 30, t.size)
                 for g in (-0.8, 1.2, 1.5, 1.4, 1.1, 0.8)]
        out.append(np.rint(np.stack(limb + chest)).astype(np.int64))
    return out


def _distinct(sig: np.ndarray, i: int) -> np.ndarray:
    """Record i's copy of a shared signal, made unique (prepare refuses identical records)."""
    sig = sig.copy()
    sig[6:, 0] += i        # chest leads' first sample: no limb identity disturbed
    return sig


def build_csv_corpus(folder: Path, n: int) -> Path:
    """n figshare-style CSVs (header line, 5000 x 12 µV) + Diagnostics.xlsx."""
    from ..constants import LEADS
    (folder / "ECGData").mkdir(parents=True)
    sigs = _signals()
    bodies = ["\n".join(",".join(map(str, row)) for row in sig[:, 1:].T.tolist())
              for sig in sigs]
    names = [f"BENCH_{i:05d}" for i in range(n)]
    for i, name in enumerate(names):
        first = _distinct(sigs[i % len(sigs)], i)[:, 0]
        text = (",".join(LEADS) + "\n" + ",".join(map(str, first)) + "\n"
                + bodies[i % len(sigs)] + "\n")
        (folder / "ECGData" / f"{name}.csv").write_text(text)
    _diagnostics(names).to_excel(folder / "Diagnostics.xlsx", index=False)
    return folder


def build_wfdb_corpus(folder: Path, n: int) -> Path:
    """n CinC-style records JS00001.. (.mat + .hea, 1000/mV) + Diagnostics.xlsx."""
    from ..data.labels import SNOMED_TO_CLASS
    from ..data.wfdb_io import write_cinc_record
    class_to_snomed = {c: code for code, c in SNOMED_TO_CLASS.items()}
    folder.mkdir(parents=True)
    diag = _diagnostics([f"BENCH_{i:05d}" for i in range(n)])
    sigs = _signals()
    for i in range(n):
        row = diag.iloc[i]
        write_cinc_record(folder, f"JS{i + 1:05d}", _distinct(sigs[i % len(sigs)], i),
                          comments=[f"Age: {row.PatientAge}", f"Sex: {row.Gender.title()}",
                                    f"Dx: {class_to_snomed[row.Rhythm]}"])
    diag.to_excel(folder / "Diagnostics.xlsx", index=False)
    return folder


def measure(quick: bool = False, records: int | None = None, workers: int | None = None,
            **_) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    from ..data.chapman import read_chapman_csv
    from ..data.plan import plan
    from ..data.prepare import prepare_store
    from ..data.store import open_store
    from ..data.wfdb_io import read_wfdb

    n = records or (120 if quick else 600)
    rows = []
    with tempfile.TemporaryDirectory(prefix="ecgpaper-bench-") as tmp:
        tmp = Path(tmp)
        csv_dir = build_csv_corpus(tmp / "csv", n)
        wfdb_dir = build_wfdb_corpus(tmp / "wfdb", n)
        plan("chapman-csv", csv_dir)          # warm up imports (sklearn, openpyxl)
        files = sorted((csv_dir / "ECGData").glob("*.csv"))
        t0 = time.perf_counter()
        for f in files:
            read_chapman_csv(f)
        dt = time.perf_counter() - t0
        rows.append(dict(measurement="read one CSV (single process)", records=n,
                         seconds=dt, records_per_s=n / dt, ms_per_record=1000 * dt / n,
                         full_database_s=FULL_RECORDS * dt / n))
        t0 = time.perf_counter()
        for i in range(n):
            read_wfdb(wfdb_dir / f"JS{i + 1:05d}")
        dt = time.perf_counter() - t0
        rows.append(dict(measurement="read one WFDB record (single process)", records=n,
                         seconds=dt, records_per_s=n / dt, ms_per_record=1000 * dt / n,
                         full_database_s=FULL_RECORDS * dt / n))
        for source, folder in (("chapman-csv", csv_dir), ("chapman-wfdb", wfdb_dir)):
            t0 = time.perf_counter()
            out = prepare_store(source, folder, tmp / f"store-{source}", workers=workers,
                                progress=False)
            dt = time.perf_counter() - t0
            rows.append(dict(measurement=f"prepare store from {source} (parallel)",
                             records=n, seconds=dt, records_per_s=n / dt,
                             ms_per_record=1000 * dt / n, full_database_s=FULL_RECORDS * dt / n))
        store = open_store(out)
        order = np.random.default_rng(0).permutation(len(store))
        for label in ("first pass over a fresh store", "pass over the store (page cache warm)"):
            t0 = time.perf_counter()
            for k in range(0, len(order), 64):
                store.signals(np.sort(order[k:k + 64]))
            dt = time.perf_counter() - t0
            rows.append(dict(measurement=f"{label}, batches of 64", records=n, seconds=dt,
                             records_per_s=n / dt, ms_per_record=1000 * dt / n,
                             full_database_s=FULL_RECORDS * dt / n))
    return pd.DataFrame(rows)
