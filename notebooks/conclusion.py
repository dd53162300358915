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
# This page closes the book. It restates the results in numbers and goes through the
# paper's claims {cite:p}`kisialeu`, saying for each what the book measured and whether
# that supports it. The main results are the **reference edition**: every configuration
# trained once, at one budget, on a synthetic twin of the database's size and committed
# with the book. **This build**'s demo results follow. The abstract in the introduction
# quotes the numbers computed here.
#
# **On this page you will learn** what the best configuration, the metadata-only
# baseline and the universal model achieve, which steps between the paper's
# configurations the data can separate, and which claims the synthetic twin supports,
# contradicts or cannot decide.

# %% tags=["hide-input"]
from ecgpaper import paper
from ecgpaper.evaluation import claims
from ecgpaper.evaluation import run_checks as rc
from ecgpaper.report import signed
from ecgpaper.notebook import glue, setup, show_table
from ecgpaper.reference import editions
from ecgpaper.report import fmt_ci, fmt_number
from ecgpaper.training.experiments import EXPERIMENTS

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides, banner=False)
main = editions(settings, needs=("1", "2", "3", "4", "5", "6"))[0]
universal = editions(settings, twin="small", needs=("7",))[0]
label = ("reference edition" if main.is_reference else "this build") + \
    f" ({main.twin_records:,}-record synthetic twin)"
head = claims.headline(main.profile, universal.profile)
checked = claims.all_claims(main.profile, universal.profile)
build_checks = rc.counts(rc.run_checks(settings, EXPERIMENTS))
glue("abstract_edition", label)

# %% [markdown]
# ```{note}
# **Synthetic data.** Every number on this page comes from synthetic twins of the
# Chapman–Shaoxing database, none from real ECGs. The main results are those of the
# {glue:text}`abstract_edition`; where no reference edition is committed, this build
# stands in for it. The paper's figures are its reported values on the real database.
# ```
#
# ## Results
#
# The best configuration is chosen on validation macro-F1 only.

# %% tags=["hide-input"]
glue("abstract_best_experiment", f"experiment {head.best} ({EXPERIMENTS[head.best].name})")
for metric, (value, low, high) in head.best_metrics.items():
    glue(f"abstract_best_{metric}", fmt_ci(value, low, high))
    glue(f"abstract_paper_{metric}", fmt_number(paper.TABLE4[metric]))
for leads in (12, 6, 3, 1):
    glue(f"abstract_universal_{leads}lead_accuracy",
         fmt_ci(*head.universal_accuracy.get(leads, (None, None, None))))
glue("abstract_universal_edition", ("reference edition" if universal.is_reference else
                                    "this build") + f" ({universal.twin_records:,} records)")
glue("abstract_paper_universal", " / ".join(
    fmt_number(paper.TABLE5[k]["accuracy"]) for k in (12, 6, 3, 1)))

# %% [markdown]
# On the {glue:text}`abstract_edition` the configuration chosen on validation data,
# {glue:text}`abstract_best_experiment`, reaches a test accuracy of
# {glue:text}`abstract_best_accuracy`, a macro-F1 of {glue:text}`abstract_best_f1_macro`
# and a macro-AUC of {glue:text}`abstract_best_auc_macro` (95 % bootstrap intervals). The
# paper reports {glue:text}`abstract_paper_accuracy`, {glue:text}`abstract_paper_f1_macro`
# and {glue:text}`abstract_paper_auc_macro` for its best model on the real database; the
# two are not comparable as a test, only as orientation.
#
# UniversalECGNet ({glue:text}`abstract_universal_edition`) reads 12 leads with an
# accuracy of {glue:text}`abstract_universal_12lead_accuracy`, the six limb leads with
# {glue:text}`abstract_universal_6lead_accuracy`, leads I, II and V1 with
# {glue:text}`abstract_universal_3lead_accuracy` and lead II alone with
# {glue:text}`abstract_universal_1lead_accuracy` (the paper:
# {glue:text}`abstract_paper_universal`).
#
# ## A baseline the paper does not report
#
# Gradient boosting on the 14 clinical measurements of the Diagnostics table alone, with
# no signal at all, is the cheapest competitor the database offers.

# %% tags=["hide-input"]
gbm, diff = head.gbm_accuracy, head.gbm_minus_best
glue("abstract_gbm_accuracy", fmt_ci(*gbm) if gbm else "—")
glue("abstract_gbm_minus_best", signed(diff.difference) if diff else "—")
glue("abstract_gbm_minus_best_ci", f"{fmt_number(diff.low)} to {fmt_number(diff.high)}"
     if diff else "not measured")
glue("abstract_gbm_verdict", "—" if diff is None else "not separated from" if not
         diff.excludes_zero else "above" if diff.difference > 0 else "below")

