# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # External validation
#
# The paper evaluates every model on a held-out part of the same database and names
# validation on other databases as future work {cite:p}`kisialeu`. This chapter does it:
# the trained SE-ResNet18 of experiment 1 and the UniversalECGNet of experiment 7 score
# real 12-lead recordings from other hospitals and devices, read from a folder given by
# the profile setting `external_dir`: PTB-XL in its native layout {cite:p}`wagner2020`
# and the PhysioNet/CinC 2021 WFDB sets {cite:p}`reyna2021` (Georgia, CPSC, Ningbo,
# PTB, PTB-XL), labelled from their SCP-ECG statements or SNOMED CT codes with the table
# on the *Data sources* page.
#
# On the demo profile the models were trained only on the synthetic twin, so this page is
# a test of **synthetic to real** transfer; on the full profile it is the cross-database
# test the paper asks for.
#
# **On this page you will learn** which rhythms each source contains, how the models
# score on each source with 95 % bootstrap intervals, which rhythms they confuse,
# which records could not be scored and why, how far the twin alone teaches real
# rhythms, and whether the twin is as hard as the real data.

# %% tags=["hide-input"]
from pathlib import Path

import pandas as pd

from ecgpaper.data.external import find_external
from ecgpaper.evaluation.external import (ALL_SOURCES, external_scores, recall_table,
                                          summary_table)
from ecgpaper.evaluation.metrics import confusion
from ecgpaper.inference.artifact import load_artifact
from ecgpaper.inference.external import predict_external
from ecgpaper.inference.route import ModelSet
from ecgpaper.notebook import glue, say, setup, show_figure, show_table
from ecgpaper.plots.confusion import plot_confusion
from ecgpaper.report import fmt_ci, present
from ecgpaper.training import artifacts

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
external_dir = settings.external_dir
if external_dir is None:
    say("**No external data was given to this build, so no external score is shown.** "
        "To run this chapter, download PTB-XL from PhysioNet (open access) and point the "
        "profile at it:\n\n"
        "```bash\necgpaper download ptbxl --dest data/ptbxl\n"
        "ecgpaper book --set external_dir=data/ptbxl\n```\n\n"
        "Any folder of CinC 2021 WFDB records (Georgia, CPSC, Ningbo, PTB, PTB-XL) works "
        "the same way; records are recognised by their names and `# Dx` codes.")

# %% [markdown]
# ## The external records
#
# Every record below the folder whose rhythm is one of the eight classes is used; the
# others are counted with the reason.

# %% tags=["hide-input"]
if external_dir is not None:
    external = find_external(external_dir)
    counts = pd.DataFrame(external.counts()).T.fillna(0).astype(int)
    counts = counts.reindex(columns=[c for c in
                                     ("SB", "SR", "AFIB", "ST", "SVT", "AF", "SA", "AT")
                                     if c in counts.columns])
    counts["total"] = counts.sum(axis=1)
    show_table(counts.rename_axis("source"), "Labelled records per source and rhythm.",
               "tbl-external-counts")
    if external.skipped:
        skipped = pd.DataFrame([{"source": s, "reason": r, "records": n}
                                for (s, r), n in sorted(external.skipped.items())])
        show_table(skipped, "Records of the folder that are not used, with the reason.",
                   "tbl-external-not-used")
    glue("external_records", len(external.records))

# %% [markdown]
# ## Scores per source
#
# Accuracy, the balanced recall over the four common rhythms (SB, SR, ST, AFIB) and the
# macro-F1 over the classes the source contains; a class a source lacks is listed, not
# counted as zero.

# %% tags=["hide-input"]
MODELS = {"1": "SE-ResNet18, experiment 1 (signal only)",
          "7": "UniversalECGNet, experiment 7 (12 leads)"}
results = {}
if external_dir is not None:
    finished = artifacts.available(settings)
    for experiment, title in MODELS.items():
        if experiment not in finished:
            say(f"Experiment {experiment} has no trained model yet (its page trains it).")
            continue
        folder = artifacts.experiment_dir(settings, experiment)
        models = ModelSet([load_artifact(folder / "best.pt")])
        predictions, not_scored = predict_external(models, external)
        scores = external_scores(predictions, n_boot=settings.bootstrap, seed=settings.seed)
        results[experiment] = (title, predictions, not_scored, scores)

