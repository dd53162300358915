"""Benchmark of the synthetic twin: records per second on one core (wall and CPU time), for the signals alone
(in memory) and for the whole corpus written to disk (CSV files + Diagnostics.xlsx), and
the time to generate the demo profile's twin."""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:           # pandas loads only when the benchmark runs
    import pandas as pd

DESCRIPTION = "Synthetic twin: records per second (in memory and written to disk)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=int, default=None,
                        help="records to generate (default 200 quick, 1200 full)")


def measure(quick: bool = False, records: int | None = None, **_) -> pd.DataFrame:
    import pandas as pd

    from ..twin.generator import generate_arrays
    from ..twin.writer import generate_twin
    n = records or (200 if quick else 1200)
    rows = []
    t, cpu = time.perf_counter(), time.process_time()
    generate_arrays(n, seed=0)
    dt, dcpu = time.perf_counter() - t, time.process_time() - cpu
    # CPU seconds as well: on a shared machine wall time overstates the cost of one core.
    rows.append({"what": "signals + table in memory", "records": n, "seconds": round(dt, 2),
                 "records_per_s": round(n / dt, 1),
                 "records_per_cpu_s": round(n / max(dcpu, 1e-9), 1)})
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        generate_twin(f"{tmp}/twin", n=n, seed=0, progress=False)
        dt = time.perf_counter() - t
    rows.append({"what": "figshare layout on disk", "records": n, "seconds": round(dt, 2),
                 "records_per_s": round(n / dt, 1)})
    return pd.DataFrame(rows)