# %% [markdown]
# It reaches an accuracy of {glue:text}`abstract_gbm_accuracy`: a paired difference of
# {glue:text}`abstract_gbm_minus_best` against the best of the paper's configurations
# (95 % interval {glue:text}`abstract_gbm_minus_best_ci`), so the measurements alone are
# {glue:text}`abstract_gbm_verdict` it on this twin. On the twin the
# measurements are generated together with the signal, which makes them more
# informative than a machine's real measurements may be; on the real database this
# comparison is the first one a reviewer should ask for.
#
# ## The related designs
#
# The four related designs were trained on the same twin at the same budget as the
# paper's network (the Baselines chapter). Of every model there, the highest test
# macro-F1 is that of {glue:text}`/executed/baselines.ipynb::baselines_main_best_model:s`
# ({glue:text}`/executed/baselines.ipynb::baselines_main_best_f1:s`). Above experiment 1 by
# a paired interval that excludes 0:
# {glue:text}`/executed/baselines.ipynb::baselines_main_designs_better:s`; below it:
# {glue:text}`/executed/baselines.ipynb::baselines_main_designs_worse:s`.
# {glue:text}`/executed/baselines.ipynb::baselines_main_usable_sentence:s`
#
# ## The paper's claims
#
# {numref}`tbl-claims` lists the claims with what the book measured and a verdict on the
# main results: *supported*, *not supported*, *not separated* (the paired interval
# includes 0, so the test split cannot decide), *not measured* (a run is missing) or
# *not tested here* (it needs what the build does not have: the paper's GPU, a vision
# language model).

# %% tags=["hide-input"]
show_table(claims.claims_table(checked), "The paper's claims checked on the main results "
           "(synthetic twin); the verdicts are evidence about the pipeline and the twin, "
           "not about real ECGs.", "tbl-claims", presented=True, wide=True)
counts = claims.verdict_counts(checked)
for verdict, n in counts.items():
    glue(f"conclusion_n_{verdict.replace(' ', '_')}", str(n))
glue("conclusion_n_claims", str(len(checked)))

# %% [markdown]
# Of {glue:text}`conclusion_n_claims` claims, {glue:text}`conclusion_n_supported` are
# supported on the twin, {glue:text}`conclusion_n_not_supported` are not,
# {glue:text}`conclusion_n_not_separated` cannot be separated from chance by the paired
# intervals, {glue:text}`conclusion_n_not_measured` lack a run and
# {glue:text}`conclusion_n_not_tested_here` are not tested here.
#
# ## What the twin can and cannot test
#
# The twin is generated from rhythm definitions: it can show whether the pipeline trains,
# whether an ingredient helps a network separate rhythms drawn that way, and how much a
# result moves between seeds. It cannot say how well the networks read real ECGs, whose
# noise, morphology and labelling the generator only approximates; the External
# validation chapter measures that on real recordings of other databases.
# {glue:text}`/executed/external.ipynb::external_abstract:s` Whether a network learned what an ingredient is
# for is read from the network itself: in the main results the SE gates average
# {glue:text}`/executed/se_attention.ipynb::se_main_mean:s`
# (**{glue:text}`/executed/se_attention.ipynb::se_main_verdict:s`**; gates that learned
# nothing sit at 0.5), and UniversalECGNet's lead attention departs
# from the uniform 1/12 by at most
# {glue:text}`/executed/universal.ipynb::universal_main_attention_deviation:s`
# (**{glue:text}`/executed/universal.ipynb::universal_main_attention_verdict:s`**).
#
# ## This build
#
# This build's demo trains small networks on a {glue:text}`conclusion_build_records`-record
# twin: {glue:text}`conclusion_build_converged` of {glue:text}`conclusion_build_neural`
# networks of the seven experiments converged and {glue:text}`conclusion_build_learned`
# beat the majority class. Its numbers are on every chapter beside the reference
# edition's.

# %% tags=["hide-input"]
glue("conclusion_build_records", f"{settings.twin_records:,}")
glue("conclusion_build_converged", str(build_checks["converged"]))
glue("conclusion_build_neural", str(build_checks["neural"]))
glue("conclusion_build_learned", str(build_checks["learned"]))

# %% [markdown]
# ## Recap
#
# - The headline numbers, the metadata-only baseline and the universal model come from
#   the reference edition's committed results and are quoted in the abstract.
# - Each claim has a verdict from a stated rule, on the synthetic twin; "not separated"
#   is a result too: the test split is too small to decide.
# - What the build cannot run (the service on the paper's GPU, the language-model
#   comparison, GPU memory) is listed as not tested, with the chapter that says why.
