"""`ecgpaper train`: run (or reuse) one or more of the seven experiments, or a further
configuration by name (an ablation, a seed, a related design; `training.variants`).

    ecgpaper train --experiment 2 --profile demo
    ecgpaper train --experiment ablation-no-se --experiment baseline-cnn-gru
    ecgpaper train --experiment baselines          # every configuration of a group
    ecgpaper train --experiment all --profile full --data-dir /data/chapman
    torchrun --nproc_per_node 4 -m ecgpaper train --experiment 7 --profile full --data-dir ...
"""

from __future__ import annotations

import argparse

HELP = ("train and evaluate experiments 1-7 or a named configuration (artifacts under "
        "<work>/experiments/<E>/)")
GROUPS = {"ablations": "ablation", "seeds": "seed", "baselines": "baseline"}


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--experiment", "-e", action="append", required=True, metavar="E",
                        help="experiment 1-7, a configuration name (e.g. ablation-no-se, "
                             "baseline-cnn-gru), 'all' (the seven), 'ablations', 'seeds' or "
                             "'baselines' (repeatable)")
    parser.add_argument("--profile", default="demo", help="demo (default) or full")
    parser.add_argument("--seed", type=int, default=None, help="seed (default: the profile's)")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run from its last.pt")
    parser.add_argument("--force", action="store_true",
                        help="retrain even if a finished run with the same settings exists")
    parser.add_argument("--data-dir", default=None,
                        help="database folder (full profile: Diagnostics.xlsx + ECG files)")
    parser.add_argument("--data-source", choices=["chapman-csv", "chapman-wfdb"], default=None,
                        help="format of --data-dir (default: the profile's)")
    parser.add_argument("--work-dir", default=None,
                        help="folder for the store and artifacts (default _work/<profile>)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a profile setting, e.g. --set max_epochs=3")
    parser.add_argument("--out", default=None,
                        help="artifact folder (one experiment only; default "
                             "<work>/experiments/<E>)")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 (default: auto)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def experiments_from(args) -> list[str]:
    from ..training.experiments import EXPERIMENTS, get_experiment
    from ..training.variants import group
    ids: list[str] = []
    for e in args.experiment:
        for part in str(e).split(","):
            part = part.strip()
            if part == "all":
                ids += list(EXPERIMENTS)
            elif part in GROUPS:
                ids += group(GROUPS[part])
            else:
                ids.append(get_experiment(part).id)
    return list(dict.fromkeys(ids))


def run(args) -> int:
    from ..profiles import get_profile, parse_overrides
    from ..training.run import run_experiment

    overrides = parse_overrides(args.set)
    for key in ("seed", "data_dir", "data_source", "work_dir"):
        if getattr(args, key) is not None:       # options win over --set
            overrides[key] = getattr(args, key)
    profile = get_profile(args.profile, **overrides)
    ids = experiments_from(args)
    if args.out and len(ids) > 1:
        raise ValueError(f"--out: one artifact folder for {len(ids)} experiments, expected "
                         f"a single --experiment")
    _check_folders(profile, ids, args.out)
    for e in ids:
        run_experiment(e, profile, resume=args.resume, force=args.force, out_dir=args.out,
                       device=args.device, progress=not args.no_progress)
    return 0


def _check_folders(profile, ids: list[str], out) -> None:
    """Refuse a run folder that is not new, empty or an earlier run's before anything is
    built or trained (each run checks again when it starts)."""
    from pathlib import Path

    from ..fileio import unwritable_problem
    from ..training.artifacts import experiment_dir, run_folder_problem
    for e in ids:
        folder = Path(out) if out else experiment_dir(profile, e)
        problem = run_folder_problem(folder) or unwritable_problem(folder, out)
        if problem:
            raise ValueError(f"--out: {problem}" if out else problem)
