"""The lead sets the universal model is evaluated on beyond the paper's Table 5, and the
summaries the UniversalECGNet chapter draws from their stored predictions.

Kinds of set:
- `table5`: the paper's 12 / 6 limb / 3 (I, II, V1) / 1 (II);
- `cinc`: the reduced-lead sets of the PhysioNet/CinC Challenge 2021 (Reyna et al.);
- `single`: each of the 12 leads alone;
- `random`: for every lead count 1-12, several random subsets (seeded);
- `flat`: the same random subsets, with the removed leads given to the model as flat
  (all-zero) signals instead of being masked out, as a record with detached electrodes
  would arrive.
Predictions are stored as arrays; nothing here runs a network.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ..constants import CLASSES, LEADS
from ..training.experiments import LEAD_CONFIGS as TABLE5_SETS

CINC_SETS: dict[int, tuple[str, ...]] = {
    12: LEADS, 6: ("I", "II", "III", "aVR", "aVL", "aVF"), 4: ("I", "II", "III", "V2"),
    3: ("I", "II", "V2"), 2: ("I", "II")}
RANDOM_DRAWS = 5


@dataclass(frozen=True)
class LeadSet:
    name: str
    kind: str                       # table5 | cinc | single | random | flat
    leads: tuple[str, ...]          # leads with their real signal
    flat: tuple[str, ...] = ()      # leads present as all-zero signals (kind "flat")

    @property
    def n_leads(self) -> int:
        return len(self.leads)


def lead_sets(seed: int = 42, draws: int = RANDOM_DRAWS) -> list[LeadSet]:
    """Every lead set, in a fixed order (the random ones depend only on `seed`)."""
    out = [LeadSet(f"table5-{k}", "table5", v) for k, v in TABLE5_SETS.items()]
    out += [LeadSet(f"cinc-{k}", "cinc", v) for k, v in CINC_SETS.items()]
    out += [LeadSet(f"single-{lead}", "single", (lead,)) for lead in LEADS]
    rng = np.random.default_rng(seed)
    for k in range(1, len(LEADS) + 1):
        for d in range(draws):
            chosen = tuple(LEADS[i] for i in sorted(rng.choice(len(LEADS), k, replace=False)))
            out.append(LeadSet(f"random-{k}-{d}", "random", chosen))
            if k < len(LEADS):
                rest = tuple(lead for lead in LEADS if lead not in chosen)
                out.append(LeadSet(f"flat-{k}-{d}", "flat", chosen, rest))
    return out


def to_json(sets: list[LeadSet]) -> dict:
    return {"sets": [asdict(s) for s in sets], "classes": list(CLASSES), "leads": list(LEADS)}


def set_metrics(specs: list[dict], proba: np.ndarray, y_true) -> pd.DataFrame:
    """Accuracy and macro-F1 of every stored lead set (one row per set)."""
    from sklearn.metrics import f1_score
    y = np.asarray(y_true)
    rows = []
    for spec, p in zip(specs, proba):
        pred = p.argmax(1)
        rows.append({"name": spec["name"], "kind": spec["kind"], "n_leads": len(spec["leads"]),
                     "leads": ", ".join(spec["leads"]), "removed": 12 - len(spec["leads"]),
                     "accuracy": float((pred == y).mean()) if len(y) else np.nan,
                     "f1_macro": float(f1_score(y, pred, average="macro", zero_division=0))})
    return pd.DataFrame(rows)


def lead_count_curve(table: pd.DataFrame, kind: str = "random",
                     metric: str = "f1_macro") -> pd.DataFrame:
    """Mean, sd, min and max of `metric` over the draws of each lead count."""
    sub = table[table["kind"] == kind]
    g = sub.groupby("n_leads")[metric]
    return pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1), "min": g.min(),
                         "max": g.max(), "draws": g.count()})


def attention_ci(attn: np.ndarray, y_true=None, n_boot: int = 200,
                 seed: int = 42) -> pd.DataFrame:
    """Mean attention per lead over records with a 95 % bootstrap interval (records
    resampled), overall ("all") and per true class. `attn` is (N, 12) on all 12 leads."""
    a = np.asarray(attn, dtype=float)
    groups = [("all", np.arange(len(a)))]
    if y_true is not None:
        y = np.asarray(y_true)
        groups += [(c, np.flatnonzero(y == i)) for i, c in enumerate(CLASSES)]
    rng = np.random.default_rng(seed)
    rows = []
    for name, idx in groups:
        if len(idx) == 0:
            continue
        sub = a[idx]
        boots = np.stack([sub[rng.integers(0, len(sub), len(sub))].mean(0)
                          for _ in range(n_boot)]) if n_boot else np.full((1, 12), np.nan)
        lo, hi = np.nanpercentile(boots, [2.5, 97.5], axis=0)
        for j, lead in enumerate(LEADS):
            rows.append({"class": name, "lead": lead, "mean": sub[:, j].mean(),
                         "low": lo[j], "high": hi[j], "n": len(sub)})
    return pd.DataFrame(rows)


def sets_with_ci(specs: list[dict], proba: np.ndarray, y_true, kinds=("cinc", "single"),
                 n_boot: int = 200, seed: int = 42,
                 metrics=("accuracy", "f1_macro", "auc_macro")) -> pd.DataFrame:
    """Metrics with 95 % bootstrap intervals for the stored sets of the given kinds."""
    from .bootstrap import bootstrap_ci
    rows = []
    for spec, p in zip(specs, proba):
        if spec["kind"] not in kinds:
            continue
        ci = bootstrap_ci(y_true, p.astype(float), n=n_boot, seed=seed).set_index("metric")
        row = {"kind": spec["kind"], "leads": ", ".join(spec["leads"]),
               "n_leads": len(spec["leads"])}
        for m in metrics:
            row[m], row[f"{m}_low"], row[f"{m}_high"] = ci.loc[m, ["value", "low", "high"]]
        rows.append(row)
    return pd.DataFrame(rows)


def proba_for(specs: list[dict], proba: np.ndarray, name: str) -> np.ndarray:
    """The stored probabilities of the set called `name`."""
    for spec, p in zip(specs, proba):
        if spec["name"] == name:
            return p
    raise KeyError(f"no stored lead set {name!r}")
