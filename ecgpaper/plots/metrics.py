"""Metric figures: per-class bars with confidence intervals, our headline metrics next
to the paper's, and reliability diagrams."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..evaluation.metrics import METRIC_LABELS, PER_CLASS


def _errors(df: pd.DataFrame, m: str) -> np.ndarray | None:
    lo, hi = f"{m}_low", f"{m}_high"
    if lo not in df.columns or hi not in df.columns:
        return None
    v = df[m].to_numpy(float)
    err = np.vstack([v - df[lo].to_numpy(float), df[hi].to_numpy(float) - v])
    return np.where(np.isfinite(err), np.clip(err, 0, None), 0.0)


def plot_per_class(table6_df: pd.DataFrame, paper_df: pd.DataFrame | None = None,
                   metrics: tuple[str, ...] = PER_CLASS, title: str | None = None):
    """Grouped bars per class for each metric (sensitivity, specificity, PPV, F1).

    Error bars come from `<metric>_low/_high` columns when present (see
    `bootstrap.per_class_ci`); the paper's values, when given, are black markers."""
    import matplotlib.pyplot as plt
    classes = list(table6_df.index)
    x = np.arange(len(classes))
    width = 0.8 / len(metrics)
    fig, ax = plt.subplots(figsize=(max(7.0, 1.0 * len(classes) + 2), 3.8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, m in enumerate(metrics):
        pos = x - 0.4 + width * (k + 0.5)
        ax.bar(pos, table6_df[m].to_numpy(float), width, label=m, color=colors[k % len(colors)],
               yerr=_errors(table6_df, m), capsize=2, error_kw={"lw": 0.8})
        if paper_df is not None and m in paper_df.columns:
            ref = paper_df.reindex(classes)[m].to_numpy(float)
            ax.scatter(pos, ref, marker="_", s=120, color="black", zorder=3,
                       label="paper" if k == 0 else None)
    ax.set_xticks(x, classes)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("value")
    ax.set_title(title or "per-class metrics (test set; bars: 95 % bootstrap CI)")
    ax.legend(ncol=len(metrics) + 1, fontsize=8, loc="lower left")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_metric_comparison(ci_df: pd.DataFrame, paper: dict | None = None,
                           title: str | None = None, exclude: tuple[str, ...] = ("log_loss",)):
    """Horizontal dots with 95 % CI bars for our metrics (`bootstrap_ci` output) and the
    paper's reported values as crosses. Log loss is left out by default (other scale)."""
    import matplotlib.pyplot as plt
    df = ci_df[~ci_df["metric"].isin(exclude)].reset_index(drop=True)
    y = np.arange(len(df))[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(df) + 1.2))
    v = df["value"].to_numpy(float)
    err = np.vstack([v - df["low"].to_numpy(float), df["high"].to_numpy(float) - v])
    err = np.where(np.isfinite(err), np.clip(err, 0, None), 0.0)
    ax.errorbar(v, y, xerr=err, fmt="o", capsize=3, label="ours (95 % CI)")
    if paper:
        ref = np.array([paper.get(m, np.nan) for m in df["metric"]], dtype=float)
        ax.scatter(ref, y, marker="x", color="black", zorder=3, label="paper (reported)")
    ax.set_yticks(y, [METRIC_LABELS.get(m, m) for m in df["metric"]])
    ax.set_xlabel("value")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(title or "headline metrics: ours vs the paper")
    fig.tight_layout()
    return fig


def plot_reliability(rel_df: pd.DataFrame, title: str | None = None):
    """Reliability diagram from `calibration.reliability`: accuracy per confidence bin
    against the diagonal, with the bin counts below."""
    import matplotlib.pyplot as plt
    fig, (ax, axc) = plt.subplots(2, 1, figsize=(4.5, 5), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1]})
    centers = (rel_df["bin_low"] + rel_df["bin_high"]) / 2
    w = (rel_df["bin_high"] - rel_df["bin_low"]).to_numpy(float)
    used = rel_df["count"] > 0
    ax.bar(centers[used], rel_df.loc[used, "accuracy"], width=w[used.to_numpy()] * 0.9,
           edgecolor="black", alpha=0.7, label="accuracy")
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=8)
    ax.set_title(title or "reliability diagram")
    axc.bar(centers, rel_df["count"], width=w * 0.9, color="grey")
    axc.set_xlabel("confidence (top-class probability)")
    axc.set_ylabel("records")
    axc.set_xlim(0, 1)
    fig.tight_layout()
    return fig


def plot_training_curves(history: pd.DataFrame, best_epoch: int | None = None):
    """Training and validation loss (left) and validation macro-F1 (right) per epoch,
    with the kept epoch marked."""
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.5, 3.3))
    ax1.plot(history["epoch"], history["train_loss"], marker="o", label="train (augmented)")
    ax1.plot(history["epoch"], history["val_loss"], marker="o", label="validation")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("weighted cross-entropy")
    ax1.legend()
    ax2.plot(history["epoch"], history["val_f1_macro"], marker="o", color="C2")
    if best_epoch is not None:
        ax2.axvline(best_epoch, color="grey", ls="--", lw=1, label="kept checkpoint")
        ax2.legend(loc="lower right")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("validation macro-F1")
    ax2.set_ylim(0, 1)
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_forest(table3: pd.DataFrame, metrics=("accuracy", "precision_macro", "f1_macro",
                                                "auc_macro")):
    """Table 3 as a forest plot: one panel per metric (2 x 2), experiments as rows,
    ours as dots with 95 % CI bars and the paper's reported figure as a cross.

    `table3` has columns <metric>, <metric>_low, <metric>_high, <metric>_paper."""
    import matplotlib.pyplot as plt
    n = len(table3)
    fig, axes = plt.subplots(2, 2, figsize=(8.5, 1.4 + 0.55 * n * 2), sharey=True)
    y = np.arange(n)[::-1]
    for ax, m in zip(axes.flat, metrics):
        v = table3[m].to_numpy(float)
        err = np.vstack([v - table3[f"{m}_low"].to_numpy(float),
                         table3[f"{m}_high"].to_numpy(float) - v])
        err = np.where(np.isfinite(err), np.clip(err, 0, None), 0.0)
        ax.errorbar(v, y, xerr=err, fmt="o", capsize=3, label="ours (95 % CI)")
        ax.scatter(table3[f"{m}_paper"].to_numpy(float), y, marker="x", color="black",
                   zorder=3, label="paper (reported)")
        ax.set_title(METRIC_LABELS.get(m, m))
        values = np.concatenate([table3[f"{m}_low"].to_numpy(float), v,
                                 table3[f"{m}_paper"].to_numpy(float)])
        values = values[np.isfinite(values)]
        ax.set_xlim(min(0.5, float(values.min()) - 0.05) if len(values) else 0.0, 1.02)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_yticks(y, [f"experiment {e}" for e in table3.index])
    axes.flat[0].legend(loc="lower left", fontsize=9)
    fig.tight_layout()
    return fig
