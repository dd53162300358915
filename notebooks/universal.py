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
# # UniversalECGNet: one model for 1–12 leads
#
# The paper's universal model {cite:p}`kisialeu` runs every available lead alone through
# one shared SE-ResNet18, tags each lead's features with a learned lead embedding, and
# pools the leads with attention, so one set of weights serves a 12-lead cart, a 6-lead
# limb recorder and a single-lead wearable. Its Table 5 evaluates four lead sets; this
# chapter also evaluates the reduced-lead sets of the PhysioNet/CinC Challenge 2021
# {cite:p}`reyna2021`, every single lead and random subsets of every size, reads the
# lead attention with confidence intervals, repeats the paper's lead-dropout ablation and
# removes leads from 12-lead records at inference.
#
# **On this page you will learn** the model's seven steps on one recording, how accuracy
# depends on which and how many leads are present, whether the attention prefers some
# leads, what lead dropout buys, and whether masked leads are ignored exactly.
#
# Two sets of results are shown. The **reference edition** was trained once on a
# synthetic twin and committed with the book; because the universal model runs twelve
# backbone passes per record, it and its ablation were trained on the edition's smaller
# twin. **This build** is the small demo the book trains in minutes. Both are synthetic:
# they test the pipeline and the twin, not real ECGs. Nothing is trained on this page:
# the demo's runs are on {doc}`the training page </executed/runs_universal>`.

# %% tags=["hide-input"]
from ecgpaper import paper
from ecgpaper.constants import CLASSES
from ecgpaper.evaluation import inside_networks as inside
from ecgpaper.evaluation import run_checks as rc
from ecgpaper.evaluation import universal_results as ur
from ecgpaper.evaluation.leads import attention_matrix
from ecgpaper.models.registry import load_checkpoint
from ecgpaper.notebook import glue, glue_all, setup, show_figure, show_table
from ecgpaper.plots import variants as pv
from ecgpaper.plots.ecg import plot_ecg
from ecgpaper.reference import editions
from ecgpaper.workspace import ensure_store

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides, banner=False)
shown = editions(settings, twin="small", needs=(ur.REF,))
labels = {e.key: e.label for e in shown}
results = {e.key: ur.universal_results(e.profile, min(e.profile.bootstrap, 200))
           for e in shown}
main = shown[0]
glue_all(ur.glue_values(results[main.key]), "universal_main_")
glue_all(ur.glue_values(results["build"]), "universal_build_")
glue_all(ur.constants(), "universal_")
glue("universal_main_label", labels[main.key])

# %% [markdown]
# ```{note}
# **Synthetic data.** Every number on this page comes from synthetic twins of the
# Chapman–Shaoxing database, none from real ECGs. Main results:
# {glue:text}`universal_main_label` (where no reference edition is committed, this build
# stands in for it). The paper's figures beside ours are its reported values.
# ```
#
# ## Did both runs train to their plateau?
#
# The lead-dropout ablation compares two runs, so both must have trained to convergence
# at one budget. The table lists each run's epochs against its cap, whether it converged
# (the paper's early stopping fired, or its best validation macro-F1 rose by less than
# 0.01 over the last third of its epochs) and whether it beats always answering the test
# split's most common rhythm.

# %% tags=["hide-input"]
checks = {e.key: rc.run_checks(e.profile, (ur.REF, ur.NO_DROPOUT)) for e in shown}
for e in shown:
    show_table(rc.checks_table(checks[e.key]), f"Budget and convergence of experiment 7 "
               f"and its ablation, {labels[e.key]}.", f"tbl-universal-checks-{e.key}",
               presented=True, wide=True)
glue("universal_main_usable", str(rc.counts(checks[main.key])["usable"]))
glue("universal_main_runs", str(rc.counts(checks[main.key])["runs"]))
glue("universal_main_same_budget", "one" if rc.same_budget(checks[main.key])
         else "unequal")

