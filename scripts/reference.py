"""Train the reference edition: every configuration the book reports, on a synthetic twin
of the database's size (10,615 records; the costliest designs on a 3,000-record twin
together with experiment 1), all at one matched budget (width 0.125 at 100 Hz, up to 150
epochs with the paper's early stopping), and commit their compact results.

    python scripts/reference.py                      # the whole plan, resumable
    python scripts/reference.py --only 1 2 --list    # show the plan / run part of it
    python scripts/reference.py --set width=1.0 --set fs=500 --out DIR   # paper size (GPU)

Finished runs are reused (same settings and data: same configuration hash; a committed
run that early stopping ended before an older, lower cap is kept too, since a higher cap
trains the same run) and an interrupted one continues from its last epoch, so the command can be stopped and started
again. One training runs at a time. Results go to `book/measurements/reference/` (one
folder per twin and configuration, and `edition.json` with the settings, machine, date,
commit and the state of every job); the trained weights stay in `--work`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import traceback
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default="_work/reference",
                    help="folder for the twins and the trained runs (default %(default)s)")
    ap.add_argument("--out", default=None,
                    help="results folder (default book/measurements/reference)")
    ap.add_argument("--only", nargs="+", default=None, metavar="CONFIG",
                    help="run only these configurations of the plan")
    ap.add_argument("--twin", choices=["database", "small"], default=None,
                    help="run only the jobs of one twin")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="change a setting of every run (e.g. width=1.0)")
    ap.add_argument("--list", action="store_true", help="print the plan and its state")
    ap.add_argument("--score-real", metavar="DIR", default=None,
                    help="score the edition's experiment 1 on the real recordings under DIR "
                         "(PTB-XL, CinC 2021 folders) and stop")
    ap.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = ap.parse_args()

    from ecgpaper.measurements import device_info
    from ecgpaper.profiles import get_profile, parse_overrides
    from ecgpaper.provenance import git_commit
    from ecgpaper.reference import (KEEP_WEIGHTS, PLAN, REFERENCE_DIR, SETTINGS, TWINS,
                                    collect_run, committed_matches, extends_to,
                                    load_edition, restamp_cap,
                                    record_job, reference_overrides, run_folder)
    from ecgpaper.training.artifacts import experiment_dir, run_config
    from ecgpaper.training.experiments import get_experiment
    from ecgpaper.training.settings import effective_profile
    from ecgpaper.training.run import run_experiment
    from ecgpaper.twin.generator import GENERATOR_VERSION

    out = Path(args.out) if args.out else REFERENCE_DIR
    if args.score_real:
        from ecgpaper.reference import score_real
        result = score_real(Path(args.score_real), out, progress=not args.no_progress)
        overall = result["scores"][result["overall"]]
        print(f"{result['records']} real recordings: accuracy {overall.get('accuracy')}")
        return 0
    extra = parse_overrides(args.set)
    jobs = [j for j in PLAN if (args.only is None or j.config in args.only)
            and (args.twin is None or j.twin == args.twin)]
    if args.only:
        unknown = sorted(set(args.only) - {j.config for j in PLAN})
        if unknown:
            raise SystemExit(f"--only: {unknown} are not in the reference plan, expected "
                             f"some of {sorted({j.config for j in PLAN})}")
    edition = load_edition(out) or {}
    state = edition.get("jobs", {})
    if args.list:
        for j in PLAN:
            print(f"{j.key:45s} {state.get(j.key, {}).get('status', 'not run')}")
        return 0

    edition.update({
        "format": "ecgpaper-reference-1",
        "what": "synthetic twin of the Chapman-Shaoxing database (no real ECG)",
        "generator_version": GENERATOR_VERSION, "twins": TWINS,
        "settings": {**SETTINGS, **extra},
        "machine": device_info(), "threads": os.environ.get("ECGPAPER_THREADS"),
        "how": "python scripts/reference.py" + "".join(f" --set {s}" for s in args.set),
    })
    failed = 0
    for job in jobs:
        profile = get_profile("demo", **reference_overrides(job.twin, Path(args.work), extra))
        print(f"\n=== {job.key} ===", flush=True)
        exp = get_experiment(job.config)
        planned = run_config(exp, effective_profile(profile, exp), None)
        if committed_matches(out, job, planned, GENERATOR_VERSION):
            print(f"{job.key}: committed results with these settings kept")
            continue
        if extends_to(out, job, planned, GENERATOR_VERSION, exp.neural):
            old_cap = restamp_cap(out, job, planned)
            print(f"{job.key}: committed run kept " + (
                  f"(it stopped before its cap of {old_cap} epochs, so a higher cap trains "
                  "the same run)" if exp.neural else "(no epochs: the cap does not apply)"))
            # the cap it trained under: the first one it was kept from, if kept before
            state.setdefault(job.key, {"status": "finished"}).setdefault("kept_from_cap",
                                                                         old_cap)
            record_job(out, edition, job.key, state[job.key])
            continue
        t0 = time.time()
        try:
            metrics = run_experiment(job.config, profile, resume=True,
                                     progress=not args.no_progress)
        except Exception as exc:            # record it and go on with the next job
            traceback.print_exc()
            state[job.key] = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            failed += 1
        else:
            collect_run(experiment_dir(profile, job.config), run_folder(out, job),
                        weights=job.config in KEEP_WEIGHTS)
            entry = state.get(job.key, {}) if metrics.get("reused") else {}
            state[job.key] = {
                "status": "finished", "minutes": entry.get("minutes",
                                                           round((time.time() - t0) / 60, 1)),
                "date": entry.get("date", dt.date.today().isoformat()),
                "commit": entry.get("commit", git_commit())}
        record_job(out, edition, job.key, state[job.key])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
