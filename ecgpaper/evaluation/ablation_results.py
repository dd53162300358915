"""The numbers of the Ablations chapter for one set of results (the reference edition or
a build), as data: each ingredient switched off against experiment 1 at the same budget,
as a paired difference on the same test records, and the seed-to-seed spread that puts a
scale on Table 3. The chapter says what they mean; nothing here writes a sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..training import artifacts as art
from ..training.experiments import EXPERIMENTS
from ..training.variants import ABLATION_REFERENCE as REF
from .bootstrap import PairedDifference
from .comparisons import compare_predictions
from ..report import signed
from .variants import MINORITY, calibration_table, per_class_pair, seed_summary

SEED_RUNS = (REF, "seed-1-1", "seed-1-2")
ABLATION_RUNS = ("ablation-no-se", "ablation-no-smoothing", "ablation-no-class-weights")


@dataclass(frozen=True)
class AblationResults:
    se_f1: PairedDifference | None         # macro-F1, SE minus plain ResNet-18
    se_minority_f1_gain: float | None      # mean per-class F1 gain on AF, SA, AT
    ece_with: dict | None                  # ECE (95 % CI) with label smoothing 0.1
    ece_without: dict | None
    weights_f1: PairedDifference | None    # macro-F1, class weights minus none
    weights_minority_sensitivity_gain: float | None
    seed_sd_f1: float | None               # sd of macro-F1 over the seeds of experiment 1
    n_seeds: int
    table3_range_f1: float | None          # max - min macro-F1 over the finished seven

    @property
    def table3_exceeds_seed_noise(self) -> bool | None:
        """Whether Table 3's whole range is more than twice the typical difference
        between two seeds (sd times the square root of 2)."""
        if self.seed_sd_f1 is None or self.table3_range_f1 is None:
            return None
        return self.table3_range_f1 > 2 * np.sqrt(2) * self.seed_sd_f1


def _paired(profile, a: str, b: str, n: int) -> PairedDifference | None:
    """Macro-F1 of run b minus run a on the same test records (None if either is missing)."""
    if len(art.available(profile, [a, b])) < 2:
        return None
    return compare_predictions(art.load_predictions(profile, a),
                               art.load_predictions(profile, b), n=n, seed=profile.seed,
                               metrics=("f1_macro",))["f1_macro"]


def _minority_gain(profile, with_: str, without: str, metric: str, n: int) -> float | None:
    if len(art.available(profile, [with_, without])) < 2:
        return None
    t = per_class_pair(profile, {"a": with_, "b": without}, metric, n)
    return float((t.loc[list(MINORITY), "a"] - t.loc[list(MINORITY), "b"]).mean())


def ablation_results(profile, n_boot: int = 200) -> AblationResults:
    """Every number of the Ablations chapter for `profile`'s finished runs."""
    ece = {}
    if len(art.available(profile, [REF, "ablation-no-smoothing"])) == 2:
        cal = calibration_table(profile, {"with": REF, "without": "ablation-no-smoothing"},
                                n_boot)
        ece = {row["configuration"]: row for row in cal.to_dict("records")}
    seeds = seed_summary(profile, {"seeds": list(SEED_RUNS)}, ("f1_macro",)).iloc[0]
    finished = art.available(profile, list(EXPERIMENTS))
    f1s = [art.load_metrics(profile, e)["metrics"].get("f1_macro") for e in finished]
    f1s = [v for v in f1s if v is not None]
    sd = seeds["f1_macro sd"]
    return AblationResults(
        se_f1=_paired(profile, "ablation-no-se", REF, n_boot),
        se_minority_f1_gain=_minority_gain(profile, REF, "ablation-no-se", "f1", n_boot),
        ece_with=ece.get("with"), ece_without=ece.get("without"),
        weights_f1=_paired(profile, "ablation-no-class-weights", REF, n_boot),
        weights_minority_sensitivity_gain=_minority_gain(
            profile, REF, "ablation-no-class-weights", "sensitivity", n_boot),
        seed_sd_f1=None if np.isnan(sd) else float(sd), n_seeds=int(seeds["seeds"]),
        table3_range_f1=float(max(f1s) - min(f1s)) if len(f1s) > 1 else None)


