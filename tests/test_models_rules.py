"""The rule-based classifier on simulated and real recordings."""

import numpy as np
import pytest

from ecgpaper.constants import CLASSES
from ecgpaper.models.rules import THRESHOLDS, predict_rules, rhythm_measurements, rule_scores
from ecgpaper.paths import shared_data_dir


def _sim(hr, fs=500, seed=0):
    import neurokit2 as nk
    lead = nk.ecg_simulate(duration=10, sampling_rate=fs, heart_rate=hr, noise=0.01,
                           random_state=seed, method="ecgsyn")
    return np.tile(lead * 1000, (12, 1)).astype(np.float32)      # µV, 12 identical leads


@pytest.mark.parametrize("hr,expected", [(45, "SB"), (75, "SR"), (120, "ST")])
def test_rate_rules_on_simulated_sinus_rhythm(hr, expected):
    x = _sim(hr)[None]
    pred, scores = predict_rules(x, 500)
    m = rhythm_measurements(x[0], 500)
    assert m["hr_bpm"] == pytest.approx(hr, rel=0.1)
    assert pred[0] == expected
    assert scores.shape == (1, 8) and scores.sum() == pytest.approx(1)


def test_scores_follow_thresholds():
    base = {"ok": True, "hr_bpm": 75.0, "nrmssd": 0.02, "df_hz": np.nan, "oi": np.nan, "aa": np.nan}
    top = lambda **kw: CLASSES[int(np.argmax(rule_scores({**base, **kw})))]
    assert top() == "SR"
    assert top(hr_bpm=170.0) == "SVT"
    assert top(nrmssd=0.15) == "SA"                           # irregular, no f-waves
    assert top(nrmssd=0.15, aa=0.6, df_hz=7.0, oi=0.1) == "AFIB"
    assert top(nrmssd=0.3) == "AFIB"                          # markedly irregular
    assert top(hr_bpm=140.0, df_hz=5.0, oi=0.7, aa=0.6) == "AF"
    assert THRESHOLDS["brady_bpm"] == 60 and THRESHOLDS["tachy_bpm"] == 100


def test_flat_recording_gives_uniform_scores():
    pred, scores = predict_rules(np.zeros((2, 12, 1000), np.float32), 100)
    assert np.allclose(scores, 1 / 8)


def test_bad_shape_is_rejected():
    with pytest.raises(ValueError, match=r"\(N, 12, T\)"):
        predict_rules(np.zeros((12, 1000)), 100)


@pytest.mark.skipif(shared_data_dir() is None, reason="real Chapman WFDB records not present")
def test_real_records_bradycardia_and_fibrillation():
    from ecgpaper.data.wfdb_io import read_wfdb
    folder = shared_data_dir() / "chapman" / "wfdb"
    recs = [read_wfdb(p.with_suffix("")) for p in sorted(folder.glob("*.hea"))]
    x = np.stack([r.signal * (1000.0 if r.units == "mV" else 1.0) for r in recs])
    labels = [r.label for r in recs]
    pred, _ = predict_rules(x, 500)
    sb = [p for p, y in zip(pred, labels) if y == "SB"]
    assert sum(p == "SB" for p in sb) >= len(sb) - 1
    assert any(p == "AFIB" for p, y in zip(pred, labels) if y == "AFIB")
