"""Gradient boosting on the 14 metadata inputs."""

import numpy as np
import pandas as pd
import pytest

from ecgpaper.constants import CLASSES, MEASUREMENTS
from ecgpaper.models.tabular import METADATA_INPUTS, metadata_baseline, metadata_inputs
from ecgpaper.paths import shared_data_dir


def _frame(n, seed, classes=CLASSES):
    rng = np.random.default_rng(seed)
    lab = rng.choice(classes, n)
    df = pd.DataFrame({"PatientAge": rng.integers(20, 90, n),
                       "Gender": rng.choice(["MALE", "FEMALE"], n), "label": lab})
    rate = {"SB": 50, "SR": 75, "AFIB": 110, "ST": 115, "SVT": 170, "AF": 140, "SA": 70, "AT": 125}
    for c in MEASUREMENTS:
        df[c] = rng.normal(0, 10, n)
    df["VentricularRate"] = [rate[c] + rng.normal(0, 3) for c in lab]
    return df


def test_inputs_are_the_papers_14():
    assert len(METADATA_INPUTS) == 14 and "POnset" not in METADATA_INPUTS
    X = metadata_inputs(_frame(5, 0))
    assert X.shape == (5, 14)
    assert (X[:, 1] + X[:, 2] == 1).all()


def test_baseline_learns_rate_and_fills_missing_classes():
    train = _frame(400, 1, classes=CLASSES[:6])        # SA and AT never seen in training
    test = _frame(200, 2)
    r = metadata_baseline(train, test, seed=0)
    assert r["proba"].shape == (200, 8)
    assert np.allclose(r["proba"].sum(1), 1)
    assert (r["proba"][:, 6:] == 0).all()
    assert 0.5 < r["accuracy"] <= 1 and 0.5 < r["macro_auc"] <= 1
    again = metadata_baseline(train, test, seed=0)
    assert np.array_equal(again["proba"], r["proba"])


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="QRSDuration"):
        metadata_baseline(_frame(10, 0).drop(columns="QRSDuration"), _frame(10, 1))


@pytest.mark.skipif(shared_data_dir() is None, reason="real Chapman metadata not present")
def test_real_diagnostics_metadata_is_informative():
    df = pd.read_excel(shared_data_dir() / "chapman" / "metadata" / "Diagnostics.xlsx")
    df = df[df["Rhythm"].isin(CLASSES)].copy()
    df["label"] = df["Rhythm"]
    df = df.sample(3000, random_state=0)
    r = metadata_baseline(df.iloc[:2000], df.iloc[2000:], seed=42)
    assert r["accuracy"] > 0.75 and r["macro_auc"] > 0.85
