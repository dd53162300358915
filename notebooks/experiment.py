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
# training went epoch by epoch and whether it converged, how well it classifies the test
# recordings (with 95 % bootstrap intervals, beside the paper's reported figures), which
# rhythms it confuses, and how far it differs from the signal-only network of
# experiment 1 on the same test recordings.

# %% tags=["hide-input"]
import warnings

from ecgpaper import paper
from ecgpaper.notebook import glue, glue_all, setup, show_figure, show_table
from ecgpaper.pages import experiment as page
from ecgpaper.plots.attention import plot_lead_attention
from ecgpaper.plots.confusion import plot_confusion
from ecgpaper.plots.metrics import plot_training_curves

warnings.filterwarnings("ignore", category=UserWarning)

# %% [markdown]
# The page trains through `ecgpaper.training` (`run_experiment` trains a configuration or
# reuses its finished run, `artifacts` reads what a run stored, `run_convergence` judges
# its history) and reads results through `ecgpaper.evaluation`, which works on stored
# predictions only.

# %% tags=["hide-input"]
from ecgpaper.evaluation import tables as result_tables
from ecgpaper.evaluation.comparisons import compare_predictions, results_summary
from ecgpaper.training import artifacts
from ecgpaper.training.convergence import run_convergence
from ecgpaper.training.experiments import get_experiment
from ecgpaper.training.run import effective_profile, run_experiment

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}
experiment = "1"

# %% [markdown]
# The settings, and the configuration this execution of the page shows. Every value the
# page quotes is glued under a plain name (`accuracy`) for the text below, and under a
# prefixed one (`exp2_accuracy`) for other pages to cite.

# %% tags=["hide-input"]
settings = setup(profile, overrides)
config = get_experiment(experiment)
key = f"exp{config.id}_"
glue_all({"id": config.id, "name": config.name, "describe": config.describe(),
          "paper_input": config.paper_input}, "", key)

# %% [markdown]
# ## What the network receives
#
# Experiment {glue:text}`id` ({glue:text}`name`) feeds the network
# {glue:text}`describe`. The paper lists its input as *{glue:text}`paper_input`*.
#
# ## Training
#
# The run below uses the profile's settings. If an artifact folder with the same
# configuration hash (experiment, the settings that change results, and the data
# checksum) already exists, it is read instead of retrained. `run_experiment` returns the
# run's `metrics.json`; the history of every epoch is read beside it.

# %% tags=["hide-input"]
run = run_experiment(config.id, settings, progress=False, log=None)
run_settings = effective_profile(settings, config)
history = artifacts.load_history(run_settings, config.id)
convergence = run_convergence(run, history)
glue_all(page.training_facts(run) | page.convergence_facts(convergence), "", key)
glue("paper_early_stopping", paper.TABLE2["Early stopping"])

# %% [markdown]
# This page {glue:text}`reused`: {glue:text}`epochs_run` of at most
# {glue:text}`max_epochs_text` (early-stopping patience {glue:text}`patience`), batch
# {glue:text}`batch_size`, best validation macro-F1 {glue:text}`best_val_f1:.3f` at
# epoch {glue:text}`best_epoch`; {glue:text}`train_seconds:.1f` s of training on
# {glue:text}`device` with {glue:text}`threads`. The table below sets what it received
# beside the paper's description; its auxiliary inputs, when it has any, are:
# {glue:text}`feature_names`.

# %% tags=["hide-input"]
show_table(page.input_table(run, config), f"What experiment {config.id} receives, ours "
           "beside the paper's description.", f"tbl-exp{config.id}-inputs", presented=True)

# %% [markdown]
# ## Training curves
#
# Loss on the training batches (with augmentation) and on the validation split, and the
# validation macro-F1 that early stopping watches; the dashed line marks the epoch whose
# checkpoint is kept.

# %% tags=["hide-input"]
show_figure(plot_training_curves(history, run["best_epoch"]), f"fig-exp{config.id}-curves",
            f"Experiment {config.id} ({config.name}): loss per epoch (left) and validation "
            f"macro-F1 (right); the dashed line marks the kept checkpoint (epoch "
            f"{run['best_epoch']}).")

# %% [markdown]
# **Did the run converge?** {glue:text}`converged` — {glue:text}`convergence_phrase`
# (reason: *{glue:text}`convergence_reason`*). What its best validation macro-F1
# gained over the last third of its {glue:text}`epochs_run_text`:
# {glue:text}`convergence_gain`. The rule is the same for every run in the book: a run
# converged when early stopping fired, or when that gain is below
# {glue:text}`convergence_tolerance:.2f`. The test metrics of a run that had not
# converged describe this build's training budget as much as the configuration; the
# paper stopped its runs by early stopping ({glue:text}`paper_early_stopping`).
#
# ## Test metrics
#
# Ours with 95 % bootstrap intervals (test records resampled with replacement), beside
# the figures the paper reports for this configuration in its Table 3 (for experiment 2
# its Table 4, which lists all ten metrics). The paper's figures were measured on the
# real database at full size. Here the test accuracy is {glue:text}`accuracy_ci` and the
# macro-F1 {glue:text}`f1_macro_ci`.

