"""Measured heart rate of each sinus-labelled external record, per source and label,
against the 60 and 100 bpm lines that define the sinus classes in Chapman-Shaoxing."""

from __future__ import annotations

import numpy as np
import pandas as pd

COLOURS = {"SB": "#1f77b4", "SR": "#2ca02c", "ST": "#d62728"}


def plot_sinus_rates(harmonised: pd.DataFrame, low: float = 60.0, high: float = 100.0,
                     seed: int = 0):
    """Strip plot of `evaluation.harmonise.harmonise`'s measured rates: one column group
    per source, one colour per source label (SB, SR, ST); records the harmonisation
    relabelled are ringed. Returns the Figure."""
    import matplotlib.pyplot as plt
    rows = harmonised[harmonised["label"].isin(COLOURS) & harmonised["bpm"].notna()]
    sources = sorted(rows["source"].unique())
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(sources) + 2.0), 4.2))
    rng = np.random.default_rng(seed)
    offsets = {"SB": -0.25, "SR": 0.0, "ST": 0.25}
    for label, colour in COLOURS.items():
        mine = rows[rows["label"] == label]
        x = np.array([sources.index(s) for s in mine["source"]], float) + offsets[label]
        x += rng.uniform(-0.08, 0.08, len(mine))
        ax.scatter(x, mine["bpm"], s=28, color=colour, label=f"labelled {label} "
                   f"({len(mine)})", zorder=3)
        moved = mine["relabelled"].to_numpy(bool)
        ax.scatter(x[moved], mine["bpm"][moved], s=110, facecolors="none",
                   edgecolors="black", linewidths=1.3, zorder=4)
    for y, name in ((low, f"{low:g} bpm"), (high, f"{high:g} bpm")):
        ax.axhline(y, color="0.4", linestyle="--", linewidth=1, zorder=1)
        ax.text(len(sources) - 0.5, y, name, ha="right", va="bottom", fontsize=9,
                color="0.3")
    ax.set_xticks(range(len(sources)), sources, rotation=20, ha="right")
    ax.set_xlim(-0.6, max(len(sources) - 0.4, 0.6))
    ax.set_ylabel("measured heart rate (bpm, lead II, median RR)")
    ax.set_title("Sinus-labelled records (ringed: relabelled)")
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig
