"""The reference edition: every configuration the book reports, trained once on a twin of
the database's size at one matched budget, its compact results committed under
`book/measurements/reference/` so that the book shows results that can carry a
conclusion beside the small demo it rebuilds in minutes.

The plan is data (`PLAN`): which configuration runs on which twin, in the order that
gives the most useful results first, so a run stopped early still leaves the main ones.
The costliest designs (twelve backbone passes per record, 2-D convolutions) train on a
smaller twin together with experiment 1, so every comparison they enter stays matched.
`scripts/reference.py` runs the plan; the chapters read it through `load_edition`.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .fileio import atomic_write_json, atomic_write_text
from .paths import REPO_ROOT

REFERENCE_DIR = REPO_ROOT / "book" / "measurements" / "reference"
EDITION_FILE = "edition.json"

# Twins of the edition: the database's size, and a smaller one for the costliest designs.
TWINS = {"database": 10615, "small": 3000}

# The matched budget of every run (the paper's Table 2 recipe otherwise): up to 150 epochs,
# four cosine cycles (10 + 20 + 40 + 80). Every run but the lightweight CNN-GRU stops by
# patience inside the first three (the demo profile's 70), so a cap past them changes
# only the runs that had not converged.
SETTINGS = {"width": 0.125, "fs": 100, "max_epochs": 150, "patience": 10,
            "patience_nk2": 15}


@dataclass(frozen=True)
class Job:
    config: str          # a configuration name of `ecgpaper train`
    twin: str            # a key of TWINS

    @property
    def key(self) -> str:
        return f"{self.twin}/{self.config}"


PLAN: tuple[Job, ...] = (
    *(Job(c, "database") for c in ("1", "baseline-gbm", "baseline-rules", "2", "5", "3",
                                   "4", "6", "ablation-no-se", "ablation-no-smoothing",
                                   "ablation-no-class-weights", "seed-1-1", "seed-1-2")),
    *(Job(c, "small") for c in ("1", "7", "ablation-universal-no-lead-dropout")),
    *(Job(c, "database") for c in ("baseline-cnn-gru", "baseline-cnn-att-bigru",
                                   "baseline-rescnn-bigru")),
    Job("baseline-multiscale-se", "small"),
)

# The files of a finished run the book needs (weights stay in the work folder).
KEEP = ("metrics.json", "history.csv", "predictions.csv", "provenance.json", "config.json",
        "lead_sets.json", "lead_sets_proba.npy", "lead_sets_attention.npy")
KEEP_PATTERNS = ("predictions_*lead.csv", "attention_*lead.npy")


def reference_overrides(twin: str, work_dir: Path, extra: dict | None = None) -> dict:
    """Profile settings of one twin's runs: the matched budget, the twin's size and its
    own work folder (`extra` replaces any of them, e.g. width=1.0 and fs=500 on a GPU)."""
    if twin not in TWINS:
        raise ValueError(f"unknown reference twin {twin!r}, expected one of {list(TWINS)}")
    return {"name": "reference", **SETTINGS, "twin_records": TWINS[twin],
            "work_dir": str(Path(work_dir) / twin), **(extra or {})}


# Configurations whose trained weights are committed too (small at the edition's width):
# the SE and UniversalECGNet chapters look inside these networks.
KEEP_WEIGHTS = ("1", "7")


def collect_run(run_folder: Path, dest: Path, weights: bool = False) -> list[str]:
    """Copy the compact result files of a finished run into `dest` (each written
    atomically; probabilities rounded to 4 decimals to keep the committed files small);
    `weights` adds the best checkpoint."""
    dest.mkdir(parents=True, exist_ok=True)
    names = [n for n in KEEP + (("best.pt",) if weights else ()) if (run_folder / n).is_file()]
    for pattern in KEEP_PATTERNS:
        names += sorted(p.name for p in run_folder.glob(pattern))
    for name in names:
        src = run_folder / name
        if name.startswith("predictions") and name.endswith(".csv"):
            frame = pd.read_csv(src)
            atomic_write_text(dest / name, frame.round(4).to_csv(index=False))
        else:
            tmp = dest / f".{name}.copy"
            shutil.copyfile(src, tmp)
            tmp.replace(dest / name)
    return names


def write_edition(root: Path, info: dict) -> None:
    atomic_write_json(root / EDITION_FILE, info)


def record_job(root: Path, header: dict, key: str, entry: dict) -> dict:
    """Write one job's state into the edition file as it is on disk now (with `header`'s
    settings, machine and provenance), so that two runs of the plan side by side, each on
    its own jobs (`--only`), keep each other's entries."""
    edition = {**(load_edition(root) or {}), **{k: v for k, v in header.items()
                                                  if k != "jobs"}}
    jobs = {**edition.get("jobs", {}), key: entry}
    edition["jobs"] = {j.key: jobs[j.key] for j in PLAN if j.key in jobs}
    write_edition(root, edition)
    return edition


