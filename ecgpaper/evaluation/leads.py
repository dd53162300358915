"""Lead-attention statistics of UniversalECGNet.

The model returns one attention weight per input lead (`attn`, (N, L)), with the lead
identities in `lead_idx` ((N, L) indices into LEADS) and an optional `mask` marking real
(not padded) leads. These helpers summarise how much weight each named lead receives:
mean, standard deviation and count, over all records and per class.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..constants import CLASSES, LEADS
from .metrics import class_indices


def _long_frame(attn, lead_idx, mask=None, y=None) -> pd.DataFrame:
    a = np.asarray(attn, dtype=np.float64)
    li = np.asarray(lead_idx)
    if a.ndim != 2 or li.shape != a.shape:
        raise ValueError(f"attn and lead_idx: expected equal (N, L) shapes, got "
                         f"{a.shape} and {li.shape}")
    if li.size and (li.min() < 0 or li.max() >= len(LEADS)):
        raise ValueError(f"lead_idx: values must index LEADS (0..{len(LEADS) - 1})")
    m = np.ones_like(a, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if m.shape != a.shape:
        raise ValueError(f"mask: expected shape {a.shape}, got {m.shape}")
    rows, cols = np.nonzero(m)
    df = pd.DataFrame({"record": rows, "lead": [LEADS[i] for i in li[rows, cols]],
                       "attention": a[rows, cols]})
    if y is not None:
        t = class_indices(y, "y")
        if len(t) != len(a):
            raise ValueError(f"y: {len(t)} labels for {len(a)} attention rows")
        df["class"] = [CLASSES[i] for i in t[rows]]
    return df


def lead_attention_stats(attn, lead_idx, mask=None, y=None) -> pd.DataFrame:
    """Mean, sd and count of attention per lead, over all records ("all") and, when `y`
    is given, per class. Columns: class, lead, mean, sd, n; leads in LEADS order."""
    df = _long_frame(attn, lead_idx, mask, y)
    groups = [("all", df)]
    if y is not None:
        groups += [(c, df[df["class"] == c]) for c in CLASSES]
    out = []
    for name, g in groups:
        s = g.groupby("lead")["attention"].agg(["mean", "std", "count"])
        s = s.reindex([l for l in LEADS if l in s.index])
        for lead, r in s.iterrows():
            out.append({"class": name, "lead": lead, "mean": r["mean"],
                        "sd": r["std"] if r["count"] > 1 else np.nan, "n": int(r["count"])})
    return pd.DataFrame(out, columns=["class", "lead", "mean", "sd", "n"])


def attention_matrix(stats: pd.DataFrame, value: str = "mean") -> pd.DataFrame:
    """Pivot `lead_attention_stats` into class x lead (rows in CLASSES order, "all" first)."""
    wide = stats.pivot(index="class", columns="lead", values=value)
    rows = [r for r in ("all", *CLASSES) if r in wide.index]
    cols = [l for l in LEADS if l in wide.columns]
    return wide.loc[rows, cols]
