"""The paper's seven experimental configurations, as data, with the paper's reported
figures (Tables 3-6) beside them for display, and the further configurations the book
trains (ablations, seeds, the related designs as baselines) in `training.variants`.
Nothing here trains; `training.run` reads these rows."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields

from .. import paper
from ..constants import LEADS


@dataclass(frozen=True)
class Experiment:
    id: str
    name: str                      # Table 3 "Configuration"
    paper_input: str               # Table 3 "Input", as printed in the paper
    metadata: str | None = None    # features.metadata columns: "full" | "age_gender" | None
    morphology: str | None = None  # NeuroKit2 features: "all" | "filtered" | None
    # "standard" (SE-ResNet18[-Meta]), "universal", a related design of the registry
    # ("multiscale_se", "cnn_gru", "cnn_att_bigru", "rescnn_bigru"), or a non-neural
    # baseline ("tabular": gradient boosting on the metadata, "rules")
    model: str = "standard"
    paper_n_inputs: int = 0        # MLP input size stated by the paper
    paper: dict = field(default_factory=dict)  # Table 3 row (paper's reported figures)
    # --- training settings an ablation may change (defaults: the paper's recipe) ---------
    se: bool = True                       # squeeze-and-excitation in every residual block
    label_smoothing: float | None = None  # None: the profile's (Table 2: 0.1)
    class_weights: bool = True            # inverse-frequency class weights in the loss
    lead_dropout: bool = True             # universal model: random lead subsets in training
    lead_dropout_p_all: float = 0.5       # universal model: share of batches with all leads
    seed_offset: int = 0                  # training seed = profile seed + offset (data unchanged)
    options: dict = field(default_factory=dict)       # model config fields
    # --- on the demo profile only ------------------------------------------------------
    demo: dict = field(default_factory=dict)          # caps on profile settings
    demo_options: dict = field(default_factory=dict)  # model config fields
    # --- bookkeeping ---------------------------------------------------------------------
    group: str = "paper"           # "paper" | "ablation" | "seed" | "baseline"
    base: str | None = None        # the configuration this one varies

    @property
    def universal(self) -> bool:
        return self.model == "universal"

    @property
    def neural(self) -> bool:
        """Trained by the loop (False for gradient boosting and the rules)."""
        return self.model not in ("tabular", "rules")

    def variant(self) -> dict:
        """The settings that differ from the paper's recipe (empty for the seven
        experiments, so their configuration hashes stay what they were)."""
        skip = {"id", "name", "paper_input", "metadata", "morphology", "model",
                "paper_n_inputs", "paper", "group", "base"}
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in skip and getattr(self, f.name) != _DEFAULTS[f.name]}

    @property
    def uses_features(self) -> bool:
        return self.metadata is not None or self.morphology is not None

    def describe(self) -> str:
        """One sentence: what the network receives."""
        if self.model not in ("standard", "universal"):
            return MODEL_INPUTS.get(self.model, "the 12-lead ECG")
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


_DEFAULTS = {f.name: (f.default_factory() if f.default_factory is not dataclasses.MISSING
                      else f.default) for f in fields(Experiment)}

MODEL_LABELS = {"standard": "SE-ResNet18", "universal": "UniversalECGNet",
                "multiscale_se": "Multi-scale SE CNN", "cnn_gru": "Lightweight CNN-GRU",
                "cnn_att_bigru": "CNN + attention + BiGRU",
                "rescnn_bigru": "Residual CNN + BiGRU + attention",
                "tabular": "Gradient boosting (metadata)", "rules": "Rule-based"}
MODEL_INPUTS = {
    "tabular": "the 14 clinical measurements and demographics only (no signal)",
    "rules": "heart rate, RR irregularity and atrial activity measured by NeuroKit2 on "
             "leads II and V1",
    "rescnn_bigru": "the 12-lead ECG and two power envelopes per lead (0-8 and 0-24 Hz)",
}

# The universal model on the demo profile: narrow, and at the profile's own epoch budget
# with the paper's early stopping, like every other network there. Its twelve backbone
# passes per record cost about 5 s an epoch on one core at demo size; patience stopped
# it and its ablation after 38 and 34 epochs (measured), about three minutes each.
DEMO_UNIVERSAL = {"width": 0.125}

EXPERIMENTS: dict[str, Experiment] = {e.id: e for e in (
    Experiment("1", "Signal only", paper.TABLE3_INPUT["1"], paper=paper.TABLE3["1"]),
    Experiment("2", "Signal + metadata", paper.TABLE3_INPUT["2"], metadata="full",
               paper_n_inputs=paper.MLP_INPUTS["2"], paper=paper.TABLE3["2"]),
    Experiment("3", "+ all NeuroKit2", paper.TABLE3_INPUT["3"], metadata="full", morphology="all",
               paper_n_inputs=paper.MLP_INPUTS["3"], paper=paper.TABLE3["3"]),
    Experiment("4", "+ filtered NeuroKit2", paper.TABLE3_INPUT["4"], metadata="full",
               morphology="filtered", paper_n_inputs=paper.MLP_INPUTS["4"],
               paper=paper.TABLE3["4"]),
    Experiment("5", "Signal + age/gender", paper.TABLE3_INPUT["5"], metadata="age_gender",
               paper_n_inputs=paper.MLP_INPUTS["5"], paper=paper.TABLE3["5"]),
    Experiment("6", "+ age/gender + NK2", paper.TABLE3_INPUT["6"], metadata="age_gender",
               morphology="filtered", paper_n_inputs=paper.MLP_INPUTS["6"],
               paper=paper.TABLE3["6"]),
    # demo: its twelve backbone passes per record cost about 12x experiment 1's
    Experiment("7", "Universal (12-lead)", paper.TABLE3_INPUT["7"], model="universal",
               paper=paper.TABLE3["7"], demo=DEMO_UNIVERSAL),
)}

# Lead configurations the universal model is evaluated on (paper Table 5), by name.
LEAD_CONFIGS: dict[int, tuple[str, ...]] = {
    12: LEADS,
    6: ("I", "II", "III", "aVR", "aVL", "aVF"),
    3: ("I", "II", "V1"),
    1: ("II",),
}

# The paper's reported figures, for display beside ours (written once in
# `ecgpaper.paper`).
PAPER_TABLE4 = paper.TABLE4
PAPER_TABLE5 = paper.TABLE5
PAPER_TABLE6 = paper.TABLE6
PAPER_CONFUSIONS = paper.CONFUSIONS
PAPER_ATTENTION = paper.ATTENTION
PAPER_BEST_EXPERIMENT = paper.BEST_EXPERIMENT


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


def all_configurations() -> dict[str, Experiment]:
    """The seven experiments and every further configuration, by name."""
    from .variants import VARIANTS
    return {**EXPERIMENTS, **VARIANTS}


def get_experiment(exp_id) -> Experiment:
    key = str(exp_id)
    known = all_configurations()
    if key not in known:
        raise ValueError(f"unknown experiment {exp_id!r}, expected one of "
                         f"{', '.join(known)}")
    return known[key]
