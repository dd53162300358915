"""The committed sim-to-real log (`scripts/sim_to_real.py --log`): networks trained on the
synthetic twin only, scored on real recordings of other databases.

Each run is scored two ways (`evaluation.external.scores_both_ways`): against the labels
as the sources wrote them, and against labels harmonised by measured heart rate (the
sinus classes by Chapman-Shaoxing's 60/100 bpm rule). The targets apply to the
harmonised scores; runs logged before harmonised scoring existed carry the as-labelled
scores only, and their harmonised scores read NOT_MEASURED, never a number.
"""

from __future__ import annotations

import json
from pathlib import Path

from .measurements import MEASUREMENTS_DIR

SIM_TO_REAL = "sim_to_real.json"
NOT_MEASURED = "not measured"


def _scores(real: dict | None) -> tuple[tuple | None, tuple | None]:
    """(accuracy, balanced recall) as (value, low, high), or Nones when not logged."""
    if not real:
        return None, None
    return tuple(real["accuracy"]), tuple(real["balanced_recall_common"])


def _row(m: dict) -> dict:
    """One log entry as a row of the log table."""
    networks = len(m.get("ensemble") or [None])
    settings = [f"experiment {m.get('experiment', 1)}"] + list(m.get("settings") or [])
    if networks > 1:
        settings.append(f"mean of {networks} networks")
    accuracy, balanced = _scores(m["real"])
    h_accuracy, h_balanced = _scores(m.get("real_harmonised"))
    relabelled = m.get("harmonisation", {}).get("relabelled")
    return {"date": m["date"], "generator": m["generator_version"],
            "twin_records": m["twin_records"], "experiment": str(m.get("experiment", 1)),
            "networks": networks, "settings": ", ".join(settings),
            "training": ", ".join(x for x in settings if not x.startswith("seed=")),
            "twin_test_accuracy": m["twin_test"]["accuracy"],
            "twin_test_recall": m["twin_test"].get("recall"),
            "real_records": m["real_records"], "real_accuracy": accuracy,
            "real_balanced_recall": balanced, "harmonised_accuracy": h_accuracy,
            "harmonised_balanced_recall": h_balanced,
            "relabelled": None if relabelled is None else int(sum(relabelled.values())),
            "note": m.get("note", "")}