# --- for reading ---------------------------------------------------------------------------

def _diff(d: PairedDifference | None) -> tuple[str, str, str]:
    """(difference, '95 % CI low to high', verdict) of a paired difference for the prose."""
    from ..report import fmt_number
    if d is None:
        return "—", "not measured", "cannot be judged yet (a run has not finished)"
    return (signed(d.difference), f"{fmt_number(d.low)} to {fmt_number(d.high)}",
            "excludes 0" if d.excludes_zero else "includes 0")


def _ece(block: dict | None) -> str:
    from ..report import fmt_ci
    return "—" if block is None else fmt_ci(block["ece"], block["ece_low"], block["ece_high"])


def _ece_verdict(with_: dict | None, without: dict | None) -> str:
    """How the ECE with smoothing compares with the ECE without, by their intervals."""
    if with_ is None or without is None:
        return "not measured yet"
    if with_["ece_high"] < without["ece_low"]:
        return "lower, and the intervals do not overlap"
    if with_["ece_low"] > without["ece_high"]:
        return "higher, and the intervals do not overlap"
    return "not separated from it (the intervals overlap)"


def glue_values(res: AblationResults) -> dict[str, str]:
    """The chapter's glued values of one set of results, by short name."""
    from ..report import fmt_number
    out = {}
    for key, d in (("se_f1", res.se_f1), ("weights_f1", res.weights_f1)):
        out[key], out[f"{key}_ci"], out[f"{key}_verdict"] = _diff(d)
    out["se_minority"] = "—" if res.se_minority_f1_gain is None else signed(
        res.se_minority_f1_gain)
    out["weights_minority"] = "—" if res.weights_minority_sensitivity_gain is None else \
        signed(res.weights_minority_sensitivity_gain)
    out["ece_with"], out["ece_without"] = _ece(res.ece_with), _ece(res.ece_without)
    out["ece_verdict"] = _ece_verdict(res.ece_with, res.ece_without)
    out["seed_sd"] = fmt_number(res.seed_sd_f1)
    out["n_seeds"] = str(res.n_seeds)
    out["table3_range"] = fmt_number(res.table3_range_f1)
    exceeds = res.table3_exceeds_seed_noise
    out["table3_verdict"] = ("cannot be judged yet" if exceeds is None else
                             "exceeds" if exceeds else "does not exceed")
    return out


def summary_table(results: dict) -> "pd.DataFrame":
    """One row per comparison, one column per set of results (label -> AblationResults)."""
    import pandas as pd
    rows = {
        "macro-F1, SE − plain (paired 95 % CI)": lambda v: f"{v['se_f1']} ({v['se_f1_ci']})",
        "minority F1 (AF, SA, AT), SE − plain": lambda v: v["se_minority"],
        "ECE with label smoothing (95 % CI)": lambda v: v["ece_with"],
        "ECE without label smoothing (95 % CI)": lambda v: v["ece_without"],
        "macro-F1, class weights − none (paired 95 % CI)":
            lambda v: f"{v['weights_f1']} ({v['weights_f1_ci']})",
        "minority sensitivity, class weights − none": lambda v: v["weights_minority"],
        "macro-F1 sd over seeds of experiment 1": lambda v: f"{v['seed_sd']} "
                                                            f"({v['n_seeds']} seeds)",
        "macro-F1 range of Table 3": lambda v: v["table3_range"],
    }
    values = {label: glue_values(r) for label, r in results.items()}
    return pd.DataFrame([{"comparison": name, **{label: f(v) for label, v in values.items()}}
                         for name, f in rows.items()])
