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


def test_a_log_entry_carries_both_scores(real_models, shared_data, tmp_path, monkeypatch):
    """A run scored on PTB-XL's records logs the scores as labelled (`real`) and
    harmonised (`real_harmonised`): ECG 19, labelled SR at about 56 bpm, moves to SB,
    so the two confusion matrices differ by that one record's row; the log reader
    returns both, and an older entry without harmonised scores reads as not measured."""
    import shutil
    import sys

    from ecgpaper.sim_to_real import SIM_TO_REAL, sim_to_real_log
    script = _script()
    run = real_models["artifacts"]["1"]                 # a trained run stands in
    monkeypatch.setattr(script, "_train", lambda args, experiment: run)
    real = tmp_path / "real"
    shutil.copytree(shared_data / "ptbxl", real)
    log = tmp_path / "measurements" / SIM_TO_REAL
    log.parent.mkdir()
    old = {"date": "2026-01-01", "generator_version": "6", "twin_records": 10,
           "settings": [], "twin_test": {"accuracy": 0.5}, "real_records": 20,
           "real": {"accuracy": [0.5, 0.3, 0.7], "balanced_recall_common": [0.5, 0.3, 0.7]}}
    log.write_text(json.dumps({"targets": {"accuracy": 0.8}, "measurements": [old]}))
    monkeypatch.setattr(sys, "argv", ["sim_to_real.py", "--records", "10", "--work",
                                      str(tmp_path / "work"), "--real", str(real),
                                      "--log", str(log)])
    script.main()
    entry = json.loads(log.read_text())["measurements"][-1]
    assert entry["harmonisation"]["relabelled"] == {"PTB-XL": 1}
    assert entry["harmonisation"]["moves"] == {"PTB-XL": "SR→SB 1"}
    assert entry["harmonisation"]["rate_not_measured"] == {"PTB-XL": 0}
    labelled = np.array(entry["confusion_real"]["matrix"])
    harmonised = np.array(entry["confusion_real_harmonised"]["matrix"])
    sb, sr = CLASSES.index("SB"), CLASSES.index("SR")
    assert harmonised[sb].sum() == labelled[sb].sum() + 1
    assert harmonised[sr].sum() == labelled[sr].sum() - 1
    assert (harmonised.sum(axis=0) == labelled.sum(axis=0)).all()     # same predictions
    for key, cm in (("real", labelled), ("real_harmonised", harmonised)):
        assert entry[key]["accuracy"][0] == round(np.trace(cm) / cm.sum(), 4)
        assert entry[key]["records"] == entry["real_records"] == cm.sum()
    assert set(entry["real_by_source"]["PTB-XL"]) == {"records", "accuracy",
                                                      "accuracy_harmonised"}
    table, _ = sim_to_real_log(log.parent)
    assert table["harmonised_accuracy"][0] is None
    assert table["harmonised_accuracy"][1][0] == entry["real_harmonised"]["accuracy"][0]
    assert table["relabelled"][1] == 1
