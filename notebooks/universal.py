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
# depends on which and how many leads are present, which leads the attention favours,
# what lead dropout buys, and whether masked leads are ignored exactly.
#
# Nothing is trained here: the page reads the artifacts of experiment 7 and of the
# runs on {doc}`its training page </executed/runs_universal>`.

# %% tags=["hide-input"]
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from ecgpaper import paper
from ecgpaper.constants import CLASSES, LEADS
from ecgpaper.data.dataset import ECGDataset
from ecgpaper.workspace import ensure_store
from ecgpaper.evaluation import lead_sets as ls
from ecgpaper.evaluation import tables as result_tables
from ecgpaper.evaluation.bootstrap import paired_bootstrap
from ecgpaper.evaluation.leads import attention_matrix, lead_attention_stats
from ecgpaper.models.registry import load_checkpoint
from ecgpaper.notebook import glue, say, setup, show_figure, show_table
from ecgpaper.plots.ecg import plot_ecg
from ecgpaper.plots.variants import (plot_attention_ci, plot_class_lead_heatmap,
                                     plot_lead_curves, plot_missing_leads,
                                     plot_universal_steps)
from ecgpaper.report import fmt_ci, fmt_number
from ecgpaper.training import artifacts
from ecgpaper.training.experiments import LEAD_CONFIGS, get_experiment
from ecgpaper.training.run import effective_profile
from ecgpaper.training.variants import demo_difference

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
run_settings = effective_profile(settings, get_experiment("7"))
run = artifacts.load_metrics(run_settings, "7")
specs, proba, attention = artifacts.load_lead_sets(run_settings, "7")
predictions = artifacts.load_predictions(run_settings, "7")
y_test = predictions["label"].astype(str).map({c: i for i, c in enumerate(CLASSES)}).to_numpy()
n_boot = min(settings.bootstrap, 200)
REF, NO_LD = "7", "ablation-universal-no-lead-dropout"
if settings.name == "demo":
    say(f"**Demo settings.** Experiment 7 trained {run['epochs_run']} epoch(s) at width "
        f"{run_settings.width} and {run_settings.fs} Hz; the two lead-dropout runs "
        f"({demo_difference(get_experiment(NO_LD))}) are shorter still. The full profile "
        f"trains all three at the paper's settings (500 Hz, width 1, up to 100 epochs).")

# %% [markdown]
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

# %% tags=["hide-input"]
model, extra = load_checkpoint(artifacts.experiment_dir(run_settings, "7") / "best.pt")
store = ensure_store(settings, progress=False)
test = ECGDataset(store, "test", downsample=store.fs // int(extra["fs"]),
                  channel_mean=extra["channel_mean"], channel_std=extra["channel_std"])
signal, _, label = test[0]
row = int(test.rows[0])
show_figure(plot_ecg(store.signal(row), store.fs), "fig-universal-example",
            f"The recording followed through the model: "
            f"{store.index['record_id'].iloc[row]} ({CLASSES[int(label)]}).")
with torch.no_grad():
    x = torch.as_tensor(signal, dtype=torch.float32)[None]               # step 1: (1, 12, T)
    per_lead = model.backbone(x.reshape(12, 1, -1))                       # steps 2-4
    embedding = F.normalize(model.lead_embedding.weight, dim=-1)          # step 5
    logits, weights = model(x, torch.arange(12)[None], torch.ones(1, 12, dtype=torch.bool))
show_figure(plot_universal_steps(per_lead.numpy(), embedding.numpy(), weights[0].numpy()),
            "fig-universal-steps",
            "Inside UniversalECGNet for the recording above: the backbone's features of each "
            "lead (left), the lead embeddings (middle) and the attention weight each lead "
            f"receives (right; dotted: uniform 1/12). Predicted class: "
            f"{CLASSES[int(logits.argmax())]}.")

# %% [markdown]
# ## Table 5: the paper's four lead sets
#
# The trained model evaluated on 12, 6 (limb), 3 (I, II, V1) and 1 (II) leads without
# retraining; absent leads are not given to it. Ours with 95 % bootstrap intervals, beside
# the paper's Table 5.

# %% tags=["hide-input"]
table5 = result_tables.table5(run)
for metric in ("accuracy", "f1_macro", "f1_weighted", "auc_macro"):
    shown = pd.DataFrame({
        "leads": [f"{k} ({', '.join(LEAD_CONFIGS[k])})" if k < 12 else "12 (all)"
                  for k in LEAD_CONFIGS if f"{k}-lead" in table5.index],
        "ours (95 % CI)": table5[f"{metric} (95 % CI)"].str.replace(
            r" \[(.*), (.*)\]", r" (\1–\2)", regex=True).to_list(),
        "paper (reported)": [fmt_number(v) for v in table5[f"{metric} paper"]],
    })
    show_table(shown, f"UniversalECGNet, {result_tables.LABELS[metric]} by lead set "
               f"(paper: Table 5).", f"tbl-table5-{metric.replace('_', '-')}", presented=True)
