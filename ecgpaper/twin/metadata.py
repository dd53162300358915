"""Diagnostics-shaped measurements for the synthetic twin, drawn per rhythm class.

The margins and the dependence between measurements come from summary figures of the
real Chapman table (`resources/twin_stats.json`, made by `scripts/twin_stats.py`):
quantiles of each measurement and a Gaussian-copula (normal-score) correlation matrix per
class. A draw is z ~ N(0, C), u = Phi(z), x = Q(u) with Q the piecewise-linear quantile
function. `MEASUREMENT_NOISE` then blurs each draw with Gaussian noise scaled to the
class's spread, the knob that makes the twin's metadata about as hard to classify as the
real table's (see the Data chapter).
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
from scipy import stats as sps

from ..paths import RESOURCES

STATS_FILE = RESOURCES / "twin_stats.json"
# Extra spread added to the copula draws, as a fraction of each measurement's
# within-class interquartile range (tuned so that a metadata-only gradient-boosting
# model is about as accurate on the twin as on the real table).
MEASUREMENT_NOISE = 1.0
# The variables blurred. The ventricular rate and the QRS axis are left alone: they shape
# the signal most, and blurring them would add rates and axes the real table rarely has.
NOISY_VARS = ("PatientAge", "AtrialRate", "QRSDuration", "QTInterval", "TAxis", "QOnset")


@lru_cache(maxsize=1)
def load_stats() -> dict:
    """The shipped per-class summary figures of the real Diagnostics table."""
    with open(STATS_FILE) as f:
        return json.load(f)


def class_counts(n: int) -> dict[str, int]:
    """Split n records over the classes in the real table's proportions (largest remainder,
    at least one record per class when n >= number of classes)."""
    st = load_stats()["classes"]
    names = list(st)
    w = np.array([st[c]["n"] for c in names], float)
    raw = n * w / w.sum()
    k = np.floor(raw).astype(int)
    if n >= len(names):
        k = np.maximum(k, 1)
    while k.sum() > n:
        k[np.argmax(k)] -= 1
    order = np.argsort(-(raw - np.floor(raw)))
    i = 0
    while k.sum() < n:
        k[order[i % len(names)]] += 1
        i += 1
    return {c: int(x) for c, x in zip(names, k)}


def sample_measurements(label: str, n: int, rng: np.random.Generator,
                        noise: float | None = None) -> dict[str, np.ndarray]:
    """Draw n joint measurement vectors for one class.

    Returns arrays keyed by the copula variables (PatientAge, Female, VentricularRate,
    AtrialRate, QRSDuration, QTInterval, RAxis, TAxis, QOnset); axes in -180..180 degrees.
    """
    st = load_stats()
    cs = st["classes"][label]
    names = st["copula_vars"]
    probs = np.asarray(st["probs"])
    corr = np.asarray(cs["corr"], float)
    # Nearest positive-definite matrix (rounded figures can lose definiteness).
    w, v = np.linalg.eigh(corr)
    corr = (v * np.clip(w, 1e-6, None)) @ v.T
    z = rng.multivariate_normal(np.zeros(len(names)), corr, size=n, method="cholesky")
    u = sps.norm.cdf(z)
    noise = MEASUREMENT_NOISE if noise is None else noise
    out: dict[str, np.ndarray] = {}
    for j, name in enumerate(names):
        if name == "Female":
            out[name] = (u[:, j] > 1.0 - cs["female_fraction"]).astype(int)
            continue
        q = np.asarray(cs["quantiles"][name], float)
        x = np.interp(u[:, j], probs, q)
        if noise > 0 and name in NOISY_VARS:
            iqr = np.interp(0.75, probs, q) - np.interp(0.25, probs, q)
            x = x + rng.normal(0.0, noise * max(iqr, 1.0), size=n)
        out[name] = x
    return out


def sample_beat(label: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw `Beat` strings (morphology statements) with the class's frequencies."""
    freq = load_stats()["classes"][label]["beat_freq"]
    keys = list(freq)
    p = np.asarray([freq[k] for k in keys], float)
    return rng.choice(np.asarray(keys, dtype=object), size=n, p=p / p.sum())
