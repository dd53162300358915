"""Did a run reach its plateau? A network stopped at its epoch cap while its validation
score is still rising describes the budget, not the method, so every page that shows a
run says whether it converged, computed here from the run's own history.

Rule (the same for every run): a run converged when the paper's early stopping fired
(no gain in validation macro-F1 for `patience` epochs), or when its best validation
macro-F1 improved by less than `tolerance` (0.01) over the last third of its epochs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

TOLERANCE = 0.01      # macro-F1 points gained over the last third that still count as flat
MIN_EPOCHS = 3        # fewer epochs than this cannot show a plateau


@dataclass(frozen=True)
class Convergence:
    converged: bool
    reason: str                 # "early-stopped" | "plateau" | "still-improving" | "too-few-epochs"
    epochs_run: int
    max_epochs: int | None
    best_epoch: int | None
    gain_last_third: float | None   # best val macro-F1 gained over the last third of epochs
    tolerance: float = TOLERANCE

    def to_dict(self) -> dict:
        return asdict(self)


def convergence(val_f1: list[float], *, stopped_early: bool, max_epochs: int | None = None,
                tolerance: float = TOLERANCE) -> Convergence:
    """Judge convergence from the per-epoch validation macro-F1 of one run."""
    scores = [float(s) for s in val_f1 if s is not None and not math.isnan(float(s))]
    n = len(scores)
    best_epoch = (max(range(n), key=lambda i: (scores[i], -i)) + 1) if n else None
    if n == 0:
        return Convergence(False, "too-few-epochs", 0, max_epochs, None, None, tolerance)
    tail = max(1, math.ceil(n / 3))
    gain = max(scores) - max(scores[:n - tail]) if n > tail else None
    if stopped_early:
        return Convergence(True, "early-stopped", n, max_epochs, best_epoch,
                           None if gain is None else round(gain, 4), tolerance)
    if n < MIN_EPOCHS or gain is None:
        return Convergence(False, "too-few-epochs", n, max_epochs, best_epoch,
                           None if gain is None else round(gain, 4), tolerance)
    flat = gain < tolerance
    return Convergence(flat, "plateau" if flat else "still-improving", n, max_epochs,
                       best_epoch, round(gain, 4), tolerance)


def run_convergence(metrics: dict, history=None) -> Convergence | None:
    """A finished run's convergence: the value stored in its metrics.json, else computed
    from its history (a DataFrame with `val_f1_macro`); None for runs without epochs
    (gradient boosting, the rules)."""
    stored = metrics.get("convergence")
    if stored:
        return Convergence(**stored)
    if history is None or "val_f1_macro" not in getattr(history, "columns", ()):
        return None
    return convergence(list(history["val_f1_macro"]),
                       stopped_early=bool(metrics.get("stopped_early")),
                       max_epochs=metrics.get("max_epochs"))
