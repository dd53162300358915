"""The numbers of the UniversalECGNet chapter for one set of results (the reference
edition or a build), as data: Table 5 and the further lead sets, the lead attention with
a test of whether it is uniform, the lead-dropout ablation as paired differences on the
same test records, and the masking check. The chapter says what they mean; nothing here
writes a sentence.

Uniform attention (every lead weighted 1/12) means the pooling is a plain average: the
network learned no lead preference. It is judged from the numbers: every lead's mean
weight within `UNIFORM_TOLERANCE` of 1/12, and a typical record's most weighted lead
within the same tolerance of it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..constants import CLASSES, LEADS
from ..paper import ATTENTION as PAPER_ATTENTION
from ..paper import LEAD_DROPOUT_ABLATION_DROP
from ..paper import TABLE5 as PAPER_TABLE5
from ..training import artifacts as art
from ..training.experiments import LEAD_CONFIGS
from ..training.variants import UNIVERSAL_REFERENCE as REF
from . import lead_sets as ls
from .bootstrap import PairedDifference, paired_bootstrap  # noqa: F401 (re-exported)

NO_DROPOUT = "ablation-universal-no-lead-dropout"
UNIFORM = 1 / len(LEADS)
UNIFORM_TOLERANCE = 0.01
# The lead sets of the dropout ablation: Table 5's four and two of the Challenge's.
DROPOUT_SETS = ("table5-12", "table5-6", "table5-3", "table5-1", "cinc-4", "cinc-2")
TABLE5_METRICS = ("accuracy", "f1_macro", "f1_weighted", "auc_macro")


def test_labels(profile, config: str = REF) -> tuple[np.ndarray, np.ndarray]:
    """(class indices, record ids) of a universal run's test records, in the order of its
    stored lead-set arrays."""
    pred = art.load_predictions(profile, config)
    index = {c: i for i, c in enumerate(CLASSES)}
    return (pred["label"].astype(str).map(index).to_numpy(int),
            pred["record_id"].astype(str).to_numpy())


@dataclass(frozen=True)
class LeadAttention:
    """Mean attention per lead over the 12-lead test records (`table`: lead, mean, low,
    high) and what says whether it is uniform."""
    table: pd.DataFrame
    record_max_weight: float      # mean over records of the largest weight a record gives
    n_records: int

    @property
    def top_lead(self) -> str:
        return str(self.table["mean"].idxmax())

    @property
    def bottom_lead(self) -> str:
        return str(self.table["mean"].idxmin())

    @property
    def max_deviation(self) -> float:
        """The largest distance of a lead's mean weight from 1/12."""
        return float((self.table["mean"] - UNIFORM).abs().max())

    @property
    def uniform(self) -> bool:
        """No lead preference: every mean, and a typical record's largest weight, within
        the tolerance of 1/12."""
        return (self.max_deviation < UNIFORM_TOLERANCE
                and self.record_max_weight - UNIFORM < UNIFORM_TOLERANCE)

    def rank(self, lead: str) -> int:
        """1 for the lead with the highest mean weight."""
        return int((self.table["mean"] > self.table.loc[lead, "mean"]).sum()) + 1


def lead_attention(attention_12: np.ndarray, ci: pd.DataFrame) -> LeadAttention:
    """The summary of the (N, 12) attention on 12-lead records, given its bootstrap
    table (`lead_sets.attention_ci`)."""
    a = np.asarray(attention_12, dtype=float)
    overall = ci[ci["class"] == "all"].set_index("lead").reindex(list(LEADS))
    return LeadAttention(table=overall[["mean", "low", "high"]],
                         record_max_weight=float(a.max(1).mean()) if len(a) else np.nan,
                         n_records=len(a))


