"""Twin against real recordings on the signal itself (`twin.realism` statistics)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# (column, label, log scale)
PANELS = (
    ("amp_II", "amplitude II (µV)", True), ("amp_V2", "amplitude V2 (µV)", True),
    ("wander_uV", "wander < 0.7 Hz (µV)", True), ("hf_noise_uV", "noise > 40 Hz (µV)", True),
    ("power_15_40Hz", "power share 15–40 Hz", False), ("rr_cv", "RR coefficient of variation",
                                                        True),
    ("qrs_ms", "QRS duration (ms, NeuroKit2)", False), ("qt_ms", "QT (ms, NeuroKit2)", False),
)


def plot_realism(table: pd.DataFrame, kinds: tuple[str, str] | None = None):
    """One box plot per statistic, the two kinds of records (e.g. twin, real) side by side."""
    import matplotlib.pyplot as plt
    kinds = kinds or tuple(sorted(table["kind"].unique()))
    panels = [p for p in PANELS if p[0] in table.columns]
    ncols = 4
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.4 * nrows))
    for ax, (col, label, log) in zip(np.ravel(axes), panels):
        data = [table.loc[table["kind"] == k, col].dropna().to_numpy() for k in kinds]
        data = [d[d > 0] if log else d for d in data]
        ax.boxplot(data, tick_labels=list(kinds), widths=0.6, showfliers=True,
                   flierprops={"markersize": 2})
        if log:
            ax.set_yscale("log")
        ax.set_title(label, fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in np.ravel(axes)[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    return fig