for experiment, (title, predictions, not_scored, scores) in results.items():
    table = summary_table(scores).set_index("source")
    show_table(table, f"{title}: scores per source (95 % bootstrap CI).",
               f"tbl-external-scores-{experiment}", wide=True)
    pooled = scores[ALL_SOURCES]
    glue(f"external_accuracy_{experiment}", fmt_ci(*pooled["accuracy"]))
    glue(f"external_balanced_recall_{experiment}", fmt_ci(*pooled["balanced_recall_common"]))
    if not_scored:
        say("Records that could not be scored: " + "; ".join(
            f"{source}: {n} ({reason})" for (source, reason), n in sorted(not_scored.items()))
            + ".")

# %% [markdown]
# ## Recall per rhythm, and the confusions
#
# Recall per class and source shows which rhythms carry over; the pooled confusion
# matrix shows what the others are taken for.

# %% tags=["hide-input"]
for experiment, (title, predictions, not_scored, scores) in results.items():
    recall = recall_table(scores).pivot(index="class", columns="source", values="recall")
    recall = recall.reindex([c for c in ("SB", "SR", "AFIB", "ST", "SVT", "AF", "SA", "AT")])
    show_table(recall, f"{title}: recall per rhythm and source (— where the source has "
               "no record of that rhythm).", f"tbl-external-recall-{experiment}", wide=True)
    figure = plot_confusion(confusion(predictions["label"], predictions["pred"]),
                            title=f"{title}, all sources")
    show_figure(figure, f"fig-external-confusion-{experiment}",
                f"{title}: confusion matrix over all external records (rows: true rhythm, "
                "columns: predicted).")

# %% tags=["hide-input"]
if results:
    lines = []
    for experiment, (title, _, _, scores) in results.items():
        pooled = scores[ALL_SOURCES]
        lines.append(f"- {title}: accuracy {fmt_ci(*pooled['accuracy'])}, balanced recall "
                     f"over SB, SR, ST and AFIB {fmt_ci(*pooled['balanced_recall_common'])} "
                     f"on {pooled['records']} real records.")
    say("\n".join(lines))

# %% [markdown]
# ## The twin's progress: sim-to-real runs measured outside this build
#
# How well a twin teaches real rhythms is tracked by `scripts/sim_to_real.py`: it trains
# a configuration (experiment 1 unless the row says otherwise) on a fresh twin only and
# scores every real record with one of the eight rhythms that it finds beside the
# project (the same records as above, when present). Given several configurations, it
# trains them all on the same twin and scores the mean of their probabilities, a *seed
# ensemble* when they differ only in their initialisation (the row's settings then end
# in "mean of N networks").
# Each run appends to `book/measurements/sim_to_real.json`, committed with the code;
# {numref}`tbl-external-sim-to-real` shows that log as it was measured (dates,
# generator versions and settings as recorded), not recomputed during this build. Runs
# before generator 4 counted the PTB-XL recordings that CinC 2021 re-distributes under
# other names twice, once from each source; since then a recording counts once, hence
# the smaller number of real recordings in the later rows.
#
# These real recordings are not an untouched test set for the twin's later generators.
# Each generator change was chosen after reading which of them earlier runs got wrong:
# generator 6, for instance, draws flutter waves as the textbook describes them (a
# sawtooth in the inferior leads, discrete upright waves on a flat baseline in V1) after
# networks trained on generator 5 read two real 2:1 flutter recordings as SVT. The
# changes are physiology, never a record's label or a threshold fitted to these files,
# but only recordings the project has never seen can test a generator without that bias.

# %% tags=["hide-input"]
from ecgpaper.measurements import (latest_sim_to_real, other_designs, sim_to_real_log,
                                   sim_to_real_verdicts)
from ecgpaper.training.experiments import get_experiment

log_table, targets = sim_to_real_log()
if log_table is None:
    say("No sim-to-real log is committed with this edition.")
