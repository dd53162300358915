"""The training benchmark's table, and the chapter tables built from artifacts."""

import numpy as np
import pandas as pd
import pytest

from ecgpaper.profiles import get_profile


def test_forward_flops_and_quick_measure_columns(monkeypatch):
    from ecgpaper.benchmarks import train as bench
    from ecgpaper.models.resnet1d import SEResNet1d, SEResNetConfig
    m = SEResNet1d(SEResNetConfig(width=0.25))
    f1000 = bench.forward_flops(m, False, 1000)
    f2000 = bench.forward_flops(m, False, 2000)
    assert 0.03e9 < f1000 < 0.08e9 and f2000 == pytest.approx(2 * f1000, rel=0.02)
    # a fast stand-in for the demo profile keeps the test short
    from ecgpaper import profiles
    monkeypatch.setitem(profiles.PROFILES, "demo",
                        profiles.Profile(width=0.0625, fs=50, batch_size=4,
                                         universal_batch_size=2))
    df = bench.measure(quick=True, device="cpu")
    assert list(df["model"]) == ["SE-ResNet18", "UniversalECGNet"]
    assert {"train_records_per_s", "achieved_gflop_per_s", "forward_gflop_per_record",
            "step_ms"} <= set(df.columns)
    assert (df["train_records_per_s"] > 0).all()
    # GFLOP/s is 3 x forward FLOPs x records per second
    r = df.iloc[0]
    assert r["achieved_gflop_per_s"] == pytest.approx(
        3 * r["forward_gflop_per_record"] * r["train_records_per_s"])


def _fake_artifacts(p, exp_id, y, proba, val_f1):
    from ecgpaper.training import artifacts as art
    from ecgpaper.training.run import evaluate
    folder = art.experiment_dir(p, exp_id)
    pred = art.predictions_frame([f"r{i}" for i in range(len(y))], y, proba)
    art.write_csv(folder / "predictions.csv", pred)
    m = {**evaluate(y, proba, p), "experiment": exp_id, "best_val_f1_macro": val_f1,
         "best_epoch": 1, "epochs_run": 1, "timing": {"train_seconds": 1.0},
         "input": {"n_leads": 12, "n_samples": 1000, "n_features": 0}}
    art.write_json(folder / "metrics.json", m)
    return m


def test_report_tables_from_artifacts(tmp_path):
    from ecgpaper.evaluation import tables as report
    p = get_profile("demo", work_dir=str(tmp_path), bootstrap=20)
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(8), 10)
    # AF (5) -> AFIB (2) on 4 records; SA (6) -> SR (1) on 3 records
    pred = y.copy()
    pred[np.flatnonzero(y == 5)[:4]] = 2
    pred[np.flatnonzero(y == 6)[:3]] = 1
    proba = np.full((len(y), 8), 0.02)
    proba[np.arange(len(y)), pred] = 0.86
    _fake_artifacts(p, "2", y, proba, 0.70)
    _fake_artifacts(p, "1", y, rng.dirichlet(np.ones(8), len(y)), 0.80)
    t3 = report.table3(p)
    assert list(t3.index) == ["1", "2"]
    assert t3.loc["2", "accuracy"] == pytest.approx(73 / 80)
    assert t3.loc["2", "accuracy_paper"] == 0.942
    assert not any(c.endswith("_diff") for c in t3.columns)     # ours beside, not minus
    assert t3.loc["2", "accuracy_low"] <= t3.loc["2", "accuracy"] <= t3.loc["2", "accuracy_high"]
    assert report.table3_display(t3).shape[0] == 2
    assert report.best_experiment(p) == "1"                 # by validation macro-F1
    named = report.named_confusions(pd.read_csv(tmp_path / "experiments/2/predictions.csv"))
    assert named.set_index("true class").loc["AF", "ours"] == 4
    assert named.set_index("true class").loc["SA", "ours"] == 3
    assert named.set_index("true class").loc["AF", "paper"] == 12
    t6 = report.per_class(p, "2", n_boot=20)
    assert t6.loc["AF", "sensitivity"] == pytest.approx(0.6)
    assert report.per_class_display(t6).shape == (8, 11)
    assert t6.loc["AF", "interval"] == "wilson"              # 10 test records: Wilson
    t4 = report.table4(p, "2")
    assert t4.loc["kappa", "paper"] == 0.9259 and len(t4) == 10
