"""External-validation scores agree with a direct computation and skip absent classes."""

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, recall_score

from ecgpaper.evaluation.external import (ALL_SOURCES, external_scores, recall_table,
                                          summary_table)


def make_frame(seed=0):
    rng = np.random.default_rng(seed)
    a_true = rng.choice(["SB", "SR", "ST", "AFIB", "AF"], 120)
    a_pred = np.where(rng.random(120) < 0.7, a_true, rng.choice(["SB", "SR", "AT"], 120))
    b_true = rng.choice(["SR", "SA"], 40)
    b_pred = np.where(rng.random(40) < 0.5, b_true, "SB")
    return pd.DataFrame({"source": ["A"] * 120 + ["B"] * 40,
                         "label": np.concatenate([a_true, b_true]),
                         "pred": np.concatenate([a_pred, b_pred])})


def test_scores_equal_direct_computation():
    frame = make_frame()
    scores = external_scores(frame, n_boot=200, seed=1)
    for source, part in [("A", frame[frame.source == "A"]), ("B", frame[frame.source == "B"]),
                         (ALL_SOURCES, frame)]:
        s = scores[source]
        present = sorted(set(part.label))
        assert s["records"] == len(part)
        assert np.isclose(s["accuracy"][0], accuracy_score(part.label, part.pred))
        assert np.isclose(s["macro_f1_present"][0],
                          f1_score(part.label, part.pred, labels=present, average="macro"))
        common = [c for c in ("SB", "SR", "ST", "AFIB") if c in present]
        assert np.isclose(s["balanced_recall_common"][0],
                          recall_score(part.label, part.pred, labels=common, average="macro"))
        for c in present:
            v, lo, hi = s["recall"][c]
            assert np.isclose(v, recall_score(part.label, part.pred, labels=[c], average="macro"))
            assert lo <= v <= hi
    # B holds only SR and SA: every other class is listed as absent, not scored as 0
    assert scores["B"]["classes_absent"] == ["SB", "AFIB", "ST", "SVT", "AF", "AT"]


def test_tables_for_readers():
    scores = external_scores(make_frame(), n_boot=50)
    summary = summary_table(scores)
    assert list(summary["source"]) == ["A", "B", ALL_SOURCES]
    assert summary.loc[summary.source == "B", "classes_absent"].item() == \
        "SB, AFIB, ST, SVT, AF, AT"
    recall = recall_table(scores)
    assert recall.loc[(recall.source == "B") & (recall["class"] == "AT"), "recall"].isna().all()


def test_a_seed_ensemble_averages_probabilities_record_by_record():
    import pytest

    from ecgpaper.constants import CLASSES
    from ecgpaper.inference.external import average_predictions
    rng = np.random.default_rng(0)

    def frame(p):
        f = pd.DataFrame({"source": ["A", "A", "B"], "record_id": ["r1", "r2", "r3"],
                          "label": ["SR", "AFIB", "ST"], "model": "experiment 1"})
        f["pred"] = [CLASSES[i] for i in p.argmax(axis=1)]
        f[[f"prob_{c}" for c in CLASSES]] = p
        return f
    probs = [rng.dirichlet(np.ones(len(CLASSES)), size=3) for _ in range(3)]
    mean = average_predictions([frame(p) for p in probs])
    expected = sum(probs) / 3
    assert np.allclose(mean[[f"prob_{c}" for c in CLASSES]].to_numpy(), expected)
    assert list(mean["pred"]) == [CLASSES[i] for i in expected.argmax(axis=1)]
    assert list(mean["record_id"]) == ["r1", "r2", "r3"] and set(mean["model"]) == {
        "mean of 3 networks"}
    # a frame one network scored in another order is refused, not silently mixed
    with pytest.raises(ValueError, match="frame 2 does not hold the same records"):
        average_predictions([frame(probs[0]), frame(probs[1]).iloc[::-1]])
    with pytest.raises(ValueError, match="no prediction frames"):
        average_predictions([])
