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
# # Conclusion
#
# This page closes the book: it restates this edition's results in numbers and goes
# through every claim of the paper {cite:p}`kisialeu`, saying for each whether the book
# checks it (and with what result) or not (and why). All numbers are computed from the
# stored experiment artifacts when the book is built; the abstract in the introduction
# quotes them.
#
# **On this page you will learn** what this edition's best configuration and universal
# model achieved, the three findings that follow from the experiments, and which of the
# paper's claims the book has and has not yet put to the test.

# %% tags=["hide-input"]
import pandas as pd

from ecgpaper import paper
from ecgpaper.evaluation import claims
from ecgpaper.evaluation import tables as result_tables
from ecgpaper.models import audit
from ecgpaper.notebook import glue, say, setup, show_table
from ecgpaper.evaluation.comparisons import compare_predictions, difference_sentence
from ecgpaper.report import fmt_ci, fmt_number
from ecgpaper.training import artifacts
from ecgpaper.training.experiments import EXPERIMENTS, LEAD_CONFIGS, get_experiment
from ecgpaper.training.run import effective_profile

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
finished = artifacts.available(settings)
data_kind = "synthetic twin" if settings.is_synthetic else "real database"


def metric_ci(block: dict, metric: str) -> str:
    """'0.844 (0.789–0.894)' for one metric of a metrics block."""
    value = (block.get("metrics") or {}).get(metric)
    interval = (block.get("ci") or {}).get(metric) or {}
    return fmt_ci(value, interval.get("low"), interval.get("high"))


def predictions_of(experiment_id: str) -> pd.DataFrame:
    run_settings = effective_profile(settings, get_experiment(experiment_id))
    return artifacts.load_predictions(run_settings, experiment_id)


def compare(reference: str, other: str) -> dict:
    """Paired bootstrap differences (other minus reference) on the same test records."""
    return compare_predictions(predictions_of(reference), predictions_of(other),
                               n=max(settings.bootstrap, 50), seed=settings.seed)

# %% [markdown]
# ## Results of this edition

# %% tags=["hide-input"]
best = result_tables.best_experiment(settings)
headline = []
if best is not None:
    best_metrics = artifacts.load_metrics(settings, best)
    for metric, name in (("accuracy", "accuracy"), ("f1_macro", "macro-F1"),
                         ("auc_macro", "macro AUC")):
        ours = metric_ci(best_metrics, metric)
        glue(f"abstract_best_{metric}", ours)
        glue(f"abstract_paper_{metric}", fmt_number(paper.TABLE4[metric]))
        headline.append({"metric": name, f"ours, experiment {best} (95 % CI)": ours,
                         f"paper, experiment {paper.BEST_EXPERIMENT} (reported)":
                         fmt_number(paper.TABLE4[metric])})
    glue("abstract_best_experiment", f"experiment {best} ({EXPERIMENTS[best].name})")
    show_table(pd.DataFrame(headline), f"The best configuration by validation macro-F1, on "
               f"the {data_kind}, beside the paper's best.", "tbl-conclusion-best",
               presented=True)

universal_rows = []
if "7" in finished:
    universal = artifacts.load_metrics(settings, "7").get("lead_configs") or {}
    for leads in LEAD_CONFIGS:
        block = universal.get(str(leads))
        if block is None:
            continue
        accuracy = metric_ci(block, "accuracy")
        glue(f"abstract_universal_{leads}lead_accuracy", accuracy)
        universal_rows.append({"leads": leads, "accuracy, ours (95 % CI)": accuracy,
                               "accuracy, paper": fmt_number(paper.TABLE5[leads]["accuracy"]),
                               "macro-F1, ours (95 % CI)": metric_ci(block, "f1_macro"),
                               "macro-F1, paper": fmt_number(paper.TABLE5[leads]["f1_macro"])})
    if universal_rows:
        show_table(pd.DataFrame(universal_rows), "UniversalECGNet on 12, 6, 3 and 1 leads, "
                   "beside the paper's Table 5.", "tbl-conclusion-universal", presented=True)

