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
# experiment 1, and trains experiment 1 with three seeds.
#
# **On this page you will learn** what removing SE, label smoothing or class weights
# changes, each as a paired difference on the same test records with a 95 % interval,
# and whether the differences between the paper's seven configurations are larger than
# the differences between two seeds of one configuration.
#
# Two sets of results are shown. The **reference edition** was trained once on a
# synthetic twin of the database's size and committed with the book; **this build** is
# the small demo the book trains in minutes. Both are synthetic: they test the pipeline
# and the twin, not real ECGs. Nothing is trained on this page: the demo's runs are on
# {doc}`the training page </executed/runs_ablations>`.

# %% tags=["hide-input"]
from ecgpaper.evaluation import ablation_results as ab
from ecgpaper.evaluation import run_checks as rc
from ecgpaper.evaluation import variants as ev
from ecgpaper.notebook import glue, glue_all, setup, show_figure, show_table
from ecgpaper.plots.variants import plot_class_pairs, plot_reliability_pair
from ecgpaper.reference import editions
from ecgpaper.training.variants import ABLATION_REFERENCE as REF

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides, banner=False)
shown = editions(settings, needs=(REF, *ab.ABLATION_RUNS))
labels = {e.key: e.label for e in shown}
results = {e.key: ab.ablation_results(e.profile, min(e.profile.bootstrap, 200))
           for e in shown}
main = shown[0]
glue_all(ab.glue_values(results[main.key]), "ablation_main_")
glue_all(ab.glue_values(results["build"]), "ablation_build_")
glue("ablation_main_label", labels[main.key])

# %% [markdown]
# ```{note}
# **Synthetic data.** Every number on this page comes from synthetic twins of the
# Chapman–Shaoxing database, none from real ECGs. The main results are those of the
# {glue:text}`ablation_main_label`; where no reference edition is committed, this build
# stands in for it. The paper's figures quoted in the text are its reported values.
# ```
#
# ## Did every run train to its plateau?
#
# A comparison means something only when both runs were trained to convergence at the
# same budget. The table lists, for each run on this page, the epochs it ran against its
# cap, whether it converged (the paper's early stopping fired, or its best validation
# macro-F1 rose by less than 0.01 over the last third of its epochs) and whether it beats
# always answering the test split's most common rhythm.

# %% tags=["hide-input"]
runs = (REF, *ab.ABLATION_RUNS, "seed-1-1", "seed-1-2")
checks = {e.key: rc.run_checks(e.profile, runs) for e in shown}
for e in shown:
    show_table(rc.checks_table(checks[e.key]), f"Budget and convergence of the ablation "
               f"and seed runs, {labels[e.key]}.", f"tbl-ablation-checks-{e.key}",
               presented=True, wide=True)
glue("ablation_main_usable", str(rc.counts(checks[main.key])["usable"]))
glue("ablation_main_runs", str(rc.counts(checks[main.key])["runs"]))
glue("ablation_main_same_budget", "one" if rc.same_budget(checks[main.key]) else "unequal")

# %% [markdown]
# In the main results {glue:text}`ablation_main_usable` of
# {glue:text}`ablation_main_runs` runs converged and learned more than the majority
# class, all at {glue:text}`ablation_main_same_budget` budget. A run that did not is
# named in the table; read its comparison below as unsettled.
#
# ## Squeeze-and-excitation on and off
#
# The plain network is the same ResNet-18-1D with every SE module removed; the other
# weights, the inputs and the training are identical.

# %% tags=["hide-input"]
se_runs = {"SE-ResNet18": REF, "plain ResNet-18": "ablation-no-se"}
se_table = ev.per_class_pair(main.profile, se_runs, "f1", min(main.profile.bootstrap, 200))
show_figure(plot_class_pairs(se_table, list(se_runs)), "fig-ablation-se",
            f"Per-class F1 with and without squeeze-and-excitation, {labels[main.key]} "
            f"(95 % intervals; Wilson intervals for classes with under 20 test records).")

# %% [markdown]
# With SE, macro-F1 changes by {glue:text}`ablation_main_se_f1` (paired 95 % interval
# {glue:text}`ablation_main_se_f1_ci`); the interval {glue:text}`ablation_main_se_f1_verdict`.
# On the minority rhythms AF, SA and AT the per-class F1 changes by
# {glue:text}`ablation_main_se_minority` on average, where the paper reports a gain of
# 0.03 to 0.05. In this build's demo the macro-F1 difference is
# {glue:text}`ablation_build_se_f1` ({glue:text}`ablation_build_se_f1_ci`).
#
# ## Label smoothing and calibration
#
# A model is calibrated when its confidence matches its accuracy. The expected
# calibration error (ECE) bins the test records by the top-class probability and averages
# the gap between accuracy and confidence over the bins (10 equal bins, weighted by their
# records); 0 is perfect. Smoothing also caps the confidence a model is trained towards:
# 0.9125 for the true class with ε = 0.1 and 8 classes.
#
# With smoothing the ECE is {glue:text}`ablation_main_ece_with`, without it
# {glue:text}`ablation_main_ece_without`: smoothing's error is
# {glue:text}`ablation_main_ece_verdict`. A higher error with smoothing means the
# network is less confident than it is accurate: smoothing, together with the class
# weights, pulls its probabilities away from 1 even where it is right.

# %% tags=["hide-input"]
cal_runs = {"label smoothing 0.1": REF, "no label smoothing": "ablation-no-smoothing"}
show_figure(plot_reliability_pair(ev.reliability_curves(main.profile, cal_runs)),
            "fig-ablation-reliability",
            f"Reliability diagrams, {labels[main.key]}: accuracy (bars) and mean "
            f"confidence (crosses) per confidence bin; the dashed diagonal is perfect "
            f"calibration.")

# %% [markdown]
# ## Class weights and the rare rhythms
#
# Inverse-frequency class weights make an AT error cost about 30 times an SB error in
# the loss; without them the loss is plain cross-entropy. With the weights, macro-F1
# changes by {glue:text}`ablation_main_weights_f1` (paired 95 % interval
# {glue:text}`ablation_main_weights_f1_ci`, which {glue:text}`ablation_main_weights_f1_verdict`),
# and the mean sensitivity of AF, SA and AT by {glue:text}`ablation_main_weights_minority`.
#
# ## Seeds: how much of Table 3 is noise?
#
# Experiment 1 trained with {glue:text}`ablation_main_n_seeds` seeds (initialisation,
# batch order and augmentation change; the data and split do not) has a macro-F1
# standard deviation of {glue:text}`ablation_main_seed_sd`, so two runs of one
# configuration typically differ by about 1.4 times that. The whole range of macro-F1
# across the finished configurations of Table 3 is {glue:text}`ablation_main_table3_range`,
# which {glue:text}`ablation_main_table3_verdict` twice that typical seed-to-seed
# difference.
#
# ## Both sets of results side by side

# %% tags=["hide-input"]
summary = ab.summary_table({labels[k]: r for k, r in results.items()})
show_table(summary, "Each ablation and the seed spread, in the reference edition and in "
           "this build (differences are the first run minus the second, paired on the "
           "same test records).", "tbl-ablation-summary", presented=True)

# %% [markdown]
# ## Recap
#
# - Each ingredient is switched off alone, against experiment 1 trained at the same
#   budget; the first table says whether each run converged.
# - Differences are paired bootstrap intervals on the same test records; an interval
#   that includes 0 does not separate the two runs.
# - The seeds put a scale on Table 3: a difference between configurations means little
#   unless it clearly exceeds the spread between seeds.
