"""A new recording turned into exactly what a network saw in training.

Training reads the prepared store (microvolts at the store's 500 Hz), block-averages it to
the profile's rate (`data.dataset._downsample`), z-scores every lead with the training
split's mean and standard deviation, and builds the MLP inputs with
`features.metadata.metadata_matrix`, training-median imputation and training z-scores.
`Preprocessing` holds those statistics as the checkpoint stores them; the functions
below call the same code on one record, after the steps the store did at preparation
time (units to µV, resampling to 500 Hz, leads by name).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..constants import LEAD_INDEX, LEADS


class InputError(ValueError):
    """Input that cannot be classified; `field` names the part of the request at fault."""

    def __init__(self, message: str, field: str = "body"):
        super().__init__(message)
        self.field = field


class ModelError(RuntimeError):
    """A loaded network that gave no valid answer for a valid input (non-finite inputs
    after its checkpoint's scaling, or non-finite outputs): names the model and the cause."""


@dataclass(frozen=True)
class Preprocessing:
    """What a checkpoint says about the inputs its network was trained on."""
    fs: int                         # rate the network sees (Hz)
    n_samples: int                  # samples per lead the network saw
    source_fs: int                  # store rate, block-averaged by source_fs // fs
    channel_mean: tuple             # 12 per-lead means (µV, at fs), lead order I..V6
    channel_std: tuple
    metadata: str | None = None     # features.metadata column set, or None
    morphology: str | None = None   # NeuroKit2 variant, or None
    feature_names: tuple = ()
    feature_median: tuple = ()
    feature_mean: tuple = ()
    feature_std: tuple = ()

    @property
    def factor(self) -> int:
        return self.source_fs // self.fs

    @property
    def window_s(self) -> float:
        return self.n_samples / self.fs

    def to_dict(self) -> dict:
        return {"fs": self.fs, "n_samples": self.n_samples, "source_fs": self.source_fs,
                "window_s": self.window_s, "metadata": self.metadata,
                "morphology": self.morphology, "feature_names": list(self.feature_names)}


@dataclass
class Signal:
    """A recording with named leads (any non-empty subset of the 12), units and rate."""
    signal: np.ndarray              # (n_leads, T), rows in `leads` order
    leads: tuple
    fs: float
    units: str                      # "uV" or "mV"
    record_id: str = "request"
    meta: dict = field(default_factory=dict)
    # `data.measures.Measures` of all 12 leads in I..V6 order when the checks computed
    # them (the quality flags reuse them instead of measuring the record again)
    measures: object = field(default=None, repr=False, compare=False)

    @classmethod
    def from_record(cls, record) -> "Signal":
        """A `data.record.Record` from any reader (WFDB, figshare CSV, CinC, PTB-XL)."""
        return cls(np.asarray(record.signal, dtype=np.float32), tuple(record.leads),
                   float(record.fs), record.units, record.record_id, dict(record.meta))


def signal_uv_at_source(sig: Signal, prep: Preprocessing) -> np.ndarray:
    """(n_leads, T') µV at the store's rate: what `prepare` would have stored."""
    from ..data.validate import resample, to_microvolts
    x = to_microvolts(np.asarray(sig.signal, dtype=np.float64), sig.units)
    if float(sig.fs) != float(prep.source_fs):
        x = resample(x, sig.fs, prep.source_fs)
    return np.asarray(x, dtype=np.float32)


def model_signal(sig: Signal, prep: Preprocessing) -> tuple[np.ndarray, list[int]]:
    """(n_leads, n_samples) float32 network input and the leads' indices in I..V6.

    The first `window_s` seconds are used (training records are 10 s); a shorter
    recording is refused rather than padded with values training never saw."""
    idx = [LEAD_INDEX[name] for name in sig.leads]
    finite = np.isfinite(sig.signal).all(axis=1)
    if not finite.all():
        lead = sig.leads[int(np.argmin(finite))]
        raise InputError(f"{sig.record_id}: lead {lead} holds NaN/Inf samples, expected "
                         "finite numbers", f"leads.{lead}")
    x = signal_uv_at_source(sig, prep)
    need = prep.n_samples * prep.factor
    if x.shape[1] < need:
        raise InputError(f"{sig.record_id}: {x.shape[1] / prep.source_fs:.2f} s of signal, "
                         f"expected at least {prep.window_s:g} s (the model was trained on "
                         f"{prep.window_s:g} s records)", "leads")
    return zscore(x[:, :need], prep, idx), idx


def zscore(x_uv: np.ndarray, prep: Preprocessing, idx: list[int]) -> np.ndarray:
    """The training's block-averaging and per-lead z-scoring of µV at the source rate."""
    from ..data.dataset import _downsample
    x = _downsample(x_uv.astype(np.float32), prep.factor)
    mean = np.asarray(prep.channel_mean, dtype=np.float32)[idx][:, None]
    std = np.asarray(prep.channel_std, dtype=np.float32)[idx][:, None]
    return np.ascontiguousarray((x - mean) / std, dtype=np.float32)


def model_features(meta: dict | None, prep: Preprocessing, lead_ii_uv: np.ndarray | None = None
                   ) -> tuple[np.ndarray, list[str]]:
    """(n_features,) float32 MLP input and the names of the inputs that were missing and
    took the training median (as in training).

    The columns are built as in training: Diagnostics-style `meta` through
    `features.metadata.metadata_matrix`, then, for experiments 3, 4 and 6, the NeuroKit2
    features of lead II (`lead_ii_uv`: µV at the store's rate, the recording's first
    `window_s` seconds) with `features.morphology.extract_record`. A NeuroKit2 detection
    failure takes the training median, exactly as a fallback did in training."""
    from ..features.metadata import COLUMN_SETS
    if not prep.feature_names:
        return np.zeros(0, np.float32), []
    names = list(prep.feature_names)    # checked against both sets when loaded
    n_meta = len(COLUMN_SETS[prep.metadata]) if prep.metadata else 0
    raw = np.concatenate([_metadata_columns(meta, prep.metadata) if n_meta else np.zeros(0),
                          _morphology_columns(lead_ii_uv, prep, names[n_meta:])])
    missing = [n for n, v in zip(names, raw) if np.isnan(v)]
    raw = np.where(np.isnan(raw), np.asarray(prep.feature_median, dtype=np.float64), raw)
    std = np.asarray(prep.feature_std, dtype=np.float64).copy()
    std[std == 0] = 1.0
    with np.errstate(over="ignore"):          # an overflow is reported by the caller
        z = ((raw - np.asarray(prep.feature_mean, dtype=np.float64)) / std).astype(np.float32)
    return z, missing


def _metadata_columns(meta: dict | None, column_set: str) -> np.ndarray:
    """The raw metadata columns of one request (NaN where a value is missing); every
    value given is checked (`checks.check_metadata_value`) whatever built the `Signal`."""
    import pandas as pd
    from ..features.metadata import COLUMN_SETS, metadata_matrix
    from .checks import check_metadata_value
    names = list(COLUMN_SETS[column_set])
    meta = dict(meta or {})
    given = {k for k, v in meta.items() if v is not None}
    needed = {"PatientAge", "Gender"} | set(names[3:])
    if not given & needed:
        raise InputError(f"this model needs clinical metadata: expected some of "
                         f"{sorted(needed)} (missing ones take the training median)",
                         "metadata")
    row = {k: check_metadata_value(k, meta.get(k)) for k in sorted(needed)}
    raw, _ = metadata_matrix(pd.DataFrame([row]), column_set)
    return raw[0].astype(np.float64)


def _morphology_columns(lead_ii_uv: np.ndarray | None, prep: Preprocessing,
                        names: list[str]) -> np.ndarray:
    """The NeuroKit2 columns `names` (nk2_<feature>) of lead II, NaN where detection
    failed (the training's fallback rule)."""
    if not names:
        return np.zeros(0)
    if lead_ii_uv is None:
        raise InputError("this model also needs NeuroKit2 features of lead II, expected "
                         "lead II in the recording", "leads")
    from ..features.morphology.extract import NAMES, extract_record
    values, _, _, _ = extract_record(np.asarray(lead_ii_uv, dtype=np.float64),
                                     prep.source_fs)
    by_name = dict(zip(NAMES, values))       # names were checked when loaded
    return np.array([by_name[n[len("nk2_"):]] for n in names], dtype=np.float64)


def all_leads(sig: Signal) -> bool:
    return set(sig.leads) == set(LEADS)