def sim_to_real_log(folder=MEASUREMENTS_DIR):
    """The committed log, one row per run: twin generator and size, the configuration
    trained, how many networks (a seed ensemble when more than one), the settings
    (`training`: all but the seed), twin test accuracy and per-class recall, the real
    scores as labelled and harmonised (value, low, high; None when the run predates
    harmonised scoring) and how many records the harmonisation relabelled; and the
    targets. (None, {}) when there is no log."""
    import pandas as pd
    path = Path(folder) / SIM_TO_REAL
    if not path.is_file():
        return None, {}
    try:
        data = json.loads(path.read_text())
        rows = [_row(m) for m in data["measurements"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a sim-to-real log ({type(exc).__name__}: {exc}), "
                         "expected the file `scripts/sim_to_real.py --log` writes") from None
    return pd.DataFrame(rows), dict(data.get("targets", {}))


def met_targets(runs, targets: dict, harmonised: bool = True) -> list[bool | None]:
    """Whether each run meets both targets at its point estimate, on the harmonised
    scores (None for a run logged without them) or, with harmonised=False, as labelled."""
    columns = (("harmonised_accuracy", "harmonised_balanced_recall") if harmonised
               else ("real_accuracy", "real_balanced_recall"))
    return [None if a is None or b is None else
            bool(a[0] >= targets.get("accuracy", 1)
                 and b[0] >= targets.get("balanced_recall_common", 1))
            for a, b in zip(runs[columns[0]], runs[columns[1]])]


def verdict(met: list[bool | None]) -> str:
    """The verdict over every run that was measured; one seed is not a verdict, and runs
    without the scores in question give NOT_MEASURED."""
    met = [m for m in met if m is not None]
    if not met:
        return NOT_MEASURED
    if len(met) == 1:
        return "met in its one run" if met[0] else "not met in its one run"
    return ("met in every run" if all(met) else "met in some runs only"
            if any(met) else "not yet met")


def meeting(met: list[bool | None]) -> str:
    """'k of n' runs meeting the targets among those measured, or NOT_MEASURED."""
    measured = [m for m in met if m is not None]
    return f"{sum(measured)} of {len(measured)}" if measured else NOT_MEASURED


def latest_sim_to_real(log_table, targets: dict) -> dict:
    """The runs of the paper's network (experiment 1) in its most-seeded setting on the
    log's newest twin generator (same twin size, training settings and real set; seeds
    differ; the latest such setting on a tie), whether each meets both targets, on the
    harmonised scores (`met`, `verdict`) and as labelled (`met_as_labelled`,
    `verdict_as_labelled`): one run alone can pass or fail by a single record, so the
    verdict covers them all. Other configurations count only when the log has no run
    of experiment 1."""
    paper_net = log_table[_paper_net(log_table)]
    pool = paper_net if len(paper_net) else log_table
    same = _most_seeded(_newest(pool))
    last = same.iloc[-1]
    met, met_labelled = met_targets(same, targets), met_targets(same, targets, False)
    return {"generator": last["generator"], "twin_records": int(last["twin_records"]),
            "training": last["training"], "twin_recall": _mean_recall(same),
            "real_records": int(last["real_records"]), "runs": same, "met": met,
            "verdict": verdict(met), "met_as_labelled": met_labelled,
            "verdict_as_labelled": verdict(met_labelled),
            "one_record_points": 100.0 / int(last["real_records"])}


def _mean_score(runs, column):
    """Mean point estimate of a score column over the runs that logged it, or None."""
    values = [v[0] for v in runs[column] if v is not None]
    return float(sum(values) / len(values)) if values else None


def sim_to_real_verdicts(log_table, targets: dict):
    """One row per configuration and training setting on the log's newest twin generator:
    its runs (seeds differ), their mean scores as labelled and harmonised (None where no
    run was scored harmonised), how many meet both targets each way and the verdicts,
    experiment 1 first. Which configuration to trust is read from every seed."""
    import pandas as pd
    newest = _newest(log_table)
    keys = list(dict.fromkeys(zip(newest["experiment"], newest["networks"],
                                  newest["training"])))
    rows = []
    for exp, networks, training in sorted(keys, key=lambda k: (k[:2] != ("1", 1),
                                                               k[0] != "1")):
        mine = newest[(newest["experiment"] == exp) & (newest["networks"] == networks)
                      & (newest["training"] == training)]
        same = _same_setting(newest, mine.iloc[-1])
        met, labelled = met_targets(same, targets), met_targets(same, targets, False)
        rows.append({"experiment": exp, "networks": int(networks),
                     "generator": same["generator"].iloc[-1],
                     "training": same["training"].iloc[-1], "runs": len(same),
                     "twin_test_accuracy": float(same["twin_test_accuracy"].mean()),
                     "real_accuracy": _mean_score(same, "real_accuracy"),
                     "real_balanced_recall": _mean_score(same, "real_balanced_recall"),
                     "harmonised_accuracy": _mean_score(same, "harmonised_accuracy"),
                     "harmonised_balanced_recall": _mean_score(same,
                                                               "harmonised_balanced_recall"),
                     "runs_meeting_targets": meeting(met), "verdict": verdict(met),
                     "runs_meeting_targets_as_labelled": meeting(labelled),
                     "verdict_as_labelled": verdict(labelled)})
    return pd.DataFrame(rows)


def twin_difficulty(log_table):
    """How hard the newest twin generator is for the paper's network at each size tried
    (one network per run): per training setting, its runs, network width and sampling
    rate (the demo profile's where the run did not set them), mean twin test accuracy
    and mean recall per class on the twin's test split, hardest first. A twin as hard as
    the real data puts a paper-size network inside the paper's accuracy range with the
    paper's hardest classes hardest."""
    from .profiles import get_profile
    demo = get_profile("demo")
    newest = _newest(log_table[_paper_net(log_table)])
    rows = []
    for training in dict.fromkeys(newest["training"]):
        runs = newest[newest["training"] == training]
        runs = _same_setting(runs, runs.iloc[-1])
        fields = dict(x.split("=", 1) for x in training.split(", ") if "=" in x)
        rows.append({"generator": runs["generator"].iloc[-1], "training": training,
                     "runs": len(runs), "width": float(fields.get("width", demo.width)),
                     "fs": int(fields.get("fs", demo.fs)),
                     "epochs": int(fields.get("max_epochs", demo.max_epochs)),
                     "twin_test_accuracy": float(runs["twin_test_accuracy"].mean()),
                     "recall": _mean_recall(runs)})
    return rows


# What another configuration's runs show beside experiment 1's on the same twin (mean
# real accuracy as labelled, the one score every logged run has).
WITHIN_ONE_RECORD = "within one record of experiment 1"
TRANSFERRED_BETTER = "better on real records"
CLOSER_FIT_ONLY = "closer fit to the twin, not better on real records"
LOOSER_FIT = "looser fit to the twin, not better on real records"


def other_designs(log_table) -> list[dict]:
    """Each other configuration than one network of experiment 1 (another design, or a
    seed ensemble), per training setting and twin, that has single runs of experiment 1
    on the same twin generator, size and real set: the means of its runs beside theirs
    (those of experiment 1's most-seeded setting there), and the finding as one of the
    four values above: did a closer fit to the twin transfer better to real records?"""
    out = []
    keys = ["experiment", "training", "generator", "twin_records", "real_records"]
    others = log_table[~_paper_net(log_table)]
    for _, runs in others.groupby(keys, sort=False):
        peers = log_table[_same_twin(log_table, runs.iloc[-1]) & _paper_net(log_table)]
        if peers.empty:
            continue
        peers = _most_seeded(peers)
        twin = float(peers["twin_test_accuracy"].mean())
        real = _mean_score(peers, "real_accuracy")
        mine_twin = float(runs["twin_test_accuracy"].mean())
        mine_real = _mean_score(runs, "real_accuracy")
        one_record = 1.0 / float(runs["real_records"].iloc[-1])
        finding = (WITHIN_ONE_RECORD if abs(mine_real - real) <= one_record + 1e-3 else
                   TRANSFERRED_BETTER if mine_real > real else    # logged to 4 decimals
                   CLOSER_FIT_ONLY if mine_twin > twin else LOOSER_FIT)
        out.append({"experiment": runs["experiment"].iloc[-1],
                    "networks": int(runs["networks"].iloc[-1]),
                    "generator": runs["generator"].iloc[-1], "runs": len(runs),
                    "twin_test_accuracy": mine_twin, "real_accuracy": mine_real,
                    "paper_net_runs": len(peers), "paper_net_twin_test_accuracy": twin,
                    "paper_net_real_accuracy": real, "finding": finding})
    return out


def _paper_net(log_table):
    """Rows of one network of experiment 1 (the paper's), not an ensemble of them."""
    return (log_table["experiment"] == "1") & (log_table["networks"] == 1)


def _newest(runs):
    """The rows of `runs` made with its newest twin generator."""
    generator = runs["generator"].astype(int)
    return runs[generator == generator.max()]


def _most_seeded(runs):
    """The rows of `runs`' setting tried on the most seeds (the latest on a tie)."""
    groups = [_same_setting(runs, row) for _, row in runs.iterrows()]
    return max(reversed(groups), key=len)


def _same_setting(log_table, run):
    """The runs of `run`'s configuration and training settings on its twin (any seed)."""
    return log_table[_same_twin(log_table, run) & (log_table["training"] == run["training"])]


def _same_twin(log_table, run):
    """Rows trained on the same twin generator and size as `run` and scored on the same
    real set (seeds and settings may differ)."""
    return ((log_table["generator"] == run["generator"])
            & (log_table["twin_records"] == run["twin_records"])
            & (log_table["real_records"] == run["real_records"]))


def _mean_recall(runs):
    """Per-class recall on the twin's test split, averaged over `runs` that logged it
    (sorted hardest first); None when none did."""
    import pandas as pd
    logged = [r for r in runs["twin_test_recall"] if isinstance(r, dict)]
    if not logged:
        return None
    return pd.DataFrame(logged).mean().sort_values()
