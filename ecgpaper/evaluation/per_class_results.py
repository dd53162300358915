"""The numbers of the per-class chapter for one set of results, as data: Table 6 of one
configuration with 95 % intervals (a stratified bootstrap, or the Wilson interval for a
class with fewer than `bootstrap.SMALL_CLASS` test records), its hardest classes beside
the paper's, and the confusions the paper names, counted from the stored test
predictions. Nothing here writes a sentence."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..constants import CLASSES
from ..paper import TABLE6 as PAPER_TABLE6
from ..training import artifacts as art
from .bootstrap import SMALL_CLASS, WILSON  # noqa: F401 (SMALL_CLASS: the pages quote it)
from .tables import confusion_matrix, named_confusions, paper_table6, per_class

HARDEST = 3                  # how many of the lowest-F1 classes a page names
METRIC_NAMES = {"sensitivity": "sensitivity", "specificity": "specificity", "ppv": "PPV",
                "f1": "F1"}
INTERVALS = {WILSON: "Wilson", "percentile": "bootstrap",
             "percentile, widened to the estimate": "bootstrap, widened", "none": "none"}


def hardest(f1: pd.Series, k: int = HARDEST) -> list[str]:
    """The k classes with the lowest F1 (classes without a defined F1 left out; ties
    kept in CLASSES order)."""
    f1 = f1.dropna()
    order = sorted(f1.index, key=lambda c: (float(f1[c]), list(CLASSES).index(c)))
    return [str(c) for c in order[:k]]


def paper_hardest(k: int = HARDEST) -> list[str]:
    """The paper's k lowest-F1 classes in its Table 6."""
    return hardest(pd.Series({c: row[3] for c, row in PAPER_TABLE6.items()}), k)


@dataclass(frozen=True)
class PerClassResults:
    experiment: str
    table: pd.DataFrame           # `tables.per_class`: metrics, bounds, support, interval
    named: pd.DataFrame           # `tables.named_confusions`
    confusion: pd.DataFrame       # counts, rows true class, columns predicted

    @property
    def hardest(self) -> list[str]:
        return hardest(self.table["f1"])

    @property
    def wilson_classes(self) -> list[str]:
        return [str(c) for c in self.table.index[self.table["interval"] == WILSON]]


def per_class_results(profile, experiment: str, n_boot: int | None = None) -> PerClassResults:
    """Table 6, the named confusions and the confusion matrix of one finished run."""
    pred = art.load_predictions(profile, experiment)
    return PerClassResults(experiment, per_class(profile, experiment, n_boot),
                           named_confusions(pred), confusion_matrix(pred))


def configurations(profile, best: str | None, paper_choice: str) -> list[str]:
    """The configurations a page analyses: the paper's choice and the one picked by
    validation macro-F1, each once, those that have finished."""
    wanted = [e for e in dict.fromkeys([paper_choice, best]) if e is not None]
    done = set(art.available(profile, wanted))
    return [e for e in wanted if e in done]


# --- for reading ---------------------------------------------------------------------------

def table6_part(res: PerClassResults, metrics: tuple[str, str]) -> pd.DataFrame:
    """Two of Table 6's metrics per class: ours with 95 % intervals beside the paper's;
    the sensitivity part also gives the test records and how the interval was made."""
    from ..report import fmt_ci, fmt_number
    ours, paper = res.table, paper_table6().reindex(res.table.index)
    out = pd.DataFrame({"class": ours.index})
    for m in metrics:
        out[f"{METRIC_NAMES[m]}, ours (95 % CI)"] = [
            fmt_ci(v, lo, hi) for v, lo, hi in zip(ours[m], ours[f"{m}_low"], ours[f"{m}_high"])]
        out[f"{METRIC_NAMES[m]}, paper"] = [fmt_number(v) for v in paper[m]]
    if "sensitivity" in metrics:
        out["test records, ours / paper"] = [f"{int(n):,} / {int(p):,}" for n, p in
                                             zip(ours["support"], paper["support"])]
        out["interval, ours"] = [INTERVALS.get(v, v) for v in ours["interval"]]
    return out


def f1_side_by_side(results: dict) -> pd.DataFrame:
    """F1 per class of each set of results (label -> PerClassResults) with its 95 %
    interval and test records, beside the paper's Table 6."""
    from ..report import fmt_ci, fmt_number
    paper = paper_table6()
    out = pd.DataFrame({"class": list(CLASSES)})
    for label, res in results.items():
        t = res.table.reindex(list(CLASSES))
        out[f"F1, {label} (95 % CI)"] = [fmt_ci(v, lo, hi) for v, lo, hi in
                                         zip(t["f1"], t["f1_low"], t["f1_high"])]
        out[f"test records, {label}"] = [f"{int(n):,}" for n in t["support"]]
    out["F1, paper"] = [fmt_number(v) for v in paper.reindex(list(CLASSES))["f1"]]
    out["test records, paper"] = [f"{int(n):,}" for n in
                                  paper.reindex(list(CLASSES))["support"]]
    return out


def confusions_table(res: PerClassResults) -> pd.DataFrame:
    """The confusions the paper names: our counts beside the paper's."""
    from ..report import fmt_number
    n = res.named
    return pd.DataFrame({
        "true class": n["true class"], "read as": n["predicted as"],
        "ours": [f"{k:,} of {m:,} ({fmt_number(k / m)})" if m else f"{k:,} of 0"
                 for k, m in zip(n["ours"], n["ours n"])],
        "paper (reported)": [f"{int(k)} of {int(m)} ({fmt_number(k / m)})" if pd.notna(k)
                             else "no count given" for k, m in zip(n["paper"], n["paper n"])]})


def overlap(a: list[str], b: list[str]) -> int:
    return len(set(a) & set(b))


def glue_values(res: PerClassResults) -> dict[str, str]:
    """The chapter's glued values of one configuration's per-class results."""
    from ..report import fmt_ci, fmt_number
    t = res.table
    worst = res.hardest[0] if res.hardest else None
    out = {"experiment": res.experiment, "hardest": ", ".join(res.hardest) or "—",
           "hardest_overlap": str(overlap(res.hardest, paper_hardest())),
           "worst": worst or "—",
           "worst_f1": "—" if worst is None else fmt_ci(*t.loc[worst, ["f1", "f1_low",
                                                                      "f1_high"]]),
           "wilson": ", ".join(res.wilson_classes) or "none",
           "n_test": f"{int(t['support'].sum()):,}"}
    for _, row in res.named.iterrows():
        c = row["true class"]
        out[f"{c}_confused"], out[f"{c}_n"] = f"{int(row['ours']):,}", f"{int(row['ours n']):,}"
        out[f"{c}_share"] = fmt_number(row["ours share"])
    return out
