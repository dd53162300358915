"""Table 4 / Table 6 metrics agree with scikit-learn wherever it defines them, and the
fixed 8-class layout survives missing classes."""

import numpy as np
import pytest
from sklearn import metrics as skm

from ecgpaper.constants import CLASSES
from ecgpaper.evaluation import metrics as M


def make(n=600, seed=0, classes=range(8), strength=2.0):
    rng = np.random.default_rng(seed)
    y = rng.choice(list(classes), n)
    logits = rng.normal(size=(n, 8))
    logits[np.arange(n), y] += strength
    p = np.exp(logits)
    return y, p / p.sum(axis=1, keepdims=True)


def sklearn_table4(y, p):
    yp = p.argmax(axis=1)
    present = sorted(set(y))
    aucs = [skm.roc_auc_score(y == k, p[:, k]) for k in present]
    return {
        "accuracy": skm.accuracy_score(y, yp),
        "precision_macro": skm.precision_score(y, yp, average="macro", zero_division=0),
        "recall_macro": skm.recall_score(y, yp, average="macro", zero_division=0),
        "f1_macro": skm.f1_score(y, yp, average="macro", zero_division=0),
        "f1_weighted": skm.f1_score(y, yp, average="weighted", zero_division=0),
        "auc_macro": float(np.mean(aucs)),
        "kappa": skm.cohen_kappa_score(y, yp),
        "mcc": skm.matthews_corrcoef(y, yp),
        "log_loss": skm.log_loss(y, p, labels=list(range(8))),
        "top2_accuracy": skm.top_k_accuracy_score(y, p, k=2, labels=list(range(8))),
    }


@pytest.mark.parametrize("seed", [0, 1])
def test_table4_matches_sklearn(seed):
    y, p = make(seed=seed)
    ours = M.table4(y, p)
    assert list(ours) == list(M.METRICS)
    ref = sklearn_table4(y, p)
    for k in M.METRICS:
        assert ours[k] == pytest.approx(ref[k], abs=1e-10), k
    # all classes present: the macro AUC is sklearn's multi-class OvR macro AUC
    assert ours["auc_macro"] == pytest.approx(
        skm.roc_auc_score(y, p, multi_class="ovr", average="macro"), abs=1e-10)


def test_table4_accepts_class_names():
    y, p = make(seed=3)
    names = np.array([CLASSES[i] for i in y])
    assert M.table4(names, p) == M.table4(y, p)


def test_missing_classes_are_handled():
    # AT and SA absent from y_true; the model still predicts them sometimes
    y, p = make(n=400, seed=4, classes=range(6), strength=1.0)
    ours = M.table4(y, p)
    ref = sklearn_table4(y, p)
    for k in M.METRICS:
        assert ours[k] == pytest.approx(ref[k], abs=1e-10), k
    cm = M.confusion(y, p.argmax(axis=1))
    assert list(cm.index) == list(CLASSES) and list(cm.columns) == list(CLASSES)
    assert cm.loc["AT"].sum() == 0 and cm.to_numpy().sum() == len(y)
    t6 = M.table6(y, p.argmax(axis=1), p)
    assert list(t6.index) == list(CLASSES)
    assert t6.loc["AT", "support"] == 0 and np.isnan(t6.loc["AT", "auc"])
    assert np.isfinite(t6.loc["SB", "auc"])


def test_single_class_auc_undefined():
    y = np.zeros(10, dtype=int)
    p = np.full((10, 8), 1 / 8)
    assert np.isnan(M.table4(y, p)["auc_macro"])


def test_table6_matches_sklearn():
    y, p = make(seed=5)
    yp = p.argmax(axis=1)
    t6 = M.table6(y, yp)
    labels = list(range(8))
    np.testing.assert_allclose(t6["sensitivity"], skm.recall_score(y, yp, labels=labels,
                                                                   average=None))
    np.testing.assert_allclose(t6["ppv"], skm.precision_score(y, yp, labels=labels,
                                                              average=None, zero_division=0))
    np.testing.assert_allclose(t6["f1"], skm.f1_score(y, yp, labels=labels, average=None))
    mcm = skm.multilabel_confusion_matrix(y, yp, labels=labels)
    spec = mcm[:, 0, 0] / (mcm[:, 0, 0] + mcm[:, 0, 1])
    np.testing.assert_allclose(t6["specificity"], spec)
    np.testing.assert_array_equal(t6["support"], np.bincount(y, minlength=8))
    np.testing.assert_array_equal(M.confusion(y, yp).to_numpy(),
                                  skm.confusion_matrix(y, yp, labels=labels))


def test_rank_auc_with_ties_and_weights_matches_sklearn():
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 5, 300) / 4.0          # many ties
    pos = rng.random(300) < 0.3
    assert M.weighted_auc(scores, pos, np.ones(300))[0] == pytest.approx(
        skm.roc_auc_score(pos, scores))
    w = rng.integers(0, 3, 300).astype(float)       # integer weights = repeated records
    assert M.weighted_auc(scores, pos, w)[0] == pytest.approx(
        skm.roc_auc_score(pos, scores, sample_weight=w))


def test_bad_inputs_name_the_problem():
    y, p = make(n=20)
    with pytest.raises(ValueError, match="shape"):
        M.table4(y, p[:, :7])
    with pytest.raises(ValueError, match="unknown class 'XX'"):
        M.table4(["XX"] * 20, p)


def test_predictions_roundtrip_and_validation(tmp_path):
    y, p = make(n=50)
    df = M.predictions_frame([f"r{i}" for i in range(50)], y, p)
    assert tuple(df.columns) == M.PREDICTION_COLUMNS
    df.to_csv(tmp_path / "ok.csv", index=False)
    from ecgpaper.evaluation.predictions import read_predictions, split_predictions
    y2, p2 = split_predictions(read_predictions(tmp_path / "ok.csv"))
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_allclose(p2, p)
    df.drop(columns="prob_SA").to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match=r"bad\.csv.*prob_SA"):
        read_predictions(tmp_path / "bad.csv")
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_predictions(tmp_path / "nope.csv")
