"""Finished runs written straight into a work folder, for testing the functions that read
results: predictions.csv and metrics.json (with the metrics and bootstrap intervals an
`ecgpaper train` run stores), and optionally a universal run's lead-set arrays."""

from __future__ import annotations

import json

import numpy as np

from ecgpaper.constants import CLASSES
from ecgpaper.evaluation.bootstrap import bootstrap_ci
from ecgpaper.evaluation.lead_sets import lead_sets, to_json
from ecgpaper.training import artifacts as art


def labels(counts: dict[str, int]) -> np.ndarray:
    """Class indices with `counts` records per class name, in CLASSES order."""
    return np.concatenate([np.full(counts.get(c, 0), i) for i, c in enumerate(CLASSES)])


def proba_with_accuracy(y: np.ndarray, accuracy: float, seed: int = 0) -> np.ndarray:
    """Probabilities that put most weight on the true class for about `accuracy` of the
    records and on another class for the rest."""
    rng = np.random.default_rng(seed)
    right = rng.random(len(y)) < accuracy
    top = np.where(right, y, (y + rng.integers(1, len(CLASSES), len(y))) % len(CLASSES))
    p = np.full((len(y), len(CLASSES)), 0.02)
    p[np.arange(len(y)), top] = 0.86
    return p / p.sum(1, keepdims=True)


def _block(y, proba) -> dict:
    ci = bootstrap_ci(y, proba, n=20, seed=0).set_index("metric")
    return {"metrics": {m: float(ci.loc[m, "value"]) for m in ci.index},
            "ci": {m: {"low": float(ci.loc[m, "low"]), "high": float(ci.loc[m, "high"])}
                   for m in ci.index}}


def write_run(profile, config: str, y: np.ndarray, proba: np.ndarray, **metrics) -> None:
    """A finished run of `config`: its predictions and its metrics.json (`metrics` adds or
    replaces keys, e.g. n_parameters, input, timing, lead_configs)."""
    folder = art.experiment_dir(profile, config)
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"R{i:04d}" for i in range(len(y))]
    art.write_csv(folder / "predictions.csv", art.predictions_frame(ids, y, proba))
    art.write_json(folder / "metrics.json", {"name": config, **_block(y, proba), **metrics})


def write_universal(profile, config: str, y: np.ndarray, proba_of_set, attention,
                    **metrics) -> None:
    """A finished universal run: `proba_of_set(spec)` gives each lead set's (N, 8)
    probabilities, `attention` is the (N, 12) attention on every set."""
    specs = to_json(lead_sets(profile.seed, draws=2))
    proba = np.stack([proba_of_set(s) for s in specs["sets"]])
    table5 = {str(len(s["leads"])): _block(y, p) for s, p in zip(specs["sets"], proba)
              if s["kind"] == "table5"}
    write_run(profile, config, y, proba[0], lead_configs=table5, **metrics)
    folder = art.experiment_dir(profile, config)
    (folder / "lead_sets.json").write_text(json.dumps(specs))
    np.save(folder / "lead_sets_proba.npy", proba)
    np.save(folder / "lead_sets_attention.npy",
            np.repeat(np.asarray(attention, dtype=float)[None], len(specs["sets"]), axis=0))
