"""The sim-to-real script's seed ensemble and its reuse of finished runs (the training
itself is `ecgpaper train`, tested elsewhere)."""

import argparse
import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

from ecgpaper.constants import CLASSES
from ecgpaper.paths import REPO_ROOT


def _script():
    spec = importlib.util.spec_from_file_location(
        "sim_to_real", REPO_ROOT / "scripts" / "sim_to_real.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _finished_run(folder, probs, labels, **fields):
    folder.mkdir(parents=True)
    pred = pd.DataFrame({"record_id": [f"TWIN_{i:06d}" for i in range(len(labels))],
                         "label": labels,
                         "pred": [CLASSES[i] for i in probs.argmax(axis=1)]})
    pred[[f"prob_{c}" for c in CLASSES]] = probs
    pred.to_csv(folder / "predictions.csv", index=False)
    acc = float((pred["label"] == pred["pred"]).mean())
    (folder / "metrics.json").write_text(json.dumps({
        "metrics": {"accuracy": acc, "f1_macro": 0.5, "recall_macro": 0.5},
        "n_train": 70, "n_val": 15, "n_test": len(labels), "max_epochs": 30}))
    (folder / "config.json").write_text(json.dumps({"profile_fields": {
        "width": 0.125, "max_epochs": 30, "seed": 42, "twin_records": 100, **fields}}))
    return folder


def test_the_ensemble_scores_the_mean_of_its_members_on_the_twin(tmp_path):
    script = _script()
    rng = np.random.default_rng(1)
    labels = list(rng.choice(["SR", "AFIB", "ST"], size=40))
    probs = [rng.dirichlet(np.ones(len(CLASSES)), size=40) for _ in range(3)]
    runs = [_finished_run(tmp_path / f"run{k}", p, labels) for k, p in enumerate(probs)]
    got = script._twin_test(runs)
    mean_pred = np.array(CLASSES)[(sum(probs) / 3).argmax(axis=1)]
    assert got["accuracy"] == round(float((mean_pred == np.array(labels)).mean()), 4)
    assert set(got["recall"]) == {"SR", "AFIB", "ST"}          # the classes present
    assert got["n_test"] == 40 and got["max_epochs"] == 30
    one = script._twin_test(runs[:1])                            # one network: itself
    assert one["accuracy"] == round(float((np.array(CLASSES)[probs[0].argmax(axis=1)]
                                           == np.array(labels)).mean()), 4)


def test_reuse_keeps_a_finished_run_only_when_its_settings_match(tmp_path):
    script = _script()
    run = _finished_run(tmp_path / "experiments" / "1", np.eye(len(CLASSES))[[0, 1]],
                        ["SB", "SR"])
    args = argparse.Namespace(work=str(tmp_path), records=100, reuse=True,
                              set=["width=0.125", "max_epochs=30"])
    assert script._train(args, "1") == run
    args.set = ["width=0.25"]
    with pytest.raises(SystemExit, match="width"):
        script._train(args, "1")
