"""Sim-to-real measurement: train a network on the synthetic twin only, score it on every
real record of an external folder labelled with one of the eight rhythms, and append the
result (date, settings, generator version, scores, confusion) to a JSON log.

    python scripts/sim_to_real.py --records 3000 --work _work/sim-to-real --real data/ptbxl \
        --log book/measurements/sim_to_real.json [--set max_epochs=10] [--experiment E]

`--experiment` trains another configuration of `ecgpaper train` (default 1, the paper's
signal-only SE-ResNet18; e.g. baseline-cnn-att-bigru). The run's profile is named
"sim-to-real", so the demo profile's epoch caps for the book's extra configurations do
not apply: the epochs are those of the profile or of `--set`. Several configurations
(`--experiment 1 seed-1-1 seed-1-2`: experiment 1 with three initialisations) are all
trained on the same twin and scored as one seed ensemble, the mean of their
probabilities; each member's own accuracy is logged beside it. `--reuse` keeps a finished
run of a configuration already in `--work` when its recorded settings match `--set`.

The real records are scored two ways. `real` holds the scores against the labels as the
sources wrote them; `real_harmonised` those against labels harmonised by measured heart
rate (every SR, SB or ST relabelled by lead II's median RR: below 60 bpm SB, above
100 bpm ST, else SR, the rule Chapman-Shaoxing's labels follow), with `harmonisation`
saying how many records that relabelled per source. The log's targets apply to the
harmonised scores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd


def _train(args, experiment: str) -> Path:
    """Run `ecgpaper train` for the experiment on a twin of `--records` records (or, with
    `--reuse`, keep its finished run when the settings match)."""
    run = Path(args.work) / "experiments" / experiment
    if args.reuse and (run / "metrics.json").is_file():
        fields = json.loads((run / "config.json").read_text())["profile_fields"]
        wanted = dict(s.split("=", 1) for s in args.set)
        wanted["twin_records"] = str(args.records)
        differ = {k: (fields.get(k), v) for k, v in wanted.items()
                  if str(fields.get(k)) != v}
        if differ:
            raise SystemExit(f"--reuse: {run} was trained with other settings "
                             f"(recorded, asked): {differ}")
        print(f"reusing the finished run {run}")
        return run
    cmd = [sys.executable, "-m", "ecgpaper", "train", "-e", experiment, "--work-dir",
           args.work, "--set", f"twin_records={args.records}", "--set", "name=sim-to-real",
           "--no-progress"]
    for s in args.set:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)
    return run


def _twin_test(runs: list[Path]) -> dict:
    """Scores on the twin's own test split (overall and recall per class) of one run, or
    of a seed ensemble (the mean of its members' probabilities in their predictions.csv),
    and how the run trained (the size of one network; its epochs for one network only)."""
    from ecgpaper.constants import CLASSES
    from ecgpaper.evaluation.metrics import (confusion, global_from_confusion,
                                             per_class_from_confusion)
    from ecgpaper.inference.external import average_predictions
    pred = average_predictions([pd.read_csv(r / "predictions.csv") for r in runs])
    cm = confusion(pred["label"], pred["pred"]).values[None]
    overall, pc = global_from_confusion(cm), per_class_from_confusion(cm)
    recall = {c: round(float(r), 4) for c, r, n in
              zip(CLASSES, pc["sensitivity"][0], pc["support"][0]) if n > 0}
    m = json.loads((runs[0] / "metrics.json").read_text())
    facts = ("n_train", "n_val", "n_test", "max_epochs", "n_parameters") + (
        ("epochs_run", "best_epoch") if len(runs) == 1 else ())
    return {**{k: round(float(overall[k][0]), 4) for k in ("accuracy", "f1_macro",
                                                           "recall_macro")},
            "recall": recall, **{k: m.get(k) for k in facts}}


def _real_scores(runs: list[Path], real_folder) -> tuple[dict, pd.DataFrame, list]:
    """The log entry's real-record fields for the trained runs (a seed ensemble when
    several): scores as the sources labelled the records and harmonised (each SR, SB or
    ST relabelled by its measured heart rate, as Chapman-Shaoxing defines the sinus
    classes), how many records the harmonisation relabelled per source, the records
    skipped, and both confusion matrices; with the scored frame and each member's."""
    from ecgpaper.constants import CLASSES
    from ecgpaper.data.external import find_external
    from ecgpaper.evaluation.external import (ALL_SOURCES, AS_LABELLED, HARMONISED,
                                              scores_both_ways)
    from ecgpaper.evaluation.harmonise import (harmonise, harmonised_predictions,
                                               relabel_counts, scored_only)
    from ecgpaper.inference.external import average_predictions, predict_external
    from ecgpaper.inference.route import ModelSet

    real = find_external(real_folder)
    frames = []
    for run in runs:
        frame, skipped = predict_external(ModelSet.from_paths([run], designs=True), real)
        frames.append(frame)
    frame = average_predictions(frames) if len(frames) > 1 else frames[0]
    rates = harmonise(real.records)
    both = scores_both_ways(frame, rates)
    counts = relabel_counts(scored_only(rates, frame)).set_index("source")

    def confusion(f):
        cm = pd.crosstab(f["label"], f["pred"]).reindex(index=CLASSES, columns=CLASSES,
                                                        fill_value=0).fillna(0).astype(int)
        return {"rows_true_cols_pred": CLASSES, "matrix": cm.values.tolist()}

    fields = {
        "real_records": int(len(frame)),
        "skipped": {f"{s}: {r}": n for (s, r), n in skipped.items()},
        "real": _jsonable(both[AS_LABELLED][ALL_SOURCES]),
        "real_harmonised": _jsonable(both[HARMONISED][ALL_SOURCES]),
        "harmonisation": {
            "rule": "labels SR, SB, ST replaced by the rate of lead II (NeuroKit2 R peaks, "
                    "median RR): < 60 bpm SB, > 100 bpm ST, else SR; unmeasured rates keep "
                    "their label",
            **{k: {s: int(v) for s, v in counts[k].items()} for k in
               ("sinus_labelled", "relabelled", "rate_not_measured")},
            "moves": dict(counts["moves"])},
        "real_by_source": {
            k: _jsonable({"records": v["records"], "accuracy": v["accuracy"],
                          "accuracy_harmonised": both[HARMONISED][k]["accuracy"]})
            for k, v in both[AS_LABELLED].items() if k != ALL_SOURCES},
        "confusion_real": confusion(frame),
        "confusion_real_harmonised": confusion(harmonised_predictions(frame, rates)),
    }
    return fields, frame, frames


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--real", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--note", default="")
    ap.add_argument("--experiment", nargs="+", default=["1"],
                    help="configuration(s); several are scored as one seed ensemble")
    ap.add_argument("--reuse", action="store_true",
                    help="keep finished runs in --work whose settings match --set")
    args = ap.parse_args()
    from ecgpaper.twin.generator import GENERATOR_VERSION

    t0 = time.time()
    runs = [_train(args, e) for e in args.experiment]
    fields, frame, frames = _real_scores(runs, args.real)
    entry = {
        "date": dt.date.today().isoformat(),
        "generator_version": GENERATOR_VERSION,
        "twin_records": args.records, "experiment": args.experiment[0], "profile": "demo",
        "settings": args.set, "note": args.note,
        "twin_test": _twin_test(runs), **fields,
        "minutes": round((time.time() - t0) / 60, 1),
    }
    if len(runs) > 1:
        entry["ensemble"] = args.experiment
        entry["members"] = [
            {"experiment": e, "twin_test_accuracy": _twin_test([r])["accuracy"],
             "real_accuracy": round(float((f["label"] == f["pred"]).mean()), 4)}
            for e, r, f in zip(args.experiment, runs, frames)]
    log = Path(args.log)
    old = json.loads(log.read_text()) if log.is_file() else {"measurements": []}
    old["measurements"].append(entry)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(json.dumps(old, indent=1) + "\n")
    print(json.dumps({k: entry[k] for k in ("real", "real_harmonised", "real_records")},
                     indent=1, default=str))
    print(pd.DataFrame(entry["confusion_real"]["matrix"],
                       index=entry["confusion_real"]["rows_true_cols_pred"],
                       columns=entry["confusion_real"]["rows_true_cols_pred"]))


def _jsonable(x):
    import numpy as np
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return None if not np.isfinite(x) else round(float(x), 4)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, pd.DataFrame):
        return _jsonable(x.to_dict())
    return x


if __name__ == "__main__":
    main()
