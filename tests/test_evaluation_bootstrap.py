"""Bootstrap CIs: deterministic for a seed, bracketing the point estimate, and equal to
explicit resampling through scikit-learn."""

import numpy as np
import pytest
from sklearn import metrics as skm

from ecgpaper.evaluation import bootstrap as B
from ecgpaper.evaluation import metrics as M
from test_evaluation_metrics import make


def test_deterministic_and_contains_point_estimate():
    y, p = make(n=500, seed=1)
    a = B.bootstrap_ci(y, p, n=200, seed=3)
    b = B.bootstrap_ci(y, p, n=200, seed=3)
    c = B.bootstrap_ci(y, p, n=200, seed=4)
    assert a.equals(b)
    assert not a.equals(c)
    assert list(a["metric"]) == list(M.METRICS)
    t4 = M.table4(y, p)
    for _, r in a.iterrows():
        assert r["value"] == pytest.approx(t4[r["metric"]])
        assert r["low"] <= r["value"] <= r["high"], r["metric"]
        assert r["low"] < r["high"]


def test_resamples_equal_explicit_sklearn_resampling():
    y, p = make(n=120, seed=2)
    counts = B.resample_counts(len(y), n=5, seed=9)
    res = M.metrics_from_weights(y, p, counts)
    for b in range(5):
        idx = np.repeat(np.arange(len(y)), counts[b].astype(int))
        yb, pb = y[idx], p[idx]
        assert res["accuracy"][b] == pytest.approx(skm.accuracy_score(yb, pb.argmax(1)))
        assert res["f1_macro"][b] == pytest.approx(
            skm.f1_score(yb, pb.argmax(1), average="macro", zero_division=0))
        assert res["mcc"][b] == pytest.approx(skm.matthews_corrcoef(yb, pb.argmax(1)))
        present = sorted(set(yb))
        auc = np.mean([skm.roc_auc_score(yb == k, pb[:, k]) for k in present])
        assert res["auc_macro"][b] == pytest.approx(auc)
        assert res["log_loss"][b] == pytest.approx(skm.log_loss(yb, pb, labels=range(8)))


def test_rare_class_and_zero_resamples():
    y, p = make(n=200, seed=5, classes=range(7))
    y[0] = 7                                   # one AT record: often absent in a resample
    ci = B.bootstrap_ci(y, p, n=100, seed=0).set_index("metric")
    assert np.isfinite(ci.loc["auc_macro", ["low", "high"]].to_numpy(float)).all()
    point = B.bootstrap_ci(y, p, n=0)
    assert point["low"].isna().all() and point["value"].notna().all()


def test_per_class_ci_and_format():
    y, p = make(n=300, seed=6, classes=range(7))
    pc = B.per_class_ci(y, p.argmax(1), n=100, seed=1)
    assert list(pc.index) == list(M.CLASSES)
    ok = pc.drop(index="AT")
    assert ((ok["f1_low"] <= ok["f1"]) & (ok["f1"] <= ok["f1_high"])).all()
    assert np.isnan(pc.loc["AT", "sensitivity_low"])      # AT absent: undefined
    assert B.format_ci(0.9422, 0.93, 0.953) == "0.942 [0.930, 0.953]"
    assert B.format_ci(0.5, float("nan"), 0.6) == "0.500"
    table = B.format_table(B.bootstrap_ci(y, p, n=20), paper=M.PAPER_TABLE4)
    assert table.shape == (10, 3)
