"""How NeuroKit2's delineators compare on real records, for the Features chapter: speed,
coverage and agreement with the electrocardiograph's own measurements."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ...constants import LEADS
from .extract import DEFAULT_LEAD, NAMES, extract_record


def compare_methods(store, rows, methods: tuple[str, ...] = ("prominence", "dwt", "peak"),
                    lead: str = DEFAULT_LEAD) -> pd.DataFrame:
    """Time and coverage of NeuroKit2 delineators on the given store rows (one process).

    Per method: ms per record (clean + R peaks + delineation + features), the share of
    feature values that are not fallbacks, and the median absolute difference of our
    heart rate, QRS duration and QT interval from the Diagnostics measurements."""
    rows = np.asarray(rows, dtype=np.int64)
    sig = store.signals(rows)[:, LEADS.index(lead)]
    index = store.index.iloc[rows]
    extract_record(sig[0], store.fs, methods[0])           # warm-up (imports, caches)
    out = []
    for m in methods:
        t0 = time.perf_counter()
        vals = np.vstack([extract_record(s, store.fs, m)[0] for s in sig])
        ms = 1000 * (time.perf_counter() - t0) / max(len(rows), 1)
        f = pd.DataFrame(vals, columns=NAMES)

        def mad(ours, ref):
            d = (f[ours].to_numpy() - index[ref].to_numpy(dtype=float))
            d = d[np.isfinite(d)]
            return float(np.median(np.abs(d))) if len(d) else float("nan")
        out.append({"method": m, "records": len(rows), "ms_per_record": ms,
                    "delineated_share": float(np.isfinite(vals).mean()),
                    "hr_vs_VentricularRate_bpm": mad("hr_mean", "VentricularRate"),
                    "qrs_vs_QRSDuration_ms": mad("qrs_duration", "QRSDuration"),
                    "qt_vs_QTInterval_ms": mad("qt_interval", "QTInterval")})
    return pd.DataFrame(out)
