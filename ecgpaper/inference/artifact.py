"""Loading trained models for inference: an artifact folder written by `ecgpaper train`
(or its `best.pt` alone), read with `weights_only=True`, with the preprocessing the
network was trained with and the provenance of the run that produced it.

`find_artifacts` accepts what a user naturally points at: a `best.pt`, one experiment
folder, or a folder of experiment folders (`<work>/experiments`).
"""

from __future__ import annotations

import json
import math
import numbers
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


def _bad(path: Path, key: str, value, expected: str) -> ValueError:
    """The one error of a checkpoint field: the file, the field, its value, what was
    expected."""
    text = repr(value)
    if len(text) > 60:
        text = f"a {type(value).__name__} ({text[:40]}...)"
    return ValueError(f"{path}: checkpoint field {key!r} is {text}, expected {expected}")


def _positive_int(value, key: str, path: Path) -> int:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and \
        math.isfinite(value) and value == int(value) and value > 0
    if not ok:
        raise _bad(path, key, value, "a whole number > 0")
    return int(value)


def _numbers(value, key: str, path: Path, n: int, low: float | None = None,
             strict: bool = False) -> tuple:
    """A list of `n` finite numbers, each >= low (> low if strict) when low is given."""
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise _bad(path, key, value, f"a list of {n} numbers")
    bound = "" if low is None else f" {'>' if strict else '>='} {low:g}"
    for k, v in enumerate(value):
        ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) \
            and (low is None or (v > low if strict else v >= low))
        if not ok:
            raise _bad(path, f"{key}[{k}]", v, f"a finite number{bound}")
    return tuple(float(v) for v in value)


def _experiment(extra: dict, path: Path):
    """The experiment of a checkpoint written before the preprocessing keys were stored."""
    from ..training.experiments import get_experiment
    try:
        return get_experiment(extra["experiment"])
    except ValueError as exc:
        raise ValueError(f"{path}: checkpoint field 'experiment': {exc}") from None


def _feature_names(extra: dict, path: Path, metadata, morphology) -> tuple:
    """The MLP input names, which must be the metadata column set followed by NeuroKit2
    columns of this version (`nk2_<feature>`), as training writes them."""
    from ..features.metadata import COLUMN_SETS
    from ..features.morphology.extract import NAMES
    names = extra.get("feature_names") or []
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise _bad(path, "feature_names", names, "a list of input names")
    meta_cols = list(COLUMN_SETS[metadata]) if metadata else []
    nk2 = [f"nk2_{n}" for n in NAMES] if morphology else []
    ok = list(names[:len(meta_cols)]) == meta_cols and \
        all(n in nk2 for n in names[len(meta_cols):])
    if not ok:
        raise _bad(path, "feature_names", names, f"the {metadata!r} metadata columns "
                   f"{meta_cols} followed by NeuroKit2 columns nk2_<feature> "
                   f"(morphology {morphology!r})")
    return tuple(names)


def _choice(value, key: str, path: Path, options) -> str | None:
    if value is not None and (not isinstance(value, str) or value not in options):
        raise _bad(path, key, value, f"null or one of {sorted(options)}")
    return value


def _preprocessing(extra: dict, path: Path) -> Preprocessing:
    """The checkpoint's preprocessing, every field checked: a zero rate, a zero or NaN
    standard deviation or a negative window would otherwise divide by zero, give NaN
    probabilities or silently cut another window than training's."""
    from ..features.metadata import COLUMN_SETS
    need = ("fs", "n_samples", "channel_mean", "channel_std")
    missing = [k for k in need if k not in extra]
    if missing:
        raise ValueError(f"{path}: checkpoint lacks the preprocessing {missing}, expected a "
                         "best.pt written by `ecgpaper train`")
    exp = None
    if "metadata" not in extra and extra.get("experiment") is not None:
        exp = _experiment(extra, path)      # checkpoints before these keys
    fs = _positive_int(extra["fs"], "fs", path)
    source_fs = _positive_int(extra.get("source_fs", STORE_FS), "source_fs", path)
    if source_fs % fs:
        raise _bad(path, "fs", fs, f"a rate that divides source_fs {source_fs} Hz (training "
                   "block-averages the store's rate by a whole factor)")
    metadata = _choice(exp.metadata if exp else extra.get("metadata"), "metadata", path,
                       COLUMN_SETS)
    morphology = _choice(exp.morphology if exp else extra.get("morphology"), "morphology",
                         path, ("all", "filtered"))
    names = _feature_names(extra, path, metadata, morphology)
    stats = {key: _numbers(extra.get(key) or [], key, path, len(names), low)
             for key, low in (("feature_median", None), ("feature_mean", None),
                              ("feature_std", 0.0))}
    return Preprocessing(
        fs=fs, n_samples=_positive_int(extra["n_samples"], "n_samples", path),
        source_fs=source_fs,
        channel_mean=_numbers(extra["channel_mean"], "channel_mean", path, len(LEADS)),
        channel_std=_numbers(extra["channel_std"], "channel_std", path, len(LEADS),
                             low=0.0, strict=True),
        metadata=metadata, morphology=morphology, feature_names=names, **stats)


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
    prep = _preprocessing(extra, pt)
    n_meta = getattr(model.config, "n_meta", 0)
    if model_type == "se_resnet1d" and n_meta != len(prep.feature_names):
        raise _bad(pt, "feature_names", list(prep.feature_names),
                   f"{n_meta} input names (the network's metadata branch takes {n_meta})")
    exp = extra.get("experiment")
    name = f"experiment {exp}" if exp is not None else pt.parent.name
    return Artifact(name=name, kind=KINDS.get(model_type, "standard"), model=model,
                    prep=prep, path=pt, model_type=model_type,
                    provenance=_provenance(pt.parent, extra))
