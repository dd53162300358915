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
# This page is executed once per configuration of the paper's Table 3
# {cite:p}`kisialeu`. All configurations share the split, the augmentations and the
# optimiser settings of the paper's Table 2; only the inputs differ.
#
# **On this page you will learn** what this configuration feeds the network, how its
# training went epoch by epoch, how well it classifies the test recordings (with 95 %
# bootstrap intervals, beside the paper's reported figures), which rhythms it confuses,
# and how it compares with the signal-only network of experiment 1.

# %% tags=["hide-input"]
import warnings

import numpy as np
import pandas as pd

from ecgpaper import paper
from ecgpaper.notebook import glue, say, setup, show_figure, show_table
from ecgpaper.plots.attention import plot_lead_attention
from ecgpaper.plots.confusion import plot_confusion
from ecgpaper.plots.metrics import plot_training_curves
from ecgpaper.evaluation.comparisons import compare_predictions, results_summary
from ecgpaper.report import fmt_ci, fmt_number
from ecgpaper.training import artifacts
from ecgpaper.evaluation import tables as result_tables
from ecgpaper.training.experiments import get_experiment
from ecgpaper.training.run import effective_profile, run_experiment

warnings.filterwarnings("ignore", category=UserWarning)

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}
experiment = "1"

# %% tags=["hide-input"]
settings = setup(profile, overrides)
config = get_experiment(experiment)
key = f"exp{config.id}_"
figure_prefix = f"fig-exp{config.id}"
table_prefix = f"tbl-exp{config.id}"

# %% [markdown]
# ## What the network receives

# %% tags=["hide-input"]
say(f"Experiment {config.id} ({config.name}) feeds the network {config.describe()}. "
    f"The paper lists its input as *{config.paper_input}*.")

# %% [markdown]
# ## Training
#
# The run below uses the profile's settings. If an artifact folder with the same
# configuration hash (experiment, the settings that change results, and the data
# checksum) already exists, it is read instead of retrained.

# %% tags=["hide-input"]
run = run_experiment(config.id, settings, progress=False, log=None)
run_settings = effective_profile(settings, config)
timing = run["timing"]
how = ("reused the finished run (configuration unchanged)" if run.get("reused")
       else "trained it now")
threads = f" with {timing['threads']} threads" if timing.get("threads") else ""
say(f"This page {how}: {run['epochs_run']} of at most {run['max_epochs']} epochs "
    f"(early-stopping patience {run['patience']}), batch {run['batch_size']}, best "
    f"validation macro-F1 {run['best_val_f1_macro']:.3f} at epoch {run['best_epoch']}; "
    f"{timing['train_seconds']:.1f} s of training on {timing['device']}{threads}.")

inputs = run["input"]
paper_parameters = (f"{paper.PARAMETER_COUNTS['total']:,} (UniversalECGNet)"
                    if config.universal else "not reported")
input_table = pd.DataFrame({
    "": ["signal", "samples per lead", "auxiliary inputs (MLP branch)", "parameters",
         "train / validation / test records"],
    "ours": [f"{inputs['n_leads']} leads", f"{inputs['n_samples']:,} ({inputs['fs']} Hz, 10 s)",
             f"{inputs['n_features']}", f"{run['n_parameters']:,}",
             f"{run['n_train']:,} / {run['n_val']:,} / {run['n_test']:,}"],
    "paper (reported)": ["1–12 leads" if config.universal else "12 leads",
                         "5,000 (500 Hz, 10 s)",
                         str(config.paper_n_inputs) if config.paper_n_inputs else "0",
                         paper_parameters,
                         " / ".join(f"{n:,}" for n in paper.SPLIT_SIZES)],
})
show_table(input_table, f"What experiment {config.id} receives, ours beside the paper's "
           "description.", f"{table_prefix}-inputs", presented=True)
if inputs["feature_names"]:
    say("Auxiliary inputs: " + ", ".join(f"`{name}`" for name in inputs["feature_names"]) + ".")
glue(key + "train_seconds", round(timing["train_seconds"], 1))
glue(key + "epochs", run["epochs_run"])
glue(key + "best_epoch", run["best_epoch"])
_ = glue(key + "n_features", inputs["n_features"])

# %% [markdown]
# ## Training curves
#
# Loss on the training batches (with augmentation) and on the validation split, and the
# validation macro-F1 that early stopping watches.

# %% tags=["hide-input"]
history = artifacts.load_history(run_settings, config.id)
show_figure(plot_training_curves(history, run["best_epoch"]), f"{figure_prefix}-curves",
            f"Experiment {config.id} ({config.name}): loss per epoch (left) and validation "
            f"macro-F1 (right); the dashed line marks the kept checkpoint (epoch "
            f"{run['best_epoch']}).")

# %% [markdown]
# ## Test metrics
#
# Ours with 95 % bootstrap intervals (test records resampled with replacement), beside
# the figures the paper reports for this configuration in its Table 3 (for experiment 2
# its Table 4, which lists all ten metrics). The paper's figures were measured on the
# real database at full size.

