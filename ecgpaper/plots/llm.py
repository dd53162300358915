"""The figure of the LLM-vision chapter that is not a confusion matrix: the paper's two
reported accuracies, GPT-4o on rendered images against SE-ResNet18."""

from __future__ import annotations

from .. import paper
from ..constants import CLASSES


def plot_paper_accuracies():
    """Horizontal bars of the paper's reported accuracies, with chance (one in eight)."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.5, 2.2))
    names = [f"GPT-4o Vision\n({paper.GPT4O_RECORDS} test records)",
             f"SE-ResNet18\n(experiment {paper.BEST_EXPERIMENT})"]
    values = [paper.GPT4O_ACCURACY, paper.TABLE4["accuracy"]]
    ax.barh(names, values, color=["#9e9e9e", "#4c72b0"])
    for y, v in enumerate(values):
        ax.text(v + 0.01, y, f"{v:.1%}", va="center")
    chance = 1 / len(CLASSES)
    ax.axvline(chance, color="black", ls=":", lw=1)
    ax.text(chance + 0.01, 1.45, "one in eight", fontsize=9)
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("accuracy reported by the paper")
    ax.invert_yaxis()
    fig.tight_layout()
    return fig
