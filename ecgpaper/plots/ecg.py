"""A 12-lead ECG drawn the way clinicians read it: the standard 3 x 4 layout (I, aVR, V1,
V4 / II, aVL, V2, V5 / III, aVF, V3, V6, 2.5 s each) over a lead II rhythm strip, at
25 mm/s and 10 mm/mV on millimetre paper with 5 mm major lines and 1 mV calibration
pulses."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..constants import LEADS

LAYOUT = (("I", "aVR", "V1", "V4"), ("II", "aVL", "V2", "V5"), ("III", "aVF", "V3", "V6"))
MM_PER_S = 25.0
MM_PER_MV = 10.0
ROW_MM = 30.0            # height of one row of the layout (3 mV)
CAL_MM = 5.0             # width of the calibration pulse area (0.2 s)


def _paper(ax, width_mm: float, height_mm: float) -> None:
    """Millimetre grid, 5 mm major lines; two line collections (hundreds of separate
    lines made each figure take about a second to draw)."""
    from matplotlib.collections import LineCollection
    minor = "#f6c6c6"
    major = "#e58a8a"
    xs = np.arange(0, width_mm + 0.01, 1.0)
    ys = np.arange(0, height_mm + 0.01, 1.0)
    for is_major, colour, lw in ((False, minor, 0.25), (True, major, 0.6)):
        segs = [((x, 0), (x, height_mm)) for x in xs if (round(x) % 5 == 0) == is_major]
        segs += [((0, y), (width_mm, y)) for y in ys if (round(y) % 5 == 0) == is_major]
        ax.add_collection(LineCollection(segs, colors=colour, linewidths=lw, zorder=0),
                          autolim=False)


def plot_ecg(signal_uV: np.ndarray, fs: float, title: str | None = None,
             leads: tuple[str, ...] = LEADS, rhythm_lead: str = "II", ax=None):
    """Draw a (12, T) signal in µV (rows named by `leads`) in the clinical paper layout and
    return the matplotlib Figure. Each 2.5 s segment is centred on its median so that
    baseline offsets do not push traces into each other."""
    import matplotlib.pyplot as plt

    x = np.asarray(signal_uV, dtype=float)
    if x.ndim != 2 or x.shape[0] != len(leads):
        raise ValueError(f"plot_ecg: expected a ({len(leads)}, T) signal for leads {leads}, "
                         f"got shape {x.shape}")
    missing = sorted({l for row in LAYOUT for l in row} - set(leads))
    if missing:
        raise ValueError(f"plot_ecg: signal lacks lead(s) {missing}; leads given: {leads}")
    n = x.shape[1]
    dur = n / fs
    seg = min(2.5, dur / 4)
    width = CAL_MM + 4 * seg * MM_PER_S
    height = 4 * ROW_MM
    if ax is None:
        fig, ax = plt.subplots(figsize=(width / 25.4 * 1.05, height / 25.4 * 1.05 + 0.35))
    else:
        fig = ax.figure
    _paper(ax, width, height)
    mv = x / 1000.0
    t = np.arange(n) / fs

    def trace(lead: str, t0: float, t1: float, x0_mm: float, base_mm: float, label: bool):
        i = leads.index(lead)
        sel = (t >= t0) & (t < t1)
        y = mv[i, sel]
        if not len(y):
            return
        y = y - np.median(y)
        ax.plot(x0_mm + (t[sel] - t0) * MM_PER_S, base_mm + y * MM_PER_MV,
                color="black", lw=0.6, zorder=2)
        if label:
            ax.text(x0_mm + 1.0, base_mm + 8.0, lead, fontsize=12, fontweight="bold", zorder=3)

    def calibration(base_mm: float):
        ax.plot([0.5, 1.5, 1.5, 3.5, 3.5, 4.5],
                [base_mm, base_mm, base_mm + MM_PER_MV, base_mm + MM_PER_MV, base_mm, base_mm],
                color="black", lw=0.8, zorder=2)

    for r, row in enumerate(LAYOUT):
        base = height - (r + 0.5) * ROW_MM
        calibration(base)
        for c, lead in enumerate(row):
            trace(lead, c * seg, (c + 1) * seg, CAL_MM + c * seg * MM_PER_S, base, True)
    base = 0.5 * ROW_MM
    calibration(base)
    trace(rhythm_lead, 0.0, 4 * seg, CAL_MM, base, True)
    for c in range(1, 4):  # short separators between the columns, as printed ECGs have
        xm = CAL_MM + c * seg * MM_PER_S
        for r in range(3):
            b = height - (r + 0.5) * ROW_MM
            ax.plot([xm, xm], [b - 2.5, b + 2.5], color="black", lw=0.8, zorder=2)
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(False)
    footer = f"{MM_PER_S:g} mm/s, {MM_PER_MV:g} mm/mV, {fs:g} Hz"
    ax.set_title((title + "   " if title else "") + footer, fontsize=11, loc="left")
    fig.tight_layout(pad=0.2)
    return fig


def plot_rhythm_strips(strips, lead: str = "II", leads: tuple[str, ...] = LEADS,
                       ncols: int = 1):
    """One 10 s rhythm strip per entry of `strips` (title, signal (12, T) µV, fs) on ECG
    paper, `ncols` strips per row (e.g. real | twin side by side)."""
    import matplotlib.pyplot as plt
    strips = list(strips)
    if not strips:
        raise ValueError("plot_rhythm_strips: no strips given")
    nrows = int(np.ceil(len(strips) / ncols))
    dur = max(s.shape[1] / fs for _, s, fs in strips)
    w, h = dur * MM_PER_S, 25.0
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * w / 25.4 * 0.62,
                                                    nrows * (h / 25.4 * 0.62 + 0.25)),
                             squeeze=False)
    for ax in axes.ravel()[len(strips):]:
        ax.set_visible(False)
    for ax, (title, sig, fs) in zip(axes.ravel(), strips):
        _paper(ax, w, h)
        y = np.asarray(sig, float)[leads.index(lead)] / 1000.0
        y = y - np.median(y)
        ax.plot(np.arange(len(y)) / fs * MM_PER_S, h / 2 + y * MM_PER_MV, color="black", lw=0.5)
        ax.set_xlim(0, w)
        ax.set_ylim(0, h)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{title}  (lead {lead})", fontsize=10, loc="left")
    fig.tight_layout(pad=0.3)
    return fig


def plot_measurements_by_class(tables: dict, columns, classes=None):
    """Box plots of Diagnostics measurements per rhythm class, one box per table (e.g.
    {"twin": df, "real table": df}); tables need a `Rhythm` column."""
    import matplotlib.pyplot as plt
    from ..constants import CLASSES
    classes = list(classes or CLASSES)
    columns = list(columns)
    ncols = 3
    nrows = int(np.ceil(len(columns) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(9, 2.6 * nrows), squeeze=False)
    colours = ["#1f77b4", "#d62728", "#2ca02c"]
    k = len(tables)
    for ax, col in zip(axes.ravel(), columns):
        for j, (name, t) in enumerate(tables.items()):
            data = [t.loc[t["Rhythm"] == c, col].dropna().to_numpy() for c in classes]
            pos = np.arange(len(classes)) + (j - (k - 1) / 2) * 0.8 / k
            keep = [i for i, d in enumerate(data) if len(d)]
            if not keep:
                continue
            bp = ax.boxplot([data[i] for i in keep], positions=pos[keep], widths=0.7 / k,
                            showfliers=False, patch_artist=True)
            for b in bp["boxes"]:
                b.set_facecolor(colours[j % 3])
                b.set_alpha(0.45)
            ax.plot([], [], color=colours[j % 3], lw=6, alpha=0.45, label=name)
        ax.set_xticks(np.arange(len(classes)))
        ax.set_xticklabels(classes, fontsize=9, rotation=90)
        ax.set_title(col, fontsize=11)
    for ax in axes.ravel()[len(columns):]:
        ax.set_visible(False)
    axes.ravel()[0].legend(fontsize=9, loc="upper right")
    fig.tight_layout()
    return fig


def plot_amplitudes(profile_amplitudes: pd.DataFrame, real_amplitudes: pd.DataFrame,
                    profile_name: str):
    """Peak-to-peak amplitude per lead: the active profile's records as boxes, the real
    records as red dots (both DataFrames: one column per lead, µV)."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8.5, 3.2))
    positions = np.arange(profile_amplitudes.shape[1])
    ax.boxplot([profile_amplitudes[c] for c in profile_amplitudes], positions=positions,
               widths=0.5, showfliers=False)
    ax.plot(positions, real_amplitudes.to_numpy().T, "o", color="#d62728", alpha=0.5, ms=4)
    ax.plot([], [], "o", color="#d62728", label=f"real records (n={len(real_amplitudes)})")
    ax.plot([], [], "s", color="black", fillstyle="none", label=f"{profile_name} profile")
    ax.set_xticks(positions, list(profile_amplitudes.columns))
    ax.set_ylabel("peak-to-peak (µV)")
    ax.legend()
    fig.tight_layout()
    return fig