else:
    shown = log_table.drop(columns=["note", "training", "twin_test_recall", "experiment"])
    for column in ("real_accuracy", "real_balanced_recall"):
        shown[column] = [fmt_ci(*v) for v in shown[column]]
    show_table(present(shown, labels={
        "generator": "twin generator", "twin_records": "twin records",
        "twin_test_accuracy": "twin test accuracy", "real_records": "real records",
        "real_accuracy": "real accuracy (95% CI)",
        "real_balanced_recall": "balanced recall SB/SR/ST/AFIB (95% CI)"}),
        "Sim-to-real runs trained only on the twin (log committed with "
        "the code, measured on a 2-core CPU): accuracy and balanced recall on the real "
        f"records. Targets: accuracy ≥ {targets.get('accuracy', float('nan')):.2f}, balanced "
        f"recall ≥ {targets.get('balanced_recall_common', float('nan')):.2f}.",
        "tbl-external-sim-to-real", presented=True, wide=True)
    latest = latest_sim_to_real(log_table, targets)
    runs = [f"accuracy {fmt_ci(*a)}, balanced recall {fmt_ci(*b)}" for a, b in
            zip(latest["runs"]["real_accuracy"], latest["runs"]["real_balanced_recall"])]
    n_runs = len(runs)
    say(f"With twin generator {latest['generator']} and {latest['twin_records']:,} twin "
        f"records (trained: {latest['training']}), {n_runs} "
        f"run{'s' if n_runs > 1 else ''} (different seeds, so different "
        f"twins and initialisations) scored on {latest['real_records']} real recordings: "
        + "; ".join(runs) + f". For the paper's network the targets are "
        f"**{latest['verdict']}**. With so few real "
        f"recordings one record moves accuracy by {latest['one_record_points']:.1f} "
        "points: read the intervals, not the point estimates.")

    def configuration(exp_id, networks=1):
        name = get_experiment(exp_id).name
        name = f"experiment {exp_id}: {name}" if exp_id.isdigit() else name
        return name + (f", seed ensemble of {networks}" if networks > 1 else "")

    verdicts = sim_to_real_verdicts(log_table, targets)
    besides = [t.split(", ", 1)[1] if ", " in t else "profile defaults"
               for t in verdicts["training"]]       # the settings without "experiment E"
    shown = verdicts.assign(
        experiment=[configuration(e, n) for e, n in zip(verdicts["experiment"],
                                                         verdicts["networks"])],
        training=besides).drop(columns=["generator", "networks"])
    show_table(present(shown.set_index("experiment").rename_axis("configuration"), labels={
        "training": "settings (besides the seed)", "runs": "runs (seeds)",
        "twin_test_accuracy": "twin test accuracy (mean)",
        "real_accuracy": "real accuracy (mean)",
        "real_balanced_recall": "balanced recall SB/SR/ST/AFIB (mean)",
        "runs_meeting_targets": "runs meeting both targets", "verdict": "verdict"}),
        f"Each configuration and setting trained on twin generator "
        f"{verdicts['generator'].iloc[0]} (every seed of it): mean scores and how many "
        "runs meet both targets. A configuration counts as meeting the targets only when "
        "every seed does.",
        "tbl-external-sim-to-real-verdicts", presented=True, wide=True)
    def verdict_names(verdict):
        return [f"**{configuration(e, n)}** ({t})" for e, n, t, v in zip(
            verdicts["experiment"], verdicts["networks"], besides, verdicts["verdict"])
            if v == verdict]
    steady, once = verdict_names("met in every run"), verdict_names("met in its one run")
    say(("Met in every run by: " + "; ".join(steady) + ".") if steady else
        "No configuration on this twin generator meets both targets in every run yet.")
    if once:
        say("Met in the one run made so far (a single seed is not yet a verdict): "
            + "; ".join(once) + ".")
    for design in other_designs(log_table):
        if design["generator"] != verdicts["generator"].iloc[0]:
            continue
        say(f"*{configuration(design['experiment'], design['networks'])}* ({design['runs']} "
            f"run{'s' if design['runs'] > 1 else ''}): twin test accuracy "
            f"{design['twin_test_accuracy']:.3f} and real accuracy "
            f"{design['real_accuracy']:.2f}, against "
            f"{design['paper_net_twin_test_accuracy']:.3f} and "
            f"{design['paper_net_real_accuracy']:.2f} for the mean of experiment 1's "
            f"{design['paper_net_runs']} runs on that twin. {design['finding']}")

