"""`ecgpaper twin`: write the synthetic Chapman twin in the figshare layout."""

from __future__ import annotations

import argparse

HELP = "Generate the synthetic Chapman twin (figshare-style CSVs + Diagnostics.xlsx)."


def _counts(text: str) -> dict:
    out = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise argparse.ArgumentTypeError(
                f"--counts: expected CLASS=N pairs separated by commas, got {part!r}")
        k, v = part.split("=", 1)
        try:
            out[k.strip()] = int(v)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--counts: {k.strip()}: expected an integer "
                                             f"count, got {v!r}") from None
    return out


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=None,
                        help="number of records in the real database's class proportions "
                             "(default 1200)")
    parser.add_argument("--counts", type=_counts, default=None,
                        help="records per class instead of --n, e.g. SB=10,SR=5,AFIB=5")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true")


def run(args) -> int:
    from ..constants import CLASSES
    from ..twin.writer import generate_twin
    if args.n is not None and args.counts is not None:
        raise ValueError("twin: give either --n or --counts, not both")
    if args.n is not None and args.n < 1:
        raise ValueError(f"twin: --n must be at least 1, got {args.n}")
    if args.counts is not None:
        bad = sorted(set(args.counts) - set(CLASSES))
        if bad:
            raise ValueError(f"twin: --counts has unknown class(es) {bad}; expected {CLASSES}")
    from ..fileio import unwritable_problem
    problem = unwritable_problem(args.out, f"--out: {args.out}")
    if problem:                       # before any work, naming the folder given
        raise ValueError(problem)
    out = generate_twin(args.out, n=args.n, counts=args.counts, seed=args.seed,
                        progress=not args.no_progress)
    import json
    info = json.loads((out / "twin.json").read_text())
    print(f"synthetic twin: {info['n']} records in {out} (seed {info['seed']}; "
          + ", ".join(f"{c} {k}" for c, k in info["counts"].items() if k) + ")")
    return 0
