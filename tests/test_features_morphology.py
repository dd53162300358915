"""NeuroKit2 morphology features: fallback bookkeeping, agreement with the Diagnostics
heart rate on real records, the cache, and the model-ready matrices."""

import numpy as np
import pandas as pd
import pytest

from ecgpaper.features import morphology as mo
from ecgpaper.features.inputs import model_inputs
from ecgpaper.features.morphology import extract, table as mt
from ecgpaper.profiles import get_profile


def simulated(hr=70, seed=1):
    import neurokit2 as nk
    return nk.ecg_simulate(duration=10, sampling_rate=500, heart_rate=hr,
                           random_state=seed) * 1000.0


def test_feature_list_is_28_named_features():
    defs = mo.feature_definitions()
    assert len(defs) == 28 == mo.N_FEATURES
    assert list(defs["name"]) == list(mo.NAMES)
    assert defs["name"].is_unique and defs["unit"].notna().all()


def test_flat_and_noise_leads_fall_back_everywhere():
    v, status, _, _ = extract.extract_record(np.zeros(5000), 500)
    assert status == "few_beats" and np.isnan(v).all()
    rng = np.random.default_rng(0)
    v, status, q, _ = extract.extract_record(rng.normal(0, 100, 5000), 500)
    assert status in ("low_quality", "few_beats") and np.isnan(v).all()


def test_simulated_ecg_is_delineated():
    v, status, q, _ = extract.extract_record(simulated(hr=75), 500)
    f = dict(zip(mo.NAMES, v))
    assert status == "ok" and q > 0.9
    assert f["hr_mean"] == pytest.approx(75, abs=4)
    assert np.isfinite(v).sum() >= 24


def test_fallbacks_are_counted_per_column():
    index = pd.DataFrame({"record_id": ["a", "b", "c", "d"], "split": ["train"] * 4,
                          "label": ["SB", "SR", "AFIB", "ST"]})
    res = extract.extract_many([simulated(60, 1), np.zeros(5000), simulated(80, 2),
                           simulated(100, 3)], 500, workers=1, progress=False)
    table = mt.build_table(index, res)
    rates = mo.fallback_rates(table)
    assert rates.loc["hr_mean", "n_fallback"] == 1          # only the flat lead
    assert (rates["n_fallback"] >= 1).all()
    assert table.loc[1, list(mo.NAMES)].eq(extract.FALLBACK_VALUE).all()
    assert table.loc[1, "status"] == "few_beats"
    assert mo.filtered_columns(table, threshold=0.05) == []    # 25 % everywhere
    assert len(mo.filtered_columns(table, threshold=0.3)) >= 20
    # the model matrix replaces fallbacks by the median of the valid training values
    X, names = mo.model_columns(table, "all")
    j = names.index("hr_mean")
    assert X.shape == (4, 28)
    assert X[1, j] == pytest.approx(np.median(table.loc[[0, 2, 3], "hr_mean"]))


def test_process_pool_gives_the_same_numbers():
    sigs = [simulated(60 + 10 * i, i) for i in range(4)]
    one = extract.extract_many(sigs, 500, workers=1, progress=False)
    two = extract.extract_many(iter(sigs), 500, workers=2, progress=False, chunk=1)
    np.testing.assert_array_equal(one["values"], two["values"])


@pytest.fixture(scope="module")
def real_store(shared_data, tmp_path_factory):
    from ecgpaper.data.prepare import prepare_store
    from ecgpaper.data.store import open_store
    out = tmp_path_factory.mktemp("store") / "store"
    prepare_store("chapman-wfdb", shared_data / "chapman" / "wfdb", out, progress=False,
                  diagnostics=shared_data / "chapman" / "metadata" / "Diagnostics.xlsx")
    return open_store(out)


def test_heart_rate_agrees_with_diagnostics(real_store, tmp_path):
    profile = get_profile("demo", work_dir=str(tmp_path))
    table = mo.morphology_table(real_store, profile, workers=1, progress=False)
    assert len(table) == len(real_store.index) == 10
    assert (table["status"] == "ok").all()
    diff = table["hr_mean"].to_numpy() - real_store.index["VentricularRate"].to_numpy()
    assert np.abs(diff).max() < 4, diff
    # QRS durations are physiological (the dwt delineator gave up to 340 ms here)
    assert table["qrs_duration"].between(50, 130).all()


def test_cache_is_reused(real_store, tmp_path, monkeypatch):
    profile = get_profile("demo", work_dir=str(tmp_path))
    first = mo.morphology_table(real_store, profile, workers=1, progress=False)
    files = sorted(p.name for p in (tmp_path / "features").iterdir())
    assert len(files) == 2 and files[0].endswith(".json") and files[1].endswith(".parquet")

    def boom(*a, **k):
        raise AssertionError("recomputed although cached")
    monkeypatch.setattr(mt, "extract_many", boom)
    again = mo.morphology_table(real_store, profile, workers=1, progress=False)
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(AssertionError, match="recomputed"):
        mo.morphology_table(real_store, profile, refresh=True)


def test_model_inputs(real_store, tmp_path):
    """Every experiment's input set: sizes, scaling on the training rows, no gaps."""
    profile = get_profile("demo", work_dir=str(tmp_path))
    assert model_inputs(real_store, profile) == (None, [], {})
    n_f = len(mo.filtered_columns(mo.morphology_table(real_store, profile, progress=False)))
    train = np.asarray(real_store.rows("train"))
    for metadata, morphology, n in [("full", None, 14), ("full", "all", 42),
                                    ("full", "filtered", 14 + n_f), ("age_gender", None, 3),
                                    ("age_gender", "filtered", 3 + n_f)]:
        X, names, stats = model_inputs(real_store, profile, metadata, morphology)
        assert X.shape == (10, n) == (len(X), len(names)) and X.dtype == np.float32
        assert np.isfinite(X).all() and len(stats["median"]) == n
        assert np.abs(X[train].mean(axis=0)).max() < 1e-4
