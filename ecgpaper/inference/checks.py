"""Checks on a recording given as arrays with lead names (the service's JSON body, a
notebook's numpy arrays) and its clinical metadata: every problem is one `InputError`
naming the field.

Readers (`data.chapman`, `data.wfdb_io`) already run `data.validate.validate_signal` on
the files they read; arrays get the same checks here: all 12 leads go through
`validate_signal` itself (units, flat leads, Einthoven/Goldberger and chest-lead
agreement), a subset through the checks that make sense without the other leads.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..constants import LEADS, MEASUREMENTS
from ..data.chapman import DIAGNOSTICS_RANGES
from ..data.measures import measure
from ..data.validate import (FLAT_P2P_UV, MAX_LEAD_AMPLITUDE_UV, MAX_MEDIAN_P2P_UV,
                             MIN_MEDIAN_P2P_UV, RecordError, name_as_given, safe_name,
                             to_microvolts, validate_signal)
from .preprocess import InputError, Signal

UNITS = {"uv": "uV", "µv": "uV", "μv": "uV", "mv": "mV"}
MIN_FS, MAX_FS = 50.0, 10_000.0
MAX_SECONDS = 60.0
_ALIASES = {name.upper(): name for name in LEADS}
METADATA_FIELDS = ("PatientAge", "Gender", *MEASUREMENTS)
GENDERS = {"MALE": "MALE", "M": "MALE", "FEMALE": "FEMALE", "F": "FEMALE"}


def canonical_leads(names) -> list[str]:
    """Lead names as I..V6 (case-insensitive); unknown or repeated names are errors."""
    out: list[str] = []
    for raw in names:
        name = _ALIASES.get(str(raw).strip().upper())
        if name is None:
            shown = name_as_given(raw)
            raise InputError(f"unknown lead name {shown}, expected some of {list(LEADS)}",
                             f"leads.{shown.strip(chr(39))}")
        if name in out:
            raise InputError(f"lead {name} given twice (names are case-insensitive), "
                             "expected each lead at most once", f"leads.{name}")
        out.append(name)
    return out


def check_units(units) -> str:
    unit = UNITS.get(str(units).strip().lower()) if isinstance(units, str) else None
    if unit is None:
        raise InputError(f"units {safe_name(units)}, expected 'uV' or 'mV'", "units")
    return unit


def check_fs(fs) -> float:
    if isinstance(fs, bool) or not isinstance(fs, (int, float)) or not math.isfinite(fs):
        raise InputError("fs must be a number (sampling rate in Hz)", "fs")
    if not MIN_FS <= fs <= MAX_FS:
        raise InputError(f"fs {fs:g} Hz, expected {MIN_FS:g}-{MAX_FS:g} Hz", "fs")
    return float(fs)


def _unit(name: str) -> str:
    """' years', ' bpm', ' ms', ... as the Diagnostics dictionary gives it ('' for counts)."""
    from ..features.metadata import DEFINITIONS
    unit = next((unit for n, _, unit in DEFINITIONS if n == name), "")
    return "" if unit in ("", "count") else f" {unit}"


def check_metadata_value(name: str, value):
    """One clinical input: None (missing, takes the training median), Gender as MALE or
    FEMALE, any other a finite number inside the plausible range of the Diagnostics
    column (`data.chapman.DIAGNOSTICS_RANGES`, which every row of the real table obeys).
    Out-of-range values would be used as given and z-scored far outside training (1e300
    overflows to NaN), so they are refused rather than clipped or imputed."""
    field = f"metadata.{name}"
    if value is None:
        return None
    if name == "Gender":
        gender = GENDERS.get(value.strip().upper()) if isinstance(value, str) else None
        if gender is None:
            got = safe_name(value) if isinstance(value, str) else f"a {_json_type(value)}"
            raise InputError(f"{field}: got {got}, expected 'MALE' or 'FEMALE' (or null when "
                             "unknown)", field)
        return gender
    low, high = DIAGNOSTICS_RANGES[name]
    expected = f"a number {low:g} to {high:g}{_unit(name)} (or null when unknown)"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        got = safe_name(value) if isinstance(value, str) else f"a {_json_type(value)}"
        raise InputError(f"{field}: got {got}, expected {expected}", field)
    if not (math.isfinite(value) and low <= value <= high):
        raise InputError(f"{field}: {float(value):g} outside the plausible range, expected "
                         f"{expected}", field)
    return value


def _json_type(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "boolean"
    if isinstance(value, numbers.Real):
        return "number"
    return {dict: "JSON object", list: "JSON array", str: "text"}.get(type(value), "value")


def check_metadata(meta) -> dict:
    """A request's `metadata` object: known fields only (a misspelt one would silently
    take the training median), each value checked by `check_metadata_value`."""
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise InputError(f"metadata: a {_json_type(meta)}, expected an object "
                         f"{{field: value}} with some of {list(METADATA_FIELDS)}", "metadata")
    for key in meta:
        if key not in METADATA_FIELDS:
            name = safe_name(key)
            raise InputError(f"metadata: unknown field {name}, expected some of "
                             f"{list(METADATA_FIELDS)}", f"metadata.{name.strip(chr(39))}")
    return {key: check_metadata_value(key, value) for key, value in meta.items()}


def signal_from_arrays(leads: dict, fs, units, *, record_id: str = "request",
                       meta: dict | None = None, min_seconds: float = 0.0,
                       max_seconds: float = MAX_SECONDS, check_samples: bool = True) -> Signal:
    """A checked `Signal` from {lead name: samples}, the rate, the units and the clinical
    metadata (`check_metadata`); `check_samples` as in `signal_from_matrix`."""
    if not isinstance(leads, dict) or not leads:
        raise InputError("leads must be a non-empty object {lead name: [samples]}", "leads")
    names = canonical_leads(leads)
    arrays = []
    for raw, name in zip(leads, names):
        arrays.append(_lead_array(leads[raw], name))
    lengths = {name: len(a) for name, a in zip(names, arrays)}
    if len(set(lengths.values())) != 1:
        raise InputError(f"leads of unequal length {lengths}, expected the same number of "
                         "samples in every lead", "leads")
    return signal_from_matrix(np.stack(arrays), names, fs, units, record_id=record_id,
                              meta=meta, min_seconds=min_seconds, max_seconds=max_seconds,
                              check_samples=check_samples)


def _lead_array(samples, name: str) -> np.ndarray:
    """One lead's samples as a 1-D float array. Lists are converted without a dtype first
    so that text, booleans and nested lists are refused rather than coerced ("1.5" and
    True would become numbers under `dtype=float`)."""
    if isinstance(samples, np.ndarray):
        a = samples
    else:
        try:
            a = np.asarray(samples)
        except (TypeError, ValueError, OverflowError):
            a = np.asarray([None])          # ragged nesting: refused below
    if a.dtype.kind not in "fiu" or a.ndim != 1:
        what = f"{a.ndim} dimensions" if a.dtype.kind in "fiu" else "values that are not " \
            "numbers"
        raise InputError(f"lead {name}: expected a flat list of numbers, got {what}",
                         f"leads.{name}")
    return a


def signal_from_matrix(x: np.ndarray, names, fs, units, *, record_id: str = "request",
                       meta: dict | None = None, min_seconds: float = 0.0,
                       max_seconds: float = MAX_SECONDS, check_samples: bool = True) -> Signal:
    """A checked `Signal` from a (n_leads, T) array whose rows are the leads `names`: the
    one place the samples are checked, whole-array operations only (a binary body arrives
    as this array, a JSON body is stacked into it). With `check_samples=False` the
    amplitude and physiology checks (`check_amplitudes`) are left to the caller, which
    must run them before answering (the service runs them beside the network:
    `route.ModelSet.predict(checks=...)`); names, rate, units, length and finite values
    are always checked here."""
    meta = check_metadata(meta)
    names = canonical_leads(names)
    fs = check_fs(fs)
    unit = check_units(units)
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] != len(names):
        raise InputError(f"samples of shape {x.shape}, expected ({len(names)} leads, "
                         "samples)", "leads")
    n = x.shape[1]
    seconds = n / fs
    if n == 0 or seconds < min_seconds:
        raise InputError(f"{n} samples = {seconds:.2f} s at {fs:g} Hz, expected at least "
                         f"{min_seconds:g} s", "leads")
    if seconds > max_seconds:
        raise InputError(f"{n} samples = {seconds:.1f} s at {fs:g} Hz, expected at most "
                         f"{max_seconds:g} s per request", "leads")
    with np.errstate(over="ignore"):     # float64 beyond float32's range becomes Inf here
        x = x.astype(np.float32, copy=x.dtype != np.float32)
    bad = ~np.isfinite(x)
    if bad.any():
        k, t = np.argwhere(bad)[0]
        raise InputError(f"lead {names[k]}: {int(bad[k].sum())} NaN/Inf or out-of-range "
                         f"value(s), first at sample {int(t)}, expected finite numbers within "
                         "float32's range", f"leads.{names[k]}")
    sig = Signal(x, tuple(names), fs, unit, record_id, meta)
    if check_samples:
        check_amplitudes(sig)
    return sig


def check_amplitudes(sig: Signal) -> None:
    """Plausible ECG amplitudes for the declared units (the readers' checks)."""
    if set(sig.leads) == set(LEADS):
        order = [sig.leads.index(name) for name in LEADS]
        x = sig.signal[order] if order != list(range(len(LEADS))) else sig.signal
        if x.shape[1] >= 3:
            sig.measures = measure(to_microvolts(x, sig.units), sig.fs)
        try:
            validate_signal(x, fs=sig.fs, units=sig.units, source=sig.record_id,
                            expected_fs=None, expected_samples=None, measures=sig.measures)
        except RecordError as exc:
            raise InputError(str(exc), "leads") from None
        return
    uv = to_microvolts(np.asarray(sig.signal, dtype=np.float64), sig.units)
    p2p = np.ptp(uv, axis=1)
    flat = [name for name, v in zip(sig.leads, p2p) if v < FLAT_P2P_UV]
    if flat:
        raise InputError(f"flat lead(s) {flat} (peak-to-peak below {FLAT_P2P_UV:g} µV): "
                         "leave out leads that are missing or disconnected",
                         f"leads.{flat[0]}")
    median = float(np.median(p2p))
    if not MIN_MEDIAN_P2P_UV <= median <= MAX_MEDIAN_P2P_UV:
        raise InputError(f"median peak-to-peak {median:.3g} µV with units {sig.units!r}, "
                         f"expected {MIN_MEDIAN_P2P_UV:g}-{MAX_MEDIAN_P2P_UV:g} µV for an ECG: "
                         "wrong units or gain", "units")
    worst = int(np.argmax(p2p))
    if p2p[worst] > 2 * MAX_LEAD_AMPLITUDE_UV:
        raise InputError(f"lead {sig.leads[worst]} peak-to-peak {p2p[worst] / 1000:.1f} mV, "
                         f"expected at most {2 * MAX_LEAD_AMPLITUDE_UV / 1000:g} mV",
                         f"leads.{sig.leads[worst]}")
