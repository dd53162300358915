"""`ecgpaper prepare`: read the database once into the memory-mapped store."""

from __future__ import annotations

import argparse

HELP = "Read every record once into the store (signals array + index + manifest)."


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", choices=["chapman-csv", "chapman-wfdb"], required=True,
                        help="figshare CSV folder (ECGData/ + Diagnostics.xlsx) or PhysioNet "
                             "WFDB records (JSnnnnn.hea/.mat + Diagnostics.xlsx)")
    parser.add_argument("--data-dir", required=True, help="the database folder")
    parser.add_argument("--out", default=None,
                        help="store folder (default: the full profile's _work/full/store)")
    parser.add_argument("--denoised", action="store_true",
                        help="chapman-csv: read ECGDataDenoised/ instead of ECGData/")
    parser.add_argument("--diagnostics", default=None,
                        help="Diagnostics.xlsx if it is not in the data folder")
    parser.add_argument("--allow-missing", action="store_true", default=None,
                        help="accept Diagnostics rows without a file (always on for WFDB)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--strict", action="store_true",
                        help="fail if any file or Diagnostics row would be skipped (the "
                             "summary of what is skipped and why is always printed)")
    parser.add_argument("--no-progress", action="store_true")


def run(args) -> int:
    from ..data.prepare import prepare_store
    from ..data.store import open_store
    from ..profiles import get_profile
    out = args.out or get_profile("full").work_path / "store"
    path = prepare_store(args.source, args.data_dir, out, denoised=args.denoised,
                         workers=args.workers, progress=not args.no_progress,
                         diagnostics=args.diagnostics, allow_missing=args.allow_missing,
                         force=args.force, strict=args.strict)
    store = open_store(path)
    totals = store.manifest["split_totals"]
    print(f"{len(store)} records: train {totals['train']}, val {totals['val']}, "
          f"test {totals['test']}; dataset checksum {store.manifest['dataset_checksum'][:16]}")
    return 0
