"""Bootstrap CIs: deterministic for a seed, bracketing the point estimate, equal to
explicit resampling through scikit-learn, stratified by class so that a rare class is in
every resample; Wilson intervals for small classes; paired differences between runs."""

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from ecgpaper.evaluation import bootstrap as B
from ecgpaper.evaluation import comparisons as C
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


# --- stratified resampling over a fixed class set ---------------------------------------------

def _skewed(n=300, seed=0):
    """Seven common classes and AT with 2 records that the model ranks last for AT: AT's
    one-vs-rest AUC is 0, so a resample without AT averages 7 perfect-ish classes."""
    y, p = make(n=n, seed=seed, classes=range(7), strength=4.0)
    y[:2] = 7
    p[:2, 7] = 0.0
    p[2:, 7] = 0.05
    return y, p / p.sum(axis=1, keepdims=True)


def test_stratified_counts_keep_every_class_count_and_reproduce():
    y, _ = _skewed()
    counts = B.stratified_counts(y, n=50, seed=3)
    assert counts.shape == (50, len(y))
    for k in np.unique(y):
        np.testing.assert_array_equal(counts[:, y == k].sum(axis=1), (y == k).sum())
    np.testing.assert_array_equal(counts, B.stratified_counts(y, n=50, seed=3))
    assert not np.array_equal(counts, B.stratified_counts(y, n=50, seed=4))


def test_macro_auc_interval_is_not_pulled_up_by_resamples_without_the_rare_class():
    y, p = _skewed()
    ci = B.bootstrap_ci(y, p, n=400, seed=0).set_index("metric")
    point, high = ci.loc["auc_macro", "value"], ci.loc["auc_macro", "high"]
    best_without_at = (7 * 1.0 + 0.0) / 8         # AT's AUC is 0 in every resample with AT
    assert high <= best_without_at + 1e-12
    assert ci.loc["auc_macro", "low"] <= point <= high
    # the plain bootstrap, which drops AT from some resamples, reaches far above that
    plain = M.metrics_from_weights(y, p, B.resample_counts(len(y), 400, 0))["auc_macro"]
    assert np.percentile(plain, 97.5) > best_without_at + 0.05


def test_every_interval_contains_its_estimate_on_a_skewed_set():
    y, p = _skewed(n=120, seed=2)
    for seed in range(3):
        ci = B.bootstrap_ci(y, p, n=200, seed=seed)
        assert ((ci["low"] <= ci["value"]) & (ci["value"] <= ci["high"])).all(), ci
        assert set(ci["method"]) <= {B.PERCENTILE, B.WIDENED}


def test_fixed_classes_average_over_the_split_classes_like_sklearn_labels():
    y, p = make(n=150, seed=8)
    yp = p.argmax(1)
    counts = B.stratified_counts(y, n=20, seed=1)
    res = M.metrics_from_weights(y, p, counts, fixed_classes=True)
    labels = sorted(set(y) | set(yp))
    for b in range(20):
        idx = np.repeat(np.arange(len(y)), counts[b].astype(int))
        assert res["f1_macro"][b] == pytest.approx(skm.f1_score(
            y[idx], yp[idx], labels=labels, average="macro", zero_division=0))
        assert res["precision_macro"][b] == pytest.approx(skm.precision_score(
            y[idx], yp[idx], labels=labels, average="macro", zero_division=0))


def test_percentile_interval_is_widened_to_an_estimate_outside_it():
    draws = np.linspace(0.6, 0.7, 101)
    low, high, method = B.percentile_interval(draws, 0.65)
    assert method == B.PERCENTILE and (low, high) == pytest.approx((0.6025, 0.6975))
    low, high, method = B.percentile_interval(draws, 0.75)
    assert method == B.WIDENED and high == 0.75 and low == pytest.approx(0.6025)
    low, high, method = B.percentile_interval(draws, 0.5)
    assert method == B.WIDENED and low == 0.5
    assert B.percentile_interval(np.full(5, np.nan), 0.5)[2] == B.NONE


# --- Wilson intervals for small classes -------------------------------------------------------

