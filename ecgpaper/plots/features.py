"""Figures of the Features chapter: where NeuroKit2 fails, and what it delineates."""

from __future__ import annotations

import numpy as np
import pandas as pd


def plot_fallback_heatmap(share_by_class: pd.DataFrame):
    """Share of fallback values per class (rows) and feature (columns)."""
    import matplotlib.pyplot as plt
    values = share_by_class.to_numpy(float)
    fig, ax = plt.subplots(figsize=(8.5, 3.8))
    image = ax.imshow(values, aspect="auto", cmap="Reds", vmin=0,
                      vmax=max(0.05, float(np.nanmax(values)) if values.size else 0.05))
    ax.set_yticks(range(len(share_by_class)), share_by_class.index)
    ax.set_xticks(range(share_by_class.shape[1]), share_by_class.columns, rotation=90,
                  fontsize=9)
    fig.colorbar(image, ax=ax, label="fallback share")
    fig.tight_layout()
    return fig


MARKS = {"P_Peaks": "P", "Q_Peaks": "Q", "S_Peaks": "S", "T_Peaks": "T",
         "P_Onsets": "P on", "T_Offsets": "T off"}


def plot_delineation(clean: np.ndarray, r_peaks: np.ndarray, waves: dict, fs: float,
                     seconds: float = 3.0, title: str = ""):
    """The first `seconds` of a cleaned lead with the R peaks and the wave points that
    NeuroKit2 delineated."""
    import matplotlib.pyplot as plt
    t = np.arange(len(clean)) / fs
    n = int(min(len(clean), seconds * fs))
    fig, ax = plt.subplots(figsize=(8.5, 3.4))
    ax.plot(t[:n], clean[:n], lw=0.9, color="black")
    for key, label in MARKS.items():
        pos = np.asarray(waves.get(key, []), dtype=float)
        pos = pos[np.isfinite(pos)].astype(int)
        pos = pos[pos < n]
        ax.scatter(t[pos], clean[pos], s=22, label=label, zorder=3)
    r = np.asarray(r_peaks, dtype=int)
    r = r[r < n]
    ax.scatter(t[r], clean[r], s=30, marker="v", color="red", label="R", zorder=3)
    ax.set_xlim(0, seconds)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("µV (cleaned)")
    if title:
        ax.set_title(title)
    ax.legend(ncol=7, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    fig.tight_layout()
    return fig
