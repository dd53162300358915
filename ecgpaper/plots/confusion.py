"""Confusion-matrix figure: counts and row-normalised shares, classes named."""

from __future__ import annotations

import numpy as np
import pandas as pd


def plot_confusion(cm_df: pd.DataFrame, normalize: bool = True, title: str | None = None,
                   ax=None, cmap: str = "Blues"):
    """Heat map of a confusion matrix (rows true, columns predicted).

    With `normalize`, colours are row shares (recall per true class) and each cell shows
    the count and the share; otherwise colours and text are counts. Returns the Figure."""
    import matplotlib.pyplot as plt
    counts = cm_df.to_numpy(dtype=float)
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    values = share if normalize else counts
    n = len(cm_df)
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.0 + 0.75 * n, 0.8 + 0.65 * n))
    else:
        fig = ax.figure
    im = ax.imshow(values, cmap=cmap, vmin=0, vmax=1 if normalize else max(values.max(), 1))
    top = values.max() if values.size else 0
    for i in range(n):
        for j in range(cm_df.shape[1]):
            c = int(counts[i, j])
            text = f"{c}\n{share[i, j]:.0%}" if normalize and c else f"{c}"
            dark = values[i, j] > 0.55 * (1 if normalize else top)
            ax.text(j, i, text, ha="center", va="center", fontsize=7.5,
                    color="white" if dark else "black")
    ax.set_xticks(range(cm_df.shape[1]), [str(c) for c in cm_df.columns], rotation=45)
    ax.set_yticks(range(n), [str(c) for c in cm_df.index])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title or ("confusion matrix (colour: share of the true class)" if normalize
                           else "confusion matrix (counts)"))
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04,
                 label="share of true class" if normalize else "records")
    fig.tight_layout()
    return fig