def load_edition(root: Path = REFERENCE_DIR) -> dict | None:
    """The committed edition's description (settings, machine, date, commit, the state of
    every job), or None when no edition has been committed."""
    path = Path(root) / EDITION_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def run_folder(root: Path, job: Job) -> Path:
    """Where a job's results live: the layout of a work folder (`<twin>/experiments/<E>`),
    so that every chapter function that reads a profile's artifacts reads them too."""
    return Path(root) / job.twin / "experiments" / job.config


def reference_profile(twin: str = "database", root: Path = REFERENCE_DIR):
    """A profile whose artifacts are the committed results of one twin of the edition
    (read-only: nothing trains into it), for the chapters' table and figure functions."""
    from .profiles import get_profile
    edition = load_edition(root) or {}
    settings = {**SETTINGS, **edition.get("settings", {})}
    overrides = reference_overrides(twin, Path(root), settings)
    overrides["twin_records"] = (edition.get("twins") or TWINS).get(twin, TWINS[twin])
    return get_profile("demo", **overrides)


def committed_matches(root: Path, job: Job, config: dict, generator_version: str) -> bool:
    """Whether the committed results of `job` were trained with `config` (a run
    configuration of `training.artifacts.run_config`) on the same twin generator: then a
    later run of the edition keeps them instead of training again. The data checksum is
    left out, since checking it would need the twin generated first; the generator version
    and the settings determine the twin."""
    path = run_folder(root, job) / "config.json"
    edition = load_edition(root) or {}
    if not path.is_file() or str(edition.get("generator_version")) != str(generator_version):
        return False
    old = json.loads(path.read_text())
    keys = ("experiment", "model", "metadata", "morphology", "profile_fields", "variant",
            "training_version")
    return all(old.get(k) == config.get(k) for k in keys)


# Settings that only bound how long a run may train: a run that its early stopping ended
# before the old cap is the run a higher cap gives (the learning-rate schedule restarts
# every 10, 20, 40 epochs whatever the cap, and training is deterministic on CPU).
CAP_FIELDS = ("max_epochs", "universal_max_epochs")


def _cap(fields: dict) -> int | None:
    cap = fields.get("universal_max_epochs") or fields.get("max_epochs")
    return None if cap is None else int(cap)


def extends_to(root: Path, job: Job, config: dict, generator_version: str,
               neural: bool) -> bool:
    """Whether the committed run of `job` is, without training again, the run `config`
    asks for: every setting equal but the epoch cap, and either no training loop
    (gradient boosting, rules) or a loop its early stopping ended at or before the new
    cap. Then `restamp_cap` records the new cap in its files."""
    folder = run_folder(root, job)
    edition = load_edition(root) or {}
    if (not (folder / "config.json").is_file() or not (folder / "metrics.json").is_file()
            or str(edition.get("generator_version")) != str(generator_version)):
        return False
    old = json.loads((folder / "config.json").read_text())
    keys = ("experiment", "model", "metadata", "morphology", "variant", "training_version")
    if any(old.get(k) != config.get(k) for k in keys):
        return False
    strip = lambda f: {k: v for k, v in (f or {}).items() if k not in CAP_FIELDS}  # noqa: E731
    new_fields = config.get("profile_fields") or {}
    if strip(old.get("profile_fields")) != strip(new_fields):
        return False
    if not neural:
        return True
    metrics = json.loads((folder / "metrics.json").read_text())
    new_cap = _cap(new_fields)
    return (bool(metrics.get("stopped_early")) and new_cap is not None
            and int(metrics.get("epochs_run") or 0) <= new_cap)


