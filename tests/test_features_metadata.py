"""The 14 metadata inputs: names, one-hot gender, train-only imputation and z-scores."""

import numpy as np
import pandas as pd
import pytest

from ecgpaper.constants import MEASUREMENTS
from ecgpaper.features import metadata as md


def frame(n=8):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"PatientAge": rng.integers(20, 90, n).astype(float),
                       "Gender": ["MALE", "FEMALE"] * (n // 2),
                       "label": ["SB", "SR"] * (n // 2)})
    for c in MEASUREMENTS:
        df[c] = rng.normal(100, 10, n)
    return df


def test_names_and_counts():
    X, names = md.metadata_matrix(frame(), "full")
    assert len(names) == 14 and X.shape == (8, 14)
    assert names[:3] == ["PatientAge", "GenderMale", "GenderFemale"]
    assert names[3:] == list(MEASUREMENTS)
    np.testing.assert_array_equal(X[:, 1], [1, 0] * 4)
    np.testing.assert_array_equal(X[:, 1] + X[:, 2], 1)
    Xa, na = md.metadata_matrix(frame(), "age_gender")
    assert na == ["PatientAge", "GenderMale", "GenderFemale"] and Xa.shape == (8, 3)
    assert list(md.definitions()["input"]) == names


def test_zscore_uses_training_rows_only():
    df = frame()
    X, _ = md.metadata_matrix(df, "full")
    train = np.array([0, 1, 2, 3, 4, 5])
    Z = md.zscore_from_train(X, train)
    np.testing.assert_allclose(Z[train].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(Z[train].std(axis=0), 1, atol=1e-5)
    X2 = X.copy()
    X2[6:] += 1000                               # changing val/test rows changes nothing
    np.testing.assert_allclose(md.zscore_from_train(X2, train)[train], Z[train])
    mask = np.zeros(8, dtype=bool)
    mask[train] = True
    np.testing.assert_allclose(md.zscore_from_train(X, mask), Z)
    assert Z.dtype == np.float32


def test_missing_values_imputed_with_train_median():
    df = frame()
    df.loc[0, "QRSDuration"] = np.nan
    df.loc[7, "QRSDuration"] = np.nan
    df.loc[3, "Gender"] = None
    missing = md.summary(df).set_index("input")["missing"]
    assert missing["QRSDuration"] == 2 and missing["GenderMale"] == 1
    X, names = md.metadata_matrix(df, "full")
    train = np.arange(6)
    j = names.index("QRSDuration")
    med = np.median(X[1:6, j])
    imputed = md.impute_train_median(X, train)
    assert imputed[0, j] == pytest.approx(med) and imputed[7, j] == pytest.approx(med)
    assert np.isfinite(md.zscore_from_train(X, train)).all()


def test_summary_and_errors():
    s = md.summary(frame())
    assert len(s) == 14 and "median SB" in s.columns and s["missing"].sum() == 0
    assert s["median AT"].isna().all()            # class absent: no median
    with pytest.raises(ValueError, match="QTInterval"):
        md.metadata_matrix(frame().drop(columns="QTInterval"))
    with pytest.raises(ValueError, match="columns"):
        md.metadata_matrix(frame(), "everything")
    with pytest.raises(ValueError, match="train_rows"):
        md.zscore_from_train(np.ones((3, 2)), [])


def test_real_diagnostics_have_the_inputs(shared_data):
    from ecgpaper.data.chapman import read_diagnostics
    diag = read_diagnostics(shared_data / "chapman" / "metadata" / "Diagnostics.xlsx")
    X, names = md.metadata_matrix(diag, "full")
    assert X.shape == (10646, 14)
    assert set(np.unique(X[:, 1] + X[:, 2])) == {1.0}
