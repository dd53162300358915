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
# # Ablations: what each ingredient buys
#
# The paper's discussion {cite:p}`kisialeu` credits the squeeze-and-excitation blocks with
# 3–5 % higher F1 on the minority classes, says label smoothing improves calibration and
# relies on class weights for the rare rhythms, yet reports one run per configuration.
# This chapter switches each ingredient off in turn, on the split, inputs and recipe of
# experiment 1, and repeats experiments 1 and 2 with three seeds.
#
# **On this page you will learn** what removing SE, label smoothing or class weights
# changes (per-class F1, calibration, minority-class sensitivity, each with 95 %
# intervals), and whether the differences between the paper's seven configurations are
# larger than the differences between two seeds of one configuration.
#
# Nothing is trained here: the runs are on {doc}`the training page
# </executed/runs_ablations>`.

# %% tags=["hide-input"]
import numpy as np
import pandas as pd

from ecgpaper.evaluation import tables as result_tables
from ecgpaper.evaluation import variants as ev
from ecgpaper.notebook import glue, say, setup, show_figure, show_table
from ecgpaper.plots.variants import plot_class_pairs, plot_reliability_pair
from ecgpaper.report import fmt_ci, fmt_number
from ecgpaper.training import artifacts
from ecgpaper.training.experiments import EXPERIMENTS, get_experiment
from ecgpaper.training.variants import ABLATION_REFERENCE, demo_difference

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
REF = ABLATION_REFERENCE
reference = artifacts.load_metrics(settings, REF)
n_boot = min(settings.bootstrap, 200)
if settings.name == "demo":
    say(f"**Demo settings.** Every run on this page trains "
        f"{demo_difference(get_experiment(REF))} (the paper's seven experiments: "
        f"{settings.max_epochs}), so the reference is experiment 1's recipe trained exactly "
        f"as long as the ablations. The full profile runs all of them at the paper's "
        f"settings (up to 100 epochs, early stopping).")


def f1_ci(block: dict, metric: str) -> str:
    ci = (block.get("ci") or {}).get(metric) or {}
    return fmt_ci(block["metrics"].get(metric), ci.get("low"), ci.get("high"))


# %% [markdown]
# ## Squeeze-and-excitation on and off
#
# The plain network is the same ResNet-18-1D with every SE module removed (the rest of
# the weights, the inputs and the training are identical).

# %% tags=["hide-input"]
se_runs = {"SE-ResNet18": REF, "plain ResNet-18": "ablation-no-se"}
se_table = ev.per_class_pair(settings, se_runs, "f1", n_boot)
show_figure(plot_class_pairs(se_table, list(se_runs)), "fig-ablation-se",
            "Per-class F1 with and without squeeze-and-excitation (95 % bootstrap intervals).")
shown = pd.DataFrame({label: [fmt_ci(v, lo, hi) for v, lo, hi in zip(
    se_table[label], se_table[f"{label}_low"], se_table[f"{label}_high"])] for label in se_runs},
    index=se_table.index)
shown["difference (SE − plain)"] = (se_table["SE-ResNet18"] - se_table["plain ResNet-18"]).round(3)
shown["test records"] = se_table["test records"].astype(int)
show_table(shown.reset_index(), "Per-class F1 with and without SE.", "tbl-ablation-se")
minority = list(ev.MINORITY)
gain = float((se_table.loc[minority, "SE-ResNet18"]
              - se_table.loc[minority, "plain ResNet-18"]).mean())
glue("ablation_se_minority_gain", fmt_number(gain))
plain = artifacts.load_metrics(settings, "ablation-no-se")
say(f"On the minority classes AF, SA and AT, SE changes F1 by {fmt_number(gain)} on "
    f"average (the paper: +0.03 to +0.05). Macro-F1: {f1_ci(reference, 'f1_macro')} with "
    f"SE, {f1_ci(plain, 'f1_macro')} without; parameters {reference['n_parameters']:,} "
    f"against {plain['n_parameters']:,}.")

# %% [markdown]
# ## Label smoothing and calibration
#
# A model is calibrated when its confidence matches its accuracy. The expected
# calibration error (ECE) bins the test records by the top-class probability and averages
# the gap between accuracy and confidence over the bins (10 equal bins, weighted by their
# records); 0 is perfect.

# %% tags=["hide-input"]
cal_runs = {"label smoothing 0.1": REF, "no label smoothing": "ablation-no-smoothing"}
cal = ev.calibration_table(settings, cal_runs, n_boot)
cal_shown = cal.rename(columns={"ece": "ECE", "ece_low": "ECE_low", "ece_high": "ECE_high"})
show_table(cal_shown, "Expected calibration error (95 % bootstrap interval), mean confidence and "
           "accuracy, with and without label smoothing.", "tbl-ablation-calibration")