# %% [markdown]
# ## Three findings
#
# Each sentence is computed from the paired test predictions of two configurations (a
# 95 % paired bootstrap interval on the same test records).

# %% tags=["hide-input"]
findings = {}
if {"1", "2"} <= set(finished):
    difference = compare("1", "2")["f1_macro"]
    findings["metadata"] = ("Clinical metadata (experiment 2 against signal only): "
                            + difference_sentence("macro-F1", difference) + ".")
if {"2", "3"} <= set(finished):
    difference = compare("2", "3")["f1_macro"]
    findings["neurokit2"] = ("Adding all NeuroKit2 features (experiment 3 against 2): "
                             + difference_sentence("macro-F1", difference) + ".")
if universal_rows and len(universal_rows) == len(LEAD_CONFIGS):
    lead_blocks = artifacts.load_metrics(settings, "7")["lead_configs"]
    f1_12 = lead_blocks["12"]["metrics"]["f1_macro"]
    f1_1 = lead_blocks["1"]["metrics"]["f1_macro"]
    findings["leads"] = (f"One universal model read on lead II alone reaches a macro-F1 of "
                         f"{metric_ci(lead_blocks['1'], 'f1_macro')} against "
                         f"{metric_ci(lead_blocks['12'], 'f1_macro')} on all twelve leads, "
                         f"{fmt_number(abs(f1_12 - f1_1))} "
                         f"{'lower' if f1_1 < f1_12 else 'higher'} (the paper: "
                         f"{fmt_number(paper.TABLE5[1]['f1_macro'])} against "
                         f"{fmt_number(paper.TABLE5[12]['f1_macro'])}).")
for key, sentence in findings.items():
    glue(f"abstract_finding_{key}", sentence)
if findings:
    say("\n".join(f"{i}. {sentence}" for i, sentence in enumerate(findings.values(), 1)))
if settings.is_synthetic:
    say("On the demo profile these findings describe the synthetic twin and small "
        "networks trained briefly; they test the pipeline, not the paper's claims.")

# %% [markdown]
# ## The paper's claims, checked here or not
#
# {numref}`tbl-claims` lists every claim of the paper with a number or a verdict attached.
# "Checked here" means the book computes the quantity the claim is about, on the data of
# the active profile; "not checked yet" names what is missing.

# %% tags=["hide-input"]
def where(page: str) -> str:
    return f"{{doc}}`/executed/{page}`"


claim_rows = []


def claim(text: str, verdict: str, page: str = "—") -> None:
    claim_rows.append({"the paper's claim": text, "here": verdict, "page": page})


per_class_best = None
if best is not None:
    claim(f"Best configuration is experiment {paper.BEST_EXPERIMENT} (signal + metadata): "
          f"accuracy {paper.TABLE4['accuracy']:.3f}, macro-F1 {paper.TABLE4['f1_macro']:.3f}, "
          f"macro AUC {paper.TABLE4['auc_macro']:.3f}.",
          f"checked: best by validation macro-F1 is experiment {best}; its test accuracy "
          f"{metric_ci(best_metrics, 'accuracy')}, macro-F1 {metric_ci(best_metrics, 'f1_macro')} "
          f"({data_kind}).", where("comparison"))
else:
    claim("Best configuration is experiment 2.", "not checked yet: no experiment has run.")
if "metadata" in findings:
    claim("Clinical metadata gives the best accuracy–complexity trade-off.",
          "checked: " + findings["metadata"], where("experiment_2"))
if "neurokit2" in findings:
    claim("NeuroKit2 features with high fallback rates degrade performance despite a "
          "higher AUC.", "checked: " + findings["neurokit2"], where("experiment_3"))
low, high = paper.NK2_FALLBACK_RANGE
claim(f"{low:.0%}–{high:.0%} of the NeuroKit2 values are fallbacks.",
      "checked: fallback rate per column measured on this store.", where("features"))
