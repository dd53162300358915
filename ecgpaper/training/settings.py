"""What a configuration's run is made of: the profile as it applies to it (demo caps,
the universal model's own settings), the training loop's settings and the network's
config. The only place where an experiment row and a profile meet."""

from __future__ import annotations

import dataclasses

from .experiments import Experiment


def effective_profile(profile, exp: Experiment):
    """The profile as the experiment uses it: the universal model may have its own epoch
    budget, width and sampling rate in the profile, and on the demo profile a
    configuration may cap settings (`Experiment.demo`, e.g. fewer epochs)."""
    changes = {}
    if exp.universal:
        for field, target in (("universal_max_epochs", "max_epochs"),
                              ("universal_width", "width"), ("universal_fs", "fs")):
            value = getattr(profile, field, None)
            if value is not None:
                changes[target] = value
    if profile.name == "demo":
        for field, cap in exp.demo.items():
            current = changes.get(field, getattr(profile, field))
            if current > cap:
                changes[field] = cap
    return dataclasses.replace(profile, **changes) if changes else profile


def training_seed(profile, exp: Experiment) -> int:
    """The seed of the network's initialisation, batch order and augmentation (the twin
    and the split keep the profile's seed, so every configuration sees the same data)."""
    return profile.seed + exp.seed_offset


def fit_config(profile, exp: Experiment, progress: bool = True):
    """The training loop's settings, taken from the profile (the only place they are)
    and from the settings an ablation changes."""
    from .loop import FitConfig
    smoothing = profile.label_smoothing if exp.label_smoothing is None else exp.label_smoothing
    return FitConfig(
        max_epochs=profile.max_epochs,
        patience=profile.patience_nk2 if exp.morphology else profile.patience,
        batch_size=profile.universal_batch_size if exp.universal else profile.batch_size,
        lr=profile.lr, weight_decay=profile.weight_decay,
        label_smoothing=smoothing, grad_clip=profile.grad_clip,
        seed=training_seed(profile, exp), fs=profile.fs, universal=exp.universal,
        class_weights=exp.class_weights, lead_dropout=exp.lead_dropout,
        lead_dropout_p_all=exp.lead_dropout_p_all, progress=progress,
        amp=profile.amp, compile=profile.compile)


# Activation memory of UniversalECGNet's training step per record at width 1.0 and
# 5,000 samples (12 leads through the backbone): under 7 GB at batch 32 on an H100.
UNIVERSAL_BYTES_PER_RECORD = 7e9 / 32


def needs_checkpointing(setting: str, batch: int, width: float, n_samples: int,
                        gpu_bytes: float | None) -> bool:
    """Gradient checkpointing trades compute for memory: "on"/"off" as set; "auto" turns
    it on only on a GPU whose memory the step's activations would not fit in (with room
    for the weights, the optimizer and the data)."""
    if setting in ("on", "off"):
        return setting == "on"
    if not gpu_bytes:
        return False                      # the CPU: memory is not the limit
    need = UNIVERSAL_BYTES_PER_RECORD * batch * width * n_samples / 5000
    return need > 0.6 * gpu_bytes


def _gpu_bytes(device: str) -> float | None:
    import torch
    if not str(device).startswith("cuda") or not torch.cuda.is_available():
        return None
    return float(torch.cuda.get_device_properties(torch.device(device)).total_memory)


def model_config(profile, exp: Experiment, n_features: int, device: str = "cpu"):
    """The network's config dataclass: SE-ResNet18[-Meta], UniversalECGNet or a related
    design of the registry, with the configuration's options."""
    options = dict(exp.options)
    if profile.name == "demo":
        options.update(exp.demo_options)
    if exp.universal:
        from ..models.universal import UniversalConfig
        # On a GPU every step runs all 12 lead slots (absent ones zeroed and masked): a
        # backbone batch that changed size every step made cuDNN re-tune each time.
        # Evaluation gives identical outputs; in training the zeroed leads then also
        # enter the BatchNorm batch statistics.
        options.setdefault("skip_absent", not str(device).startswith("cuda"))
        n_samples = 10 * profile.fs
        return UniversalConfig(width=profile.width, kernel_size=profile.kernel_size,
                               stem_kernel=profile.stem_kernel,
                               checkpointing=needs_checkpointing(
                                   profile.checkpointing, profile.universal_batch_size,
                                   profile.width, n_samples, _gpu_bytes(device)),
                               se=exp.se, **options)
    if exp.model == "standard":
        from ..models.resnet1d import SEResNetConfig
        return SEResNetConfig(in_channels=12, n_meta=n_features, width=profile.width,
                              kernel_size=profile.kernel_size,
                              stem_kernel=profile.stem_kernel, se=exp.se, **options)
    from ..models.registry import config_class
    cls = config_class(exp.model)
    if "fs" in {f.name for f in dataclasses.fields(cls)}:
        options.setdefault("fs", float(profile.fs))
    return cls(in_channels=12, **options)
