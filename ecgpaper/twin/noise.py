"""Recording noise for the twin: baseline wander, muscle (EMG) noise, 50 Hz mains
interference and amplifier noise, at random small levels with some noisy records.

Noise is drawn for the 8 independent channels (I, II, V1-V6); the other limb leads are
derived from I and II afterwards, so they inherit it exactly as on a real electrocardiograph.
All amplitudes in microvolts.
"""

from __future__ import annotations

import numpy as np

NOISY_FRACTION = 0.12  # share of records with clearly visible noise


def noise_levels(rng: np.random.Generator) -> dict[str, float]:
    """Per-record noise levels (µV); about one record in eight is noisy."""
    noisy = rng.uniform() < NOISY_FRACTION
    lv = {
        "wander": float(np.exp(rng.normal(np.log(45.0), 0.5))),
        "emg": float(np.exp(rng.normal(np.log(4.0), 0.5))),
        "mains": float(np.exp(rng.normal(np.log(3.0), 0.8))) if rng.uniform() < 0.6 else 0.0,
        "white": float(rng.uniform(2.0, 5.0)),
        "noisy": float(noisy),
    }
    if noisy:
        which = rng.uniform(size=3) < np.array([0.6, 0.6, 0.35])
        if not which.any():
            which[rng.integers(3)] = True
        lv["wander"] *= rng.uniform(2.5, 6.0) if which[0] else 1.0
        lv["emg"] *= rng.uniform(3.0, 8.0) if which[1] else 1.0
        lv["mains"] = max(lv["mains"], 5.0) * (rng.uniform(2.0, 6.0) if which[2] else 1.0)
    return lv


def recording_noise(rng: np.random.Generator, n_samples: int, fs: float, levels: dict,
                    resp_f: float, n_channels: int = 8) -> np.ndarray:
    """(n_channels, n_samples) noise in µV."""
    t = np.arange(n_samples) / fs
    c = n_channels
    # Baseline wander: breathing (shared, channel-specific weight) + slow electrode drift.
    w_resp = rng.normal(0, 1, c)
    resp = np.sin(2 * np.pi * resp_f * t + rng.uniform(0, 2 * np.pi))
    f = rng.uniform(0.03, 0.5, (c, 3))
    ph = rng.uniform(0, 2 * np.pi, (c, 3))
    a = rng.uniform(0.2, 1.0, (c, 3))
    drift = np.einsum("ck,ckt->ct", a, np.sin(2 * np.pi * f[:, :, None] * t + ph[:, :, None]))
    wander = levels["wander"] * 0.5 * (w_resp[:, None] * resp[None, :] + drift)
    # Muscle noise: high-passed Gaussian noise with a slowly varying envelope.
    g = rng.normal(0, 1, (c, n_samples + 1))
    emg = (g[:, 1:] - g[:, :-1]) / np.sqrt(2)
    env = 1 + 0.6 * np.sin(2 * np.pi * rng.uniform(0.05, 0.4, (c, 1)) * t
                           + rng.uniform(0, 2 * np.pi, (c, 1)))
    emg *= levels["emg"] * env * rng.uniform(0.4, 1.3, (c, 1))
    out = wander + emg
    if levels["mains"] > 0:
        amp = levels["mains"] * rng.uniform(0.3, 1.0, (c, 1))
        out += amp * np.sin(2 * np.pi * 50.0 * t + rng.uniform(0, 2 * np.pi, (c, 1)))
    out += levels["white"] * rng.normal(0, 1, (c, n_samples))
    return out