def restamp_cap(root: Path, job: Job, config: dict) -> int | None:
    """Write the new epoch cap into a committed run that `extends_to` the new settings:
    its config.json takes the new configuration (and hash), its metrics the new cap, and
    `trained_under_cap` keeps the cap it actually trained under. Returns the old cap."""
    from .training.artifacts import config_hash
    folder = run_folder(root, job)
    old = json.loads((folder / "config.json").read_text())
    metrics = json.loads((folder / "metrics.json").read_text())
    old_cap = _cap(old.get("profile_fields") or {})
    new = {**old, "profile_fields": config["profile_fields"]}
    new["hash"] = config_hash(new)
    new_cap = _cap(config["profile_fields"])
    if metrics.get("max_epochs") is not None:
        metrics.setdefault("trained_under_cap", metrics["max_epochs"])
        metrics["max_epochs"] = new_cap
        if isinstance(metrics.get("convergence"), dict):
            metrics["convergence"]["max_epochs"] = new_cap
    atomic_write_json(folder / "metrics.json", metrics)
    atomic_write_json(folder / "config.json", new)
    return old_cap


def finished_jobs(root: Path = REFERENCE_DIR) -> list[Job]:
    """The jobs of PLAN whose results are committed (their metrics.json is present)."""
    return [j for j in PLAN if (run_folder(root, j) / "metrics.json").is_file()]


@dataclass(frozen=True)
class Edition:
    """One set of results a chapter shows: the committed reference edition or this build."""
    key: str                 # "reference" or "build"
    profile: object          # the Profile whose artifacts hold the results
    is_reference: bool

    @property
    def twin_records(self) -> int:
        return int(self.profile.twin_records)

    @property
    def label(self) -> str:
        """How a page names these results, e.g. 'reference edition (10,615-record twin)'."""
        name = "reference edition" if self.is_reference else "this build"
        return f"{name} ({self.twin_records:,}-record twin)"


def editions(settings, twin: str = "database", needs=("1",),
             root: Path = REFERENCE_DIR) -> list[Edition]:
    """The results a chapter shows, main first: the reference edition's `twin` when its
    committed results hold every configuration in `needs`, then this build's."""
    out = []
    ref = reference_profile(twin, root) if load_edition(root) else None
    if ref is not None and all((run_folder(root, Job(c, twin)) / "metrics.json").is_file()
                               for c in needs):
        out.append(Edition("reference", ref, True))
    out.append(Edition("build", settings, False))
    return out


REAL_FILE = "real.json"


def score_real(real_dir: Path, root: Path = REFERENCE_DIR, job: Job = Job("1", "database"),
               progress: bool = False) -> dict:
    """Score the edition's committed network of `job` on every real recording under
    `real_dir` labelled with one of the eight rhythms (PTB-XL, CinC 2021 sources), as the
    External validation chapter scores the build's networks; write `real.json`."""
    import datetime as dt

    from .constants import CLASSES
    from .data.external import find_external
    from .evaluation.external import ALL_SOURCES, external_scores
    from .inference.external import predict_external
    from .inference.route import ModelSet
    from .provenance import git_commit
    models = ModelSet.from_paths([run_folder(root, job)])
    frame, skipped = predict_external(models, find_external(real_dir), progress=progress)
    scores = external_scores(frame)
    cm = pd.crosstab(frame["label"], frame["pred"]).reindex(
        index=CLASSES, columns=CLASSES, fill_value=0).fillna(0).astype(int)
    out = {"network": job.key, "date": dt.date.today().isoformat(),
           "commit": git_commit(), "records": int(len(frame)),
           "sources": sorted(frame["source"].unique()),
           "scores": json.loads(json.dumps(scores, default=_plain)),
           "skipped": {f"{s}: {r}": int(n) for (s, r), n in skipped.items()},
           "confusion": {"rows_true_cols_pred": list(CLASSES), "matrix": cm.values.tolist()},
           "overall": ALL_SOURCES}
    atomic_write_json(Path(root) / REAL_FILE, out)
    return out


def _plain(x):
    """numpy numbers as JSON numbers (NaN as null)."""
    import numpy as np
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        return None if np.isnan(x) else float(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)
