"""The twin's Diagnostics rows: proportions, ranges, shipped statistics, difficulty."""

import numpy as np
import pytest

from ecgpaper.constants import CLASSES, PAPER_TABLE1
from ecgpaper.twin import generator, metadata


def test_class_counts_follow_the_database():
    c = metadata.class_counts(1200)
    assert sum(c.values()) == 1200 and set(c) == set(CLASSES)
    real = np.array([PAPER_TABLE1[k][0] for k in CLASSES], float)
    got = np.array([c[k] for k in CLASSES], float)
    assert np.abs(got / 1200 - real / real.sum()).max() < 0.01
    small = metadata.class_counts(10)
    assert sum(small.values()) == 10 and min(small.values()) >= 1


def test_shipped_stats_are_summaries_only():
    st = metadata.load_stats()
    assert set(st["classes"]) == set(CLASSES)
    for c, s in st["classes"].items():
        assert s["n"] == PAPER_TABLE1[c][0]
        assert len(s["quantiles"]["VentricularRate"]) == len(st["probs"]) < s["n"]
        corr = np.asarray(s["corr"])
        assert np.allclose(corr, corr.T) and np.allclose(np.diag(corr), 1)
    text = metadata.STATS_FILE.read_text()
    assert "MUSE_" not in text        # no FileNames, i.e. no rows of the real table


def test_sampled_measurements_stay_near_the_real_quantiles():
    rng = np.random.default_rng(0)
    st = metadata.load_stats()["classes"]["SR"]["quantiles"]["VentricularRate"]
    x = metadata.sample_measurements("SR", 4000, rng, noise=0.0)["VentricularRate"]
    assert abs(np.median(x) - st[len(st) // 2]) < 2


def test_counts_and_errors():
    t = generator.generate_table(counts={"AT": 3, "SB": 2}, seed=1)
    assert sorted(t["Rhythm"]) == ["AT", "AT", "AT", "SB", "SB"]
    with pytest.raises(ValueError, match="unknown classes"):
        generator.plan(counts={"XX": 1})
    with pytest.raises(ValueError, match="no records"):
        generator.plan(counts={"SB": 0})


def test_twin_is_not_trivially_separable():
    """Metadata alone must not decide the class (real table: accuracy 0.848)."""
    pytest.importorskip("sklearn")
    from ecgpaper.models.tabular import metadata_baseline
    from ecgpaper.twin.quality import metadata_difficulty
    counts = {c: v[0] // 4 for c, v in PAPER_TABLE1.items()}
    table = generator.generate_table(counts=counts, seed=0)
    res = metadata_difficulty(table, metadata_baseline)
    assert 0.7 < res["accuracy"] < 0.93
    assert res["macro_f1"] < 0.8


def test_difficulty_comparison_without_the_real_table(tmp_path):
    """Without the real table the stored real-table figure is shown, with its date."""
    pytest.importorskip("sklearn")
    from ecgpaper.models.tabular import metadata_baseline
    from ecgpaper.twin.quality import difficulty_comparison
    table = generator.generate_table(counts={c: 12 for c in CLASSES}, seed=2)
    d = difficulty_comparison(table, metadata_baseline, synthetic=False,
                              cache=tmp_path / "fits.json")
    assert d.index[0] == "active profile" and 0 <= d.loc["active profile", "accuracy"] <= 1
    assert d.index[1].startswith("real table (stored figure, measured 20")
    assert d.iloc[1]["n_test"] == 1593 and 0.8 < d.iloc[1]["accuracy"] < 0.9
