"""ECG images for a vision model: the book's clinical layout (3 x 4 leads over a lead II
rhythm strip, 25 mm/s, 10 mm/mV, millimetre grid) as a PNG of fixed size and DPI.

The image carries no label, no record id and no metadata: the figure's texts are
returned with the PNG so that tests can check exactly what a model could read, and the
PNG is written without a Software tag so that the same signal gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np

from ..constants import LEADS
from ..plots.ecg import CAL_MM, MM_PER_S, ROW_MM

DPI = 130                       # about 1,370 x 690 pixels: 1 mm of paper ~ 5 pixels
SECONDS = 10.0                  # the page shows 10 s (4 columns of 2.5 s)
FIGSIZE = ((CAL_MM + SECONDS * MM_PER_S) / 25.4 * 1.05, 4 * ROW_MM / 25.4 * 1.05 + 0.35)


@dataclass(frozen=True)
class RenderedECG:
    png: bytes
    sha256: str
    texts: tuple[str, ...]       # every text drawn on the image (lead names, paper speed)
    width_px: int
    height_px: int


def render_ecg(signal_uV: np.ndarray, fs: float, leads: tuple[str, ...] = LEADS) -> RenderedECG:
    """One (12, T) µV signal as a PNG in the clinical layout, without pyplot (thread-safe,
    no figure left open in a notebook)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from ..plots.ecg import plot_ecg

    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    plot_ecg(signal_uV, fs, title=None, leads=leads, ax=fig.add_subplot())
    texts = tuple(t.get_text() for t in fig.findobj(Text) if t.get_text().strip())
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    png = buf.getvalue()
    width, height = (int(v) for v in fig.canvas.get_width_height())
    return RenderedECG(png, hashlib.sha256(png).hexdigest(), texts, width, height)


def render_rows(store, rows, progress: bool = True) -> list[RenderedECG]:
    """Images of store rows, in the order given (a progress bar: 100 take tens of seconds)."""
    from tqdm import tqdm
    return [render_ecg(store.signal(int(r)), store.fs)
            for r in tqdm(list(rows), desc="render ECG images", disable=not progress,
                          mininterval=1.0)]
