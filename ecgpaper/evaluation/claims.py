"""The paper's claims, each checked against one set of stored results, as data: what was
measured (short figures) and a verdict value. The Conclusion shows them in a table and
says in its own words what they mean; on a synthetic twin a verdict is evidence about the
pipeline and the twin, never about real ECGs.

Verdicts: "supported", "not supported" (the data point the other way or miss the stated
size), "not separated" (a paired interval includes 0: the test split cannot tell),
"not measured" (a run is missing), "not tested here" (needs what the book cannot use).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import paper
from ..constants import CLASSES, LEADS
from ..report import fmt_number
from ..training import artifacts as art
from ..training.variants import ABLATION_REFERENCE as REF

SUPPORTED, NOT_SUPPORTED, NOT_SEPARATED = "supported", "not supported", "not separated"
NOT_MEASURED, NOT_TESTED = "not measured", "not tested here"


@dataclass(frozen=True)
class ClaimCheck:
    key: str
    claim: str          # the paper's claim, paraphrased
    measured: str       # our figures, short ("—" when not measured)
    verdict: str        # one of the verdicts above
    page: str           # the chapter that shows the evidence


def _have(profile, names) -> bool:
    return len(art.available(profile, list(names))) == len(names)


def _sign_verdict(d, expect_positive: bool = True) -> str:
    """Verdict of a paired difference: the expected sign with an interval excluding 0."""
    if not d.excludes_zero:
        return NOT_SEPARATED
    return SUPPORTED if (d.difference > 0) == expect_positive else NOT_SUPPORTED


def _diff_text(name: str, d) -> str:
    from ..report import signed
    return f"{name} {signed(d.difference)} ({fmt_number(d.low)} to {fmt_number(d.high)})"


def _paired(profile, a: str, b: str, metric: str = "f1_macro"):
    from .comparisons import compare_predictions
    return compare_predictions(art.load_predictions(profile, a),
                               art.load_predictions(profile, b),
                               n=min(profile.bootstrap, 1000), seed=profile.seed,
                               metrics=(metric,))[metric]


def best_configuration(profile) -> ClaimCheck:
    from .comparison_results import best_by_validation
    claim = (f"Experiment {paper.BEST_EXPERIMENT} (signal + metadata) is the best "
             f"configuration (accuracy {paper.TABLE4['accuracy']:.3f}).")
    best = best_by_validation(profile)
    if best is None:
        return ClaimCheck("best", claim, "—", NOT_MEASURED, "comparison")
    return ClaimCheck("best", claim, f"best by validation macro-F1: experiment {best[0]}",
                      SUPPORTED if best[0] == paper.BEST_EXPERIMENT else NOT_SUPPORTED,
                      "comparison")


def step(profile, key: str, claim: str, base: str, config: str, positive: bool) -> ClaimCheck:
    """A claim that adding an input (run `config` against `base`) helps or hurts."""
    if not _have(profile, (base, config)):
        return ClaimCheck(key, claim, "—", NOT_MEASURED, "comparison")
    d = _paired(profile, base, config)
    return ClaimCheck(key, claim, _diff_text(f"macro-F1, {config} − {base}", d),
                      _sign_verdict(d, positive), "comparison")


def se_blocks(profile) -> ClaimCheck:
    claim = "SE blocks improve on a plain ResNet-18 (minority-class F1 +3 to +5 points)."
    if not _have(profile, (REF, "ablation-no-se")):
        return ClaimCheck("se", claim, "—", NOT_MEASURED, "ablations")
    d = _paired(profile, "ablation-no-se", REF)
    return ClaimCheck("se", claim, _diff_text("macro-F1, SE − plain", d), _sign_verdict(d),
                      "ablations")


def smoothing(profile) -> ClaimCheck:
    from .variants import calibration_table
    claim = "Label smoothing (ε = 0.1) improves calibration."
    if not _have(profile, (REF, "ablation-no-smoothing")):
        return ClaimCheck("smoothing", claim, "—", NOT_MEASURED, "ablations")
    cal = calibration_table(profile, {"with": REF, "without": "ablation-no-smoothing"},
                            min(profile.bootstrap, 200)).set_index("configuration")
    on, off = cal.loc["with"], cal.loc["without"]
    verdict = (SUPPORTED if on["ece_high"] < off["ece_low"] else
               NOT_SUPPORTED if on["ece_low"] > off["ece_high"] else NOT_SEPARATED)
    return ClaimCheck("smoothing", claim, f"ECE {fmt_number(on['ece'])} with, "
                      f"{fmt_number(off['ece'])} without", verdict, "ablations")


def class_weights(profile) -> ClaimCheck:
    claim = "Class weights are needed for the rare rhythms."
    if not _have(profile, (REF, "ablation-no-class-weights")):
        return ClaimCheck("weights", claim, "—", NOT_MEASURED, "ablations")
    d = _paired(profile, "ablation-no-class-weights", REF)
    return ClaimCheck("weights", claim, _diff_text("macro-F1, weights − none", d),
                      _sign_verdict(d), "ablations")


def single_runs(profile) -> ClaimCheck:
    from .ablation_results import ablation_results
    claim = "Single runs per configuration separate the seven configurations (Table 3)."
    res = ablation_results(profile, n_boot=50)
    exceeds = res.table3_exceeds_seed_noise
    if exceeds is None:
        return ClaimCheck("seeds", claim, "—", NOT_MEASURED, "ablations")
    return ClaimCheck("seeds", claim, f"Table 3 range {fmt_number(res.table3_range_f1)}, "
                      f"seed sd {fmt_number(res.seed_sd_f1)}",
                      SUPPORTED if exceeds else NOT_SUPPORTED, "ablations")


def _lead_set_accuracy(profile, name: str) -> dict:
    from .lead_sets import set_metrics
    specs, proba, _ = art.load_lead_sets(profile, name)
    pred = art.load_predictions(profile, name)
    y = pred["label"].astype(str).map({c: i for i, c in enumerate(CLASSES)}).to_numpy()
    return set_metrics(specs, proba, y).set_index("name")["accuracy"].to_dict()


def universal_leads(profile) -> ClaimCheck:
    claim = ("UniversalECGNet loses little from 12 leads to lead II alone "
             f"({paper.TABLE5[12]['accuracy']:.1%} → {paper.TABLE5[1]['accuracy']:.1%}).")
    if not _have(profile, ("7",)):
        return ClaimCheck("leads", claim, "—", NOT_MEASURED, "universal")
    acc = _lead_set_accuracy(profile, "7")
    drop = acc["table5-12"] - acc["table5-1"]
    paper_drop = paper.TABLE5[12]["accuracy"] - paper.TABLE5[1]["accuracy"]
    return ClaimCheck("leads", claim, f"accuracy {acc['table5-12']:.3f} → "
                      f"{acc['table5-1']:.3f}",
                      SUPPORTED if drop <= paper_drop + 0.01 else NOT_SUPPORTED, "universal")


def lead_dropout(profile) -> ClaimCheck:
    low, high = paper.LEAD_DROPOUT_ABLATION_DROP
    claim = (f"Without lead dropout, reduced-lead accuracy falls by {low:.0%}–{high:.0%} "
             f"while 12-lead accuracy holds.")
    off = "ablation-universal-no-lead-dropout"
    if not _have(profile, ("7", off)):
        return ClaimCheck("dropout", claim, "—", NOT_MEASURED, "universal")
    a, b = _lead_set_accuracy(profile, "7"), _lead_set_accuracy(profile, off)
    reduced = float(np.mean([a[k] - b[k] for k in ("table5-6", "table5-3", "table5-1")]))
    return ClaimCheck("dropout", claim, f"reduced sets {reduced:+.3f} with dropout",
                      SUPPORTED if reduced >= low else NOT_SUPPORTED, "universal")


def lead_attention(profile) -> ClaimCheck:
    claim = "Lead II receives the highest attention, then V1 and aVF."
    if not _have(profile, ("7",)):
        return ClaimCheck("attention", claim, "—", NOT_MEASURED, "universal")
    specs, _, attn = art.load_lead_sets(profile, "7")
    a12 = attn[[s["name"] for s in specs].index("table5-12")].mean(axis=0)
    top = LEADS[int(np.argmax(a12))]
    return ClaimCheck("attention", claim, f"highest on {top} ({a12.max():.3f}; uniform "
                      f"{1 / len(LEADS):.3f})", SUPPORTED if top == "II" else NOT_SUPPORTED,
                      "universal")


def not_tested() -> list[ClaimCheck]:
    """Claims that need what the book's build does not have."""
    return [
        ClaimCheck("service", f"The service answers in {paper.SERVICE_LATENCY_MS} ms per "
                   f"recording on an {paper.SERVICE_GPU}.", "see Performance", NOT_TESTED,
                   "performance"),
        ClaimCheck("gpt4o", f"GPT-4o Vision reads {paper.GPT4O_ACCURACY:.0%} of "
                   f"{paper.GPT4O_RECORDS} rendered ECGs correctly.", "—", NOT_TESTED,
                   "llm_vision"),
        ClaimCheck("checkpointing", f"Gradient checkpointing saves about "
                   f"{paper.CHECKPOINTING_MEMORY_SAVING:.0%} of GPU memory.", "—", NOT_TESTED,
                   "performance"),
    ]


