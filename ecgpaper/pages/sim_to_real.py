"""The External validation chapter's reading of the committed sim-to-real log
(`ecgpaper.sim_to_real`): the runs and their scores as labelled and harmonised, each
configuration's verdict, the latest runs of the paper's network, other designs beside
it, and how hard the twin is at each network size. Runs logged before harmonised
scoring read "not measured" where a harmonised number would stand."""

from __future__ import annotations

import pandas as pd

from .. import paper
from ..report import fmt_ci, fmt_number
from ..sim_to_real import NOT_MEASURED


def configuration(exp_id: str, networks: int = 1) -> str:
    """'experiment 1: <name>' (or a design's name), and the seed ensemble's size."""
    from ..training.experiments import get_experiment
    name = get_experiment(exp_id).name
    name = f"experiment {exp_id}: {name}" if exp_id.isdigit() else name
    return name + (f", seed ensemble of {networks}" if networks > 1 else "")


def _ci(value) -> str:
    return NOT_MEASURED if value is None else fmt_ci(*value, digits=2)


def _mean(value) -> str:
    return NOT_MEASURED if value is None else fmt_number(value, 3)


def _besides(training: str) -> str:
    """The settings without 'experiment E' (and 'profile defaults' when none)."""
    return training.split(", ", 1)[1] if ", " in training else "profile defaults"


def log_tables(log_table) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole log in two tables that share the run number: what was trained (date,
    generator, twin, settings, twin test accuracy) and how it scored on the real
    records, as labelled and harmonised (95 % intervals; 'not measured' for runs logged
    before harmonised scoring)."""
    runs = pd.DataFrame({
        "run": range(1, len(log_table) + 1), "date": log_table["date"],
        "twin generator": log_table["generator"],
        "twin records": [f"{n:,}" for n in log_table["twin_records"]],
        "settings": log_table["settings"],
        "twin test accuracy": [fmt_number(v, 3) for v in log_table["twin_test_accuracy"]]})
    scores = pd.DataFrame({
        "run": range(1, len(log_table) + 1),
        "real records": log_table["real_records"].astype(str),
        "accuracy, as labelled": [_ci(v) for v in log_table["real_accuracy"]],
        "balanced recall, as labelled": [_ci(v) for v in log_table["real_balanced_recall"]],
        "accuracy, harmonised": [_ci(v) for v in log_table["harmonised_accuracy"]],
        "balanced recall, harmonised": [_ci(v) for v in
                                        log_table["harmonised_balanced_recall"]],
        "relabelled": [NOT_MEASURED if n is None or pd.isna(n) else str(int(n))
                       for n in log_table["relabelled"]]})
    return runs, scores


def verdicts_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Each configuration and setting on the newest twin: its settings besides the seed,
    runs (seeds), mean twin test and real accuracy both ways, and how many runs meet both
    targets, harmonised (the targets' scores) and as labelled."""
    return pd.DataFrame({
        "configuration": [configuration(e, n) for e, n in zip(verdicts["experiment"],
                                                               verdicts["networks"])],
        "settings": [_besides(t) for t in verdicts["training"]],
        "runs": verdicts["runs"].astype(str),
        "twin test accuracy": [_mean(v) for v in verdicts["twin_test_accuracy"]],
        "real accuracy, as labelled": [_mean(v) for v in verdicts["real_accuracy"]],
        "real accuracy, harmonised": [_mean(v) for v in verdicts["harmonised_accuracy"]],
        "runs meeting both targets, harmonised": verdicts["runs_meeting_targets"],
        "runs meeting both targets, as labelled": verdicts[
            "runs_meeting_targets_as_labelled"]})


def verdict_counts(verdicts: pd.DataFrame) -> dict:
    """How many configurations meet both targets in every run, harmonised and as
    labelled, and how many were scored harmonised at all."""
    harmonised = verdicts["verdict"]
    return {"sim_configurations": len(verdicts),
            "sim_configurations_measured": int((harmonised != NOT_MEASURED).sum()),
            "sim_configurations_met": int((harmonised == "met in every run").sum()),
            "sim_configurations_met_as_labelled": int(
                (verdicts["verdict_as_labelled"] == "met in every run").sum())}


def latest_runs_table(latest: dict) -> pd.DataFrame:
    """The latest setting's runs of the paper's network, one row per seed."""
    runs = latest["runs"]
    seeds = [next((s.split("=", 1)[1] for s in x.split(", ") if s.startswith("seed=")),
                  "profile default") for x in runs["settings"]]
    return pd.DataFrame({
        "seed": seeds,
        "accuracy, as labelled": [_ci(v) for v in runs["real_accuracy"]],
        "balanced recall, as labelled": [_ci(v) for v in runs["real_balanced_recall"]],
        "accuracy, harmonised": [_ci(v) for v in runs["harmonised_accuracy"]],
        "balanced recall, harmonised": [_ci(v) for v in
                                        runs["harmonised_balanced_recall"]]})