# %% [markdown]
# In the main results {glue:text}`universal_main_usable` of
# {glue:text}`universal_main_runs` runs converged and learned more than the majority
# class, at {glue:text}`universal_main_same_budget` budget. A run that did not is named
# in the table; read what follows from it as unsettled.
#
# ## The seven steps on one recording
#
# Steps 1–2: the recording (B = 1, L = 12 leads) is reshaped so that each lead is its own
# one-channel sample. Steps 3–4: the shared backbone turns each lead into a feature vector.
# Step 5: each lead's learned embedding (its identity) is L2-normalised. Step 6: features
# and embedding are concatenated and projected. Step 7: a small network scores each lead,
# a softmax over the present leads turns the scores into weights, and the weighted sum
# goes to the classifier. (The paper's step 7 speaks of a learned query and a dot
# product, but its parameter count and its description of the pooling module describe
# the two-layer scoring network used here; see the errata.)
#
# The network followed here is experiment 7, {glue:text}`universal_steps_label` (the
# reference edition commits its trained weights; without them, this build's own network
# is read). It reads the first test recording of this build's twin, drawn by the
# same generator as the reference edition's, normalised with the network's own training
# statistics.

# %% tags=["hide-input"]
weights = inside.committed_weights(shown, ur.REF)[0]
model, extra = load_checkpoint(weights.path)
store = ensure_store(settings, progress=False)
signals, classes, rows = inside.test_inputs(store, extra, max_records=1)
steps = inside.universal_steps(model, signals[0])
glue("universal_steps_label", labels[weights.edition.key])
glue("universal_steps_record", str(store.index["record_id"].iloc[int(rows[0])]))
glue("universal_steps_true", CLASSES[int(classes[0])])
glue("universal_steps_predicted", CLASSES[steps.predicted])

# %% [markdown]
# The recording is {glue:text}`universal_steps_record` (true rhythm
# {glue:text}`universal_steps_true`); the network reads it as
# {glue:text}`universal_steps_predicted`.

# %% tags=["hide-input"]
show_figure(plot_ecg(store.signal(int(rows[0])), store.fs), "fig-universal-example",
            "The recording followed through the model, in the clinical layout.")
show_figure(pv.plot_universal_steps(steps.per_lead, steps.embedding, steps.weights),
            "fig-universal-steps", "Inside UniversalECGNet for the recording above: the "
            "backbone's features of each lead (left), the lead embeddings (middle) and the "
            "attention weight each lead receives (right; dotted: uniform 1/12).")

# %% [markdown]
# ## Table 5: the paper's four lead sets
#
# The trained model is evaluated on 12, 6 (limb), 3 (I, II, V1) and 1 (II) leads without
# retraining; absent leads are not given to it. Each table shows one metric: both sets
# of our results with 95 % bootstrap intervals, beside the paper's Table 5.

# %% tags=["hide-input"]
by_label = {labels[k]: r for k, r in results.items()}
for metric, title in (("accuracy", "accuracy"), ("f1_macro", "macro-F1"),
                      ("f1_weighted", "weighted F1"), ("auc_macro", "macro-AUC")):
    show_table(ur.table5_compare(by_label, metric), f"UniversalECGNet, {title} by lead "
               f"set: ours beside the paper's Table 5 (reported).",
               f"tbl-table5-{metric.replace('_', '-')}", presented=True)

# %% [markdown]
# In the main results the model's accuracy is {glue:text}`universal_main_acc_12` on all
# twelve leads, {glue:text}`universal_main_acc_6` on the six limb leads,
# {glue:text}`universal_main_acc_3` on I, II and V1 and {glue:text}`universal_main_acc_1`
# on lead II alone. From twelve leads to lead II alone, macro-F1 changes by
# {glue:text}`universal_main_f1_change_1` (from {glue:text}`universal_main_f1_12` to
# {glue:text}`universal_main_f1_1`). In this build the 12-lead and 1-lead accuracies are
# {glue:text}`universal_build_acc_12` and {glue:text}`universal_build_acc_1`.
#
# ## Beyond Table 5: the CinC 2021 lead sets and every single lead
#
# The Challenge's reduced sets are the ones real devices record: 6 limb leads; 4 leads
# (I, II, III, V2); 3 leads (I, II, V2); 2 leads (I, II). Then each lead alone.

