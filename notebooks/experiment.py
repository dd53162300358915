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
# # Experiment
#
# This page is executed once per configuration of Kisialeu & Nedzved (paper), Table 3.
# It trains the configuration (or reuses a finished run with unchanged settings and
# data), then shows what the network received, how training went epoch by epoch, the
# test-set metrics with 95 % bootstrap confidence intervals beside the paper's reported
# figures, and the confusion matrix. All configurations share the same split, the same
# augmentations and the same optimiser settings (the paper's Table 2); only the inputs
# differ.

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}
experiment = "1"

# %% tags=["remove-input"]
import warnings

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from ecgpaper.notebook import glue, setup
from ecgpaper.training import artifacts as art
from ecgpaper.evaluation import tables as report
from ecgpaper.training.experiments import (LEAD_CONFIGS, PAPER_ATTENTION,
                                           PAPER_BEST_EXPERIMENT, PAPER_TABLE4, get_experiment)
from ecgpaper.training.run import effective_profile, run_experiment

warnings.filterwarnings("ignore", category=UserWarning)
P = setup(profile, overrides)
E = get_experiment(experiment)
key = f"exp{E.id}_"

# %% tags=["remove-input"]
display(Markdown(f"## What the network receives\n\nExperiment {E.id} ({E.name}) feeds it "
                 f"{E.describe()}. The paper lists its input as *{E.paper_input}*."))

# %% [markdown]
# ## Training
#
# The run below uses the profile's settings; if an artifact folder with the same
# configuration hash (experiment, the settings that change results, and the data
# checksum) already exists, it is read instead of retrained.

# %% tags=["remove-input"]
M = run_experiment(E.id, P, progress=False, log=None)
EP = effective_profile(P, E)
how = ("reused the finished run (configuration unchanged)" if M.get("reused")
       else "trained it now")
t = M["timing"]
display(Markdown(
    f"This page {how}: {M['epochs_run']} of at most {M['max_epochs']} epochs "
    f"(early-stopping patience {M['patience']}), batch {M['batch_size']}, best validation "
    f"macro-F1 {M['best_val_f1_macro']:.3f} at epoch {M['best_epoch']}; "
    f"{t['train_seconds']:.1f} s of training on {t['device']}"
    f"{' with ' + str(t['threads']) + ' threads' if t.get('threads') else ''}."))
inp = M["input"]
inputs = pd.DataFrame({
    "ours": [f"{inp['n_leads']} leads", f"{inp['n_samples']} ({inp['fs']} Hz, 10 s)",
             inp["n_features"], f"{M['n_parameters']:,}",
             f"{M['n_train']} / {M['n_val']} / {M['n_test']}"],
    "paper": ["12 leads (1–12 for the universal model)", "5000 (500 Hz, 10 s)",
              E.paper_n_inputs or 0, "≈ 9.2 M", "7,430 / 1,592 / 1,593"],
}, index=["signal", "samples per lead", "auxiliary inputs (MLP branch)", "parameters",
          "train / val / test records"])
display(inputs)
if inp["feature_names"]:
    display(Markdown("Auxiliary inputs: " + ", ".join(f"`{n}`" for n in inp["feature_names"])))
glue(key + "train_seconds", round(t["train_seconds"], 1))
glue(key + "epochs", M["epochs_run"])
glue(key + "best_epoch", M["best_epoch"])
_ = glue(key + "n_features", inp["n_features"])

# %% [markdown]
# ## Training curves
#
# Loss on the training batches (with augmentation) and on the validation split, and the
# validation macro-F1 that early stopping watches; the marked epoch is the kept
# checkpoint.

# %% tags=["remove-input"]
H = art.load_history(EP, E.id)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
ax1.plot(H["epoch"], H["train_loss"], marker="o", label="train (augmented)")
ax1.plot(H["epoch"], H["val_loss"], marker="o", label="validation")
ax1.set_xlabel("epoch"); ax1.set_ylabel("weighted cross-entropy"); ax1.legend()
ax2.plot(H["epoch"], H["val_f1_macro"], marker="o", color="C2")
ax2.axvline(M["best_epoch"], color="grey", ls="--", lw=1)
ax2.set_xlabel("epoch"); ax2.set_ylabel("validation macro-F1"); ax2.set_ylim(0, 1)
fig.suptitle(f"Experiment {E.id}: {E.name}")
fig.tight_layout()
plt.show()
display(H.round(4).set_index("epoch"))

