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
# # Comparison
#
# The seven configurations side by side: the paper's Tables 3 and 4
# {cite:p}`kisialeu` rebuilt from the stored results of the experiment pages (this
# page only reads artifacts; it never trains). The paper's figures come from single runs
# without intervals, so a difference smaller than our interval's half-width says little.
#
# **On this page you will learn** how the seven configurations rank on each metric of
# Table 3, which one a validation-only rule picks as best, and how all ten metrics of
# Table 4 compare with the paper's.

# %% tags=["hide-input"]
import numpy as np
import pandas as pd

from ecgpaper import paper
from ecgpaper.notebook import difference_label, glue, say, setup, show_figure, show_table
from ecgpaper.plots.metrics import plot_forest
from ecgpaper.report import fmt_ci, fmt_number, styled
from ecgpaper.training import artifacts
from ecgpaper.evaluation import tables as result_tables
from ecgpaper.training.experiments import EXPERIMENTS

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
finished = artifacts.available(settings)
missing = [e for e in EXPERIMENTS if e not in finished]
if missing:
    say(f"Experiments without results yet (run their pages or `ecgpaper train --experiment "
        f"all`): {', '.join(missing)}.")
table3 = result_tables.table3(settings)
difference = difference_label(settings)

# %% [markdown]
# ## Table 3, one metric at a time
#
# Each table lists the seven configurations with our value and its 95 % bootstrap
# interval, the paper's reported figure and the difference.

# %% tags=["hide-input"]
metric_names = {"accuracy": "accuracy", "precision_macro": "macro precision",
                "f1_macro": "macro-F1", "auc_macro": "macro AUC"}
for metric, name in metric_names.items():
    if table3.empty:
        break
    by_experiment = pd.DataFrame({
        "experiment": [f"{e}: {c}" for e, c in zip(table3.index, table3["configuration"])],
        "ours (95 % CI)": [fmt_ci(v, lo, hi) for v, lo, hi in zip(
            table3[metric], table3[f"{metric}_low"], table3[f"{metric}_high"])],
        "paper (reported)": [fmt_number(v) for v in table3[f"{metric}_paper"]],
        difference: [fmt_number(v) for v in table3[f"{metric}_diff"]],
    })
    show_table(by_experiment, f"Table 3, {name}: ours beside the paper's.",
               f"tbl-table3-{metric.replace('_', '-')}", presented=True)
glue("comparison_n_experiments", len(table3))
if not table3.empty:
    glue("comparison_table3", styled(table3[["configuration", "accuracy", "f1_macro",
                                             "auc_macro"]].rename_axis("experiment")))

# %% [markdown]
# ## Ours against the paper
#
# {numref}`fig-comparison-forest` draws the same numbers: dots are our test-set values
# with their 95 % intervals, crosses the paper's reported figures.

# %% tags=["hide-input"]
if len(table3):
    show_figure(plot_forest(table3), "fig-comparison-forest",
                "Table 3 as a forest plot, one panel per metric: ours (dots, 95 % "
                "bootstrap intervals) and the paper's reported figures (crosses).")

# %% [markdown]
# ## The best configuration
#
# We pick the best configuration by **validation** macro-F1 (the quantity early stopping
# watches), so the test set plays no part in the choice. The paper calls experiment 2 its
# best model, by test accuracy and AUC.

# %% tags=["hide-input"]
best = result_tables.best_experiment(settings)
if best is not None:
    glue("comparison_best_experiment", f"{best} ({EXPERIMENTS[best].name})")
    glue("comparison_best_id", best)
    selection = table3[["configuration", "best val F1", "best epoch", "epochs",
                        "train s"]].rename(columns={"best val F1": "best validation macro-F1",
                                                    "train s": "training (s)"})
    show_table(selection.rename_axis("experiment"),
               "Validation macro-F1 of each configuration (the selection rule) and its "
               "training effort.", "tbl-comparison-selection")
    say(f"Best by validation macro-F1: **experiment {best} ({EXPERIMENTS[best].name})**; "
        f"the paper's best: experiment {paper.BEST_EXPERIMENT} "
        f"({EXPERIMENTS[paper.BEST_EXPERIMENT].name}).")
    glue("comparison_train_seconds_total", round(float(table3["train s"].sum()), 1))

# %% [markdown]
# ## Table 4: every global metric
#
# The paper's Table 4 describes experiment 2. We show all ten metrics for experiment 2
# and, when it differs, for our best configuration.

# %% tags=["hide-input"]
for experiment_id in dict.fromkeys([paper.BEST_EXPERIMENT, best]):
    if experiment_id is None or experiment_id not in finished:
        continue
    table4 = result_tables.table4(settings, experiment_id)
    shown = pd.DataFrame({
        "metric": table4["label"],
        "ours (95 % CI)": [fmt_ci(v, lo, hi) for v, lo, hi in
                           zip(table4["ours"], table4["low"], table4["high"])],
        "paper (reported, experiment 2)": [fmt_number(v) for v in table4["paper"]],
        difference: [fmt_number(v) for v in table4["ours − paper"]],
    })
    show_table(shown, f"Table 4: every global metric of experiment {experiment_id} "
               f"({EXPERIMENTS[experiment_id].name}); the paper's column is its Table 4 "
               "(experiment 2).", f"tbl-table4-exp{experiment_id}", presented=True)
    if experiment_id == paper.BEST_EXPERIMENT:
        glue("comparison_table4", styled(shown))

# %% [markdown]
# ## Recap
#
# - Each metric of Table 3 has its own table and panel; our intervals show which
#   differences between configurations the test split can resolve.
# - The best configuration is chosen on validation data only; the paper's choice
#   (experiment 2) is shown beside it.
# - On the demo profile every difference from the paper compares synthetic with real
#   data and says nothing about the paper's claims.
