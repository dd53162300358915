"""The numbers of the Comparison chapter for one set of results, as data: Table 3 for
reading, and what each step between the paper's configurations changes, as a paired
difference on the same test records (the paper reports single runs without intervals,
so its ranking cannot tell a real gain from noise; ours can)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..report import fmt_ci, fmt_number
from ..training import artifacts as art
from ..training.experiments import EXPERIMENTS
from .bootstrap import PairedDifference
from .comparisons import compare_predictions
from .tables import LABELS, table3

# (configuration, the one it adds to, what it adds): the paper's steps between rows.
STEPS = (("2", "1", "the 14 clinical measurements"),
         ("3", "2", "all NeuroKit2 features"),
         ("4", "3", "filtering the NeuroKit2 features"),
         ("5", "1", "age and gender only"),
         ("6", "5", "filtered NeuroKit2 features"))
METRICS = ("accuracy", "f1_macro", "auc_macro")


@dataclass(frozen=True)
class Step:
    config: str
    base: str
    adds: str
    difference: PairedDifference      # macro-F1 of `config` minus `base`


def table3_for_reading(profile, configs=None) -> pd.DataFrame:
    """Table 3 of `profile`'s finished experiments: ours with 95 % intervals beside the
    paper's reported figure, for accuracy, macro-F1 and macro-AUC."""
    t3 = table3(profile)
    if t3.empty:
        return t3
    if configs is not None:
        t3 = t3.loc[[c for c in configs if c in t3.index]]
    out = pd.DataFrame({"experiment": [f"{e}: {c}" for e, c in
                                       zip(t3.index, t3["configuration"])]})
    for k in METRICS:
        out[f"{LABELS[k]}, ours (95 % CI)"] = [fmt_ci(v, lo, hi) for v, lo, hi in zip(
            t3[k], t3[f"{k}_low"], t3[f"{k}_high"])]
        out[f"{LABELS[k]}, paper"] = [fmt_number(v) for v in t3[f"{k}_paper"]]
    return out


def steps(profile, n_boot: int = 1000, metric: str = "f1_macro") -> list[Step]:
    """The paired difference of every step of STEPS whose two runs have finished."""
    out = []
    for config, base, adds in STEPS:
        if len(art.available(profile, [config, base])) < 2:
            continue
        d = compare_predictions(art.load_predictions(profile, base),
                                art.load_predictions(profile, config), n=n_boot,
                                seed=profile.seed, metrics=(metric,))[metric]
        out.append(Step(config, base, adds, d))
    return out


def steps_table(found: list[Step]) -> pd.DataFrame:
    """The steps for reading: what was added, the difference and its paired interval."""
    from ..report import signed
    return pd.DataFrame([{
        "step": f"experiment {s.base} → {s.config}", "adds": s.adds,
        "macro-F1 difference": signed(s.difference.difference),
        "paired 95 % CI": f"{fmt_number(s.difference.low)} to {fmt_number(s.difference.high)}",
        "separates the two": "yes" if s.difference.excludes_zero else "no"}
        for s in found])


def best_by_validation(profile) -> tuple[str, float] | None:
    """The finished experiment with the highest validation macro-F1 (the test set plays
    no part in the choice) and that score."""
    best = None
    for e in art.available(profile, list(EXPERIMENTS)):
        s = art.load_metrics(profile, e).get("best_val_f1_macro")
        if s is not None and (best is None or s > best[1]):
            best = (e, float(s))
    return best


def separated(found: list[Step]) -> int:
    """How many steps change macro-F1 by more than the paired interval allows as noise."""
    return sum(s.difference.excludes_zero for s in found)