show_figure(plot_reliability_pair(ev.reliability_curves(settings, cal_runs)),
            "fig-ablation-reliability",
            "Reliability diagrams: accuracy (bars) and mean confidence (crosses) per "
            "confidence bin; the dashed diagonal is perfect calibration.")
ece_on, ece_off = cal["ece"].tolist()
glue("ablation_ece_smoothing", fmt_ci(*cal.iloc[0][["ece", "ece_low", "ece_high"]]))
glue("ablation_ece_no_smoothing", fmt_ci(*cal.iloc[1][["ece", "ece_low", "ece_high"]]))
say(f"ECE {fmt_ci(*cal.iloc[0][['ece', 'ece_low', 'ece_high']])} with smoothing and "
    f"{fmt_ci(*cal.iloc[1][['ece', 'ece_low', 'ece_high']])} without: smoothing "
    f"{'lowers' if ece_on < ece_off else 'does not lower'} the calibration error here. "
    f"Smoothing also caps the confidence a model is trained towards (0.9125 for the true "
    f"class with ε = 0.1 and 8 classes), which shows as lower mean confidence.")

# %% [markdown]
# ## Class weights and the rare rhythms
#
# Inverse-frequency class weights make an AT error cost about 30 times an SB error in
# the loss. Without them the loss is plain cross-entropy.

# %% tags=["hide-input"]
cw_runs = {"class weights": REF, "no class weights": "ablation-no-class-weights"}
cw_table = ev.per_class_pair(settings, cw_runs, "sensitivity", n_boot)
show_figure(plot_class_pairs(cw_table, list(cw_runs), "sensitivity"), "fig-ablation-weights",
            "Per-class sensitivity with and without class weights (95 % intervals).")
rows = [{"class": c, **{label: fmt_ci(cw_table.loc[c, label], cw_table.loc[c, f"{label}_low"],
                                      cw_table.loc[c, f"{label}_high"]) for label in cw_runs},
         "test records": int(cw_table.loc[c, "test records"])} for c in minority]
show_table(pd.DataFrame(rows), "Sensitivity of the minority classes with and without class "
           "weights.", "tbl-ablation-weights", presented=True)
weights_gain = float((cw_table.loc[minority, "class weights"]
                      - cw_table.loc[minority, "no class weights"]).mean())
glue("ablation_weights_minority_gain", fmt_number(weights_gain))

# %% [markdown]
# ## Seeds: how much of Table 3 is noise?
#
# Experiments 1 and 2 trained three times each with different seeds (initialisation,
# batch order, augmentation; the data and split are the same). Their spread is compared
# with the spread between the seven configurations of Table 3.

# %% tags=["hide-input"]
seed_groups = {f"experiment {e} ({EXPERIMENTS[e].name})": [f"seed-{e}-{k}" for k in range(3)]
               for e in ("1", "2")}
seeds = ev.seed_summary(settings, seed_groups)
show_table(seeds.rename(columns={f"{m} sd": f"{label} sd" for m, label in (
    ("accuracy", "accuracy"), ("f1_macro", "macro-F1"), ("auc_macro", "macro-AUC"))}),
    "Mean and standard deviation over three seeds.", "tbl-ablation-seeds")
t3 = result_tables.table3(settings)
spread = float(t3["f1_macro"].max() - t3["f1_macro"].min()) if len(t3) else np.nan
seed_sd = float(np.nanmean(seeds["f1_macro sd"]))
paper_f1 = [EXPERIMENTS[e].paper["f1_macro"] for e in EXPERIMENTS]
glue("ablation_seed_sd_f1", fmt_number(seed_sd))
glue("ablation_table3_range_f1", fmt_number(spread))
say(f"Across the seven configurations of Table 3 our macro-F1 spans {fmt_number(spread)} "
    f"(the paper's: {fmt_number(max(paper_f1) - min(paper_f1))}); between seeds of one "
    f"configuration the standard deviation is {fmt_number(seed_sd)} on average, so two "
    f"runs of the same configuration typically differ by about "
    f"{fmt_number(seed_sd * np.sqrt(2))}. The whole range of Table 3 is "
    f"{'larger' if spread > 2 * np.sqrt(2) * seed_sd else 'not larger'} than twice that "
    f"typical seed-to-seed difference, so "
    f"{'some' if spread > 2 * np.sqrt(2) * seed_sd else 'none'} of the differences between "
    f"the seven configurations clearly exceed what a change of seed alone produces."
    + (" (On the demo profile the seeds train fewer epochs than the seven experiments.)"
       if settings.name == "demo" else ""))

# %% [markdown]
# ## Recap
#
# - Each ingredient is switched off alone, against a reference trained exactly as long.
# - SE: per-class F1 with intervals; label smoothing: calibration error and reliability
#   diagrams; class weights: sensitivity of AF, SA and AT.
# - Seeds put a scale on Table 3: a difference between configurations means little unless
#   it clearly exceeds the spread between seeds.