def attention_table(att: LeadAttention) -> pd.DataFrame:
    """The leads the paper names: ours with 95 % CI and rank, beside its reported range."""
    from ..report import fmt_ci
    rows = []
    for lead, (low, high) in PAPER_ATTENTION.items():
        r = att.table.loc[lead]
        rows.append({"lead": lead, "mean weight, ours (95 % CI)": fmt_ci(*r),
                     "rank among 12, ours": str(att.rank(lead)),
                     "paper (reported range)": f"{low:.2f}–{high:.2f}"})
    return pd.DataFrame(rows)


def dropout_effect(profile, n_boot: int = 200) -> pd.DataFrame | None:
    """Accuracy and macro-F1 with and without lead dropout on each of `DROPOUT_SETS`, and
    the accuracy of the run without minus the run with, paired on the same test records
    (`difference`, `low`, `high`, `excludes_zero`); None until both runs have finished."""
    if len(art.available(profile, [REF, NO_DROPOUT])) < 2:
        return None
    y, ids = test_labels(profile, REF)
    y_b, ids_b = test_labels(profile, NO_DROPOUT)
    sets = {c: art.load_lead_sets(profile, c)[:2] for c in (REF, NO_DROPOUT)}
    tables = {c: ls.set_metrics(*sets[c], y).set_index("name") for c in sets}
    rows = []
    for name in DROPOUT_SETS:
        d = paired_bootstrap(y, ls.proba_for(*sets[REF], name),
                             ls.proba_for(*sets[NO_DROPOUT], name), "accuracy", n=n_boot,
                             seed=profile.seed, ids_a=ids, ids_b=ids_b, y_true_b=y_b)
        rows.append({"name": name, "leads": tables[REF].loc[name, "leads"],
                     "n_leads": int(tables[REF].loc[name, "n_leads"]),
                     "accuracy with": tables[REF].loc[name, "accuracy"],
                     "accuracy without": tables[NO_DROPOUT].loc[name, "accuracy"],
                     "f1 with": tables[REF].loc[name, "f1_macro"],
                     "f1 without": tables[NO_DROPOUT].loc[name, "f1_macro"],
                     "difference": d.difference, "low": d.low, "high": d.high,
                     "excludes_zero": d.excludes_zero})
    return pd.DataFrame(rows)


def dropout_table(effect: pd.DataFrame) -> pd.DataFrame:
    """The dropout ablation for reading: accuracy points, one format per column."""
    from ..report import fixed
    from ..report import signed
    return pd.DataFrame({
        "leads": ["all 12" if n == 12 else leads
                  for n, leads in zip(effect["n_leads"], effect["leads"])],
        "accuracy with lead dropout": [fixed(v, 3) for v in effect["accuracy with"]],
        "accuracy without": [fixed(v, 3) for v in effect["accuracy without"]],
        "without − with (points, paired 95 % CI)": [
            f"{signed(100 * d, 1)} ({fixed(100 * lo, 1)} to {fixed(100 * hi, 1)})"
            for d, lo, hi in zip(effect["difference"], effect["low"], effect["high"])],
        "macro-F1 with": [fixed(v, 3) for v in effect["f1 with"]],
        "macro-F1 without": [fixed(v, 3) for v in effect["f1 without"]]})


@dataclass(frozen=True)
class UniversalResults:
    metrics: dict                   # experiment 7's metrics.json (Table 5, masking check)
    cinc: pd.DataFrame              # CinC 2021 lead sets with 95 % CIs
    single: pd.DataFrame            # each lead alone, best macro-F1 first
    set_table: pd.DataFrame         # accuracy and macro-F1 of every stored lead set
    attention_ci: pd.DataFrame      # mean attention per lead, overall and per class
    attention: LeadAttention
    dropout: pd.DataFrame | None    # `dropout_effect`
    curve_without: pd.DataFrame | None   # lead-count curve of the run without dropout
    n_test: int

    @property
    def curve(self) -> pd.DataFrame:
        return ls.lead_count_curve(self.set_table)