def latest_facts(latest: dict, targets: dict) -> dict:
    """Numbers and verdict values the log section quotes."""
    return {"sim_generator": str(latest["generator"]),
            "sim_twin_records": f"{latest['twin_records']:,}",
            "sim_training": latest["training"], "sim_runs": str(len(latest["runs"])),
            "sim_real_records": str(latest["real_records"]),
            "sim_verdict": latest["verdict"],
            "sim_verdict_as_labelled": latest["verdict_as_labelled"],
            "sim_one_record_points": f"{latest['one_record_points']:.1f}",
            "sim_target_accuracy": f"{targets.get('accuracy', float('nan')):.2f}",
            "sim_target_balanced_recall":
                f"{targets.get('balanced_recall_common', float('nan')):.2f}"}


def designs_table(designs: list[dict], generator) -> pd.DataFrame:
    """Other configurations beside experiment 1's runs on the same twin (newest
    generator): mean twin test and real accuracy (as labelled, the score every run
    logged) of both, and the finding."""
    rows = [{"configuration": configuration(d["experiment"], d["networks"]),
             "runs": d["runs"], "twin test": fmt_number(d["twin_test_accuracy"], 3),
             "real": fmt_number(d["real_accuracy"], 2),
             "runs of exp. 1": d["paper_net_runs"],
             "exp. 1 twin test": fmt_number(d["paper_net_twin_test_accuracy"], 3),
             "exp. 1 real": fmt_number(d["paper_net_real_accuracy"], 2),
             "finding": d["finding"]}
            for d in designs if d["generator"] == generator]
    return pd.DataFrame(rows, columns=["configuration", "runs", "twin test", "real",
                                       "runs of exp. 1", "exp. 1 twin test", "exp. 1 real",
                                       "finding"])


def size_name(row: dict) -> str:
    runs = f"{row['runs']} run{'s' if row['runs'] > 1 else ''}"
    return f"width {row['width']:g}, {row['fs']} Hz, {row['epochs']} epochs ({runs})"


def sizes_table(sizes: list[dict], target_range, paper_recall: pd.Series) -> pd.DataFrame:
    """Each network size of the paper's design on the newest twin: twin test accuracy,
    whether it lies inside the target range, its three hardest rhythms and whether they
    are the paper's three."""
    low, high = target_range
    paper_hard = list(paper_recall.sort_values().index[:3])
    rows = []
    for row in (r for r in sizes if r["recall"] is not None):
        mine = list(row["recall"].index[:3])
        rows.append({"network size": size_name(row),
                     "twin test accuracy": fmt_number(row["twin_test_accuracy"], 3),
                     f"inside {low:.2f}–{high:.2f}":
                         "yes" if low <= row["twin_test_accuracy"] <= high else "no",
                     "three hardest rhythms": ", ".join(mine),
                     "the paper's three": "yes" if set(mine) == set(paper_hard) else "no"})
    return pd.DataFrame(rows)


def hardest_table(sizes: list[dict], paper_recall: pd.Series) -> pd.DataFrame:
    """Recall per rhythm on the twin's test split for each network size, hardest first
    for the first size, beside the paper's reported per-class sensitivity."""
    hard = pd.DataFrame({size_name(r): r["recall"] for r in sizes if r["recall"] is not None})
    hard["paper, Table 6 (real data)"] = paper_recall
    return hard.loc[hard.iloc[:, 0].sort_values().index].rename_axis("rhythm").reset_index()


def scale_facts(sizes: list[dict], target_range, paper_recall: pd.Series, full) -> dict:
    """The largest network measured (width, rate, accuracy, hardest rhythms) beside the
    paper's size and hardest rhythms, for the At scale section."""
    widest = max(sizes, key=lambda r: (r["width"], r["fs"]))
    hard = list(widest["recall"].index[:3]) if widest["recall"] is not None else []
    return {"scale_generator": str(widest["generator"]),
            "scale_widest": f"{widest['width']:g}", "scale_widest_fs": str(widest["fs"]),
            "scale_widest_accuracy": fmt_number(widest["twin_test_accuracy"], 3),
            "scale_widest_hardest": ", ".join(hard) or NOT_MEASURED,
            "scale_paper_hardest": ", ".join(paper_recall.sort_values().index[:3]),
            "scale_low": f"{target_range[0]:.2f}", "scale_high": f"{target_range[1]:.2f}",
            "scale_full_width": f"{full.width:g}", "scale_full_fs": str(full.fs),
            "scale_length_factor": f"{full.fs / widest['fs']:g}",
            "scale_paper_accuracy": f"{paper.TABLE3['1']['accuracy']:.3f}"}
