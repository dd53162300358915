"""The two baselines without a training loop, run on the same split as the networks and
written to the same kind of artifact folder (predictions.csv, metrics.json,
provenance.json, config.json): gradient boosting on the 14 clinical measurements of the
Diagnostics table (`models.tabular`) and the rule-based classifier on NeuroKit2
measurements of leads II and V1 (`models.rules`, no fitting at all).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np

from ..constants import CLASS_INDEX
from . import artifacts as art


def _tabular(store, seed: int) -> tuple[np.ndarray, dict]:
    from ..models.tabular import METADATA_INPUTS, metadata_baseline
    index = store.index
    train = index.iloc[store.rows("train")].reset_index(drop=True)
    test = index.iloc[store.rows("test")].reset_index(drop=True)
    out = metadata_baseline(train, test, seed=seed)
    return out["proba"], {"n_features": len(METADATA_INPUTS),
                          "feature_names": list(METADATA_INPUTS)}


def _rules(store, seed: int) -> tuple[np.ndarray, dict]:
    from ..models.rules import THRESHOLDS, predict_rules
    signals = store.signals(store.rows("test"))        # µV at the store's rate
    _, scores = predict_rules(np.asarray(signals, dtype=np.float64), store.fs)
    return scores, {"n_features": 0, "feature_names": [], "thresholds": dict(THRESHOLDS)}


RUNNERS: dict[str, Callable] = {"tabular": _tabular, "rules": _rules}


def run_classic(exp, profile, store, config: dict, folder: Path,
                say: Callable[[str], None]) -> dict:
    """Fit (or apply) the baseline, predict the test split and write the artifacts."""
    from ..provenance import collect
    from .run import evaluate
    if exp.model not in RUNNERS:
        raise ValueError(f"{exp.id}: no runner for model {exp.model!r}, expected one of "
                         f"{sorted(RUNNERS)}")
    t0 = time.perf_counter()
    proba, extra = RUNNERS[exp.model](store, profile.seed)
    seconds = time.perf_counter() - t0
    rows = store.rows("test")
    ids = store.index["record_id"].astype(str).iloc[rows].tolist()
    y = store.index["label"].astype(str).iloc[rows].map(CLASS_INDEX).to_numpy(int)
    proba = np.asarray(proba, dtype=float)
    proba = proba / proba.sum(axis=1, keepdims=True)
    art.write_csv(folder / "predictions.csv", art.predictions_frame(ids, y, proba))
    metrics = evaluate(y, proba, profile)
    sizes = {s: int(len(store.rows(s))) for s in ("train", "val", "test")}
    metrics.update({
        "experiment": exp.id, "name": exp.name, "model": exp.model, "group": exp.group,
        "base": exp.base, "variant": exp.variant(), "description": exp.describe(),
        "config_hash": config["hash"], "n_train": sizes["train"], "n_val": sizes["val"],
        "n_test": sizes["test"], "n_parameters": None,
        "input": {"n_leads": 12 if exp.model == "rules" else 0, "fs": store.fs,
                  "n_samples": store.n_samples, **extra},
        "timing": {"train_seconds": seconds, "seconds_per_epoch": None,
                   "evaluate_seconds": 0.0, "device": "cpu", "threads": 1},
    })
    prov = collect(profile)
    prov.update({"experiment": exp.id, "seed": profile.seed,
                 "data_checksum": config["data_checksum"], "device": "cpu",
                 "config_hash": config["hash"]})
    art.write_json(folder / "provenance.json", prov)
    art.write_json(folder / "metrics.json", metrics)      # last: marks the run complete
    acc = metrics["metrics"].get("accuracy")
    say(f"experiment {exp.id}: test accuracy {acc:.3f} ({seconds:.1f} s) -> {folder}"
        if acc is not None else f"experiment {exp.id}: empty test split -> {folder}")
    return metrics