for k in LEAD_CONFIGS:
    glue(f"universal_{k}lead_accuracy", table5.loc[f"{k}-lead", "accuracy (95 % CI)"])

# %% [markdown]
# ## Beyond Table 5: the CinC 2021 lead sets and every single lead
#
# The Challenge's reduced sets are the ones real devices record: 6 limb leads; 4 leads
# (I, II, III, V2); 3 leads (I, II, V2); 2 leads (I, II).

# %% tags=["hide-input"]
beyond = ls.sets_with_ci(specs, proba, y_test, ("cinc", "single"), n_boot, settings.seed)
cinc = beyond[beyond["kind"] == "cinc"].drop(columns="kind").reset_index(drop=True)
show_table(cinc, f"UniversalECGNet on the CinC 2021 lead sets ({n_boot} bootstrap resamples).",
           "tbl-universal-cinc")
single = beyond[beyond["kind"] == "single"].drop(columns=["kind", "n_leads"])
single = single.rename(columns={"leads": "lead"}).sort_values(
    "f1_macro", ascending=False).reset_index(drop=True)
show_table(single, "Each lead alone, best first.", "tbl-universal-single")
best_single, worst_single = single.iloc[0]["lead"], single.iloc[-1]["lead"]
glue("universal_best_single_lead", best_single)
say(f"Alone, lead **{best_single}** classifies best (macro-F1 "
    f"{fmt_ci(*single.iloc[0][['f1_macro', 'f1_macro_low', 'f1_macro_high']])}) and lead "
    f"**{worst_single}** worst "
    f"({fmt_ci(*single.iloc[-1][['f1_macro', 'f1_macro_low', 'f1_macro_high']])}).")

# %% [markdown]
# ## Macro-F1 against the number of leads
#
# For every count from 1 to 12, five random lead subsets (the same subsets for every
# model), each evaluated on the whole test split: the line is their mean, the band ± one
# standard deviation, the whiskers the worst and best subset.

# %% tags=["hide-input"]
set_table = ls.set_metrics(specs, proba, y_test)
curves = {"experiment 7 (lead dropout)": ls.lead_count_curve(set_table)}
runs_done = [n for n in (REF, NO_LD) if n in artifacts.available(settings, [REF, NO_LD])]
ablation_tables, ablation_sets = {}, {}
for name in runs_done:
    s_, p_, _ = artifacts.load_lead_sets(settings, name)
    ablation_tables[name] = ls.set_metrics(s_, p_, y_test)
    ablation_sets[name] = (s_, p_)
if NO_LD in ablation_tables:
    curves["without lead dropout"] = ls.lead_count_curve(ablation_tables[NO_LD])
show_figure(plot_lead_curves(curves), "fig-universal-lead-curve",
            "Macro-F1 of the universal model against the number of leads present (random "
            "subsets; line: mean, band: ± sd, whiskers: min–max over the subsets).")
show_table(curves["experiment 7 (lead dropout)"].reset_index(),
           "Macro-F1 per lead count, experiment 7.", "tbl-universal-lead-curve")

# %% [markdown]
# ## Lead attention
#
# Mean attention weight of each lead on 12-lead test records, with 95 % intervals from
# resampling the records; the paper reports II 0.15–0.18, V1 0.10–0.14 and aVF 0.09–0.12.

# %% tags=["hide-input"]
att12 = attention[[s["name"] for s in specs].index("table5-12")]
att_ci = ls.attention_ci(att12, y_test, n_boot=n_boot, seed=settings.seed)
show_figure(plot_attention_ci(att_ci, paper.ATTENTION), "fig-universal-attention",
            "Mean attention per lead over the 12-lead test records (bars, 95 % CI), the "
            "paper's reported ranges (grey) and the uniform share.")
overall = att_ci[att_ci["class"] == "all"].set_index("lead")
rows = []
for lead, (low, high) in paper.ATTENTION.items():
    r = overall.loc[lead]
    rows.append({"lead": lead, "ours (95 % CI)": fmt_ci(r["mean"], r["low"], r["high"]),
                 "paper (reported range)": f"{low:.2f}–{high:.2f}",
                 "rank among 12 (ours)": int((overall["mean"] > r["mean"]).sum()) + 1})