# %% [markdown]
# ## At scale: is the twin as hard as the real data?
#
# A twin that is too easy teaches shortcuts. The paper reports about 0.94 accuracy on
# the real database, with AT, AF and SA its weakest rhythms (Table 6 of
# {cite:p}`kisialeu`). The twin's second target asks the twin to be as hard: a
# paper-size network trained on a twin of the database's size should reach an accuracy
# inside the range stated below on the twin's own test split, and find the same
# rhythms hardest. {numref}`tbl-external-twin-hardest` reads this from the same log for
# each network size of the paper's design trained on the newest generator.

# %% tags=["hide-input"]
from ecgpaper.measurements import twin_difficulty
from ecgpaper.paper import table6_frame

sizes = twin_difficulty(log_table) if log_table is not None else []
if sizes:
    low, high = targets.get("twin_test_accuracy_at_scale", (float("nan"),) * 2)
    paper = table6_frame()["sensitivity"]
    paper_hard = list(paper.sort_values().index[:3])

    def size_name(row):
        return (f"width {row['width']:g}, {row['fs']} Hz, {row['epochs']} epochs "
                f"({row['runs']} run{'s' if row['runs'] > 1 else ''})")

    hard = pd.DataFrame({size_name(r): r["recall"] for r in sizes if r["recall"] is not None})
    hard["paper Table 6 sensitivity (reported; real data)"] = paper
    hard = hard.loc[hard.iloc[:, 0].sort_values().index].rename_axis("rhythm")
    show_table(present(hard), "Recall per rhythm on the twin's own test split (generator "
               f"{sizes[0]['generator']}; mean over the runs of each network size of "
               "experiment 1), hardest first for the first size, beside the paper's "
               "reported per-class sensitivity on the real database.",
               "tbl-external-twin-hardest", presented=True, wide=True)
    lines = []
    for row in sizes:
        if row["recall"] is None:
            continue
        mine = list(row["recall"].index[:3])
        inside = low <= row["twin_test_accuracy"] <= high
        lines.append(
            f"- {size_name(row)}: twin test accuracy {row['twin_test_accuracy']:.3f}, "
            f"{'inside' if inside else 'outside'} the range {low:.2f}–{high:.2f}; its "
            f"three hardest rhythms are {', '.join(mine)}"
            + (" — the paper's three." if set(mine) == set(paper_hard) else
               f", the paper's are {', '.join(paper_hard)}."))
    say("\n".join(lines))
    from ecgpaper.profiles import get_profile
    full = get_profile("full")
    widest = max(sizes, key=lambda r: (r["width"], r["fs"]))
    if widest["width"] < full.width or widest["fs"] < full.fs:
        say(f"The target names the paper's size: width {full.width:g} at {full.fs} Hz. "
            f"The largest network measured here is width {widest['width']:g} at "
            f"{widest['fs']} Hz, trained on a 2-core CPU; at {full.fs} Hz every record "
            f"is {full.fs // widest['fs']} times longer and the training would take many "
            "hours there. The paper-size measurement belongs on a GPU: "
            f"`python scripts/sim_to_real.py --set width={full.width:g} --set "
            f"fs={full.fs} ...`.")

# %% [markdown]
# ## Recap
#
# - The external set is whatever real records the reader has: PTB-XL's native layout and
#   CinC 2021 WFDB folders are recognised, each record labelled from its own codes.
# - Scores are given per source with bootstrap intervals, averaged only over the rhythms a
#   source contains.
# - On the demo profile, the models never saw a real ECG: these numbers measure how well
#   the synthetic twin teaches rhythms that transfer, not the paper's method.
# - A twin worth training on is as hard as the real data: the *At scale* section compares
#   each network size's accuracy and hardest rhythms on the twin with the paper's.
