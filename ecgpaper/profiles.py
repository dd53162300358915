"""Profiles: the whole configuration of a book run, as data.

`demo` runs the entire book on the synthetic Chapman twin on a 2-core laptop in minutes;
`full` reruns the paper on the real database with the paper's Table 2 settings. Notebooks
receive the profile name and a dict of overrides as papermill parameters and rebuild the
same `Profile` with `get_profile(name, **overrides)`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field, asdict
from pathlib import Path

from .paths import work_root


@dataclass(frozen=True)
class Profile:
    name: str = "demo"
    seed: int = 42

    # --- data -------------------------------------------------------------------
    # "twin" (synthetic corpus generated on the fly), "chapman-csv" or "chapman-wfdb"
    data_source: str = "twin"
    data_dir: str | None = None      # real database folder (full profile)
    denoised: bool = False           # use ECGDataDenoised instead of ECGData
    twin_records: int = 1200         # size of the synthetic twin (demo)
    work_dir: str | None = None      # generated data + artifacts; default _work/<name>

    # --- signal as the models see it ----------------------------------------------
    fs: int = 100                    # sampling rate fed to the networks (Hz)

    # --- model size ----------------------------------------------------------------
    width: float = 0.25              # channel multiplier of SE-ResNet18 (1.0 = paper)
    kernel_size: int = 7             # residual block kernel (paper: 7)
    stem_kernel: int = 7             # stem kernel (paper text: 7)

    # --- training (paper Table 2 unless the profile says otherwise) ---------------
    max_epochs: int = 10             # demo: one full cosine cycle (T_0 = 10)
    patience: int = 10
    patience_nk2: int = 15
    batch_size: int = 64
    universal_batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 1e-4
    label_smoothing: float = 0.1
    grad_clip: float = 1.0
    num_workers: int = 0
    bootstrap: int = 1000            # resamples for confidence intervals
    # UniversalECGNet runs 12 single-lead passes per record; None = same as above
    universal_max_epochs: int | None = None
    universal_width: float | None = None
    universal_fs: int | None = None

    extra: dict = field(default_factory=dict)  # free-form knobs for later chapters

    @property
    def work_path(self) -> Path:
        return Path(self.work_dir) if self.work_dir else work_root() / self.name

    @property
    def is_synthetic(self) -> bool:
        return self.data_source == "twin"

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


PROFILES: dict[str, Profile] = {
    "demo": Profile(),
    "full": Profile(
        name="full", data_source="chapman-csv", fs=500, width=1.0, kernel_size=7,
        stem_kernel=7, max_epochs=100, num_workers=4, twin_records=0,
    ),
}


def get_profile(name: str = "demo", **overrides) -> Profile:
    """Return the named profile with `overrides` applied (unknown keys are an error)."""
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; expected one of {sorted(PROFILES)}")
    known = {f.name for f in dataclasses.fields(Profile)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"profile {name!r}: unknown setting(s) {unknown}; "
                         f"known settings are {sorted(known)}")
    return dataclasses.replace(PROFILES[name], **overrides)


def parse_overrides(items: list[str]) -> dict:
    """Command-line `--set KEY=VALUE` strings -> overrides dict; values are read as JSON
    when they parse (3, 0.5, true, null) and kept as text otherwise."""
    out = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--set {item!r}: expected KEY=VALUE, e.g. max_epochs=3")
        key, value = item.split("=", 1)
        try:
            out[key.strip()] = json.loads(value)
        except ValueError:
            out[key.strip()] = value
    return out
