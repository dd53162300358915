"""Recording conditions for the twin: what the electrodes, the patient and the amplifier
add to the heart's signal.

Noise is drawn for the 8 independent channels (I, II, V1-V6); the other limb leads are
derived from I and II afterwards, so they inherit it exactly as on a real electrocardiograph.
Levels follow what `realism` measures on real 12-lead records (median over leads: DC
offset about 20 µV, wander below 0.7 Hz about 40 µV, noise above 40 Hz about 3 µV, mains
hum under 1 µV; a minority of records far noisier). All amplitudes in microvolts.

- baseline wander: breathing (shared by the channels) plus slow electrode drift;
- muscle (EMG) noise, steady and in bursts when the patient moves or shivers;
- electrode motion: a step with exponential recovery, now and then;
- mains hum, amplifier noise, a DC offset per channel;
- per-channel gain error; the amplifier's band (high-pass 0.05 Hz, low-pass 40-150 Hz as
  the device is set);
- rare faults: one chest lead flat (electrode off), or the arm electrodes swapped (I
  inverted, II and III exchanged, aVR and aVL exchanged: the limb-lead identities hold).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal as sps

NOISY_FRACTION = 0.12      # share of records with clearly visible noise
LOWPASS_HZ = (40.0, 100.0, 150.0, None)   # device low-pass settings (None: 250 Hz Nyquist)
LOWPASS_P = (0.05, 0.15, 0.5, 0.3)
ARM_SWAP_P = 0.01          # LA/RA reversal
FLAT_LEAD_P = 0.005        # one chest electrode off


def noise_levels(rng: np.random.Generator) -> dict[str, float]:
    """Per-record noise levels (µV); about one record in eight is noisy."""
    noisy = rng.uniform() < NOISY_FRACTION
    lv = {
        "wander": float(np.exp(rng.normal(np.log(58.0), 0.6))),
        "emg": float(np.exp(rng.normal(np.log(2.2), 0.6))),
        "mains": float(np.exp(rng.normal(np.log(1.0), 0.9))) if rng.uniform() < 0.4 else 0.0,
        "white": float(rng.uniform(1.5, 4.0)),
        "bursts": float(rng.uniform() < 0.15),
        "motion": float(rng.uniform() < 0.08),
        "noisy": float(noisy),
    }
    if noisy:
        which = rng.uniform(size=3) < np.array([0.6, 0.6, 0.35])
        if not which.any():
            which[rng.integers(3)] = True
        lv["wander"] *= rng.uniform(2.5, 6.0) if which[0] else 1.0
        lv["emg"] *= rng.uniform(3.0, 10.0) if which[1] else 1.0
        lv["mains"] = max(lv["mains"], 3.0) * (rng.uniform(2.0, 6.0) if which[2] else 1.0)
    return lv


def _wander(rng, t, c, level, resp_f):
    """Breathing moves every electrode together (channel weights differ); each electrode
    also drifts slowly on its own (skin-electrode potential)."""
    w_resp = rng.normal(0, 1, c)
    resp = np.sin(2 * np.pi * resp_f * t + rng.uniform(0, 2 * np.pi))
    f = rng.uniform(0.03, 0.5, (c, 3))
    ph = rng.uniform(0, 2 * np.pi, (c, 3))
    a = rng.uniform(0.2, 1.0, (c, 3))
    drift = (a[:, :, None] * np.sin(2 * np.pi * f[:, :, None] * t + ph[:, :, None])).sum(axis=1)
    return level * 0.5 * (w_resp[:, None] * resp[None, :] + drift)


def _emg(rng, t, c, n, level, bursts):
    """High-passed Gaussian noise with a slowly varying envelope, plus 0.3-1.5 s bursts
    of 10-60 µV in a few channels when `bursts`."""
    g = rng.normal(0, 1, (c, n + 1))
    emg = (g[:, 1:] - g[:, :-1]) / np.sqrt(2)
    env = 1 + 0.6 * np.sin(2 * np.pi * rng.uniform(0.05, 0.4, (c, 1)) * t
                           + rng.uniform(0, 2 * np.pi, (c, 1)))
    env = level * env * rng.uniform(0.4, 1.3, (c, 1))
    if bursts:
        for _ in range(int(rng.integers(1, 4))):
            centre, width = rng.uniform(0, t[-1]), rng.uniform(0.15, 0.75)
            hit = rng.uniform(size=(c, 1)) < 0.5
            env = env + hit * rng.uniform(10, 60) * np.exp(-0.5 * ((t - centre) / width) ** 4)
    return emg * env


def _motion(rng, t, c):
    """Electrode motion: one channel jumps by 0.2-1 mV and recovers over 0.2-1 s."""
    out = np.zeros((c, len(t)))
    k = rng.integers(c)
    t0 = rng.uniform(0.5, t[-1] - 0.5)
    step = rng.choice([-1.0, 1.0]) * rng.uniform(200, 1000)
    after = t >= t0
    out[k, after] = step * np.exp(-(t[after] - t0) / rng.uniform(0.2, 1.0))
    return out


def recording_noise(rng: np.random.Generator, n_samples: int, fs: float, levels: dict,
                    resp_f: float, n_channels: int = 8) -> np.ndarray:
    """(n_channels, n_samples) additive noise in µV."""
    t = np.arange(n_samples) / fs
    c = n_channels
    out = _wander(rng, t, c, levels["wander"], resp_f)
    out += _emg(rng, t, c, n_samples, levels["emg"], levels.get("bursts", 0.0))
    if levels.get("motion", 0.0):
        out += _motion(rng, t, c)
    if levels["mains"] > 0:
        amp = levels["mains"] * rng.uniform(0.3, 1.0, (c, 1))
        out += amp * np.sin(2 * np.pi * 50.0 * t + rng.uniform(0, 2 * np.pi, (c, 1)))
    out += levels["white"] * rng.normal(0, 1, (c, n_samples))
    out += rng.normal(0, 10.0, (c, 1))                      # electrode DC offsets
    return out


@lru_cache(maxsize=16)
def _butter(order: int, f: float, kind: str, fs: float) -> np.ndarray:
    """Filter design, once per setting (designing costs more than filtering)."""
    return sps.butter(order, f, kind, fs=fs, output="sos")


def amplifier(eight: np.ndarray, rng: np.random.Generator, fs: float) -> np.ndarray:
    """The electrocardiograph's front end on (8, T) µV: per-channel gain error (about
    2 %), a 0.05 Hz high-pass and the device's low-pass (causal, as in hardware)."""
    x = eight * np.exp(rng.normal(0.0, 0.02, (eight.shape[0], 1)))
    x = sps.sosfilt(_butter(1, 0.05, "highpass", float(fs)), x - x[:, :1],
                    axis=1) + x[:, :1]
    lp = LOWPASS_HZ[rng.choice(len(LOWPASS_HZ), p=LOWPASS_P)]
    if lp is not None:
        x = sps.sosfilt(_butter(2, lp, "lowpass", float(fs)), x - x[:, :1],
                        axis=1) + x[:, :1]
    return x


def faults(eight: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """Rare recording faults on (8, T) channels I, II, V1..V6: the arm electrodes
    swapped (I -> -I, II -> III) or one chest lead flat; returns (signal, what)."""
    u = rng.uniform()
    if u < ARM_SWAP_P:
        x = eight.copy()
        x[0], x[1] = -eight[0], eight[1] - eight[0]
        return x, "LA/RA reversed"
    if u < ARM_SWAP_P + FLAT_LEAD_P:
        x = eight.copy()
        x[2 + rng.integers(6)] = 0.0
        return x, "flat chest lead"
    return eight, ""
