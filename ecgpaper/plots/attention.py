"""Figures of the attention chapters: squeeze-and-excitation gates."""

from __future__ import annotations

import numpy as np
import pandas as pd


def plot_se_mechanism(descriptor: np.ndarray, gate: np.ndarray, title: str = ""):
    """Squeeze (channel means) and excitation (gates) of one block for one recording,
    channels sorted by gate."""
    import matplotlib.pyplot as plt
    order = np.argsort(gate)[::-1]
    fig, axes = plt.subplots(2, 1, figsize=(8.5, 4.5), sharex=True)
    axes[0].bar(np.arange(len(order)), descriptor[order], color="tab:gray")
    axes[0].set_ylabel("squeeze\n(mean over time)")
    axes[1].bar(np.arange(len(order)), gate[order], color="tab:red")
    axes[1].set_ylabel("excitation\n(gate, 0-1)")
    axes[1].set_ylim(0, 1)
    axes[1].set_xlabel("channel (sorted by gate)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_gates_per_block(gates: dict[str, np.ndarray], record: int = 0):
    """Sorted gate values of every SE block for one recording."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8.5, 3.5))
    for name, g in gates.items():
        v = np.sort(g[record])[::-1]
        ax.plot(np.linspace(0, 1, len(v)), v, label=name.replace("backbone.", ""))
    ax.set_xlabel("channel rank (fraction of the block's channels)")
    ax.set_ylabel("gate")
    ax.set_ylim(0, 1)
    ax.legend(ncol=4, fontsize=9)
    fig.tight_layout()
    return fig


def plot_gate_distributions(summary: pd.DataFrame, value: str = "mean gate"):
    """Box plots of a per-record gate summary by class, one panel per block.
    `summary` has columns block, class, and `value`."""
    import matplotlib.pyplot as plt
    blocks = list(dict.fromkeys(summary["block"]))
    cols = 2
    rows = int(np.ceil(len(blocks) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(8.5, 2.4 * rows), sharey=True, squeeze=False)
    for ax, block in zip(axes.flat, blocks):
        d = summary[summary["block"] == block]
        classes = list(dict.fromkeys(d["class"]))
        ax.boxplot([d.loc[d["class"] == c, value].to_numpy() for c in classes],
                   tick_labels=classes, showfliers=False)
        ax.set_title(block.replace("backbone.", ""), fontsize=11)
        ax.tick_params(axis="x", labelsize=10)
    for ax in list(axes.flat)[len(blocks):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(value)
    fig.tight_layout()
    return fig


def plot_class_channel_heatmap(mean_by_class: pd.DataFrame, title: str = ""):
    """Class x channel heat map of mean gates (rows: classes)."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8.5, 0.45 * len(mean_by_class) + 1.4))
    im = ax.imshow(mean_by_class.to_numpy(), aspect="auto", cmap="RdBu_r",
                   vmin=-np.abs(mean_by_class.to_numpy()).max(), vmax=np.abs(mean_by_class.to_numpy()).max())
    ax.set_yticks(range(len(mean_by_class)), mean_by_class.index)
    ax.set_xlabel("channel (most class-dependent first)")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="class mean - overall mean")
    fig.tight_layout()
    return fig


def plot_lead_attention(attention: pd.DataFrame, paper_ranges: dict | None = None,
                        column: str = "12-lead"):
    """Mean attention per lead (bars) with the paper's reported ranges (black lines) and
    the uniform share 1/12."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 3.2))
    leads = list(attention.index)
    ax.bar(range(len(leads)), attention[column].to_numpy(float), color="C0",
           label=f"ours, {column.replace('-lead', ' leads')}")
    for k, (lead, (low, high)) in enumerate((paper_ranges or {}).items()):
        i = leads.index(lead)
        for level in (low, high):
            ax.plot([i - 0.4, i + 0.4], [level, level], color="black", lw=1.2,
                    label="paper's range" if k == 0 and level == low else None)
    ax.axhline(1 / len(leads), color="grey", ls=":", lw=1, label=f"uniform (1/{len(leads)})")
    ax.set_xticks(range(len(leads)), leads)
    ax.set_ylabel("mean attention weight")
    ax.legend()
    fig.tight_layout()
    return fig


def squeeze_descriptors(model, x, meta=None) -> dict[str, np.ndarray]:
    """The squeeze of every SE block for one input: the channel means over time that
    enter each block's excitation, keyed by module name (first record of `x`)."""
    import torch

    from ..models.se import SEModule1d
    found: dict[str, np.ndarray] = {}
    hooks = [module.register_forward_hook(
        lambda mod, inputs, output, name=name: found.__setitem__(
            name, inputs[0].mean(-1)[0].detach().numpy()))
        for name, module in model.named_modules() if isinstance(module, SEModule1d)]
    try:
        with torch.no_grad():
            if getattr(model.config, "n_meta", 0):
                meta = meta if meta is not None else torch.zeros(len(x), model.config.n_meta)
                model(x, meta)
            else:
                model(x)
    finally:
        for hook in hooks:
            hook.remove()
    return found