def test_wilson_interval_matches_scipy_and_never_has_zero_width():
    from scipy.stats import binomtest
    for k, n in [(0, 10), (5, 10), (2, 2), (19, 19), (1, 3)]:
        ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        low, high = B.wilson_interval(k, n)
        assert (low, high) == pytest.approx((ref.low, ref.high))
        assert low < high and low <= k / n <= high
    low, high = B.wilson_interval(np.array([2, 0]), np.array([2, 0]))
    assert low[0] < 1 and high[0] == 1 and np.isnan(low[1])
    with pytest.raises(ValueError, match="k <= n"):
        B.wilson_interval(3, 2)


def test_per_class_small_class_gets_wilson_interval_and_says_so():
    y, p = make(n=400, seed=3, classes=range(7), strength=3.0)
    y[:2] = 7
    pred = p.argmax(1)
    pred[:2] = 7                                   # both AT records right
    pc = B.per_class_ci(y, pred, n=100, seed=0)
    at = pc.loc["AT"]
    assert at["support"] == 2 and at["sensitivity"] == 1.0
    assert at["interval"] == B.WILSON
    assert at["sensitivity_low"] < 1 and at["sensitivity_high"] == 1
    assert at["sensitivity_low"] == pytest.approx(B.wilson_interval(2, 2)[0])
    for m in M.PER_CLASS:                          # every bound brackets its value
        ok = pc[pc[f"{m}_low"].notna()]
        assert ((ok[f"{m}_low"] <= ok[m]) & (ok[m] <= ok[f"{m}_high"])).all(), m
        assert (ok[f"{m}_low"] < ok[f"{m}_high"]).all(), m
    big = pc[pc["support"] >= B.SMALL_CLASS]
    assert (big["interval"] == B.PERCENTILE).any()


def test_per_class_flawless_large_class_is_not_given_a_zero_width_interval():
    y = np.repeat(np.arange(8), 30)
    pred = y.copy()
    pred[30:40] = 0                                # SR partly read as SB
    pred[0:5] = 1                                  # and SB partly read as SR
    pc = B.per_class_ci(y, pred, n=100, seed=0)
    assert pc.loc["AFIB", "interval"] == B.WILSON  # no error at all: bootstrap has no spread
    assert pc.loc["AFIB", "sensitivity_low"] < 1 and pc.loc["AFIB", "ppv_low"] < 1
    assert (pc.loc[["SB", "SR"], "interval"] == B.PERCENTILE).all()


def test_wilson_f1_goes_through_the_jaccard_index():
    y = np.array([7, 7, 7, 0, 0, 0, 0])
    pred = np.array([7, 7, 0, 7, 0, 0, 0])          # AT: TP 2, FN 1, FP 1 -> J = 1/2
    pc = B.per_class_ci(y, pred, n=10, seed=0)
    j_low, j_high = B.wilson_interval(2, 4)
    assert pc.loc["AT", "f1"] == pytest.approx(2 / 3)
    assert pc.loc["AT", "f1_low"] == pytest.approx(2 * j_low / (1 + j_low))
    assert pc.loc["AT", "f1_high"] == pytest.approx(2 * j_high / (1 + j_high))


# --- paired differences between two runs -----------------------------------------------------

def test_paired_bootstrap_of_identical_and_of_better_runs():
    y, p = make(n=400, seed=4, strength=1.0)
    same = B.paired_bootstrap(y, p, p, "f1_macro", n=100, seed=0)
    assert (same.difference, same.low, same.high) == (0.0, 0.0, 0.0)
    assert not same.excludes_zero and same.n_records == 400 and same.n_resamples == 100
    better = np.eye(8)[y] * 0.9 + 0.1 / 8
    d = B.paired_bootstrap(y, p, better, "accuracy", n=100, seed=0)
    assert d.difference == pytest.approx(1.0 - M.table4(y, p)["accuracy"])
    assert 0 < d.low <= d.difference <= d.high and d.excludes_zero
    assert B.paired_bootstrap(y, better, p, "accuracy", n=100, seed=0).high < 0


def test_paired_bootstrap_point_is_the_difference_of_table4_and_reproduces():
    y, pa = make(n=300, seed=5)
    _, pb = make(n=300, seed=6)
    _, pb_other = make(n=300, seed=5, strength=2.5)
    for metric in ("f1_macro", "auc_macro", "log_loss"):
        d = B.paired_bootstrap(y, pa, pb_other, metric, n=150, seed=7)
        assert d.difference == pytest.approx(M.table4(y, pb_other)[metric]
                                             - M.table4(y, pa)[metric])
        assert d.low <= d.difference <= d.high
        assert d == B.paired_bootstrap(y, pa, pb_other, metric, n=150, seed=7)
    assert d != B.paired_bootstrap(y, pa, pb_other, "log_loss", n=150, seed=8)