# %% tags=["hide-input"]
show_table(page.metrics_table(run, config), f"Test metrics of experiment {config.id}; the "
           f"paper's column is its {page.paper_source(config)}.",
           f"tbl-exp{config.id}-metrics", presented=True)
glue_all(page.metric_facts(run), "", key)

# %% [markdown]
# ## Confusion matrix
#
# Rows are the true classes, columns the predictions; colours are shares of the true
# class and each cell shows the count and the share.

# %% tags=["hide-input"]
predictions = artifacts.load_predictions(run_settings, config.id)
confusion = result_tables.confusion_matrix(predictions)
show_figure(plot_confusion(confusion, normalize=True, title=""), f"fig-exp{config.id}-confusion",
            f"Confusion matrix of experiment {config.id} on the {len(predictions):,} test "
            f"recordings.")

# %% tags=["hide-input"]
per_class = result_tables.per_class(run_settings, config.id)
glue_all(page.summary_facts(results_summary(per_class, confusion)), "", key)

# %% [markdown]
# ## What this experiment shows
#
# Its best class on the test split is **{glue:text}`best_class`** (F1
# {glue:text}`best_f1`) and its worst **{glue:text}`worst_class`** (F1
# {glue:text}`worst_f1`, {glue:text}`worst_support`). Its most frequent error is
# **{glue:text}`top_error`**: {glue:text}`top_error_count:,d` of the
# {glue:text}`top_error_n_true` of that class. With test classes this
# small, the interval of a per-class F1 is wide; the chapter {doc}`/executed/per_class`
# compares the errors with the paper's Table 6.
#
# ## Against experiment 1
#
# Experiment 1 gives the network the signal alone; the other six configurations add
# inputs or change the architecture. The cell scores both networks on the same test
# records and resamples those records together (a paired bootstrap), so the interval
# reflects how the two differ record by record.

# %% tags=["hide-input"]
reference = artifacts.load_predictions(effective_profile(settings, get_experiment("1")), "1")
differences = compare_predictions(reference, predictions, n=max(settings.bootstrap, 50),
                                  seed=settings.seed)
glue_all(page.versus_experiment_1(differences, config.id == "1"), "", key)

# %% [markdown]
# On the {glue:text}`vs1_n_records:,d` test records
# ({glue:text}`vs1_n_resamples:,d` paired resamples), this configuration's macro-F1
# minus experiment 1's is {glue:text}`vs1_f1_macro:+.3f` (95 % CI
# {glue:text}`vs1_f1_macro_low:+.3f` to {glue:text}`vs1_f1_macro_high:+.3f`):
# {glue:text}`vs1_f1_macro_verdict`. For accuracy the difference is
# {glue:text}`vs1_accuracy:+.3f` ({glue:text}`vs1_accuracy_low:+.3f` to
# {glue:text}`vs1_accuracy_high:+.3f`): {glue:text}`vs1_accuracy_verdict`.

# %% [markdown] tags=["only-if:experiment=7"]
# ## Lead configurations
#
# The paper's Table 5 (this model on 12, 6, 3 and 1 leads), the CinC 2021 lead sets,
# every single lead, random subsets and the lead-dropout ablation are in the chapter
# {doc}`/executed/universal`.
#
# ## Attention per lead
#
# Mean test-set attention weight of each lead in each configuration (the weights of the
# present leads sum to 1). The paper reports lead II highest on 12 leads, then V1 and aVF
# (its ranges are drawn in {numref}`fig-exp7-attention`). On 12 leads this network puts
# most weight on lead **{glue:text}`top_lead`** ({glue:text}`top_lead_weight:.3f`).

# %% tags=["hide-input", "only-if:experiment=7"]
if config.universal:    # the cell runs on every page; the book keeps it on page 7 only
    attention = result_tables.attention_by_lead(run_settings, config.id)
    show_table(attention, "Mean attention weight per lead and lead configuration (— : the "
               "lead is absent in that configuration).", "tbl-exp7-attention")
    show_figure(plot_lead_attention(attention, paper.ATTENTION), "fig-exp7-attention",
                "Mean attention per lead on 12 leads (bars) with the paper's reported "
                "ranges for II, V1 and aVF (black lines) and the uniform share.")
    glue_all({"top_lead": attention["12-lead"].idxmax(),
              "top_lead_weight": round(float(attention["12-lead"].max()), 3)}, "", key)

# %% [markdown]
# ## Recap
#
# - The configuration's inputs, its training curves, its kept checkpoint and whether the
#   run converged are above; the same notebook runs for all seven configurations.
# - Test metrics carry 95 % bootstrap intervals; the paper's single-run figures have
#   none, so a difference smaller than our interval says little.
# - The best and worst class, the most frequent confusion and the paired difference from
#   experiment 1 are computed from this page's own results.
