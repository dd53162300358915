"""Profiles: the whole configuration of a book run, as data.

`demo` runs the entire book on the synthetic Chapman twin on a 2-core laptop in minutes;
`full` reruns the paper on the real database with the paper's Table 2 settings. Notebooks
receive the profile name and a dict of overrides as papermill parameters and rebuild the
same `Profile` with `get_profile(name, **overrides)`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass, asdict
from numbers import Integral, Real
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
    twin_records: int = 900          # size of the synthetic twin (demo)
    work_dir: str | None = None      # generated data + artifacts; default _work/<name>
    external_dir: str | None = None  # real records of other databases (PTB-XL, CinC 2021)
                                     # for the External validation chapter; none by default

    # --- signal as the models see it ----------------------------------------------
    fs: int = 100                    # sampling rate fed to the networks (Hz)

    # --- model size ----------------------------------------------------------------
    width: float = 0.125             # channel multiplier of SE-ResNet18 (1.0 = paper)
    kernel_size: int = 7             # residual block kernel (paper: 7)
    stem_kernel: int = 7             # stem kernel (paper text: 7)

    # --- training (paper Table 2 unless the profile says otherwise) ---------------
    max_epochs: int = 70             # three cosine cycles (10+20+40); the paper's
                                     # early stopping ends demo runs after 25-68
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
    # GPU training (a CPU run ignores them): bf16 autocast, torch.compile, and gradient
    # checkpointing of UniversalECGNet ("auto": only when the GPU's memory requires it)
    amp: str = "off"
    compile: bool = False
    checkpointing: str = "auto"

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


DATA_SOURCES = ("twin", "chapman-csv", "chapman-wfdb")

# What each setting may hold: (kind, smallest allowed value, strictly greater?).
# kind "int" and "float" are numbers ("float" accepts whole numbers too); a setting in
# OPTIONAL may also be None (= use the setting it stands in for).
_NUMBERS: dict[str, tuple[str, float, bool]] = {
    "seed": ("int", 0, False), "twin_records": ("int", 0, False),
    "fs": ("int", 0, True), "width": ("float", 0, True),
    "kernel_size": ("int", 0, True), "stem_kernel": ("int", 0, True),
    "max_epochs": ("int", 0, True), "patience": ("int", 0, True),
    "patience_nk2": ("int", 0, True), "batch_size": ("int", 0, True),
    "universal_batch_size": ("int", 0, True), "lr": ("float", 0, True),
    "weight_decay": ("float", 0, False), "label_smoothing": ("float", 0, False),
    "grad_clip": ("float", 0, True), "num_workers": ("int", 0, False),
    "bootstrap": ("int", 0, False), "universal_max_epochs": ("int", 0, True),
    "universal_width": ("float", 0, True), "universal_fs": ("int", 0, True),
}
_OPTIONAL = {"data_dir", "work_dir", "external_dir", "universal_max_epochs", "universal_width",
             "universal_fs"}
_TEXT = {"name", "data_dir", "work_dir", "external_dir"}
_CHOICES = {"data_source": DATA_SOURCES, "amp": ("off", "bf16"),
            "checkpointing": ("auto", "on", "off")}
# The profile name is a folder under the work root (`work_path`): one plain name only.
PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def _setting_problem(key: str, value) -> str | None:
    """What is wrong with `key=value` as "expected ..." text, or None when it is fine."""
    if value is None and key in _OPTIONAL:
        return None
    if key == "name":
        plain = isinstance(value, str) and PLAIN_NAME.fullmatch(value)
        return None if plain else ("expected a plain folder name (letters, digits, '-', "
                                   "'_' and '.', not starting with '.'; no '/' or '..')")
    if key in _TEXT:
        return None if isinstance(value, str) and value else "expected a non-empty text"
    if key in _CHOICES:
        return None if value in _CHOICES[key] else f"expected one of {list(_CHOICES[key])}"
    if key in ("denoised", "compile"):
        return None if isinstance(value, bool) else "expected true or false"
    kind, low, strict = _NUMBERS[key]
    number = Integral if kind == "int" else Real
    bound = f"{'>' if strict else '>='} {low}"
    what = f"{'a whole number' if kind == 'int' else 'a number'} {bound}"
    if key in _OPTIONAL:
        what += " or null"
    if isinstance(value, bool) or not isinstance(value, number):
        return f"expected {what}"
    if not math.isfinite(value) or not (value > low if strict else value >= low):
        return f"expected {what}"
    if key in ("kernel_size", "stem_kernel") and value % 2 == 0:
        # 'same' padding of k // 2 keeps a signal's length only for an odd kernel; an even
        # one would fail deep in the network after the data were prepared
        return "expected an odd whole number >= 1 (e.g. 3, 7 or 15)"
    if key == "label_smoothing" and value >= 1:
        return "expected a number >= 0 and < 1"
    return None


def check_profile(profile: Profile) -> Profile:
    """Raise ValueError naming the first setting whose value cannot make a sensible run
    (a negative epoch count would otherwise write a 'finished', untrained model)."""
    for f in dataclasses.fields(Profile):
        value = getattr(profile, f.name)
        problem = _setting_problem(f.name, value)
        if problem:
            raise ValueError(f"profile {profile.name!r}: setting {f.name} has {value!r}, "
                             f"{problem}")
    # A kernel longer than the signal a layer sees reads only padding (and kernels of
    # ~1000 taps crashed the process natively, after the data were prepared): the stem
    # sees 10 s at the lowest rate a network gets, the last residual stage 1/32 of it.
    fs = min(profile.fs, profile.universal_fs or profile.fs)
    for key, limit in (("stem_kernel", 10 * fs), ("kernel_size", 10 * fs // 32)):
        value = getattr(profile, key)
        if value > limit:
            raise ValueError(f"profile {profile.name!r}: setting {key} has {value!r}, "
                             f"expected an odd whole number at most {limit} (the samples "
                             f"{'the stem' if key == 'stem_kernel' else 'the last residual stage'}"
                             f" sees of a 10 s recording at {fs} Hz)")
    return profile


def get_profile(name: str = "demo", /, **overrides) -> Profile:
    """Return the named profile with `overrides` applied; unknown settings and values
    outside what a setting allows are errors. `name` is positional, so that an override
    may rename the profile (`--set name=...`)."""
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; expected one of {sorted(PROFILES)}")
    known = {f.name for f in dataclasses.fields(Profile)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"profile {name!r}: unknown setting(s) {unknown}, expected "
                         f"known settings {sorted(known)}")
    return check_profile(dataclasses.replace(PROFILES[name], **overrides))


def parse_overrides(items: list[str]) -> dict:
    """Command-line `--set KEY=VALUE` strings -> overrides dict; values are read as JSON
    when they parse (3, 0.5, true, null) and kept as text otherwise, except that text
    settings (folders, names) always keep the text as typed (`null` still means unset)."""
    out = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--set {item!r}: expected KEY=VALUE, e.g. max_epochs=3")
        key, value = (part.strip() for part in item.split("=", 1))
        if not key:
            raise ValueError(f"--set {item!r}: expected KEY=VALUE with a setting name "
                             f"before '='")
        if key in _TEXT:
            out[key] = None if value == "null" and key in _OPTIONAL else value
            continue
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out
