"""Can a run carry a conclusion? One record per finished run: its budget (epoch cap,
early-stopping patience, twin size), whether it converged (`training.convergence`) and
whether it learned more than the majority class (`evaluation.collapse`). The comparison
chapters show these beside every ranking and compare only runs of one budget."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..training import artifacts as art
from ..training.convergence import Convergence, run_convergence
from ..training.experiments import get_experiment
from .collapse import CollapseCheck, run_collapse_check


@dataclass(frozen=True)
class RunCheck:
    config: str
    name: str
    twin_records: int
    epochs_run: int | None        # None: no training loop (gradient boosting, rules)
    max_epochs: int | None
    patience: int | None
    convergence: Convergence | None
    collapse: CollapseCheck

    @property
    def converged(self) -> bool | None:
        return None if self.convergence is None else self.convergence.converged

    @property
    def usable(self) -> bool:
        """Converged (or no epochs to converge over) and learned beyond the majority."""
        return self.converged is not False and self.collapse.learned

    @property
    def budget(self) -> tuple:
        """What two runs must share to be compared: cap, patience and data size."""
        return (self.max_epochs, self.patience, self.twin_records)


def run_check(profile, config: str) -> RunCheck:
    """The check of one finished run of `profile` (its metrics, history, predictions)."""
    metrics = art.load_metrics(profile, config)
    history_path = art.experiment_dir(profile, config) / "history.csv"
    history = pd.read_csv(history_path) if history_path.is_file() else None
    neural = get_experiment(config).neural
    return RunCheck(
        config=config, name=metrics.get("name", get_experiment(config).name),
        twin_records=int(profile.twin_records),
        epochs_run=metrics.get("epochs_run") if neural else None,
        max_epochs=metrics.get("max_epochs") if neural else None,
        patience=metrics.get("patience") if neural else None,
        convergence=run_convergence(metrics, history) if neural else None,
        collapse=run_collapse_check(art.load_predictions(profile, config)))


def run_checks(profile, configs) -> list[RunCheck]:
    """Checks of those of `configs` that have finished under `profile`."""
    return [run_check(profile, c) for c in art.available(profile, list(configs))]


REASONS = {"early-stopped": "yes, stopped early", "plateau": "yes, plateau",
           "still-improving": "no, still improving", "too-few-epochs": "no, too few epochs"}


def checks_table(checks: list[RunCheck]) -> pd.DataFrame:
    """The checks for reading: one row per run with labelled columns."""
    rows = []
    for c in checks:
        conv = c.convergence
        rows.append({
            "configuration": c.name,
            "epochs run / cap": "—" if c.epochs_run is None else
            f"{c.epochs_run} / {c.max_epochs}",
            "patience": "—" if c.patience is None else str(c.patience),
            "converged": "no epochs" if conv is None else REASONS[conv.reason],
            "accuracy": f"{c.collapse.accuracy:.3f}",
            "majority-class accuracy": f"{c.collapse.majority_accuracy:.3f}",
            "most frequent answer": f"{c.collapse.top_prediction} "
                                    f"({c.collapse.top_prediction_share:.0%})",
            "learned": "yes" if c.collapse.learned else "no",
        })
    return pd.DataFrame(rows)


def counts(checks: list[RunCheck]) -> dict:
    """How many runs converged, learned, and are usable (for glued sentences)."""
    neural = [c for c in checks if c.convergence is not None]
    return {"runs": len(checks), "neural": len(neural),
            "converged": sum(bool(c.converged) for c in neural),
            "learned": sum(c.collapse.learned for c in checks),
            "usable": sum(c.usable for c in checks),
            "not_usable": [c.name for c in checks if not c.usable]}


def same_budget(checks: list[RunCheck]) -> bool:
    """Whether every neural run of `checks` had one epoch cap, patience and twin size."""
    return len({c.budget for c in checks if c.convergence is not None}) <= 1


def comparison_verdict(checks: list[RunCheck]) -> str:
    """Whether a difference between the runs of `checks` can carry a conclusion, as a
    sentence for the page: every run converged, learned beyond the majority class and
    shared one budget, or what stops it (a run still improving at its cap is a budget,
    not a design)."""
    problems = []
    for c in checks:
        if c.converged is False:
            why = c.convergence.reason.replace("-", " ")
            problems.append(f"{c.name} had not converged ({c.epochs_run} of {c.max_epochs} "
                            f"epochs, {why})")
        elif not c.collapse.learned:
            problems.append(f"{c.name} learned no more than the majority class")
    if not same_budget(checks):
        caps = sorted({c.max_epochs for c in checks if c.convergence is not None})
        which = (f" (epoch caps {' and '.join(str(cap) for cap in caps)})" if len(caps) > 1
                 else " (patience or twin size)")
        problems.append("the runs trained under different budgets" + which)
    if not problems:
        return ("Both runs converged, learned more than the majority class and trained "
                "under one budget, so the difference compares the designs.")
    return "This difference is not a result: " + "; ".join(problems) + "."
