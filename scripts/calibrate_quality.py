"""Calibrate the refusal checks and quality flags on a folder of real recordings and
write the counts the book quotes:

    python scripts/calibrate_quality.py --real DIR --out book/measurements/quality/calibration.json

The folder is searched for WFDB headers and figshare CSVs (`data.quality_calibration`);
none of its records should be refused, and the file records how many carry each flag
and how often each kind of damage is caught. tests/test_quality_flags.py recomputes it
from the same records and fails when the committed file is stale.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ecgpaper.data.quality_calibration import calibrate, folder_counts, real_records
from ecgpaper.fileio import atomic_write_json
from ecgpaper.measurements import provenance

WHAT = ("Refusals and quality flags on real recordings as published (false alarms: the "
        "published records are taken as correct), and how often each kind of damage, "
        "applied to those of them that last at most 10 s and carry no flag, is caught by "
        "its flag or refused (`ecgpaper.data.quality_calibration`).")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", required=True, help="folder of real recordings")
    ap.add_argument("--out", required=True, help="JSON file to write")
    args = ap.parse_args()
    records = real_records(args.real)
    if not records:
        raise SystemExit(f"{args.real}: no WFDB header or figshare CSV found, expected a "
                         "folder of real recordings")
    result = calibrate(records)
    atomic_write_json(Path(args.out), {"what": WHAT, "provenance": provenance(),
                                       "folders": folder_counts(args.real),
                                       "calibration": result}, indent=1)
    print(f"{result['records']} records: {len(result['refused'])} refused, "
          f"{result['flagged']} flagged {result['flags']}")
    for name, d in result["damage"].items():
        print(f"  {name}: {d['flag']} on {d['flagged']}, refused {d['refused']}, "
              f"of {d['records']}")


if __name__ == "__main__":
    main()
