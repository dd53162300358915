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
# The seven configurations side by side: the paper's Table 3 and Table 4 rebuilt from
# the stored results of the experiment pages (this page only reads artifacts; it never
# trains). Every metric of ours carries its 95 % bootstrap interval; the paper's
# reported figures and the differences (ours minus paper) stand beside it. The paper's
# figures come from single runs without intervals, so a difference smaller than our
# interval's half-width says little.

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from ecgpaper.notebook import glue, setup
from ecgpaper.training import artifacts as art
from ecgpaper.evaluation import tables as report
from ecgpaper.training.experiments import EXPERIMENTS, PAPER_BEST_EXPERIMENT

P = setup(profile, overrides)
done = art.available(P)
missing = [e for e in EXPERIMENTS if e not in done]

# %% tags=["remove-input"]
if missing:
    display(Markdown(f"Experiments without results yet (run their pages or `ecgpaper train "
                     f"--experiment all`): {', '.join(missing)}."))
T3 = report.table3(P)
show = report.table3_display(T3)
display(show)
glue("comparison_table3", show)
_ = glue("comparison_n_experiments", len(T3))

# %% [markdown]
# ## Ours against the paper
#
# Dots are our test-set values with 95 % bootstrap intervals, crosses the paper's
# reported figures.

# %% tags=["remove-input"]
if len(T3):
    fig = report.plot_table3(T3)
    plt.show()

# %% [markdown]
# ## The best configuration
#
# We pick the best configuration by **validation** macro-F1 (the quantity early stopping
# watches), so the test set plays no part in the choice. The paper calls experiment 2
# its best model, by test accuracy and AUC.

# %% tags=["remove-input"]
best = report.best_experiment(P)
if best is not None:
    glue("comparison_best_experiment", f"{best} ({EXPERIMENTS[best].name})")
    glue("comparison_best_id", best)
    sel = T3[["configuration", "best val F1", "best epoch", "epochs", "train s"]]
    display(sel.round(3))
    display(Markdown(
        f"Best by validation macro-F1: **experiment {best} ({EXPERIMENTS[best].name})**; "
        f"the paper's best: experiment {PAPER_BEST_EXPERIMENT} "
        f"({EXPERIMENTS[PAPER_BEST_EXPERIMENT].name})."))
    glue("comparison_train_seconds_total", round(float(T3["train s"].sum()), 1))

# %% [markdown]
# ## Table 4: every global metric
#
# The paper's Table 4 describes experiment 2. We show all ten metrics for experiment 2
# and, when it differs, for our best configuration.

# %% tags=["remove-input"]
for e in dict.fromkeys([PAPER_BEST_EXPERIMENT, best]):
    if e is None or e not in done:
        continue
    T4 = report.table4(P, e)
    display(Markdown(f"**Experiment {e} ({EXPERIMENTS[e].name})**, paper column: Table 4 "
                     f"(experiment 2, paper's reported figures)"))
    display(T4[["label", "ours (95 % CI)", "paper", "ours − paper"]].round(4))
    if e == PAPER_BEST_EXPERIMENT:
        glue("comparison_table4", T4[["label", "ours (95 % CI)", "paper", "ours − paper"]])
