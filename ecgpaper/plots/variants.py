"""Figures of the UniversalECGNet, ablation and baseline chapters."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..constants import LEADS


def plot_universal_steps(feats: np.ndarray, embedding: np.ndarray, attn: np.ndarray):
    """Steps 3-7 on one recording: per-lead backbone features (12 x D), the normalised
    lead embeddings (12 x 64) and the attention weight of each lead."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6),
                             gridspec_kw={"width_ratios": [2.2, 1.6, 1.2]})
    for ax, data, title in ((axes[0], feats, "step 3-4: backbone features per lead"),
                            (axes[1], embedding, "step 5: lead embeddings (L2-normalised)")):
        lim = float(np.abs(data).max()) or 1.0
        im = ax.imshow(data, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_yticks(range(len(LEADS)), LEADS)
        ax.set_xlabel("feature")
        ax.set_title(title, fontsize=10)
        fig.colorbar(im, ax=ax, fraction=0.05)
    axes[2].barh(range(len(LEADS)), attn, color="C0")
    axes[2].axvline(1 / len(LEADS), color="grey", ls=":", lw=1)
    axes[2].set_yticks(range(len(LEADS)), LEADS)
    axes[2].invert_yaxis()
    axes[2].set_xlabel("weight")
    axes[2].set_title("step 7: attention over leads", fontsize=10)
    fig.tight_layout()
    return fig


def plot_lead_curves(curves: dict[str, pd.DataFrame], metric_label: str = "macro-F1"):
    """Mean over random lead subsets per lead count (line), ± sd (band) and min-max
    (whiskers), one line per model."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    for i, (label, c) in enumerate(curves.items()):
        x = c.index.to_numpy(float) + (i - (len(curves) - 1) / 2) * 0.12
        m, sd = c["mean"].to_numpy(float), np.nan_to_num(c["sd"].to_numpy(float))
        ax.plot(x, m, "o-", color=f"C{i}", label=label)
        ax.fill_between(x, m - sd, m + sd, color=f"C{i}", alpha=0.2)
        ax.vlines(x, c["min"], c["max"], color=f"C{i}", lw=0.8)
    ax.set_xticks(range(1, len(LEADS) + 1))
    ax.set_xlabel("number of leads (random subsets)")
    ax.set_ylabel(metric_label)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_attention_ci(table: pd.DataFrame, paper_ranges: dict | None = None):
    """Mean attention per lead over all test records with 95 % bootstrap intervals, and
    the paper's reported ranges."""
    import matplotlib.pyplot as plt
    t = table[table["class"] == "all"].set_index("lead").reindex(list(LEADS))
    fig, ax = plt.subplots(figsize=(8, 3.2))
    x = np.arange(len(LEADS))
    err = np.vstack([t["mean"] - t["low"], t["high"] - t["mean"]]).clip(0)
    ax.bar(x, t["mean"], yerr=err, capsize=3, color="C0", label="ours (95 % CI)")
    for k, (lead, (low, high)) in enumerate((paper_ranges or {}).items()):
        i = LEADS.index(lead)
        ax.fill_between([i - 0.4, i + 0.4], low, high, color="black", alpha=0.25,
                        label="paper's range" if k == 0 else None)
    ax.axhline(1 / len(LEADS), color="grey", ls=":", lw=1, label="uniform (1/12)")
    ax.set_xticks(x, LEADS)
    ax.set_ylabel("mean attention weight")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_class_lead_heatmap(matrix: pd.DataFrame):
    """Mean attention, rhythm class (rows) x lead (columns)."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 3.8))
    im = ax.imshow(matrix.to_numpy(float), aspect="auto", cmap="viridis")
    ax.set_xticks(range(matrix.shape[1]), matrix.columns)
    ax.set_yticks(range(matrix.shape[0]), matrix.index)
    for (i, j), v in np.ndenumerate(matrix.to_numpy(float)):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white")
    fig.colorbar(im, ax=ax, fraction=0.04, label="mean attention")
    fig.tight_layout()
    return fig


def plot_missing_leads(table: pd.DataFrame, metric: str = "accuracy"):
    """Metric against the number of removed leads: masked (absent) versus flat."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    for i, (kind, label) in enumerate((("random", "removed leads masked (absent)"),
                                       ("flat", "removed leads given as flat lines"))):
        g = table[table["kind"] == kind].groupby("removed")[metric]
        ax.errorbar(g.mean().index, g.mean(), yerr=g.std(ddof=1).fillna(0), fmt="o-",
                    capsize=3, color=f"C{i}", label=label)
    ax.set_xlabel("leads removed from a 12-lead record")
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_reliability_pair(curves: dict[str, pd.DataFrame]):
    """Reliability diagrams side by side (accuracy per confidence bin vs the diagonal)."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(curves), figsize=(4.2 * len(curves), 3.8), sharey=True)
    for ax, (label, r) in zip(np.atleast_1d(axes), curves.items()):
        centers = ((r["bin_low"] + r["bin_high"]) / 2).to_numpy(float)
        used = (r["count"] > 0).to_numpy()
        ax.bar(centers[used], r.loc[used, "accuracy"], width=0.09, edgecolor="black",
               alpha=0.7, label="accuracy")
        ax.plot(centers[used], r.loc[used, "confidence"], "kx", label="mean confidence")
        ax.plot([0, 1], [0, 1], "--", color="grey")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("confidence (top-class probability)")
    np.atleast_1d(axes)[0].set_ylabel("accuracy in the bin")
    np.atleast_1d(axes)[0].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def plot_class_pairs(table: pd.DataFrame, labels: list[str], ylabel: str = "F1"):
    """One metric per class for several runs, with 95 % CI whiskers."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 3.4))
    x = np.arange(len(table))
    w = 0.8 / len(labels)
    for i, label in enumerate(labels):
        v = table[label].to_numpy(float)
        err = np.vstack([v - table[f"{label}_low"].to_numpy(float),
                         table[f"{label}_high"].to_numpy(float) - v])
        ax.bar(x + (i - (len(labels) - 1) / 2) * w, v, width=w, label=label,
               yerr=np.nan_to_num(err).clip(0), capsize=2)
    ax.set_xticks(x, table.index)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