def all_claims(main, universal) -> list[ClaimCheck]:
    """Every claim, checked on `main` (a profile with experiments 1-6 and the ablations)
    and `universal` (a profile with experiment 7 and its ablation)."""
    return [
        best_configuration(main),
        step(main, "metadata", "Clinical metadata improve on the signal alone.", "1", "2",
             True),
        step(main, "neurokit2", "All NeuroKit2 features (many fallback values) degrade "
             "performance.", "2", "3", False),
        se_blocks(main), smoothing(main), class_weights(main), single_runs(main),
        universal_leads(universal), lead_dropout(universal), lead_attention(universal),
        *not_tested()]


def claims_table(checks: list[ClaimCheck]):
    import pandas as pd
    return pd.DataFrame([{"the paper's claim": c.claim, "measured": c.measured,
                          "verdict": c.verdict,
                          "evidence": f"{{doc}}`/executed/{c.page}`"} for c in checks])


def verdict_counts(checks: list[ClaimCheck]) -> dict[str, int]:
    out = {v: 0 for v in (SUPPORTED, NOT_SUPPORTED, NOT_SEPARATED, NOT_MEASURED, NOT_TESTED)}
    for c in checks:
        out[c.verdict] += 1
    return out


@dataclass(frozen=True)
class Headline:
    """The numbers the abstract quotes from one set of results."""
    best: str | None                   # best experiment by validation macro-F1
    best_metrics: dict                 # metric -> (value, low, high)
    gbm_accuracy: tuple | None         # gradient boosting on the metadata: (value, low, high)
    gbm_minus_best: object | None      # paired accuracy difference, GBM − best network
    universal_accuracy: dict           # leads -> (value, low, high) of experiment 7


def _ci(block: dict, metric: str) -> tuple:
    ci = (block.get("ci") or {}).get(metric) or {}
    return ((block.get("metrics") or {}).get(metric), ci.get("low"), ci.get("high"))


def headline(main, universal) -> Headline:
    """Best configuration, the metadata-only baseline against it, and experiment 7 on
    each lead set of Table 5."""
    from .comparison_results import best_by_validation
    found = best_by_validation(main)
    best = found[0] if found else None
    block = art.load_metrics(main, best) if best else {}
    gbm = "baseline-gbm"
    have_gbm = best is not None and _have(main, (gbm,))
    lead_blocks = (art.load_metrics(universal, "7").get("lead_configs") or {}) \
        if _have(universal, ("7",)) else {}
    return Headline(
        best=best,
        best_metrics={m: _ci(block, m) for m in ("accuracy", "f1_macro", "auc_macro")},
        gbm_accuracy=_ci(art.load_metrics(main, gbm), "accuracy") if have_gbm else None,
        gbm_minus_best=_paired(main, best, gbm, "accuracy") if have_gbm else None,
        universal_accuracy={int(k): _ci(v, "accuracy") for k, v in lead_blocks.items()})
