"""Draw the introduction's pipeline figure into book/_static/pipeline.svg and .png.

    python scripts/draw_pipeline.py [--out book/_static]

The figure is `ecgpaper.plots.diagrams.pipeline_figure`; rerun this script after changing
it and commit both files (a test compares them with what the function draws now). The
SVG keeps its text as text and carries no date, so the same drawing gives the same file;
the HTML book shows the SVG, the PDF the PNG.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from ecgpaper.fileio import atomic_write_bytes  # noqa: E402
from ecgpaper.notebook import FIGURE_STYLE  # noqa: E402
from ecgpaper.plots.diagrams import pipeline_figure  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "book" / "_static"
# Text as <text> elements and fixed element ids: the file depends only on the drawing.
SVG_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "ecgpaper-pipeline"}
METADATA = {"svg": {"Date": None, "Creator": "ecgpaper"}, "png": {"Software": "ecgpaper"}}


def render(fmt: str) -> bytes:
    """The pipeline figure as SVG or PNG bytes, in the book's figure style."""
    with plt.rc_context({**FIGURE_STYLE, **SVG_STYLE}):
        fig = pipeline_figure()
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=METADATA[fmt])
        plt.close(fig)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder for pipeline.svg and pipeline.png (default: book/_static)")
    args = parser.parse_args(argv)
    written = []
    for fmt in ("svg", "png"):
        path = args.out / f"pipeline.{fmt}"
        atomic_write_bytes(path, render(fmt))
        written.append(path)
        print(path)
    return written


if __name__ == "__main__":
    main()
