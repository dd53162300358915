"""The experiment page's tables and quoted figures, for any one configuration: what the
network receives, how its training went (and whether it converged), its test metrics
beside the paper's, its best and worst class, and its paired difference from
experiment 1 on the same test records."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import paper
from ..evaluation import tables as result_tables
from ..report import fmt_ci, fmt_number
from . import counted

QUOTED_METRICS = ("accuracy", "precision_macro", "f1_macro", "auc_macro", "kappa", "mcc")

# What each convergence reason (`training.convergence`) means, for the page's sentence.
CONVERGENCE_PHRASES = {
    "early-stopped": "early stopping ended the run after its validation macro-F1 stopped "
                     "improving",
    "plateau": "its validation macro-F1 had levelled off before the epoch cap",
    "still-improving": "its validation macro-F1 was still rising when the epoch cap "
                       "stopped it",
    "too-few-epochs": "it ran too few epochs to show a plateau",
}


def paper_row(config) -> dict:
    """The paper's reported figures for this configuration (Table 4 for its best one,
    which lists every metric; Table 3 otherwise)."""
    return paper.TABLE4 if config.id == paper.BEST_EXPERIMENT else config.paper


def paper_source(config) -> str:
    return "Table 4" if config.id == paper.BEST_EXPERIMENT else "Table 3"


def input_table(run: dict, config) -> pd.DataFrame:
    """What the network receives, ours beside the paper's description."""
    inputs = run["input"]
    parameters = (f"{paper.PARAMETER_COUNTS['total']:,} (UniversalECGNet)"
                  if config.universal else "not reported")
    return pd.DataFrame({
        "": ["signal", "samples per lead", "auxiliary inputs (MLP branch)", "parameters",
             "train / validation / test records"],
        "ours": [f"{inputs['n_leads']} leads", f"{inputs['n_samples']:,} ({inputs['fs']} Hz, 10 s)",
                 f"{inputs['n_features']}", f"{run['n_parameters']:,}",
                 f"{run['n_train']:,} / {run['n_val']:,} / {run['n_test']:,}"],
        "paper (reported)": ["1–12 leads" if config.universal else "12 leads",
                             "5,000 (500 Hz, 10 s)",
                             str(config.paper_n_inputs) if config.paper_n_inputs else "0",
                             parameters, " / ".join(f"{n:,}" for n in paper.SPLIT_SIZES)]})


def _threads(n) -> str:
    return counted(int(n), "thread") if n else "the device's default threads"


def _signed(x: float) -> float:
    """Rounded to the three decimals the page prints, without a negative zero."""
    return round(float(x), 3) + 0.0


def training_facts(run: dict) -> dict:
    """The numbers the training paragraph quotes."""
    timing = run["timing"]
    return {"reused": "reused the finished run" if run.get("reused") else "trained it now",
            "epochs_run": int(run["epochs_run"]), "max_epochs": int(run["max_epochs"]),
            "epochs_run_text": counted(int(run["epochs_run"]), "epoch"),
            "max_epochs_text": counted(int(run["max_epochs"]), "epoch"),
            "patience": int(run["patience"]), "batch_size": int(run["batch_size"]),
            "best_val_f1": float(run["best_val_f1_macro"]), "best_epoch": int(run["best_epoch"]),
            "train_seconds": round(float(timing["train_seconds"]), 1),
            "device": str(timing["device"]), "threads": _threads(timing.get("threads")),
            "n_features": int(run["input"]["n_features"]),
            "feature_names": ", ".join(run["input"]["feature_names"]) or "none"}


def convergence_facts(conv) -> dict:
    """A `training.convergence.Convergence` as the values the page quotes."""
    gain = conv.gain_last_third
    return {"converged": "yes" if conv.converged else "no", "convergence_reason": conv.reason,
            "convergence_phrase": CONVERGENCE_PHRASES[conv.reason],
            "convergence_gain": (f"{gain:.3f}" if gain is not None else
                                 "not measurable with this few epochs"),
            "convergence_tolerance": float(conv.tolerance)}


def metrics_table(run: dict, config) -> pd.DataFrame:
    """Test metrics with 95 % intervals beside the paper's reported figures."""
    table = result_tables.metric_table(run, paper_row(config), list(result_tables.LABELS))
    return pd.DataFrame({
        "metric": table["label"],
        "ours (95 % CI)": [fmt_ci(v, lo, hi) for v, lo, hi in
                           zip(table["ours"], table["low"], table["high"])],
        "paper (reported)": [fmt_number(v) if np.isfinite(v) else "not reported"
                             for v in table["paper"]]})


def metric_facts(run: dict) -> dict:
    """Each quoted metric and its interval as text ('0.842 (0.801–0.879)')."""
    out = {}
    for metric in QUOTED_METRICS:
        value = run["metrics"].get(metric)
        interval = (run.get("ci") or {}).get(metric)
        if value is not None:
            out[metric] = round(float(value), 3)
        if interval:
            out[metric + "_ci"] = fmt_ci(interval["value"], interval["low"], interval["high"])
    return out


def summary_facts(summary) -> dict:
    """An `evaluation.comparisons.ResultsSummary` as the values the page quotes."""
    facts = {"best_class": summary.best or "none", "worst_class": summary.worst or "none",
             "best_f1": fmt_ci(*summary.best_f1) if summary.best_f1 else "—",
             "worst_f1": fmt_ci(*summary.worst_f1) if summary.worst_f1 else "—",
             "worst_support": counted(int(summary.worst_support), "test record")}
    if summary.confusion_true is None:
        facts.update(top_error="none (every test record is classified correctly)",
                     top_error_count=0, top_error_n_true=counted(0, "test record"))
    else:
        facts.update(top_error=f"{summary.confusion_true} read as {summary.confusion_predicted}",
                     top_error_count=int(summary.confusion_count),
                     top_error_n_true=counted(int(summary.confusion_n_true), "test record"))
    return facts


def versus_experiment_1(differences: dict, is_experiment_1: bool) -> dict:
    """Paired differences from experiment 1 (`comparisons.compare_predictions`) as the
    values the page quotes, with the verdict on whether the interval excludes 0."""
    facts = {}
    for metric, d in differences.items():
        facts[f"vs1_{metric}"] = _signed(d.difference)
        facts[f"vs1_{metric}_low"] = _signed(d.low)
        facts[f"vs1_{metric}_high"] = _signed(d.high)
        facts[f"vs1_{metric}_verdict"] = (
            "zero by construction, since this page is experiment 1" if is_experiment_1 else
            "the interval excludes 0" if d.excludes_zero else
            "the interval includes 0, so these test records do not separate the two")
    first = next(iter(differences.values()))
    facts["vs1_n_records"] = int(first.n_records)
    facts["vs1_n_resamples"] = int(first.n_resamples)
    return facts
