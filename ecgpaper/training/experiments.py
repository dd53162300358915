"""The paper's seven experimental configurations, as data, with the paper's reported
figures (Tables 3-6) beside them for display. Nothing here trains; `training.run` reads
these rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..constants import LEADS


@dataclass(frozen=True)
class Experiment:
    id: str
    name: str                      # Table 3 "Configuration"
    paper_input: str               # Table 3 "Input", as printed in the paper
    metadata: str | None = None    # features.metadata columns: "full" | "age_gender" | None
    morphology: str | None = None  # NeuroKit2 features: "all" | "filtered" | None
    model: str = "standard"        # "standard" (SE-ResNet18[-Meta]) | "universal"
    paper_n_inputs: int = 0        # MLP input size stated by the paper
    paper: dict = field(default_factory=dict)  # Table 3 row (paper's reported figures)

    @property
    def universal(self) -> bool:
        return self.model == "universal"

    @property
    def uses_features(self) -> bool:
        return self.metadata is not None or self.morphology is not None

    def describe(self) -> str:
        """One sentence: what the network receives."""
        if self.universal:
            return ("any subset of the 12 leads, each through one shared single-lead "
                    "SE-ResNet18, pooled by attention over the available leads")
        parts = ["the 12-lead ECG"]
        if self.metadata == "full":
            parts.append("the 14 clinical measurements and demographics of Diagnostics.xlsx")
        elif self.metadata == "age_gender":
            parts.append("age and gender (one-hot)")
        if self.morphology == "all":
            parts.append("all NeuroKit2 morphology features")
        elif self.morphology == "filtered":
            parts.append("the NeuroKit2 features with at most 5 % fallback values")
        return " + ".join(parts)


def _row(acc, p, f1, auc) -> dict:
    return {"accuracy": acc, "precision_macro": p, "f1_macro": f1, "auc_macro": auc}


EXPERIMENTS: dict[str, Experiment] = {e.id: e for e in (
    Experiment("1", "Signal only", "ECG 12×5000", paper=_row(0.938, 0.862, 0.859, 0.946)),
    Experiment("2", "Signal + metadata", "ECG + 14 meta", metadata="full",
               paper_n_inputs=14, paper=_row(0.942, 0.855, 0.851, 0.956)),
    Experiment("3", "+ all NeuroKit2", "ECG + 36 feat", metadata="full", morphology="all",
               paper_n_inputs=36, paper=_row(0.932, 0.849, 0.850, 0.968)),
    Experiment("4", "+ filtered NeuroKit2", "ECG + 27 feat", metadata="full",
               morphology="filtered", paper_n_inputs=27,
               paper=_row(0.923, 0.836, 0.831, 0.966)),
    Experiment("5", "Signal + age/gender", "ECG + 3 feat", metadata="age_gender",
               paper_n_inputs=3, paper=_row(0.935, 0.841, 0.843, 0.937)),
    Experiment("6", "+ age/gender + NK2", "ECG + 16 feat", metadata="age_gender",
               morphology="filtered", paper_n_inputs=16,
               paper=_row(0.935, 0.829, 0.846, 0.965)),
    Experiment("7", "Universal (12-lead)", "1–12 leads", model="universal",
               paper=_row(0.936, 0.841, 0.838, 0.953)),
)}

# Lead configurations the universal model is evaluated on (paper Table 5), by name.
LEAD_CONFIGS: dict[int, tuple[str, ...]] = {
    12: LEADS,
    6: ("I", "II", "III", "aVR", "aVL", "aVF"),
    3: ("I", "II", "V1"),
    1: ("II",),
}

# Paper's Table 4 (experiment 2, test set) — paper's reported figures.
PAPER_TABLE4: dict[str, float] = {
    "accuracy": 0.9422, "precision_macro": 0.8548, "recall_macro": 0.8495,
    "f1_macro": 0.8512, "f1_weighted": 0.9415, "auc_macro": 0.9562, "kappa": 0.9259,
    "mcc": 0.9260, "log_loss": 0.4662, "top2_accuracy": 0.9755,
}

# Paper's Table 5 (UniversalECGNet per lead configuration) — paper's reported figures.
PAPER_TABLE5: dict[int, dict[str, float]] = {
    12: {"accuracy": 0.936, "f1_macro": 0.838, "f1_weighted": 0.936, "auc_macro": 0.953},
    6: {"accuracy": 0.937, "f1_macro": 0.837, "f1_weighted": 0.936, "auc_macro": 0.945},
    3: {"accuracy": 0.938, "f1_macro": 0.842, "f1_weighted": 0.939, "auc_macro": 0.951},
    1: {"accuracy": 0.916, "f1_macro": 0.787, "f1_weighted": 0.915, "auc_macro": 0.941},
}

# Paper's Table 6 (experiment 2): class -> (sens, spec, ppv, f1, n_test).
PAPER_TABLE6: dict[str, tuple[float, float, float, float, int]] = {
    "SB": (0.990, 0.997, 0.995, 0.992, 584),
    "SR": (0.938, 0.988, 0.941, 0.940, 274),
    "AFIB": (0.959, 0.985, 0.928, 0.943, 267),
    "ST": (0.975, 0.992, 0.954, 0.964, 235),
    "SVT": (0.932, 0.995, 0.911, 0.921, 88),
    "AF": (0.642, 0.990, 0.741, 0.688, 67),
    "SA": (0.750, 0.994, 0.818, 0.783, 60),
    "AT": (0.611, 0.994, 0.550, 0.579, 18),
}

# Named confusions discussed in the paper: (true, predicted classes, paper count, n_true).
# The paper gives no count for AT; it names SVT and ST as the classes AT is mistaken for.
PAPER_CONFUSIONS: tuple[tuple[str, tuple[str, ...], int | None, int], ...] = (
    ("AF", ("AFIB",), 12, 67),
    ("SA", ("SR",), 13, 60),
    ("AT", ("SVT", "ST"), None, 18),
)

# Mean attention per lead reported in the paper (ranges): lead -> (low, high).
PAPER_ATTENTION: dict[str, tuple[float, float]] = {
    "II": (0.15, 0.18), "V1": (0.10, 0.14), "aVF": (0.09, 0.12),
}

PAPER_BEST_EXPERIMENT = "2"


def experiments_table():
    """DataFrame of the seven configurations (paper's figures labelled as such)."""
    import pandas as pd
    rows = []
    for e in EXPERIMENTS.values():
        rows.append({
            "experiment": e.id, "configuration": e.name, "input (paper)": e.paper_input,
            "model": "UniversalECGNet" if e.universal else
            ("SE-ResNet18-Meta" if e.uses_features else "SE-ResNet18"),
            "metadata": e.metadata or "-", "NeuroKit2": e.morphology or "-",
            "MLP inputs (paper)": e.paper_n_inputs or None,
            **{f"paper {k}": v for k, v in e.paper.items()},
        })
    return pd.DataFrame(rows).set_index("experiment")


def get_experiment(exp_id) -> Experiment:
    key = str(exp_id)
    if key not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {exp_id!r}; expected one of "
                         f"{', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[key]