claim(f"The split gives {' / '.join(f'{n:,}' for n in paper.SPLIT_SIZES)} records with the "
      "per-class counts of Table 1.",
      "checked: the split procedure is reproduced; on the " + data_kind + " the counts are "
      "this store's.", where("data"))
if universal_rows:
    claim("UniversalECGNet: 93.6 % accuracy on 12 leads, 93.8 % on 3, 91.6 % on lead II, "
          "negligible loss from 12 to 6 leads (Table 5).",
          "checked: " + "; ".join(f"{r['leads']} leads {r['accuracy, ours (95 % CI)']}"
                                  for r in universal_rows) + " accuracy.",
          where("universal"))
    claim("Lead II receives the highest attention (0.15–0.18), then V1 (0.10–0.14) and aVF "
          "(0.09–0.12).", claims.lead_attention(settings), where("universal"))
else:
    claim("UniversalECGNet results of Table 5.", "not checked yet: experiment 7 has not run.")
if best is not None:
    predictions = predictions_of(best)
    named = result_tables.named_confusions(predictions)
    counts = "; ".join(f"{r['true class']} → {r['predicted as']}: {r['ours']} of {r['ours n']}"
                       for _, r in named.iterrows())
    claim("12 of 67 AF are read as AFIB and 13 of 60 SA as SR; AT is confused with SVT and ST.",
          f"checked in experiment {best}: {counts}.", where("per_class"))
checks = audit.paper_checks()
claim(f"UniversalECGNet has {paper.PARAMETER_COUNTS['total']:,} parameters, with the "
      f"stated parts.", f"checked: {int((~checks['agrees']).sum())} of {len(checks)} internal "
      "consistency checks fail, among them that the stated parts do not add up to the total.",
      where("architectures"))
claim("SE blocks improve over a plain ResNet-18, with minority-class F1 gains of 3–5 %.",
      claims.se_minority_f1(settings), where("ablations"))
claim("Label smoothing (ε = 0.1) improves calibration.",
      claims.smoothing_calibration(settings), where("ablations"))
claim("Single runs per configuration (Table 3) separate the seven configurations.",
      claims.seed_variation(settings), where("ablations"))
low, high = paper.LEAD_DROPOUT_ABLATION_DROP
claim(f"Without lead dropout the universal model keeps its 12-lead performance but loses "
      f"{low:.0%}–{high:.0%} accuracy on reduced leads (ablation).",
      claims.lead_dropout(settings), where("universal"))
claim(f"The FastAPI service answers in {paper.SERVICE_LATENCY_MS} ms per recording on an "
      f"{paper.SERVICE_GPU}, preprocessing included.",
      "not checked yet: the book measures model latency on this machine (Performance "
      "chapter), not the service on that GPU.", where("performance"))
claim(f"GPT-4o Vision classifies {paper.GPT4O_ACCURACY:.0%} of {paper.GPT4O_RECORDS} rendered "
      "test ECGs correctly.",
      "not checked yet: needs access to a vision language model, which the book's build "
      "does not use.")
claim(f"Gradient checkpointing saves about {paper.CHECKPOINTING_MEMORY_SAVING:.0%} of GPU "
      f"memory for about {paper.CHECKPOINTING_TIME_COST:.0%} more compute.",
      "not checked yet: needs a GPU; checkpointing is used only on CUDA here.")
claims_table = pd.DataFrame(claim_rows)
show_table(claims_table, "Every claim of the paper: checked here (with the result) or not "
           "checked yet (and why).", "tbl-claims", presented=True)
glue("conclusion_n_claims", len(claims_table))
_ = glue("conclusion_n_checked", int(claims_table["here"].str.startswith("checked").sum()))

# %% [markdown]
# ## Recap
#
# - The best configuration, the universal model on four lead sets and three findings are
#   computed from this edition's artifacts and quoted in the abstract.
# - The SE, label-smoothing and lead-dropout ablations and the seed repeats check the
#   discussion's claims; what the book cannot run here (the service on the paper's GPU,
#   the language-model comparison, GPU memory) is listed as not checked, with the reason.