def test_paired_bootstrap_refuses_different_records_or_labels():
    y, p = make(n=50, seed=7)
    ids = [f"JS{i:05d}" for i in range(50)]
    with pytest.raises(ValueError, match="proba_a holds 50 records, proba_b 49"):
        B.paired_bootstrap(y, p, p[:49], n=10)
    with pytest.raises(ValueError, match=r"1 only in run A \(e.g. 'JS00049'\), 1 only in run B"):
        B.paired_bootstrap(y, p, p, n=10, ids_a=ids, ids_b=ids[:49] + ["JS99999"])
    with pytest.raises(ValueError, match="different order at 2 of 50 positions"):
        B.paired_bootstrap(y, p, p, n=10, ids_a=ids, ids_b=[ids[1], ids[0]] + ids[2:])
    y_b = y.copy()
    y_b[3] = (y[3] + 1) % 8
    with pytest.raises(ValueError, match="true labels differ on 1 of 50 records.*'JS00003'"):
        B.paired_bootstrap(y, p, p, n=10, ids_a=ids, ids_b=ids, y_true_b=y_b)
    with pytest.raises(ValueError, match="metric"):
        B.paired_bootstrap(y, p, p, "sensitivity", n=10)


def test_compare_predictions_aligns_frames_by_record_id_and_refuses_others():
    y, pa = make(n=200, seed=9)
    _, pb = make(n=200, seed=9, strength=3.0)
    ids = [f"JS{i:05d}" for i in range(200)]
    a, b = M.predictions_frame(ids, y, pa), M.predictions_frame(ids, y, pb)
    shuffled = b.sample(frac=1.0, random_state=0)
    res = C.compare_predictions(a, shuffled, n=100, seed=1)
    direct = B.paired_bootstrap(y, pa, pb, "f1_macro", n=100, seed=1)
    assert res["f1_macro"] == direct
    assert set(res) == {"accuracy", "f1_macro"}
    with pytest.raises(ValueError, match="only in run B"):
        C.compare_predictions(a, b.iloc[:-1].assign(record_id=lambda f: f["record_id"]
                                                  .where(f.index != 0, "JS77777")), n=10)
    relabelled = b.copy()
    relabelled.loc[5, "label"] = "AT" if relabelled.loc[5, "label"] != "AT" else "SB"
    with pytest.raises(ValueError, match="true labels differ"):
        C.compare_predictions(a, relabelled, n=10)


# --- tables and summaries as data ------------------------------------------------------------

def test_tables_put_the_paper_beside_ours_never_subtract_it():
    from ecgpaper.evaluation.tables import metric_table
    block = {"metrics": {"accuracy": 0.9}, "ci": {"accuracy": {"low": 0.85, "high": 0.95}}}
    t = metric_table(block, {"accuracy": 0.942})
    assert list(t.columns) == ["label", "ours", "low", "high", "ours (95 % CI)", "paper"]
    assert t.loc["accuracy", "paper"] == 0.942


def test_results_summary_is_data():
    from ecgpaper.evaluation.comparisons import results_summary
    from ecgpaper.evaluation.metrics import confusion
    y = np.repeat([0, 1, 2], 10)
    pred = y.copy()
    pred[10:14] = 0                                  # SR read as SB four times
    per_class = pd.DataFrame({"f1": [0.83, 0.75, 1.0], "f1_low": [0.7, 0.6, 0.9],
                              "f1_high": [0.9, 0.85, 1.0], "support": [10, 10, 10]},
                             index=pd.Index(["SB", "SR", "AFIB"], name="class"))
    s = results_summary(per_class, confusion(y, pred))
    assert (s.best, s.worst, s.worst_support) == ("AFIB", "SR", 10)
    assert s.worst_f1 == (0.75, 0.6, 0.85)
    assert (s.confusion_true, s.confusion_predicted, s.confusion_count,
            s.confusion_n_true) == ("SR", "SB", 4, 10)
