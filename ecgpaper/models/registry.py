"""Every model of the project by name: build from a config dataclass, save and load one
checkpoint dict (`model_type`, `config` as a plain dict, `state_dict`, extra keys).

Checkpoints hold only tensors and plain Python values, so loading uses
`torch.load(weights_only=True)` and never unpickles code.
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path

import torch
from torch import nn

from ..fileio import atomic_path

# model_type -> (module, config class, model class)
MODELS: dict[str, tuple[str, str, str]] = {
    "se_resnet1d": ("ecgpaper.models.resnet1d", "SEResNetConfig", "SEResNet1d"),
    "universal": ("ecgpaper.models.universal", "UniversalConfig", "UniversalECGNet"),
    "multiscale_se": ("ecgpaper.models.multiscale_se", "MultiScaleSEConfig", "MultiScaleSECNN"),
    "cnn_gru": ("ecgpaper.models.cnn_gru", "CNNGRUConfig", "CNNGRU"),
    "cnn_att_bigru": ("ecgpaper.models.cnn_att_bigru", "CNNAttBiGRUConfig", "CNNAttBiGRU"),
    "rescnn_bigru": ("ecgpaper.models.rescnn_bigru", "ResCNNBiGRUConfig", "ResCNNBiGRU"),
}


def _classes(model_type: str):
    if model_type not in MODELS:
        raise ValueError(f"unknown model_type {model_type!r}; expected one of {sorted(MODELS)}")
    mod, cfg_name, model_name = MODELS[model_type]
    m = importlib.import_module(mod)
    return getattr(m, cfg_name), getattr(m, model_name)


def config_class(model_type: str):
    """The config dataclass of a registered model."""
    return _classes(model_type)[0]


def model_type_of(obj) -> str:
    """The registry name of a config dataclass or model instance."""
    cfg = getattr(obj, "config", obj)
    for name, (mod, cfg_name, _) in MODELS.items():
        if type(cfg).__name__ == cfg_name and type(cfg).__module__ == mod:
            return name
    raise ValueError(f"{type(cfg).__name__} is not a registered model config")


def build_model(config, model_type: str | None = None) -> nn.Module:
    """Build a model from its config dataclass (or from a dict plus `model_type`)."""
    if isinstance(config, dict):
        if model_type is None:
            raise ValueError("build_model: a config dict needs model_type")
        cfg_cls, model_cls = _classes(model_type)
        known = {f.name for f in dataclasses.fields(cfg_cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"{model_type} config: unknown field(s) {unknown}")
        config = cfg_cls(**config)
    _, model_cls = _classes(model_type_of(config))
    return model_cls(config)


def checkpoint_dict(model: nn.Module, **extra) -> dict:
    reserved = {"model_type", "config", "state_dict"} & set(extra)
    if reserved:
        raise ValueError(f"save_checkpoint: extra keys {sorted(reserved)} are reserved")
    return {"model_type": model_type_of(model), "config": dataclasses.asdict(model.config),
            "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
            **extra}


def check_finite_weights(state_dict) -> None:
    """A NaN or Inf weight (a diverged run, a damaged file) makes every output NaN, which
    argmax would read as the first class: refused when loading, naming the tensor."""
    if not isinstance(state_dict, dict):
        raise ValueError(f"state_dict is a {type(state_dict).__name__}, expected a dict of "
                         "tensors")
    for key, value in state_dict.items():
        if torch.is_tensor(value) and value.is_floating_point():
            bad = int((~torch.isfinite(value)).sum())
            if bad:
                raise ValueError(f"weight {key!r} holds {bad} NaN/Inf value(s) of "
                                 f"{value.numel()}, expected finite weights (a diverged or "
                                 "damaged training run)")


def model_from_dict(ckpt: dict) -> tuple[nn.Module, dict]:
    for key in ("model_type", "config", "state_dict"):
        if key not in ckpt:
            raise ValueError(f"checkpoint lacks {key!r} (keys: {sorted(ckpt)})")
    model = build_model(dict(ckpt["config"]), ckpt["model_type"])
    check_finite_weights(ckpt["state_dict"])
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    extra = {k: v for k, v in ckpt.items() if k not in ("model_type", "config", "state_dict")}
    return model, extra


def save_checkpoint(path, model: nn.Module, **extra) -> Path:
    """Write the checkpoint dict atomically, so that a killed run never leaves a torn one.

    `extra` values must be plain Python values or tensors (weights_only-loadable).
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        torch.save(checkpoint_dict(model, **extra), tmp)
    return path


def load_weights_only(path, expected: str, map_location="cpu") -> dict:
    """torch.load with weights_only=True (never runs code from the file); a file that is
    not such a checkpoint becomes one ValueError naming it and what was `expected`."""
    import pickle
    import warnings
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file, expected {expected}")
    try:
        with warnings.catch_warnings():      # torch warns about foreign pickle protocols
            warnings.simplefilter("ignore")
            obj = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        why = ("holds Python objects other than tensors and plain values (refused: "
               "checkpoints are only read with weights_only=True)"
               if "unsupported global" in str(exc).lower() else "is not a torch checkpoint")
        raise ValueError(f"{path}: {why}, expected {expected}") from None
    except Exception as exc:   # truncated zip, empty file, random bytes: torch's wording varies
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ValueError(f"{path}: unreadable ({first}), expected {expected}") from None
    if not isinstance(obj, dict):
        raise ValueError(f"{path}: holds a {type(obj).__name__}, expected {expected}")
    return obj


def load_checkpoint(path, map_location="cpu") -> tuple[nn.Module, dict]:
    """Return (model in eval mode, the checkpoint's extra keys)."""
    expected = "a model checkpoint written by ecgpaper (model_type, config, state_dict)"
    ckpt = load_weights_only(path, expected, map_location)
    try:
        return model_from_dict(ckpt)
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        tail = "" if "expected" in first else f", expected {expected}"
        raise ValueError(f"{path}: {first}{tail}") from None


def n_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
