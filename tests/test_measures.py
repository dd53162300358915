"""The per-record measures that the checks and the quality flags share: computed once,
they must give exactly what each check computed for itself before."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import uniform_filter1d

from ecgpaper.constants import LEADS
from ecgpaper.data.limbs import LIMB_LEADS, limb_rank
from ecgpaper.data.measures import measure
from ecgpaper.data.quality import quality_flags
from ecgpaper.data.validate import validate_signal
from ecgpaper.data.wfdb_io import read_wfdb


@pytest.fixture(scope="module")
def js2(shared_data):
    rec = read_wfdb(shared_data / "chapman" / "wfdb" / "JS00002.hea")
    return np.asarray(rec.in_microvolts(), dtype=np.float32), rec.fs


def test_amplitude_and_polarity_are_the_detrended_order_statistics(js2):
    x, fs = js2
    m = measure(x, fs)
    d = x - uniform_filter1d(x, int(fs), axis=1, mode="nearest")
    s = np.sort(d, axis=1)
    n = x.shape[1]
    lo, hi = int(0.005 * n), n - 1 - int(0.005 * n)
    np.testing.assert_allclose(m.amplitude, s[:, hi] - s[:, lo], rtol=1e-6)
    mid = s[:, n // 2]
    np.testing.assert_allclose(m.polarity, ((s[:, hi] - mid) - (mid - s[:, lo]))
                               / (s[:, hi] - s[:, lo]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.median, np.median(x, axis=1), atol=25.0)   # µV


def test_flags_and_checks_agree_with_or_without_shared_measures(js2):
    x, fs = js2
    for y in (x, -x, x[[0, 1, 2, 3, 4, 5, 7, 6, 8, 9, 10, 11]]):
        m = measure(y, fs)
        assert quality_flags(y, fs, measures=m) == quality_flags(y, fs)
        validate_signal(y, fs=fs, units="uV", source="r", measures=m)


def test_limb_rank_from_the_gram_matrix_matches_the_svd(js2):
    x, fs = js2
    rows = [LEADS.index(n) for n in LIMB_LEADS]
    y = x[rows].astype(np.float64) - np.median(x[rows], axis=1, keepdims=True)
    s = np.linalg.svd(y, compute_uv=False)
    assert limb_rank(x) == int(np.sum(s > 0.01 * s[0])) >= 2
    one = x.copy()                           # six multiples of lead II: rank 1
    for name, k in zip(LIMB_LEADS, (0.5, 1.0, 0.5, -0.75, 0.25, 0.75)):
        one[LEADS.index(name)] = k * x[LEADS.index("II")]
    assert limb_rank(one) == 1
    assert limb_rank(np.zeros_like(x)) == 0


def test_beats_are_found_once_and_only_when_asked(js2):
    x, fs = js2
    m = measure(x, fs)
    assert m._beats is None
    beats = m.beats
    assert m.beats is beats and 7 <= len(beats) <= 11        # JS00002: 52 bpm over 10 s


def test_correlations_and_distances_from_one_gram_matrix(js2):
    """The flags read correlations and lead distances off `Measures.gram`: the same
    numbers np.corrcoef and np.linalg.norm give on the detrended leads."""
    x, fs = js2
    y = x.copy()
    y[LEADS.index("V4")] = y[LEADS.index("V3")]          # a copied lead
    y[LEADS.index("V6")] = 0.0                           # a flat one
    m = measure(y, fs)
    d = m.detrended.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.nan_to_num(np.corrcoef(d), nan=0.0)
    np.testing.assert_allclose(m.correlation(), expected, atol=1e-5)
    c = d - d.mean(axis=1, keepdims=True)
    a, b = LEADS.index("V1"), LEADS.index("V2")
    distance2 = m.gram[a, a] + m.gram[b, b] - 2 * m.gram[a, b]
    np.testing.assert_allclose(distance2, np.sum((c[a] - c[b]) ** 2), rtol=1e-4)
    codes = [f.code for f in quality_flags(y, fs, measures=m)]
    assert "chest_duplicate" in codes


def test_limb_gains_from_the_detrended_leads(js2):
    """Detrending is linear, so the limb identities hold for the detrended leads and the
    gains read from them find one limb lead at the wrong gain as the raw leads do."""
    from ecgpaper.data.limbs import limb_gram, limb_lead_gains
    x, fs = js2
    rows = [LEADS.index(n) for n in LIMB_LEADS]
    for k, gain in ((None, 1.0), ("aVL", 3.0), ("III", 0.4)):
        y = x.copy()
        if k is not None:
            y[LEADS.index(k)] *= gain
        from_detrended = limb_lead_gains(None, gram=measure(y, fs).gram[np.ix_(rows, rows)])
        from_raw = limb_lead_gains(None, gram=limb_gram(y))
        worst = LIMB_LEADS[int(np.argmax(np.abs(np.log(from_detrended))))]
        if k is None:
            assert np.all(np.abs(from_detrended - 1.0) < 0.25), from_detrended
        else:
            assert worst == k and from_detrended[LIMB_LEADS.index(k)] == pytest.approx(
                gain, rel=0.1)
        np.testing.assert_allclose(from_detrended, from_raw, rtol=0.25)