# %% tags=["hide-input"]
paper_row = paper.TABLE4 if config.id == paper.BEST_EXPERIMENT else config.paper
metrics_table = result_tables.metric_table(run, paper_row, list(result_tables.LABELS))
shown = pd.DataFrame({
    "metric": metrics_table["label"],
    "ours (95 % CI)": [fmt_ci(v, lo, hi) for v, lo, hi in
                       zip(metrics_table["ours"], metrics_table["low"], metrics_table["high"])],
    "paper (reported)": [fmt_number(v) if np.isfinite(v) else "not reported"
                         for v in metrics_table["paper"]],
})
source = "Table 4" if config.id == paper.BEST_EXPERIMENT else "Table 3"
show_table(shown, f"Test metrics of experiment {config.id}; the paper's column is its "
           f"{source}.", f"{table_prefix}-metrics", presented=True)
for metric in ("accuracy", "precision_macro", "f1_macro", "auc_macro", "kappa", "mcc"):
    value = run["metrics"].get(metric)
    glue(key + metric, None if value is None else round(value, 3))
    interval = (run.get("ci") or {}).get(metric)
    if interval:
        glue(key + metric + "_ci", fmt_ci(interval["value"], interval["low"], interval["high"]))

# %% [markdown]
# ## Confusion matrix
#
# Rows are the true classes, columns the predictions; colours are shares of the true
# class and each cell shows the count and the share.

# %% tags=["hide-input"]
predictions = artifacts.load_predictions(run_settings, config.id)
confusion = result_tables.confusion_matrix(predictions)
show_figure(plot_confusion(confusion, normalize=True, title=""), f"{figure_prefix}-confusion",
            f"Confusion matrix of experiment {config.id} on the {len(predictions):,} test "
            f"recordings.")

# %% [markdown]
# ## What this experiment shows
#
# Computed from this page's own results: the classes it gets most and least right, its
# most frequent error, and (from experiment 2 on) how it differs from the signal-only
# network of experiment 1 on the same test recordings, with a paired bootstrap interval.

# %% tags=["hide-input"]
per_class = result_tables.per_class(run_settings, config.id)
summary = results_summary(per_class, confusion)
sentences = []
if summary.best is not None:
    sentences.append(
        f"Its best class is **{summary.best}** (F1 {fmt_ci(*summary.best_f1)}) and its worst "
        f"**{summary.worst}** (F1 {fmt_ci(*summary.worst_f1)}, {summary.worst_support:,} "
        f"test records).")
if summary.confusion_true is not None:
    sentences.append(
        f"The most frequent error is **{summary.confusion_true} read as "
        f"{summary.confusion_predicted}**: {summary.confusion_count:,} of "
        f"{summary.confusion_n_true:,} {summary.confusion_true} test records.")
else:
    sentences.append("It makes no error on the test split.")


def in_words(name, d):
    """A paired difference (`bootstrap.PairedDifference`) as a clause."""
    verdict = ("the interval excludes 0" if d.excludes_zero
               else "the interval includes 0, so the data do not separate the two")
    return (f"{name} {fmt_number(d.difference)} (95 % paired CI {fmt_number(d.low)} to "
            f"{fmt_number(d.high)}; {verdict})")


if config.id != "1" and "1" in artifacts.available(settings):
    reference = artifacts.load_predictions(effective_profile(settings, get_experiment("1")), "1")
    differences = compare_predictions(reference, predictions, n=max(settings.bootstrap, 50),
                                      seed=settings.seed)
    sentences.append(
        "Against experiment 1 on the same test records: "
        + in_words("accuracy", differences["accuracy"]) + "; "
        + in_words("macro-F1", differences["f1_macro"]) + ".")
    f1_difference = differences["f1_macro"]
    glue(key + "vs_exp1_f1", fmt_ci(f1_difference.difference, f1_difference.low,
                                    f1_difference.high))
say(" ".join(sentences))
glue(key + "best_class", summary.best or "")
_ = glue(key + "worst_class", summary.worst or "")

# %% [markdown] tags=["only-if:experiment=7"]
# ## Lead configurations
#
# The paper's Table 5 (this model on 12, 6, 3 and 1 leads), the CinC 2021 lead sets,
# every single lead, random subsets and the lead-dropout ablation are in the chapter
# {doc}`/executed/universal`.

# %% [markdown] tags=["only-if:experiment=7"]
# ## Attention per lead
#
# Mean test-set attention weight of each lead in each configuration (the weights of the
# present leads sum to 1). The paper reports lead II highest on 12 leads, then V1 and aVF
# (its ranges are drawn in {numref}`fig-exp7-attention`).

# %% tags=["hide-input", "only-if:experiment=7"]
if config.universal:
    attention = result_tables.attention_by_lead(run_settings, config.id)
    show_table(attention, "Mean attention weight per lead and lead configuration (— : the "
               "lead is absent in that configuration).", "tbl-exp7-attention")
    show_figure(plot_lead_attention(attention, paper.ATTENTION), f"{figure_prefix}-attention",
                "Mean attention per lead on 12 leads (bars) with the paper's reported "
                "ranges for II, V1 and aVF (black lines) and the uniform share.")
    glue(key + "top_lead", attention["12-lead"].idxmax())
    glue(key + "top_lead_weight", round(float(attention["12-lead"].max()), 3))

# %% [markdown]
# ## Recap
#
# - The configuration's inputs, its training curves and its kept checkpoint are above;
#   the same notebook runs for all seven configurations.
# - Test metrics carry 95 % bootstrap intervals; the paper's single-run figures have
#   none, so a difference smaller than our interval says little.
# - The computed summary names the best and worst class, the most frequent confusion and
#   the paired difference from experiment 1.
