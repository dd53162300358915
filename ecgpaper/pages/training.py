"""The Training chapter: the paper's Table 2 beside the configuration the training loop
receives (read from the code, never retyped), each augmentation applied alone to one
recording, and the lead-dropout masks of a few batches."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import torch

from .. import paper
from ..constants import LEADS
from ..report import count
from ..training.augment import AugmentConfig, augment, lead_dropout_mask
from ..training.experiments import get_experiment
from ..training.loop import make_optimizer, make_scheduler
from ..training.settings import fit_config


def table2_settings(profile) -> dict[str, str]:
    """The rows of the paper's Table 2 as this code configures them for `profile`: the
    loop's settings for experiment 1 (and experiment 7 for the universal rows), the
    optimiser and scheduler it builds, and the augmentation settings."""
    standard = fit_config(profile, get_experiment("1"), progress=False)
    universal = fit_config(profile, get_experiment("7"), progress=False)
    optimizer = make_optimizer(torch.nn.Linear(1, 1), standard)
    scheduler = make_scheduler(optimizer, standard)
    group = optimizer.param_groups[0]
    aug = standard.augment or AugmentConfig()
    name = type(scheduler).__name__.replace("WarmRestarts", " WarmRestarts")
    return {
        "Optimizer": type(optimizer).__name__,
        "Learning rate": f"{group['lr']:g}",
        "Weight decay": f"{group['weight_decay']:g}",
        "Scheduler": f"{name} (T0 = {scheduler.T_0}, Tmult = {scheduler.T_mult})",
        "Loss function": "cross-entropy + inverse-frequency class weights + label "
                         f"smoothing (ε = {standard.label_smoothing:g})",
        "Gradient clipping": f"max norm {standard.grad_clip:g}",
        "Batch size": f"{standard.batch_size} (standard) / {universal.batch_size} (universal)",
        "Early stopping": f"patience {standard.patience} on validation macro-F1 "
                          f"(at most {count(standard.max_epochs, 'epoch')})",
        "Baseline wander": f"sinusoidal, {aug.wander_hz[0]:g}–{aug.wander_hz[1]:g} Hz "
                           f"(p = {aug.p_wander:g})",
        "Power line noise": f"{aug.powerline_hz:g} Hz additive sinusoidal "
                            f"(p = {aug.p_powerline:g})",
        "Gaussian noise": f"SNR {aug.snr_db[0]:g}–{aug.snr_db[1]:g} dB (p = {aug.p_noise:g})",
        "Amplitude scaling": f"×{aug.scale[0]:g}–{aug.scale[1]:g} (p = {aug.p_scale:g})",
        "Lead dropout (universal)": f"all leads with p = {universal.lead_dropout_p_all:g}, "
                                    "else 1–11 leads",
    }


def table2(profile, full) -> pd.DataFrame:
    """The paper's Table 2 beside this code's settings for the full profile and, unless
    it is the full one, for `profile` ('same' where they agree)."""
    ours_full, ours = table2_settings(full), table2_settings(profile)
    rows = pd.DataFrame({"setting": list(paper.TABLE2),
                         "paper (Table 2)": list(paper.TABLE2.values()),
                         "this code, full profile": [ours_full[k] for k in paper.TABLE2]})
    if profile.name != full.name:
        rows[f"this code, {profile.name} profile"] = [
            "same" if ours[k] == ours_full[k] else ours[k] for k in paper.TABLE2]
    return rows


# Each augmentation alone (probability 1, the others off), at a setting that shows it.
_OFF = AugmentConfig(p_wander=0.0, p_powerline=0.0, p_noise=0.0, p_scale=0.0)
ALONE = {"baseline wander": dataclasses.replace(_OFF, p_wander=1.0),
         "50 Hz hum": dataclasses.replace(_OFF, p_powerline=1.0),
         "Gaussian noise": dataclasses.replace(_OFF, p_noise=1.0, snr_db=(20.0, 20.0)),
         "gain ×1.2": dataclasses.replace(_OFF, p_scale=1.0, scale=(1.2, 1.2))}


def augmentations_alone(signal: np.ndarray, fs: float, seed: int,
                        leads=("II", "V1")) -> dict[str, np.ndarray]:
    """The recording `signal` (12 leads x samples) as the loop would see it after each
    augmentation of `ALONE`, the original first; only the named `leads`."""
    batch = torch.as_tensor(signal[None], dtype=torch.float32)
    chosen = [LEADS.index(name) for name in leads]
    variants = {"original": batch[0, chosen].numpy()}
    for name, config in ALONE.items():
        generator = torch.Generator().manual_seed(seed)
        variants[name] = augment(batch, fs, generator, config)[0, chosen].numpy()
    return variants


def dropout_masks(seed: int, batches: int = 8, per_batch: int = 6) -> np.ndarray:
    """Lead-dropout masks of consecutive training batches, (batches, per_batch, leads)."""
    generator = torch.Generator().manual_seed(seed)
    return np.stack([lead_dropout_mask(per_batch, len(LEADS), generator).numpy()
                     for _ in range(batches)])


def training_facts(profile, masks: np.ndarray) -> dict:
    """What the chapter quotes: the epoch budget of the seven experiments on `profile`
    and how many of the drawn batches kept every lead."""
    budget = fit_config(profile, get_experiment("1"), progress=False).max_epochs
    full = int(masks.all(axis=(1, 2)).sum())
    return {"training_max_epochs": count(budget, "epoch"),
            "training_dropout_full_batches": count(full, "batch", "batches")}
