"""Measurements taken elsewhere travel as files with their provenance."""

import json

import pytest

from ecgpaper.cli import main
from ecgpaper.measurements import FORMAT, load_measurements


def _fake_benchmark():
    """A benchmark module that measures nothing heavy (the real ones take minutes)."""
    import types

    import pandas as pd
    module = types.ModuleType("fake")
    module.DESCRIPTION = "a stand-in benchmark"
    module.add_arguments = lambda parser: parser.add_argument("--device", default=None)
    module.measure = lambda quick=False, device=None, **_: pd.DataFrame(
        [{"model": "x", "records_per_s": 12.5, "device": device or "cpu"}])
    return module


def test_bench_out_writes_records_with_device_and_date(tmp_path, capsys, monkeypatch):
    import ecgpaper.benchmarks.registry as registry
    monkeypatch.setattr(registry, "benchmark_modules", lambda: {"twin": _fake_benchmark()})
    out = tmp_path / "twin-cpu.json"
    assert main(["bench", "twin", "--quick", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["format"] == FORMAT and data["benchmark"] == "twin"
    assert data["records"] == [{"model": "x", "records_per_s": 12.5, "device": "cpu"}]
    assert data["options"] == {"quick": True, "device": None}
    prov = data["provenance"]
    assert prov["device"]["kind"] == "cpu" and prov["device"]["name"]
    assert prov["measured"].endswith("+00:00") and prov["git_commit"]
    (tmp_path / "other.json").write_text(json.dumps({"something": "else"}))
    found = load_measurements(tmp_path)
    assert [m["file"] for m in found] == ["twin-cpu.json"]
    assert load_measurements(tmp_path, benchmark="train") == []


def test_a_damaged_measurement_is_named(tmp_path):
    (tmp_path / "gpu.json").write_text(json.dumps({"format": FORMAT, "benchmark": "train"}))
    with pytest.raises(ValueError, match=r"gpu\.json: field 'provenance' missing"):
        load_measurements(tmp_path)
    (tmp_path / "gpu.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"gpu\.json: unreadable measurement file"):
        load_measurements(tmp_path)


def test_sim_to_real_verdict_covers_every_run_of_the_latest_setting(tmp_path):
    from ecgpaper.sim_to_real import SIM_TO_REAL, latest_sim_to_real, sim_to_real_log

    def run(gen, n_real, acc, bal, seed, epochs=10):
        return {"date": "2026-01-01", "generator_version": gen, "twin_records": 100,
                "settings": [f"max_epochs={epochs}", f"seed={seed}"],
                "twin_test": {"accuracy": 0.9, "recall": {"SB": 0.99, "AT": 0.2 + seed / 10}},
                "real_records": n_real, "real": {"accuracy": [acc, acc - 0.1, acc + 0.1],
                                                 "balanced_recall_common": [bal, 0, 1]}}
    log = {"targets": {"accuracy": 0.8, "balanced_recall_common": 0.85},
           "measurements": [run("3", 57, 0.95, 0.95, 1),      # older generator: not counted
                            run("4", 47, 0.60, 0.60, 1, epochs=5),  # other training: neither
                            run("4", 47, 0.82, 0.90, 1), run("4", 47, 0.78, 0.90, 2),
                            {**run("4", 47, 0.5, 0.5, 1), "experiment": "baseline-cnn-gru",
                             "twin_test": {"accuracy": 0.95}}]}      # fits the twin closer
    (tmp_path / SIM_TO_REAL).write_text(json.dumps(log))
    table, targets = sim_to_real_log(tmp_path)
    latest = latest_sim_to_real(table, targets)
    assert len(latest["runs"]) == 2 and latest["met_as_labelled"] == [True, False]
    # logged before harmonised scoring: the targets' scores were not measured
    assert latest["met"] == [None, None] and latest["verdict"] == "not measured"
    assert latest["training"] == "experiment 1, max_epochs=10"
    assert list(latest["twin_recall"].index) == ["AT", "SB"]       # hardest first
    assert abs(latest["twin_recall"]["AT"] - 0.35) < 1e-9           # mean of 0.3 and 0.4
    assert latest["verdict_as_labelled"] == "met in some runs only"
    assert abs(latest["one_record_points"] - 100 / 47) < 1e-9
    from ecgpaper.sim_to_real import CLOSER_FIT_ONLY, other_designs
    (design,) = other_designs(table)
    # compared with experiment 1's most-seeded setting there, not its 5-epoch try
    assert design["experiment"] == "baseline-cnn-gru" and design["paper_net_runs"] == 2
    assert abs(design["paper_net_real_accuracy"] - (0.82 + 0.78) / 2) < 1e-9
    assert design["real_accuracy"] == 0.5
    assert design["finding"] == CLOSER_FIT_ONLY
    log["measurements"].append(run("4", 47, 0.9, 0.9, 1, epochs=20))  # one later try
    (tmp_path / SIM_TO_REAL).write_text(json.dumps(log))
    latest = latest_sim_to_real(*sim_to_real_log(tmp_path))
    assert latest["training"] == "experiment 1, max_epochs=10" and len(latest["runs"]) == 2
    (design,) = other_designs(sim_to_real_log(tmp_path)[0])   # peers: the most-seeded setting
    assert design["paper_net_runs"] == 2
    log["measurements"].pop()
    del log["measurements"][-2]                       # drop the seed-2 run that missed
    (tmp_path / SIM_TO_REAL).write_text(json.dumps(log))
    assert latest_sim_to_real(*sim_to_real_log(tmp_path))["verdict_as_labelled"] == \
        "met in its one run"


def test_sim_to_real_verdict_per_configuration_counts_every_seed(tmp_path):
    from ecgpaper.sim_to_real import (SIM_TO_REAL, TRANSFERRED_BETTER, WITHIN_ONE_RECORD,
                                      other_designs, sim_to_real_log, sim_to_real_verdicts)

    def run(gen, acc, seed, experiment=1, twin=0.9):
        return {"date": "2026-01-01", "generator_version": gen, "twin_records": 100,
                "experiment": experiment, "settings": [f"seed={seed}"],
                "twin_test": {"accuracy": twin}, "real_records": 47,
                "real": {"accuracy": [acc, acc - 0.1, acc + 0.1],
                         "balanced_recall_common": [0.9, 0.8, 1.0]}}
    log = {"targets": {"accuracy": 0.8, "balanced_recall_common": 0.85},
           "measurements": [run("4", 0.95, 1, "ablation-x"),      # older generator: left out
                            run("5", 0.82, 1), run("5", 0.78, 2),
                            run("5", 0.85, 1, "ablation-x", 0.89),
                            run("5", 0.81, 2, "ablation-x", 0.87),
                            {**run("5", 0.84, 1), "ensemble": ["1", "seed-1-1"]},
                            run("5", 0.81, 1, "ablation-y"),
                            {**run("5", 0.70, 1), "settings": ["width=1.0", "seed=1"]}]}
    (tmp_path / SIM_TO_REAL).write_text(json.dumps(log))
    table, targets = sim_to_real_log(tmp_path)
    verdicts = sim_to_real_verdicts(table, targets)
    # the single networks of experiment 1 first (one row per setting), then its seed
    # ensemble, then the others
    assert list(zip(verdicts["experiment"], verdicts["networks"])) == [
        ("1", 1), ("1", 1), ("1", 2), ("ablation-x", 1), ("ablation-y", 1)]
    assert verdicts["training"][1] == "experiment 1, width=1.0"
    assert list(verdicts["runs"]) == [2, 1, 1, 2, 1]
    assert list(verdicts["runs_meeting_targets_as_labelled"]) == [
        "1 of 2", "0 of 1", "1 of 1", "2 of 2", "1 of 1"]
    assert list(verdicts["verdict_as_labelled"]) == [
        "met in some runs only", "not met in its one run", "met in its one run",
        "met in every run", "met in its one run"]
    assert set(verdicts["verdict"]) == {"not measured"}          # no harmonised scores
    assert verdicts["harmonised_accuracy"].isna().all()
    verdicts = verdicts.drop(index=1).reset_index(drop=True)
    assert abs(verdicts["real_accuracy"][0] - 0.80) < 1e-9       # the ensemble not mixed in
    assert abs(verdicts["real_accuracy"][2] - 0.83) < 1e-9
    assert abs(verdicts["twin_test_accuracy"][2] - 0.88) < 1e-9
    assert verdicts["training"][1] == "experiment 1, mean of 2 networks"
    designs = {(d["experiment"], d["networks"]): d for d in other_designs(table)
               if d["generator"] == "5"}
    assert set(designs) == {("ablation-x", 1), ("1", 2), ("ablation-y", 1)}
    # 0.81 against 0.80: less than one of 47 records apart, so no "better"
    assert designs[("ablation-y", 1)]["finding"] == WITHIN_ONE_RECORD
    design = designs[("ablation-x", 1)]
    assert design["runs"] == 2 and abs(design["real_accuracy"] - 0.83) < 1e-9
    assert design["paper_net_runs"] == 2                          # single networks only
    assert design["finding"] == TRANSFERRED_BETTER


def test_twin_difficulty_per_network_size(tmp_path):
    from ecgpaper.sim_to_real import SIM_TO_REAL, sim_to_real_log, twin_difficulty

    def run(gen, twin, recall, settings):
        return {"date": "2026-01-01", "generator_version": gen, "twin_records": 100,
                "settings": settings, "twin_test": {"accuracy": twin, "recall": recall},
                "real_records": 47, "real": {"accuracy": [0.8, 0.7, 0.9],
                                             "balanced_recall_common": [0.9, 0.8, 1.0]}}
    log = {"targets": {}, "measurements": [
        run("5", 0.99, {"SB": 1.0}, ["width=0.125"]),                      # older generator
        run("6", 0.93, {"SB": 1.0, "AT": 0.3, "SA": 0.8}, ["width=0.125", "seed=1"]),
        run("6", 0.95, {"SB": 0.9, "AT": 0.5, "SA": 0.7}, ["width=0.125", "seed=2"]),
        {**run("6", 0.97, {"SB": 1.0}, ["width=0.125"]), "ensemble": ["1", "seed-1-1"]},
        run("6", 0.98, {"SB": 1.0, "AT": 0.9, "SA": 0.6},
            ["width=1.0", "max_epochs=10", "seed=1"])]}
    (tmp_path / SIM_TO_REAL).write_text(json.dumps(log))
    demo, wide = twin_difficulty(sim_to_real_log(tmp_path)[0])
    assert (demo["runs"], demo["width"], demo["fs"]) == (2, 0.125, 100)   # no ensemble
    assert abs(demo["twin_test_accuracy"] - 0.94) < 1e-9
    assert list(demo["recall"].index) == ["AT", "SA", "SB"]
    assert abs(demo["recall"]["AT"] - 0.4) < 1e-9
    assert (wide["runs"], wide["width"], wide["epochs"]) == (1, 1.0, 10)
    assert list(wide["recall"].index) == ["SA", "AT", "SB"]


def test_sim_to_real_targets_apply_to_the_harmonised_scores(tmp_path):
    """A run scored both ways is judged on its harmonised scores; a run logged before
    harmonised scoring existed reads 'not measured' there (never a number), and its
    as-labelled scores stay beside."""
    from ecgpaper.pages.sim_to_real import latest_runs_table, log_tables, verdicts_table
    from ecgpaper.sim_to_real import (NOT_MEASURED, SIM_TO_REAL, latest_sim_to_real,
                                      sim_to_real_log, sim_to_real_verdicts)

    def run(seed, acc, harmonised=None):
        entry = {"date": "2026-01-01", "generator_version": "7", "twin_records": 100,
                 "settings": [f"seed={seed}"], "twin_test": {"accuracy": 0.9},
                 "real_records": 47,
                 "real": {"accuracy": [acc, acc - 0.1, acc + 0.1],
                          "balanced_recall_common": [0.9, 0.8, 1.0]}}
        if harmonised is not None:
            entry["real_harmonised"] = {"accuracy": [harmonised, harmonised - 0.1,
                                                     harmonised + 0.1],
                                        "balanced_recall_common": [0.88, 0.8, 0.95]}
            entry["harmonisation"] = {"relabelled": {"PTB-XL": 2, "Georgia": 1}}
        return entry
    log = {"targets": {"accuracy": 0.8, "balanced_recall_common": 0.85},
           "measurements": [run(1, 0.78), run(2, 0.79, harmonised=0.83),
                            run(3, 0.82, harmonised=0.79)]}
    (tmp_path / SIM_TO_REAL).write_text(json.dumps(log))
    table, targets = sim_to_real_log(tmp_path)
    assert table["harmonised_accuracy"][0] is None and table["relabelled"][1] == 3
    latest = latest_sim_to_real(table, targets)
    assert latest["met"] == [None, True, False]
    assert latest["verdict"] == "met in some runs only"          # over the two measured
    assert latest["met_as_labelled"] == [False, False, True]
    (row,) = sim_to_real_verdicts(table, targets).to_dict("records")
    assert row["runs_meeting_targets"] == "1 of 2"
    assert row["runs_meeting_targets_as_labelled"] == "1 of 3"
    assert abs(row["harmonised_accuracy"] - 0.81) < 1e-9         # mean of the measured
    runs, scores = log_tables(table)
    assert list(scores["accuracy, harmonised"]) == [NOT_MEASURED, "0.83 (0.73–0.93)",
                                                     "0.79 (0.69–0.89)"]
    assert list(scores["relabelled"]) == [NOT_MEASURED, "3", "3"]
    assert list(scores["accuracy, as labelled"])[0] == "0.78 (0.68–0.88)"
    assert list(latest_runs_table(latest)["seed"]) == ["1", "2", "3"]
    shown = verdicts_table(sim_to_real_verdicts(table, targets))
    assert shown["runs meeting both targets, harmonised"][0] == "1 of 2"