def universal_results(profile, n_boot: int = 200) -> UniversalResults:
    """Every number of the chapter for `profile`'s finished experiment 7 (and its
    ablation, when finished)."""
    y, _ = test_labels(profile, REF)
    specs, proba, attention = art.load_lead_sets(profile, REF)
    beyond = ls.sets_with_ci(specs, proba, y, ("cinc", "single"), n_boot, profile.seed)
    single = beyond[beyond["kind"] == "single"].sort_values("f1_macro", ascending=False)
    att12 = attention[[s["name"] for s in specs].index("table5-12")]
    ci = ls.attention_ci(att12, y, n_boot=n_boot, seed=profile.seed)
    without = None
    if NO_DROPOUT in art.available(profile, [NO_DROPOUT]):
        s_, p_, _ = art.load_lead_sets(profile, NO_DROPOUT)
        without = ls.lead_count_curve(ls.set_metrics(s_, p_, y))
    return UniversalResults(
        metrics=art.load_metrics(profile, REF),
        cinc=beyond[beyond["kind"] == "cinc"].drop(columns="kind").reset_index(drop=True),
        single=single.drop(columns=["kind", "n_leads"]).reset_index(drop=True),
        set_table=ls.set_metrics(specs, proba, y), attention_ci=ci,
        attention=lead_attention(att12, ci), dropout=dropout_effect(profile, n_boot),
        curve_without=without, n_test=len(y))


# --- for reading ---------------------------------------------------------------------------

def table5_compare(results: dict, metric: str) -> pd.DataFrame:
    """One Table 5 metric per lead set: each set of results (label -> UniversalResults)
    with its 95 % CI, and the paper's reported figure."""
    from ..report import fmt_ci, fmt_number
    rows = []
    for k, names in LEAD_CONFIGS.items():
        row = {"leads": "12 (all)" if k == 12 else f"{k} ({', '.join(names)})"}
        for label, res in results.items():
            block = (res.metrics.get("lead_configs") or {}).get(str(k)) or {}
            ci = (block.get("ci") or {}).get(metric) or {}
            row[f"{label} (95 % CI)"] = fmt_ci((block.get("metrics") or {}).get(metric),
                                               ci.get("low"), ci.get("high"))
        row["paper (reported)"] = fmt_number(PAPER_TABLE5[k][metric])
        rows.append(row)
    return pd.DataFrame(rows)


def _config_value(res: UniversalResults, k: int, metric: str) -> tuple:
    block = (res.metrics.get("lead_configs") or {}).get(str(k)) or {}
    ci = (block.get("ci") or {}).get(metric) or {}
    return (block.get("metrics") or {}).get(metric), ci.get("low"), ci.get("high")


def masking_values(metrics: dict) -> dict[str, str]:
    """The masking check of experiment 7 (masked leads get no attention and change no
    logit) as display strings; empty when the run stored none."""
    check = metrics.get("masking_check") or {}
    if not check:
        return {}
    logit = check["max_logit_difference_masked_vs_present_only"]
    attention = check["max_attention_on_masked_leads"]
    return {"masking_exact": "exact" if attention == 0 and logit < 1e-4 else "not exact",
            "masking_logit": f"{logit:.1e}", "masking_attention": f"{attention:.1f}",
            "masking_records": f"{check['records']:,}",
            "masking_present": str(check["present_leads"])}


def _dropout_values(effect: pd.DataFrame | None) -> dict[str, str]:
    from ..report import fixed
    from ..report import signed
    if effect is None:
        return {"dropout_12": "—", "dropout_12_ci": "not measured",
                "dropout_reduced": "—", "dropout_reduced_lost": "—",
                "dropout_reduced_n": "—", "dropout_state": "not finished"}
    twelve, reduced = effect.iloc[0], effect.iloc[1:]
    lost = int(((reduced["difference"] < 0) & reduced["excludes_zero"]).sum())
    return {"dropout_12": signed(100 * twelve["difference"], 1),
            "dropout_12_ci": f"{fixed(100 * twelve['low'], 1)} to "
                             f"{fixed(100 * twelve['high'], 1)}",
            "dropout_reduced": f"{signed(100 * reduced['difference'].min(), 1)} to "
                               f"{signed(100 * reduced['difference'].max(), 1)}",
            "dropout_reduced_lost": str(lost), "dropout_reduced_n": str(len(reduced)),
            "dropout_state": "finished"}


