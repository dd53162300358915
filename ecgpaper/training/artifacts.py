"""One folder per experiment run (`profile.work_path/experiments/<E>/`): read, write and
decide whether a finished run can be reused. Chapters read results only through here.

Files: best.pt, last.pt, predictions.csv (+ predictions_<k>lead.csv and
attention_<k>lead.npy for the universal model), metrics.json, history.csv,
provenance.json, config.json. config.json is written first and its hash is a sha256 over
its own fields: that proves a folder is a run's (`run_folder_problem`), and no other
folder is ever written into or cleared.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import CLASSES
from ..fileio import atomic_write_bytes, atomic_write_text

# Bump when the training code changes what a run produces (invalidates reuse).
TRAINING_VERSION = 2

# Profile fields that change a run's result (name, folders and worker counts do not).
RESULT_FIELDS = (
    "seed", "data_source", "denoised", "twin_records", "fs", "width", "kernel_size",
    "stem_kernel", "max_epochs", "patience", "patience_nk2", "batch_size",
    "universal_batch_size", "lr", "weight_decay", "label_smoothing", "grad_clip",
    "bootstrap", "universal_max_epochs", "universal_width", "universal_fs",
)
REQUIRED = ("best.pt", "predictions.csv", "metrics.json", "history.csv", "provenance.json",
            "config.json")
# gradient boosting and the rules keep no network and run no epochs
REQUIRED_CLASSIC = ("predictions.csv", "metrics.json", "provenance.json", "config.json")
# the universal model's further lead sets (evaluation.lead_sets)
LEAD_SET_FILES = ("lead_sets.json", "lead_sets_proba.npy", "lead_sets_attention.npy")


def required_files(exp) -> tuple[str, ...]:
    """The files a finished run of `exp` has."""
    if not exp.neural:
        return REQUIRED_CLASSIC
    return REQUIRED + (LEAD_SET_FILES if exp.universal else ())


def experiment_dir(profile, exp_id: str) -> Path:
    return profile.work_path / "experiments" / str(exp_id)


def run_config(exp, profile, data_checksum: str | None) -> dict:
    """What determines the result of a run, and its hash."""
    fields = {k: getattr(profile, k) for k in RESULT_FIELDS if hasattr(profile, k)}
    if getattr(profile, "amp", "off") != "off":      # fp32 runs keep their hashes
        fields["amp"] = profile.amp
    cfg = {"experiment": exp.id, "name": exp.name, "metadata": exp.metadata,
           "morphology": exp.morphology, "model": exp.model, "profile_fields": fields,
           "data_checksum": data_checksum, "training_version": TRAINING_VERSION}
    variant = exp.variant()
    # Demo caps act through the profile fields above; model options of the demo count on
    # the demo profile only (elsewhere they change nothing, so they must not change a hash).
    variant.pop("demo", None)
    if profile.name != "demo":
        variant.pop("demo_options", None)
    if variant:                      # the seven experiments have none: hashes unchanged
        cfg["variant"] = variant
    cfg["hash"] = config_hash(cfg)
    return cfg


def config_hash(cfg: dict) -> str:
    """sha256 (16 hex digits) over a run configuration's fields except the hash itself:
    the key a finished run is reused by, and the signature of a config.json it wrote."""
    body = {k: v for k, v in cfg.items() if k != "hash"}
    blob = json.dumps(body, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def run_folder_problem(folder) -> str | None:
    """Why `folder` may not take a run's artifacts (None: it may). A run overwrites and
    deletes files by name, so the folder must be absent, empty, or an earlier run's:
    one whose config.json `ecgpaper train` wrote (its hash matches its fields)."""
    folder = Path(folder)
    if not folder.exists() and not folder.is_symlink():
        return None
    if not folder.is_dir():
        return (f"{folder}: exists and is not a folder, expected a new or empty folder or "
                "an earlier run's folder for the artifacts")
    entries = sorted(e.name for e in folder.iterdir())
    cfg = folder / "config.json"
    if not entries:
        return None
    if not cfg.is_file():
        return (f"{folder}: holds {len(entries)} item(s), e.g. {entries[:4]}, but no "
                "config.json written by `ecgpaper train`; expected a new or empty folder or "
                "an earlier run's folder: refusing to overwrite or delete anything in it")
    try:
        obj = json.loads(cfg.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError):
        obj = None
    if not (isinstance(obj, dict) and obj.get("hash") == config_hash(obj)):
        return (f"{cfg}: not a config.json written by `ecgpaper train` (unreadable, or its "
                "hash does not match its fields); expected an earlier run's configuration: "
                f"refusing to overwrite or delete anything in {folder} ({len(entries)} "
                f"item(s), e.g. {entries[:4]})")
    return None


def is_complete(folder: Path, config_hash: str, required=REQUIRED) -> bool:
    """True when every artifact exists and config.json carries the same hash."""
    folder = Path(folder)
    if not all((folder / f).is_file() for f in required):
        return False
    try:
        return json.loads((folder / "config.json").read_text()).get("hash") == config_hash
    except (OSError, ValueError, AttributeError):
        return False


def write_json(path: Path, obj) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=_plain) + "\n")


def write_csv(path: Path, df: pd.DataFrame) -> None:
    atomic_write_text(path, df.to_csv(index=False))


def write_npy(path: Path, arr: np.ndarray) -> None:
    buf = io.BytesIO()
    np.save(buf, np.asarray(arr))
    atomic_write_bytes(path, buf.getvalue())


def _plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


def predictions_frame(record_ids, y_true, proba) -> pd.DataFrame:
    """record_id, label, pred, prob_<class> ... in CLASSES order (evaluation's format)."""
    from ..evaluation.metrics import predictions_frame as frame
    return frame(list(record_ids), np.asarray(y_true, dtype=int),
                 np.asarray(proba, dtype=float).reshape(len(record_ids), len(CLASSES)))


# --- reading ---------------------------------------------------------------------------

def read_metrics(folder: Path) -> dict:
    return _read_json(Path(folder) / "metrics.json")


def load_metrics(profile, exp_id: str) -> dict:
    path = experiment_dir(profile, exp_id) / "metrics.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `ecgpaper train --experiment "
                                f"{exp_id} --profile {profile.name}` first")
    return _read_json(path)


