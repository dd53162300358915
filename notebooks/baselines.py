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
# # Baselines: the related designs on the same task
#
# Four published designs for ECG classification are trained here on exactly the paper's
# task: the same split, the same 12-lead input at the profile's sampling rate, the same
# augmentations and the paper's Table 2 recipe. They are the multi-scale SE CNN for
# reduced leads {cite:p}`xia2021`, a lightweight CNN-GRU {cite:p}`borra2020`, a CNN with
# attention and a bidirectional GRU {cite:p}`kropf2020`, and a residual CNN with a
# bidirectional GRU, attention and power envelopes {cite:p}`nejedly2020`. Two non-neural
# baselines put a floor under them: gradient boosting on the 14 clinical measurements
# alone, and textbook rules on heart rate, RR irregularity and atrial activity.
#
# **On this page you will learn** what each design's paper leaves open and what we chose,
# and how every model of the book compares in accuracy, macro-F1 and macro-AUC (with
# 95 % intervals), size, compute and CPU latency (the extended Table 3).
#
# Nothing is trained here: the runs are on {doc}`the training page
# </executed/runs_baselines>`.

# %% tags=["hide-input"]
import importlib
import inspect

import pandas as pd
import torch

from ecgpaper.models.cost import model_cost
from ecgpaper.models.registry import load_checkpoint
from ecgpaper.notebook import glue, say, setup, show_table
from ecgpaper.evaluation import variants as ev
from ecgpaper.report import fmt_ci, fmt_number, present
from ecgpaper.training import artifacts
from ecgpaper.training.experiments import EXPERIMENTS, MODEL_LABELS, get_experiment
from ecgpaper.training.run import effective_profile
from ecgpaper.training.variants import BASELINES, demo_difference

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
if settings.name == "demo":
    say("**Demo settings.** " + "; ".join(
        f"{MODEL_LABELS[e.model]}: {demo_difference(e)}" for e in BASELINES if e.neural)
        + ". The full profile trains each at the paper's settings (500 Hz, up to 100 "
        "epochs, the sizes given in its module).")

# %% [markdown]
# ## What each paper leaves open, and what we chose
#
# Taken from each model's module (`ecgpaper/models/`), where the choices are written once.

# %% tags=["hide-input"]
MODULES = {"multiscale_se": "multiscale_se", "cnn_gru": "cnn_gru",
           "cnn_att_bigru": "cnn_att_bigru", "rescnn_bigru": "rescnn_bigru"}
for e in BASELINES:
    if e.model not in MODULES:
        continue
    doc = inspect.getdoc(importlib.import_module(f"ecgpaper.models.{MODULES[e.model]}"))
    paragraphs = [" ".join(p.split()) for p in doc.split("\n\n")]
    say(f"**{MODEL_LABELS[e.model]}.** " + " ".join(paragraphs[1:]))

# %% [markdown]
# ## The extended Table 3
#
# Every model of the book on the same test records: the paper's seven configurations,
# the plain ResNet of the ablations, the four related designs and the two non-neural
# baselines. Parameters, forward GFLOP per recording and the median batch-1 latency are
# measured on the trained checkpoints at the profile's input size on this machine's CPU
# (with the build's other work running beside it, so latencies are indicative). The
# paper's Table 3 figures stand beside its seven rows.

# %% tags=["hide-input"]
torch.set_num_threads(1)
rows = []
entries = [(e, f"{e}: {EXPERIMENTS[e].name}") for e in EXPERIMENTS]
entries += [("ablation-no-se", "plain ResNet-18 (ablation)")]
entries += [(e.id, MODEL_LABELS[e.model]) for e in BASELINES]
for name, label in entries:
    exp = get_experiment(name)
    run_settings = effective_profile(settings, exp)
    if name not in artifacts.available(settings, [name]):
        continue
    row = ev.model_row(run_settings, name, label)
    row["GFLOP per record"], row["latency batch 1 (ms)"] = None, None
    checkpoint = artifacts.experiment_dir(settings, name) / "best.pt"
    if exp.neural and checkpoint.is_file():
        model, extra = load_checkpoint(checkpoint)
        cost = model_cost(model, int(extra["n_samples"]))
        row["GFLOP per record"], row["latency batch 1 (ms)"] = cost["gflop"], cost["latency_ms"]
    row["paper accuracy"] = EXPERIMENTS[name].paper.get("accuracy") if name in EXPERIMENTS else None
    row["paper macro-F1"] = EXPERIMENTS[name].paper.get("f1_macro") if name in EXPERIMENTS else None
    rows.append(row)
extended = pd.DataFrame(rows).drop(columns=["run"])
show_table(present(extended, counts=("parameters", "epochs")), "Every model on the same test split: ours with 95 % bootstrap intervals, "
           "size, compute and CPU latency (1 thread), and the paper's Table 3 where it has "
           "the row.", "tbl-baselines-extended", presented=True, wide=True)
best = extended.loc[extended["f1_macro"].astype(float).idxmax()]
glue("baselines_best_model", best["model"])
neural = extended[~extended["model"].isin([MODEL_LABELS["tabular"], MODEL_LABELS["rules"]])]
floor = extended[extended["model"].isin([MODEL_LABELS["tabular"], MODEL_LABELS["rules"]])]
say(f"Highest macro-F1: **{best['model']}** "
    f"({fmt_ci(best['f1_macro'], best['f1_macro_low'], best['f1_macro_high'])}). The "
    f"non-neural floor: " + "; ".join(
        f"{r['model']} {fmt_ci(r['f1_macro'], r['f1_macro_low'], r['f1_macro_high'])}"
        for _, r in floor.iterrows()) + ".")
for _, r in extended.iterrows():
    key = r["model"].split(":")[0].strip().lower().replace(" ", "_").replace("+", "plus")
    glue(f"baselines_f1_{key}", fmt_number(r["f1_macro"]))

# %% [markdown]
# ## Recap
#
# - The related designs run on the paper's task with its recipe; what their papers leave
#   open is chosen in one place per model and listed above.
# - The extended Table 3 puts every model side by side with intervals, size, compute and
#   latency; the paper's own figures stand beside its seven configurations.
# - Gradient boosting on the measurements and the rule-based classifier show how much of
#   the task the machine's own measurements and three rhythm features already solve.
