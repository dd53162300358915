"""Figures of the Training chapter: the four augmentations on one ECG and lead dropout."""

from __future__ import annotations

import numpy as np


def plot_augmentations(variants: dict[str, np.ndarray], fs: float, lead_names=("II", "V1"),
                       seconds: float = 4.0):
    """One row per variant (the original first), one column per lead; `variants` maps a
    title to a (leads, samples) array of the named leads. Each augmented trace is drawn
    over the original (grey) so that the change shows."""
    import matplotlib.pyplot as plt
    n = int(seconds * fs)
    t = np.arange(n) / fs
    rows = len(variants)
    fig, axes = plt.subplots(rows, len(lead_names), figsize=(8.5, 1.45 * rows + 0.6),
                             sharex=True, squeeze=False)
    original = next(iter(variants.values()))
    for r, (title, signal) in enumerate(variants.items()):
        for c, lead in enumerate(lead_names):
            ax = axes[r, c]
            if r > 0:
                ax.plot(t, original[c, :n], lw=1.6, color="0.8")
            ax.plot(t, signal[c, :n], lw=0.8, color="black" if r == 0 else "C0")
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"lead {lead}")
            if c == 0:
                ax.set_ylabel(title, rotation=0, ha="right", va="center")
    for ax in axes[-1]:
        ax.set_xlabel("time (s)")
    fig.tight_layout()
    return fig


def plot_lead_masks(masks: np.ndarray, lead_names):
    """Present (dark) and dropped (light) leads: one row per training sample, batches
    separated by lines. `masks` is (batches, samples per batch, leads) boolean."""
    import matplotlib.pyplot as plt
    batches, per_batch, n_leads = masks.shape
    grid = masks.reshape(batches * per_batch, n_leads).astype(float)
    fig, ax = plt.subplots(figsize=(8.5, 0.085 * len(grid) + 1.0))
    ax.imshow(grid, aspect="auto", cmap="Blues", vmin=-0.3, vmax=1.0, interpolation="nearest")
    for b in range(1, batches):
        ax.axhline(b * per_batch - 0.5, color="black", lw=1.2)
    ax.set_xticks(range(n_leads), list(lead_names))
    ax.set_yticks([b * per_batch + per_batch / 2 - 0.5 for b in range(batches)],
                  [f"batch {b + 1}" for b in range(batches)])
    ax.set_xlabel("lead (dark: given to the network, light: dropped)")
    fig.tight_layout()
    return fig
