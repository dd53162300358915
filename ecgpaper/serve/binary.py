"""Binary request bodies: the samples as raw little-endian numbers or as an `.npy` file,
everything else in headers, so that a 12 x 5000 recording costs one memory copy instead
of decoding 60,000 JSON numbers.

- `Content-Type: application/octet-stream`: float32 (default) or int16 samples, lead after
  lead (row-major `(leads, samples)`), `X-ECG-Dtype: float32|int16`; int16 counts are
  multiplied by `X-ECG-Scale` (units per count, default 1).
- `Content-Type: application/x-npy`: a `numpy.save` file of shape `(leads, samples)`
  (float16/32/64 or integers; never pickled objects).

Both need `X-ECG-Fs` (Hz), `X-ECG-Units` (`uV` or `mV`) and `X-ECG-Leads` (comma-separated
names in row order), and take `X-ECG-Record-Id` and `X-ECG-Metadata` (the JSON object
of the JSON body's `metadata`). A malformed body is an `InputError` naming the header or
`body` and what was expected.
"""

from __future__ import annotations

import io
import math
import re

import numpy as np

from ..inference.preprocess import InputError

OCTET = "application/octet-stream"
NPY = "application/x-npy"
DTYPES = {"float32": np.dtype("<f4"), "int16": np.dtype("<i2")}
HEADERS = {
    "X-ECG-Fs": "sampling rate in Hz, e.g. 500",
    "X-ECG-Units": "units of the samples: uV or mV",
    "X-ECG-Leads": "lead names in row order, comma-separated, e.g. I,II,III,aVR,...,V6",
    "X-ECG-Dtype": "octet-stream only: float32 (default) or int16, little-endian",
    "X-ECG-Scale": "int16 only: units per count (default 1)",
    "X-ECG-Record-Id": "optional record name (letters, digits, '_', '.', '-')",
    "X-ECG-Metadata": "optional JSON object, as the JSON body's metadata",
}
_RECORD_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def _header(headers, name: str, required: bool = True) -> str | None:
    value = headers.get(name)
    if value is None or not value.strip():
        if required:
            raise InputError(f"header {name} missing, expected {HEADERS[name]}", name)
        return None
    return value.strip()


def _number(headers, name: str, default: float | None = None) -> float:
    text = _header(headers, name, required=default is None)
    if text is None:
        return float(default)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"header {name}: {text[:20]!r}, expected a positive number "
                         f"({HEADERS[name]})", name)
    return value


def _metadata(headers) -> dict | None:
    import orjson
    text = _header(headers, "X-ECG-Metadata", required=False)
    if text is None:
        return None
    try:
        meta = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise InputError("header X-ECG-Metadata is not valid JSON, expected a JSON object "
                         "such as {\"PatientAge\": 63, \"Gender\": \"MALE\"}",
                         "X-ECG-Metadata") from None
    return meta


def _samples(body: bytes, ctype: str, headers, n_leads: int) -> np.ndarray:
    """The (n_leads, samples) array of the body, in the header's units."""
    if ctype == NPY:
        return _npy(body, n_leads)
    dtype_name = (_header(headers, "X-ECG-Dtype", required=False) or "float32").lower()
    dtype = DTYPES.get(dtype_name)
    if dtype is None:
        raise InputError(f"header X-ECG-Dtype: {dtype_name[:20]!r}, expected float32 or "
                         "int16", "X-ECG-Dtype")
    row = n_leads * dtype.itemsize
    if len(body) % row:
        raise InputError(f"body of {len(body)} bytes is not a whole number of samples of "
                         f"{n_leads} lead(s) x {dtype.itemsize} bytes ({dtype_name}), "
                         "expected leads one after another, each the same length", "body")
    x = np.frombuffer(body, dtype=dtype).reshape(n_leads, -1)
    if dtype_name == "int16":
        return x.astype(np.float32) * np.float32(_number(headers, "X-ECG-Scale", 1.0))
    return x


def _npy(body: bytes, n_leads: int) -> np.ndarray:
    """An .npy file's array, refusing pickled objects and other shapes."""
    try:
        x = np.load(io.BytesIO(body), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise InputError(f"body is not a readable .npy file ({str(exc)[:80]}), expected "
                         "numpy.save of a (leads, samples) numeric array", "body") from None
    if not isinstance(x, np.ndarray) or x.dtype.kind not in "fiu":
        raise InputError(f".npy array of dtype {getattr(x, 'dtype', '?')}, expected "
                         "floats or integers", "body")
    if x.ndim != 2 or x.shape[0] != n_leads:
        raise InputError(f".npy array of shape {x.shape}, expected ({n_leads}, samples) "
                         "for the leads named in X-ECG-Leads", "body")
    return x


def parse_binary(body: bytes, ctype: str, headers) -> dict:
    """Keyword arguments of `checks.signal_from_matrix` from a binary request."""
    from ..data.validate import safe_name
    from ..inference.checks import canonical_leads, check_units
    fs = _number(headers, "X-ECG-Fs")
    try:
        units = check_units(_header(headers, "X-ECG-Units"))
        names = canonical_leads(n.strip() for n in _header(headers, "X-ECG-Leads").split(","))
    except InputError as exc:
        field = exc.field if exc.field.startswith("X-ECG") else \
            ("X-ECG-Units" if exc.field == "units" else "X-ECG-Leads")
        raise InputError(f"header {field}: {exc}", field) from None
    record_id = _header(headers, "X-ECG-Record-Id", required=False) or "request"
    if not _RECORD_ID.match(record_id):
        raise InputError(f"header X-ECG-Record-Id {safe_name(record_id)}, expected "
                         f"{HEADERS['X-ECG-Record-Id']}", "X-ECG-Record-Id")
    meta = _metadata(headers)
    if not body:
        raise InputError("empty body, expected the samples", "body")
    x = _samples(body, ctype, headers, len(names))
    return {"x": x, "names": names, "fs": fs, "units": units, "record_id": record_id,
            "meta": meta}
