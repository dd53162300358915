"""Can int8 be trusted? Measure it on a converged network: the reference edition's
experiment 1 (committed best.pt) on every test record of its 10,615-record twin, once
with the default layers kept in fp32 and once with every convolution in int8; and what
each choice costs in latency on the paper-size SE-ResNet18 (width 1.0, 12 x 5000).

    python scripts/int8_reference.py            # about 5 minutes on 2 cores

The twin is generated (or reused) under --work; the committed weights are copied to a
temporary folder, so nothing under book/measurements/reference/ but the result file is
written. The result goes to book/measurements/reference/int8.json, which the Deployment
chapter reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default="_work/reference",
                    help="folder for the reference twin (default %(default)s)")
    ap.add_argument("--out", default=None,
                    help="result file (default book/measurements/reference/int8.json)")
    ap.add_argument("--repeats", type=int, default=30, help="timed calls per latency")
    args = ap.parse_args()

    import torch

    from ecgpaper.benchmarks.serve import _artifacts
    from ecgpaper.constants import LEADS
    from ecgpaper.fileio import atomic_write_json
    from ecgpaper.inference.preprocess import Signal
    from ecgpaper.inference.quantize import CALIBRATION_RECORDS, int8_choices
    from ecgpaper.measurements import device_info
    from ecgpaper.profiles import get_profile
    from ecgpaper.provenance import git_commit
    from ecgpaper.reference import REFERENCE_DIR, Job, reference_overrides, run_folder
    from ecgpaper.twin.generator import GENERATOR_VERSION
    from ecgpaper.workspace import ensure_store

    committed = run_folder(REFERENCE_DIR, Job("1", "database"))
    if not (committed / "best.pt").is_file():
        sys.exit(f"no committed weights at {committed / 'best.pt'}: "
                 "run scripts/reference.py first")
    out = Path(args.out) if args.out else REFERENCE_DIR / "int8.json"
    torch.set_num_threads(1)             # batch 1, as the service runs each request
    profile = get_profile("demo", **reference_overrides("database", Path(args.work)))
    store = ensure_store(profile, progress=True)
    rows = store.rows("test")
    signals = [Signal(store.signal(int(r)), LEADS, store.fs, "uV",
                      str(store.index["record_id"].iloc[int(r)])) for r in rows]
    with tempfile.TemporaryDirectory(prefix="ecgpaper-int8-") as tmp:
        trained = Path(tmp) / "trained"
        trained.mkdir()
        for name in ("best.pt", "config.json", "metrics.json"):
            shutil.copy2(committed / name, trained / name)
        print(f"int8 against fp32 on {len(signals)} test records ...", flush=True)
        agreement = int8_choices(trained, signals, timing_repeats=args.repeats)
        print("paper-size timing ...", flush=True)
        paper = _artifacts(Path(tmp) / "paper", width=1.0, fs=500)["standard"].parent
        one = [Signal(store.signal(int(rows[0])), LEADS, store.fs, "uV", "timing")]
        timing = int8_choices(paper, one, timing_repeats=args.repeats)
    result = {
        "format": 1,
        "what": "int8 against ONNX Runtime fp32: class agreement on the reference "
                "edition's experiment 1 (synthetic twin test split) and the latency of "
                "each choice on the paper-size SE-ResNet18 (fresh weights)",
        "network": {"experiment": "1", "twin_records": int(profile.twin_records),
                    "generator_version": GENERATOR_VERSION, "width": profile.width,
                    "fs": profile.fs, "test_records": len(signals),
                    "calibration_records": CALIBRATION_RECORDS},
        "agreement": agreement.to_dict(orient="records"),
        "paper_size_timing": timing[["choice", "fp32_convolutions", "all_convolutions",
                                     "int8_median_ms", "fp32_median_ms"]
                                    ].to_dict(orient="records"),
        "provenance": {"measured": dt.datetime.now(dt.timezone.utc).isoformat(
            timespec="seconds"), "git_commit": git_commit(), "device": device_info("cpu"),
            "how": "python scripts/int8_reference.py"},
    }
    atomic_write_json(out, result, indent=1)
    print(agreement.to_string(index=False))
    print(timing.to_string(index=False))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
