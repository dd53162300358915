"""The clinical 12-lead layout."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from ecgpaper.constants import LEADS
from ecgpaper.twin.generator import FS, iter_records
from ecgpaper.plots.ecg import MM_PER_S, plot_ecg


def test_layout_500_and_100_hz():
    import matplotlib.pyplot as plt
    (_, rec), = iter_records(counts={"SR": 1}, seed=1)
    fig = plot_ecg(rec.signal, FS, title="SR")
    ax = fig.axes[0]
    assert ax.get_xlim()[1] == pytest.approx(5 + 10 * MM_PER_S)   # calibration + 10 s
    labels = [t.get_text() for t in ax.texts]
    assert sorted(set(labels)) == sorted(LEADS) and labels.count("II") == 2
    assert len(ax.lines) > 16            # 12 segments + rhythm strip + calibrations + grid
    plt.close(fig)
    fig = plot_ecg(rec.signal[:, ::5], 100)
    plt.close(fig)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="expected a \\(12, T\\)"):
        plot_ecg(np.zeros((8, 100)), 500)
    with pytest.raises(ValueError, match="lacks lead"):
        plot_ecg(np.zeros((12, 100)), 500, leads=tuple("ABCDEFGHIJKL"))