show_table(pd.DataFrame(rows), "The leads the paper names, ours beside its ranges.",
           "tbl-universal-attention", presented=True)
top = overall["mean"].idxmax()
glue("universal_top_lead", top)
glue("universal_top_lead_weight", fmt_ci(*overall.loc[top, ["mean", "low", "high"]]))
stats = lead_attention_stats(att12, np.tile(np.arange(12), (len(att12), 1)), y=y_test)
show_figure(plot_class_lead_heatmap(attention_matrix(stats)), "fig-universal-attention-class",
            "Mean attention per lead for each true rhythm class (first row: all records).")

# %% [markdown]
# ## Lead-dropout ablation
#
# The paper states that without lead dropout the model keeps its 12-lead performance but
# loses 10–15 accuracy points on reduced lead sets. Both runs below share every setting
# but lead dropout (training batches always carry all 12 leads in the ablation), and are
# evaluated on the same lead sets and test records.

# %% tags=["hide-input"]
if len(ablation_tables) == 2:
    names = ["table5-12", "table5-6", "table5-3", "table5-1", "cinc-4", "cinc-2"]
    ref_t = ablation_tables[REF].set_index("name").loc[names]
    no_t = ablation_tables[NO_LD].set_index("name").loc[names]
    paired = [paired_bootstrap(y_test, ls.proba_for(*ablation_sets[REF], n),
                               ls.proba_for(*ablation_sets[NO_LD], n), "accuracy",
                               n=n_boot, seed=settings.seed) for n in names]
    dropout_table = pd.DataFrame({
        "leads": ref_t["leads"], "accuracy with lead dropout": ref_t["accuracy"],
        "accuracy without": no_t["accuracy"],
        "difference (points)": [100 * d.difference for d in paired],
        "95 % paired CI (points)": [f"{fmt_number(100 * d.low, 1)} to "
                                    f"{fmt_number(100 * d.high, 1)}" for d in paired],
        "macro-F1 with": ref_t["f1_macro"], "macro-F1 without": no_t["f1_macro"]})
    show_table(dropout_table.reset_index(drop=True), "Lead dropout on and off, same training "
               "budget, same test records.", "tbl-universal-dropout")
    reduced = dropout_table.iloc[1:]["difference (points)"]
    drop_12 = float(dropout_table.iloc[0]["difference (points)"])
    glue("universal_dropout_12_points", fmt_number(drop_12, 1))
    glue("universal_dropout_reduced_points",
         f"{fmt_number(reduced.min(), 1)} to {fmt_number(reduced.max(), 1)}")
    say(f"Without lead dropout the 12-lead accuracy changes by {fmt_number(drop_12, 1)} "
        f"points; on the reduced sets by {fmt_number(reduced.min(), 1)} to "
        f"{fmt_number(reduced.max(), 1)} points (the paper: −10 to −15).")
else:
    say("The lead-dropout runs have not finished; see the training page.")

# %% [markdown]
# ## Missing leads at inference
#
# A 12-lead record loses k leads. Either the device knows they are missing (they are
# masked and the attention skips them) or it does not and passes flat lines. The same
# random subsets as above, both ways:

# %% tags=["hide-input"]
show_figure(plot_missing_leads(set_table), "fig-universal-missing",
            "Accuracy of experiment 7 when k leads are removed from 12-lead test records: "
            "masked (absent) versus given as flat, all-zero signals (mean ± sd over five "
            "random subsets per k).")
check = run.get("masking_check") or {}
if check:
    exact = (check["max_attention_on_masked_leads"] == 0
             and check["max_logit_difference_masked_vs_present_only"] < 1e-4)
    say(f"Masking is {'exact' if exact else 'not exact'}: on {check['records']} test records with {check['present_leads']} "
        f"leads present, passing all 12 leads with the absent ones masked but still "
        f"carrying their signal changes the logits by at most "
        f"{check['max_logit_difference_masked_vs_present_only']:.1e} against passing the "
        f"present leads alone, and the masked leads receive attention "
        f"{check['max_attention_on_masked_leads']:.1f}.")

# %% [markdown]
# ## Recap
#
# - The universal model's Table 5 is reproduced with intervals; the CinC sets, single
#   leads and random subsets show how accuracy depends on which leads are present.
# - Lead attention is read with intervals, overall and per class, beside the paper's ranges.
# - The lead-dropout ablation trains the same model twice, with and without dropout.
# - Masked leads are ignored exactly; flat leads are not masked and do change the output.
