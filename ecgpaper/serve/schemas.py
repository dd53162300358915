"""The service's request and response bodies (pydantic), and the turning of pydantic's
validation errors into one message that names the field.

A JSON body is decoded by orjson (about twice as fast as pydantic's own parser on a
12 x 5000 body, which turns 60,000 numbers into Python floats one by one). Pydantic then
checks everything but the samples, and each lead's list becomes one numpy array whose
dtype says whether every element was a number (`inference.checks`). A binary body
(`binary`) skips the decoding altogether.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..constants import CLASSES, LEADS
from ..inference.preprocess import InputError

_UNION_TAGS = {"float", "str", "int", "bool"}
_SAFE = re.compile(r"^[A-Za-z0-9_+\-.]{1,32}$")
# every `"key": [` in the body; more of them than parsed leads means a repeated key
_ARRAY_KEY = re.compile(rb'"\s*:\s*\[')

# Metadata values are checked by `inference.checks.check_metadata` (type, plausible range),
# whose messages say what each field expects; pydantic's would say "a valid number" for
# Gender.
MetadataValue = Any


class PredictRequest(BaseModel):
    """One recording: leads by name (any non-empty subset of the 12), rate and units."""
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"example": {
        "fs": 500, "units": "uV", "leads": {"I": [0.0, 12.5, 30.0], "II": [0.0, 20.0, 41.5]},
        "metadata": {"PatientAge": 63, "Gender": "MALE"}}})

    fs: float = Field(description="sampling rate in Hz (resampled to the training rate)")
    units: Literal["uV", "mV"] = Field(description="units of every sample")
    leads: dict[str, list[float]] = Field(
        description=f"samples per lead, by name: any of {', '.join(LEADS)}")
    metadata: Optional[dict[str, MetadataValue]] = Field(
        default=None, description="Diagnostics-style fields for models trained with "
        "clinical metadata: PatientAge (years), Gender ('MALE' or 'FEMALE'), "
        "VentricularRate, AtrialRate (bpm), QRSDuration, QTInterval, QTCorrected (ms), "
        "RAxis, TAxis (degrees), QRSCount, QOnset, QOffset, TOffset; null or absent "
        "when unknown (takes the training median); a value outside the plausible range "
        "of the Diagnostics column is refused")
    record_id: Optional[str] = Field(default=None, max_length=64,
                                     pattern=r"^[A-Za-z0-9_.\-]+$")


class QualityFlagOut(BaseModel):
    """Something possible in a real ECG but unusual and often an error (`data.quality`)."""
    code: Literal["inverted", "chest_reversed", "chest_swapped", "arm_swapped", "chest_gain",
                  "chest_duplicate", "amplitude_low", "amplitude_high", "rate_unusual"]
    message: str


class PredictResponse(BaseModel):
    record_id: str
    rhythm: Literal[CLASSES]  # type: ignore[valid-type]
    rhythm_name: str
    probabilities: dict[str, float]
    model: str
    model_kind: str
    leads: list[str]
    backend: str
    imputed_metadata: list[str]
    lead_attention: Optional[dict[str, float]] = None
    latency_ms: float
    quality_flags: list[QualityFlagOut] = Field(
        default_factory=list, description="quality flags of the record (empty when none); "
        "with strict mode a flagged record is refused instead (422, field 'quality')")


def _where(loc) -> str:
    """A pydantic location as `leads.II.3`, without echoing arbitrary client text."""
    parts = []
    for p in loc:
        text = str(p)
        if text in _UNION_TAGS:          # pydantic names the union branch it tried
            continue
        parts.append(text if isinstance(p, int) or _SAFE.match(text) else "<unrecognised>")
    return ".".join(parts) or "body"


def parse_request(body: bytes) -> PredictRequest:
    """The checked request, or `InputError` naming the field and what was expected. The
    lead lists are checked as arrays by `checks.signal_from_arrays`; pydantic sees them
    only when a lead is not a list, so its message names the field."""
    import orjson
    if not body.strip():
        raise InputError("empty body, expected a JSON object with fs, units and leads")
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        obj = None            # NaN tokens, bad syntax: pydantic's parser names the field
    leads = obj.get("leads") if isinstance(obj, dict) else None
    lists = isinstance(leads, dict) and all(isinstance(v, list) for v in leads.values())
    try:
        if obj is None:
            req = PredictRequest.model_validate_json(body)
        else:
            req = PredictRequest.model_validate({**obj, "leads": {k: [] for k in leads}}
                                                if lists else obj)
    except ValidationError as exc:
        err = exc.errors(include_input=False, include_url=False)[0]
        field = _where(err["loc"])
        if err["type"] == "json_invalid":
            raise InputError(f"body is not valid JSON ({err['msg'].split(': ', 1)[-1]})") \
                from None
        hint = {"missing": "field required: expected fs, units and leads",
                "extra_forbidden": "unknown field: expected fs, units, leads, metadata, "
                                   "record_id"}.get(err["type"], err["msg"])
        raise InputError(f"{field}: {hint}", field) from None
    if len(_ARRAY_KEY.findall(body)) > len(req.leads):
        raise InputError("a lead name appears twice in leads, expected each lead once",
                         "leads")
    if lists:
        req.leads = leads          # lists of anything: `checks._lead_array` decides
    return req