# %% [markdown]
# ## Test metrics
#
# Ours with 95 % bootstrap intervals (test set resampled with replacement), beside the
# figures the paper reports for this configuration in its Table 3 (for experiment 2 its
# Table 4, which lists all ten metrics). These are the paper's reported figures, measured
# on the real database at full size.

# %% tags=["remove-input"]
paper = PAPER_TABLE4 if E.id == PAPER_BEST_EXPERIMENT else E.paper  # Table 4 is exp. 2's
T = report.metric_table(M, paper, list(report.LABELS))
display(T[["label", "ours (95 % CI)", "paper", "ours − paper"]].round(3)
        .fillna({"paper": "not reported", "ours − paper": "—"}))
for m in ("accuracy", "precision_macro", "f1_macro", "auc_macro", "kappa", "mcc"):
    v = M["metrics"].get(m)
    glue(key + m, None if v is None else round(v, 3))
    ci = (M.get("ci") or {}).get(m)
    if ci:
        glue(key + m + "_ci", report.fmt_ci(ci["value"], ci["low"], ci["high"]))

# %% [markdown]
# ## Confusion matrix
#
# Rows are the true classes, columns the predictions (row-normalised; counts in the
# cells' annotations where the plotting helper shows them).

# %% tags=["remove-input"]
from ecgpaper.plots.confusion import plot_confusion

pred = art.load_predictions(EP, E.id)
cm = report.confusion_matrix(pred)
fig = plot_confusion(cm, normalize=True)
plt.show()

# %% tags=["remove-input"]
if E.universal:
    display(Markdown(
        "## Lead configurations (Table 5)\n\nThe same trained model evaluated on the 12, "
        "6 (limb), 3 (I, II, V1) and 1 (II) lead subsets without retraining; absent leads "
        "are simply not given to it. The paper's reported figures are shown beside ours."))
    T5 = report.table5(M)
    cols = [c for c in T5.columns if "(95 % CI)" in c or "paper" in c or "Δ" in c]
    display(T5[["leads"] + cols].round(3))
    for k in LEAD_CONFIGS:
        row = T5.loc[f"{k}-lead"]
        glue(f"{key}{k}lead_accuracy", round(float(row["accuracy"]), 3))
        glue(f"{key}{k}lead_f1_macro", round(float(row["f1_macro"]), 3))

# %% tags=["remove-input"]
if E.universal:
    display(Markdown(
        "## Attention per lead\n\nMean test-set attention weight of each lead in each "
        "configuration (weights of the present leads sum to 1). The paper reports lead II "
        "highest on 12 leads (0.15–0.18), then V1 (0.10–0.14) and aVF (0.09–0.12)."))
    A = report.attention_by_lead(EP, E.id)
    display(A.round(3))
    fig, ax = plt.subplots(figsize=(8, 3))
    A["12-lead"].plot.bar(ax=ax, color="C0", label="ours, 12 leads")
    for lead, (lo, hi) in PAPER_ATTENTION.items():
        i = list(A.index).index(lead)
        ax.plot([i - 0.4, i + 0.4], [lo, lo], color="black", lw=1)
        ax.plot([i - 0.4, i + 0.4], [hi, hi], color="black", lw=1,
                label="paper's range" if lead == "II" else None)
    ax.axhline(1 / 12, color="grey", ls=":", lw=1, label="uniform (1/12)")
    ax.set_ylabel("mean attention (12-lead)"); ax.legend()
    fig.tight_layout()
    plt.show()
    top = A["12-lead"].idxmax()
    glue(key + "top_lead", top)
    glue(key + "top_lead_weight", round(float(A["12-lead"].max()), 3))