# %% tags=["hide-input"]
show_table(results[main.key].cinc, f"UniversalECGNet on the CinC 2021 lead sets, "
           f"{labels[main.key]} (95 % bootstrap intervals).", "tbl-universal-cinc")
show_table(results[main.key].single, f"Each lead alone, best macro-F1 first, "
           f"{labels[main.key]}.", "tbl-universal-single")

# %% [markdown]
# Alone, lead {glue:text}`universal_main_best_single` classifies best (macro-F1
# {glue:text}`universal_main_best_single_f1`) and lead
# {glue:text}`universal_main_worst_single` worst
# ({glue:text}`universal_main_worst_single_f1`).
#
# ## Macro-F1 against the number of leads
#
# For every count from 1 to 12, five random lead subsets (the same subsets for every
# model), each evaluated on the whole test split: the line is their mean, the band ± one
# standard deviation, the whiskers the worst and best subset. The run without lead
# dropout is drawn beside experiment 7 when it has finished.

# %% tags=["hide-input"]
res = results[main.key]
curves = {"experiment 7 (lead dropout)": res.curve}
if res.curve_without is not None:
    curves["without lead dropout"] = res.curve_without
show_figure(pv.plot_lead_curves(curves), "fig-universal-lead-curve",
            f"Macro-F1 of the universal model against the number of leads present, "
            f"{labels[main.key]} (random subsets; line: mean, band: ± sd, whiskers: "
            f"min–max over the subsets).")
show_table(res.curve.rename_axis("leads present").reset_index(), f"Macro-F1 per lead "
           f"count, experiment 7, {labels[main.key]}.", "tbl-universal-lead-curve")

# %% [markdown]
# ## Lead attention
#
# The mean attention weight of each lead on the {glue:text}`universal_main_n_test`
# 12-lead test records, with 95 % intervals from resampling the records; the paper
# reports that lead II receives the most weight, then V1 and aVF (its ranges are in the
# table). If the network weighted every lead alike, each would receive 1/12 =
# {glue:text}`universal_uniform`; the pooling would then be a plain average and the
# network would have learned no lead preference. We call the attention uniform when
# every lead's mean weight lies within {glue:text}`universal_tolerance` of 1/12 and the
# most weighted lead of a typical record receives less than
# {glue:text}`universal_uniform_plus`.

# %% tags=["hide-input"]
att = res.attention
show_figure(pv.plot_attention_ci(res.attention_ci, paper.ATTENTION),
            "fig-universal-attention", f"Mean attention per lead over the 12-lead test "
            f"records, {labels[main.key]} (bars, 95 % CI), the paper's reported ranges "
            f"(grey) and the uniform share 1/12 (dotted).")
show_table(ur.attention_table(att), f"The leads the paper names, {labels[main.key]}, "
           f"beside the paper's reported ranges.", "tbl-universal-attention",
           presented=True)

# %% [markdown]
# In the main results lead {glue:text}`universal_main_top_lead` receives the most
# attention ({glue:text}`universal_main_top_weight`) and lead
# {glue:text}`universal_main_bottom_lead` the least
# ({glue:text}`universal_main_bottom_weight`). No lead's mean is further than
# {glue:text}`universal_main_attention_deviation` from 1/12, and a typical record gives
# its most weighted lead {glue:text}`universal_main_attention_record_max`. By the rule
# above the attention is **{glue:text}`universal_main_attention_verdict`**: the network
# shows {glue:text}`universal_main_attention_preference`. In this build it is
# {glue:text}`universal_build_attention_verdict` (largest distance from 1/12:
# {glue:text}`universal_build_attention_deviation`).
#
# Per rhythm class, the same mean weights:

# %% tags=["hide-input"]
show_figure(pv.plot_class_lead_heatmap(attention_matrix(res.attention_ci)), "fig-universal-attention-class",
            f"Mean attention per lead for each true rhythm class, {labels[main.key]} "
            f"(first row: all records).")

# %% [markdown]
# ## Lead-dropout ablation
#
# The paper states that without lead dropout the model keeps its 12-lead performance but
# loses {glue:text}`universal_paper_dropout_loss` accuracy points on reduced lead sets.
# The two runs share every setting but lead dropout (training batches always carry all
# 12 leads in the ablation) and are evaluated on the same lead sets and test records;
# the difference is the run without dropout minus the run with it, with a paired
# bootstrap interval.

# %% tags=["hide-input"]
for e in shown:
    if results[e.key].dropout is not None:
        show_table(ur.dropout_table(results[e.key].dropout), f"Lead dropout on and off, "
                   f"{labels[e.key]}: same budget, same test records.",
                   f"tbl-universal-dropout-{e.key}", presented=True, wide=True)

# %% [markdown]
# The ablation in the main results is {glue:text}`universal_main_dropout_state`. Without
# lead dropout the 12-lead accuracy changes by {glue:text}`universal_main_dropout_12`
# points (paired 95 % interval {glue:text}`universal_main_dropout_12_ci`), and on the
# reduced sets by {glue:text}`universal_main_dropout_reduced` points; on
# {glue:text}`universal_main_dropout_reduced_lost` of the
# {glue:text}`universal_main_dropout_reduced_n` reduced sets the run without dropout is
# worse with an interval that excludes 0. In this build the 12-lead change is
# {glue:text}`universal_build_dropout_12` points and the reduced sets change by
# {glue:text}`universal_build_dropout_reduced`.
#
# ## Missing leads at inference
#
# A 12-lead record loses k leads. Either the device knows they are missing (they are
# masked and the attention skips them) or it does not and passes flat lines. The same
# random subsets as above, both ways:

# %% tags=["hide-input"]
show_figure(pv.plot_missing_leads(res.set_table), "fig-universal-missing",
            f"Accuracy of experiment 7 when k leads are removed from 12-lead test records, "
            f"{labels[main.key]}: masked (absent) versus given as flat, all-zero signals "
            f"(mean ± sd over five random subsets per k).")

# %% [markdown]
# Masking is {glue:text}`universal_main_masking_exact` in the main results: on
# {glue:text}`universal_main_masking_records` test records with
# {glue:text}`universal_main_masking_present` leads present, passing all 12 leads with
# the absent ones masked but still carrying their signal changes the logits by at most
# {glue:text}`universal_main_masking_logit` against passing the present leads alone, and
# the masked leads receive attention {glue:text}`universal_main_masking_attention`.
# Flat leads are not masked: they enter the attention and change the output.
#
# ## Both sets of results side by side

# %% tags=["hide-input"]
show_table(ur.summary_table(by_label), "The universal model's findings in the reference "
           "edition and in this build (differences are the run without lead dropout minus "
           "the run with it, paired on the same test records).", "tbl-universal-summary",
           presented=True)

# %% [markdown]
# ## Recap
#
# - Table 5 is reproduced with intervals beside the paper's; the CinC sets, single
#   leads and random subsets show how accuracy depends on which leads are present.
# - The lead attention is read with intervals and tested against the uniform 1/12: a
#   uniform attention is a plain average, not a learned preference for some leads.
# - The lead-dropout ablation trains the same model twice, with and without dropout, and
#   reads the difference on the same test records.
# - Masked leads are ignored exactly; flat leads are not masked and do change the output.