def _read_json(path: Path) -> dict:
    """A run's JSON file; a damaged one is named, with the way to rebuild it."""
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}), expected the file written by "
                         f"`ecgpaper train` (rerun it with --force)") from None
    if not isinstance(obj, dict):
        raise ValueError(f"{path}: holds a JSON {type(obj).__name__}, expected an object "
                         f"written by `ecgpaper train` (rerun it with --force)")
    return obj


def load_history(profile, exp_id: str) -> pd.DataFrame:
    return pd.read_csv(experiment_dir(profile, exp_id) / "history.csv")


def load_predictions(profile, exp_id: str, leads: int | None = None) -> pd.DataFrame:
    """A run's predictions, checked like any predictions file `ecgpaper evaluate` reads."""
    from ..evaluation.predictions import read_predictions
    name = "predictions.csv" if leads is None else f"predictions_{leads}lead.csv"
    return read_predictions(experiment_dir(profile, exp_id) / name)


def load_attention(profile, exp_id: str, leads: int) -> np.ndarray:
    return np.load(experiment_dir(profile, exp_id) / f"attention_{leads}lead.npy")


def load_lead_sets(profile, exp_id: str) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """A universal run's further lead sets: their specs, class probabilities (S, N, 8) and
    lead attention (S, N, 12), in the order of the specs."""
    folder = experiment_dir(profile, exp_id)
    specs = json.loads((folder / "lead_sets.json").read_text())
    return (specs["sets"], np.load(folder / "lead_sets_proba.npy"),
            np.load(folder / "lead_sets_attention.npy"))


def available(profile, experiments=None) -> list[str]:
    """Experiment ids with a metrics.json under this profile (default: the seven)."""
    from .experiments import EXPERIMENTS
    ids = experiments or list(EXPERIMENTS)
    return [e for e in ids if (experiment_dir(profile, e) / "metrics.json").is_file()]