def glue_values(res: UniversalResults) -> dict[str, str]:
    """The chapter's glued values of one set of results, by short name."""
    from ..report import fmt_ci, fmt_number
    from ..report import signed
    out = {f"acc_{k}": fmt_ci(*_config_value(res, k, "accuracy")) for k in LEAD_CONFIGS}
    out.update({f"f1_{k}": fmt_ci(*_config_value(res, k, "f1_macro")) for k in LEAD_CONFIGS})
    f1_12, f1_1 = _config_value(res, 12, "f1_macro")[0], _config_value(res, 1, "f1_macro")[0]
    out["f1_change_1"] = "—" if None in (f1_12, f1_1) else signed(f1_1 - f1_12)
    for which, row in (("best", res.single.iloc[0]), ("worst", res.single.iloc[-1])):
        out[f"{which}_single"] = row["leads"]
        out[f"{which}_single_f1"] = fmt_ci(row["f1_macro"], row["f1_macro_low"],
                                           row["f1_macro_high"])
    att = res.attention
    for which, lead in (("top", att.top_lead), ("bottom", att.bottom_lead)):
        out[f"{which}_lead"] = lead
        out[f"{which}_weight"] = fmt_ci(*att.table.loc[lead])
    out["attention_deviation"] = fmt_number(att.max_deviation)
    out["attention_record_max"] = fmt_number(att.record_max_weight)
    out["attention_verdict"] = "uniform" if att.uniform else "not uniform"
    out["attention_preference"] = ("no lead preference" if att.uniform
                                   else "a preference for some leads")
    out["n_test"] = f"{res.n_test:,}"
    out.update(_dropout_values(res.dropout))
    out.update(masking_values(res.metrics))
    return out


def constants() -> dict[str, str]:
    """The fixed yardsticks the chapter states: uniform weight, tolerance and the
    paper's reported loss without lead dropout (in accuracy points)."""
    low, high = LEAD_DROPOUT_ABLATION_DROP
    return {"uniform": f"{UNIFORM:.3f}", "tolerance": f"{UNIFORM_TOLERANCE:.2f}",
            "uniform_plus": f"{UNIFORM + UNIFORM_TOLERANCE:.3f}",
            "paper_dropout_loss": f"{100 * low:.0f} to {100 * high:.0f}"}


def summary_table(results: dict) -> pd.DataFrame:
    """One row per finding, one column per set of results (label -> UniversalResults)."""
    rows = {
        "accuracy, 12 leads (95 % CI)": lambda v: v["acc_12"],
        "accuracy, lead II alone (95 % CI)": lambda v: v["acc_1"],
        "macro-F1, 12 leads (95 % CI)": lambda v: v["f1_12"],
        "macro-F1, lead II alone (95 % CI)": lambda v: v["f1_1"],
        "best single lead (macro-F1)": lambda v: f"{v['best_single']}: {v['best_single_f1']}",
        "lead with the most attention (mean weight)":
            lambda v: f"{v['top_lead']}: {v['top_weight']}",
        "largest distance of a lead's mean weight from 1/12": lambda v: v["attention_deviation"],
        "attention": lambda v: v["attention_verdict"],
        "accuracy without − with lead dropout, 12 leads (points)":
            lambda v: f"{v['dropout_12']} ({v['dropout_12_ci']})",
        "same, reduced lead sets (points)": lambda v: v["dropout_reduced"],
        "masking": lambda v: v.get("masking_exact", "—"),
    }
    values = {label: glue_values(r) for label, r in results.items()}
    return pd.DataFrame([{"finding": name, **{label: f(v) for label, v in values.items()}}
                         for name, f in rows.items()])
