"""`ecgpaper evaluate`: the paper's Table 4 (with bootstrap CIs) and Table 6 from a
predictions CSV (record_id, label, pred, prob_SB ... prob_AT)."""

from __future__ import annotations

HELP = "metrics with 95 % bootstrap CIs (Tables 4 and 6) from a predictions CSV"


def register(parser) -> None:
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--predictions", metavar="FILE.csv",
                     help="predictions CSV: record_id, label, pred, prob_SB ... prob_AT")
    src.add_argument("--experiment", metavar="E",
                     help="experiment 1-7: read <work>/experiments/E/predictions.csv "
                          "of --profile")
    parser.add_argument("--profile", default="demo", help="profile that ran the experiment "
                        "(with --experiment; default demo)")
    parser.add_argument("--leads", type=int, choices=(12, 6, 3, 1),
                        help="with --experiment 7: evaluate predictions_<k>lead.csv")
    parser.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                        help="bootstrap resamples for the CIs (0 = none; default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")


def locate(args):
    """The predictions file named by --predictions or by --experiment/--profile/--leads."""
    from pathlib import Path
    if args.predictions:
        return Path(args.predictions)
    from ..profiles import get_profile
    from ..training.experiments import get_experiment
    profile = get_profile(args.profile)
    folder = profile.work_path / "experiments" / get_experiment(args.experiment).id
    name = f"predictions_{args.leads}lead.csv" if args.leads else "predictions.csv"
    path = folder / name
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no predictions for experiment {args.experiment} of "
                                f"profile {args.profile!r}, expected the output of "
                                f"`ecgpaper train --experiment {args.experiment} "
                                f"--profile {args.profile}`")
    return path


def evaluate_file(path, n_bootstrap: int = 1000, seed: int = 0) -> dict:
    """Table 4 with CIs, Table 6 and the confusion matrix of one predictions file."""
    from ..evaluation.bootstrap import bootstrap_ci
    from ..evaluation.metrics import confusion, table6
    from ..evaluation.predictions import read_predictions, split_predictions
    df = read_predictions(path)
    y, proba = split_predictions(df)
    pred = proba.argmax(axis=1)
    return {"file": str(path), "n": int(len(df)), "bootstrap": int(n_bootstrap),
            "seed": int(seed), "table4": bootstrap_ci(y, proba, n=n_bootstrap, seed=seed),
            "table6": table6(y, pred, proba), "confusion": confusion(y, pred)}


def run(args) -> int:
    import json
    import math

    if args.bootstrap < 0:
        raise ValueError(f"--bootstrap: {args.bootstrap} resamples, expected a number >= 0")
    if args.leads and not args.experiment:
        raise ValueError("--leads: given without --experiment, expected --experiment 7")
    from ..evaluation.bootstrap import format_table
    from ..paper import TABLE4 as PAPER_TABLE4
    res = evaluate_file(locate(args), args.bootstrap, args.seed)

    if args.json:
        def clean(v):
            return None if isinstance(v, float) and not math.isfinite(v) else v
        out = {k: res[k] for k in ("file", "n", "bootstrap", "seed")}
        out["table4"] = [{k: clean(v) for k, v in r.items()}
                         for r in res["table4"].to_dict(orient="records")]
        out["table6"] = {c: {k: clean(float(v)) for k, v in r.items()}
                         for c, r in res["table6"].to_dict(orient="index").items()}
        out["confusion"] = res["confusion"].to_dict(orient="index")
        print(json.dumps(out, indent=1))
        return 0
    print(f"{res['file']}: {res['n']} records, {res['bootstrap']} bootstrap resamples "
          f"(seed {res['seed']})\n")
    print("Table 4 - global metrics")
    print(format_table(res["table4"], paper=PAPER_TABLE4).to_string(index=False))
    print("\nTable 6 - per-class metrics")
    print(res["table6"].round(3).to_string())
    print("\nConfusion matrix (rows: true, columns: predicted)")
    print(res["confusion"].to_string())
    return 0
