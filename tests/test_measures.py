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
