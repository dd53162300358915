"""Loading trained models for inference: an artifact folder written by `ecgpaper train`
(or its `best.pt` alone), read with `weights_only=True`, with the preprocessing the
network was trained with and the provenance of the run that produced it.

`find_artifacts` accepts what a user naturally points at: a `best.pt`, one experiment
folder, or a folder of experiment folders (`<work>/experiments`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..constants import LEADS
from ..data.store import FS as STORE_FS
from .preprocess import Preprocessing

EXPECTED = "an artifact folder of `ecgpaper train` (with best.pt) or a best.pt file"
# The networks the service runs. Every other model of the registry is a related design
# that takes the 12 leads alone; it loads on request (`designs=True`) for evaluation with
# PyTorch (the sim-to-real comparison), not for the service.
KINDS = {"se_resnet1d": "standard", "universal": "universal"}


class UnsupportedModel(ValueError):
    """A checkpoint of a design inference does not serve (the related designs)."""


@dataclass
class Artifact:
    """One trained network ready for inference."""
    name: str                       # e.g. "experiment 1"
    kind: str                       # "standard" (12 leads) or "universal" (any leads)
    model: object                   # torch module in eval mode
    prep: Preprocessing
    path: Path                      # the best.pt it came from
    model_type: str = ""
    provenance: dict = field(default_factory=dict)

    @property
    def needs_metadata(self) -> bool:
        return bool(self.prep.feature_names)

    def describe(self) -> dict:
        """What `GET /v1/models` shows about it."""
        return {"name": self.name, "kind": self.kind, "model_type": self.model_type,
                "leads": "all 12" if self.kind == "standard" else "any subset of the 12",
                "needs_metadata": self.needs_metadata, "checkpoint": self.path.name,
                "preprocessing": self.prep.to_dict(), "provenance": self.provenance}


def find_artifacts(path) -> list[Path]:
    """The best.pt files that `path` designates, in a stable order."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such file or folder, expected {EXPECTED}")
    if (path / "best.pt").is_file():
        return [path / "best.pt"]
    found = sorted((p / "best.pt" for p in path.iterdir() if (p / "best.pt").is_file()),
                   key=lambda p: (len(p.parent.name), p.parent.name))
    if not found:
        raise FileNotFoundError(f"{path}: holds no best.pt (nor sub-folders with one), "
                                f"expected {EXPECTED}")
    return found


def _preprocessing(extra: dict, path: Path) -> Preprocessing:
    need = ("fs", "n_samples", "channel_mean", "channel_std")
    missing = [k for k in need if k not in extra]
    if missing:
        raise ValueError(f"{path}: checkpoint lacks the preprocessing {missing}, expected a "
                         "best.pt written by `ecgpaper train`")
    exp = None
    if "metadata" not in extra and extra.get("experiment") is not None:
        from ..training.experiments import get_experiment
        exp = get_experiment(extra["experiment"])    # checkpoints before these keys
    fs = int(extra["fs"])
    source_fs = int(extra.get("source_fs", STORE_FS))
    mean, std = list(extra["channel_mean"]), list(extra["channel_std"])
    if len(mean) != len(LEADS) or len(std) != len(LEADS) or source_fs % fs:
        raise ValueError(f"{path}: checkpoint preprocessing is inconsistent (12 lead "
                         f"statistics at {source_fs} Hz -> {fs} Hz expected)")
    return Preprocessing(
        fs=fs, n_samples=int(extra["n_samples"]), source_fs=source_fs,
        channel_mean=tuple(float(v) for v in mean), channel_std=tuple(float(v) for v in std),
        metadata=exp.metadata if exp else extra.get("metadata"),
        morphology=exp.morphology if exp else extra.get("morphology"),
        feature_names=tuple(extra.get("feature_names") or ()),
        feature_median=tuple(float(v) for v in extra.get("feature_median") or ()),
        feature_mean=tuple(float(v) for v in extra.get("feature_mean") or ()),
        feature_std=tuple(float(v) for v in extra.get("feature_std") or ()))


def _provenance(folder: Path, extra: dict) -> dict:
    """The run's provenance.json and headline metrics, when they sit beside best.pt."""
    from ..fileio import file_sha256
    out: dict = {"experiment": extra.get("experiment"),
                 "config_hash": extra.get("config_hash"),
                 "checkpoint_sha256": file_sha256(folder / "best.pt")
                 if (folder / "best.pt").is_file() else None}
    for name, keys in (("provenance.json", ("git_commit", "created", "seed", "profile",
                                            "data_checksum", "device")),
                       ("metrics.json", ("name", "n_train", "best_epoch"))):
        try:
            obj = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(obj, dict):
            out.update({k: obj[k] for k in keys if k in obj and k != "profile"})
            if name == "provenance.json" and isinstance(obj.get("profile"), dict):
                out["profile"] = obj["profile"].get("name")
                out["synthetic_data"] = obj["profile"].get("data_source") == "twin"
            if name == "metrics.json" and isinstance(obj.get("metrics"), dict):
                out["test_accuracy"] = obj["metrics"].get("accuracy")
    return out


def load_artifact(path, designs: bool = False) -> Artifact:
    """One best.pt (or a folder holding one) as an `Artifact`; with `designs`, a related
    design's checkpoint too (as a 12-lead network run by PyTorch)."""
    from ..models.registry import load_checkpoint, model_type_of
    pt = find_artifacts(path)[0] if Path(path).is_dir() else Path(path)
    model, extra = load_checkpoint(pt)
    model_type = model_type_of(model.config)
    if model_type not in KINDS and not designs:
        raise UnsupportedModel(f"{pt}: a {type(model.config).__name__} model; inference "
                               "serves SE-ResNet18 and UniversalECGNet checkpoints")
    if model_type == "se_resnet1d" and model.config.in_channels != len(LEADS):
        raise ValueError(f"{pt}: SE-ResNet18 with {model.config.in_channels} input "
                         "channels, expected the 12-lead network")
    exp = extra.get("experiment")
    name = f"experiment {exp}" if exp is not None else pt.parent.name
    return Artifact(name=name, kind=KINDS.get(model_type, "standard"), model=model,
                    prep=_preprocessing(extra, pt), path=pt, model_type=model_type,
                    provenance=_provenance(pt.parent, extra))
