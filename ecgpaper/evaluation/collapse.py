"""Did a network learn anything? A network that answers mostly one rhythm, or scores
below always answering the test split's most common rhythm, describes a failed
training, not a method; pages that compare runs check this before reading a ranking.

Rule: a run is flagged when its accuracy is below the majority-class accuracy of its test
split, or when it gives one answer to more than 60 % of the test records although that
rhythm is less common than that in the split.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..constants import CLASSES

ONE_CLASS_SHARE = 0.60


@dataclass(frozen=True)
class CollapseCheck:
    n_records: int
    accuracy: float
    majority_class: str           # the test split's most common true rhythm
    majority_accuracy: float      # accuracy of always answering it
    top_prediction: str           # the answer given most often
    top_prediction_share: float   # share of test records given that answer
    top_prediction_true_share: float   # how common that rhythm really is in the split
    below_majority: bool
    one_class: bool

    @property
    def learned(self) -> bool:
        """Neither below the majority baseline nor collapsed onto one answer."""
        return not (self.below_majority or self.one_class)

    def to_dict(self) -> dict:
        return {**asdict(self), "learned": self.learned}


def collapse_check(y_true, y_pred, classes=CLASSES,
                   one_class_share: float = ONE_CLASS_SHARE) -> CollapseCheck:
    """Compare a run's test predictions (class indices) with the majority baseline."""
    y_true, y_pred = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"collapse_check: expected two equally long, non-empty label "
                         f"arrays, got {y_true.shape} and {y_pred.shape}")
    n = y_true.size
    true_counts = np.bincount(y_true, minlength=len(classes))
    pred_counts = np.bincount(y_pred, minlength=len(classes))
    majority, top = int(true_counts.argmax()), int(pred_counts.argmax())
    accuracy = float((y_true == y_pred).mean())
    majority_accuracy = float(true_counts[majority] / n)
    top_share, top_true = float(pred_counts[top] / n), float(true_counts[top] / n)
    return CollapseCheck(
        n_records=int(n), accuracy=accuracy, majority_class=classes[majority],
        majority_accuracy=majority_accuracy, top_prediction=classes[top],
        top_prediction_share=top_share, top_prediction_true_share=top_true,
        below_majority=accuracy < majority_accuracy,
        one_class=top_share > one_class_share and top_true < one_class_share)


def run_collapse_check(predictions) -> CollapseCheck:
    """The check on a run's predictions.csv frame (columns `label` and `pred`, rhythm
    names or class indices)."""
    index = {c: i for i, c in enumerate(CLASSES)}

    def codes(col):
        return [index[v] if isinstance(v, str) else int(v) for v in predictions[col]]
    return collapse_check(codes("label"), codes("pred"))
