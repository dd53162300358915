"""`ecgpaper download chapman|ptbxl`: fetch the published database files (PTB-XL also at
one sampling rate only: `--rate 100`)."""

from __future__ import annotations

import argparse

HELP = ("Download Chapman-Shaoxing (the paper's database) or PTB-XL (external validation): "
        "resumable, checked, unpacked.")


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", choices=["chapman", "ptbxl"], help="what to download")
    parser.add_argument("--variant", choices=["raw", "denoised", "wfdb", "1.0.3"],
                        default=None,
                        help="chapman: figshare ECGData (raw, default), ECGDataDenoised, or "
                             "the PhysioNet WFDB release (Diagnostics.xlsx and the code books "
                             "come with each); ptbxl: the release (1.0.3, default)")
    parser.add_argument("--rate", type=int, choices=[500, 100], default=None,
                        help="ptbxl: fetch only the records of this sampling rate, file by "
                             "file, each checked against the release's SHA256SUMS.txt "
                             "(--rate 100: the 100 Hz release, a fifth of the 500 Hz samples); "
                             "default: the whole release zip")
    parser.add_argument("--dest", default=None,
                        help="target folder (default: _work/data/<dataset>)")
    parser.add_argument("--base-url", default=None,
                        help="replace every file's base URL (mirror; env "
                             "ECGPAPER_DOWNLOAD_BASE_URL)")
    parser.add_argument("--dry-run", action="store_true", help="list what would be fetched")
    parser.add_argument("--no-progress", action="store_true")


def run(args) -> int:
    from ..data.download import download
    if args.rate is not None:
        if args.dataset != "ptbxl" or args.variant is not None:
            raise ValueError(f"--rate {args.rate}: only for ptbxl and without --variant "
                             "(it fetches the release file by file)")
        from ..data.download_rate import download_rate
        download_rate(args.dataset, args.dest, args.rate, base_url=args.base_url,
                      dry_run=args.dry_run, progress=not args.no_progress)
        if not args.dry_run:
            from ..paths import work_root
            folder = args.dest or work_root() / "data" / args.dataset
            print(f"next: ecgpaper book --set external_dir={folder}")
        return 0
    paths = download(args.dataset, args.dest, variant=args.variant, base_url=args.base_url,
                     dry_run=args.dry_run, progress=not args.no_progress)
    if not args.dry_run and paths and args.dataset == "ptbxl":
        print(f"next: ecgpaper book --set external_dir={paths[0].parent}")
    elif not args.dry_run and paths:
        folder = paths[0].parent
        source = "chapman-wfdb" if args.variant == "wfdb" else "chapman-csv"
        flag = " --denoised" if args.variant == "denoised" else ""
        print(f"next: ecgpaper prepare --source {source} --data-dir {folder}{flag}")
    return 0
