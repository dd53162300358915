"""The FastAPI app: a thin layer over `ecgpaper.inference`.

`POST /v1/predict` (JSON, or binary samples with the rest in headers: `binary`), `POST /v1/predict/file` (a WFDB pair or a figshare CSV),
`GET /v1/models`, `GET /healthz`, OpenAPI docs at `/docs`. Parsing, checks, preprocessing
and the network run in a worker thread (at most `threads` at a time), so the event loop
keeps answering `/healthz` while a request is being classified; the sample checks and
quality flags run beside the network (`ModelSet.predict(checks=...)`), and a record they
refuse gets their error, never the network's answer. Bad input is a 4xx whose
body is `{"detail": message, "field": field}`; a valid request the model cannot answer
(NaN outputs) is a 503 naming the model and the cause; nothing answers 500 (see `guards`).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ..constants import CLASS_NAMES
from ..data.validate import MIN_RECORD_SECONDS, RecordError
from ..inference.checks import (MAX_SECONDS, check_amplitudes, signal_from_arrays,
                                 signal_from_matrix)
from ..inference.preprocess import InputError, ModelError, Signal
from ..inference.route import ModelSet
from .binary import HEADERS, NPY, OCTET, parse_binary
from .guards import Guard, log
from .schemas import PredictRequest, PredictResponse, parse_request

API_KEY_ENV = "ECGPAPER_API_KEY"
MAX_UPLOAD_FILES = 8      # the body-size limit caps their bytes
_FILE_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}\.(hea|mat|dat|csv)$", re.IGNORECASE)


@dataclass
class Settings:
    max_body_bytes: int = 4 << 20        # 12 x 5000 samples as JSON is about 0.5 MB
    max_seconds: float = MAX_SECONDS
    threads: int = 1                     # concurrent inferences (each uses torch's threads)
    api_key: str | None = None           # None: read ECGPAPER_API_KEY when the app is made
    strict: bool = False                 # refuse flagged records (`?strict=` overrides)


STRICT_PARAMETER = {"name": "strict", "in": "query", "required": False,
                    "schema": {"type": "boolean"},
                    "description": "refuse (422, field 'quality') a record that carries "
                                   "quality flags instead of answering with them; default: "
                                   "the service's strict setting"}
_TRUTH = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def strict_mode(request, default: bool) -> bool:
    """The request's `?strict=` (true/false, 1/0, yes/no), else the service's setting."""
    raw = request.query_params.get("strict")
    if raw is None:
        return default
    if raw.strip().lower() not in _TRUTH:
        raise InputError(f"strict: {raw[:16]!r}, expected true or false", "strict")
    return _TRUTH[raw.strip().lower()]


class FastJSON(JSONResponse):
    """JSON encoded by orjson (several times faster than the standard library's)."""

    def render(self, content) -> bytes:
        import orjson
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


def error(status: int, message: str, field: str = "body") -> FastJSON:
    return FastJSON({"detail": message, "field": field}, status_code=status)


def _predict_openapi() -> dict:
    """The request body of /v1/predict in its three encodings, and the binary headers."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"requestBody": {"required": True, "content": {
                "application/json": {"schema": PredictRequest.model_json_schema()},
                OCTET: {**binary, "description": "float32 or int16 little-endian samples, "
                        "lead after lead (leads x samples); rate, units and lead names "
                        "in the X-ECG-* headers"},
                NPY: {**binary, "description": "a numpy.save file of a (leads, samples) "
                      "numeric array; rate, units and lead names in the X-ECG-* headers"}}},
            "parameters": [{"name": name, "in": "header", "required": False,
                            "schema": {"type": "string"},
                            "description": f"binary bodies: {text}"}
                           for name, text in HEADERS.items()] + [STRICT_PARAMETER]}


def create_app(models: ModelSet, settings: Settings | None = None) -> FastAPI:
    import anyio
    settings = settings or Settings()
    api_key = settings.api_key if settings.api_key is not None else \
        os.environ.get(API_KEY_ENV) or None
    limiter = anyio.CapacityLimiter(max(1, settings.threads))
    app = FastAPI(title="ecgpaper rhythm classifier", version="1",
                  default_response_class=FastJSON,
                  description="Eight-rhythm classification of 1-12 lead ECGs: all 12 leads "
                              "go to SE-ResNet18, any other subset to UniversalECGNet.")
    app.add_middleware(Guard, max_body_bytes=settings.max_body_bytes, api_key=api_key)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request, exc):          # query/form problems FastAPI finds itself
        first = (exc.errors() or [{}])[0]
        field = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        return error(422, f"{field}: {first.get('msg', 'invalid request')}", field)

    def answer(sig: Signal, t0: float, strict: bool = False, checks=None) -> dict:
        p = models.predict(sig, strict=strict, checks=checks)
        out = p.to_dict()
        out["rhythm_name"] = CLASS_NAMES[p.rhythm]
        out["latency_ms"] = (time.perf_counter() - t0) * 1000.0
        return out

    def from_binary(body: bytes, ctype: str, headers, t0: float, strict: bool) -> dict:
        args = parse_binary(body, ctype, headers)
        sig = signal_from_matrix(args["x"], args["names"], args["fs"], args["units"],
                                 record_id=args["record_id"], meta=args["meta"],
                                 min_seconds=MIN_RECORD_SECONDS,
                                 max_seconds=settings.max_seconds, check_samples=False)
        return answer(sig, t0, strict, checks=check_amplitudes)

    def from_json(body: bytes, t0: float, strict: bool) -> dict:
        req = parse_request(body)
        sig = signal_from_arrays(req.leads, req.fs, req.units,
                                 record_id=req.record_id or "request", meta=req.metadata,
                                 min_seconds=MIN_RECORD_SECONDS,
                                 max_seconds=settings.max_seconds, check_samples=False)
        return answer(sig, t0, strict, checks=check_amplitudes)

    async def run(fn, *args) -> FastJSON:
        try:
            return FastJSON(await anyio.to_thread.run_sync(fn, *args, limiter=limiter))
        except (InputError, RecordError) as exc:
            return error(422, str(exc), getattr(exc, "field", "body"))
        except ModelError as exc:            # a valid request the loaded model cannot answer
            return error(503, str(exc), "model")

    @app.post("/v1/predict", response_model=PredictResponse,
              openapi_extra=_predict_openapi())
    async def predict(request: Request):
        """Classify one recording sent as JSON (see the request schema), or as binary
        samples (`application/octet-stream`: float32 or int16, lead after lead;
        `application/x-npy`: a numpy.save file) with `X-ECG-Fs`, `X-ECG-Units` and
        `X-ECG-Leads` headers: the fast path, no number parsing."""
        t0 = time.perf_counter()
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in ("application/json", OCTET, NPY):
            return error(415, f"content type {ctype or '(none)'!r}, expected "
                              f"'application/json', '{OCTET}' or '{NPY}'", "Content-Type")
        try:
            strict = strict_mode(request, settings.strict)
        except InputError as exc:
            return error(422, str(exc), exc.field)
        body = await request.body()
        if ctype != "application/json":
            return await run(from_binary, body, ctype, request.headers, t0, strict)
        if not body.strip():
            return error(400, "empty body, expected a JSON object with fs, units and leads")
        return await run(from_json, body, t0, strict)

    @app.post("/v1/predict/file", response_model=PredictResponse,
              openapi_extra={"parameters": [STRICT_PARAMETER]})
    async def predict_file(request: Request):
        """Classify an uploaded recording: multipart with a WFDB pair (`.hea` and its
        `.mat`/`.dat`) or one figshare `.csv` (µV, 500 Hz), field name `files`."""
        t0 = time.perf_counter()
        try:
            strict = strict_mode(request, settings.strict)
        except InputError as exc:
            return error(422, str(exc), exc.field)
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "multipart/form-data":
            return error(415, f"content type {ctype or '(none)'!r}, expected "
                              "'multipart/form-data'", "Content-Type")
        try:     # more files than a recording has, so that a third one is counted below
            form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=2)
        except Exception as exc:            # noqa: BLE001 - malformed multipart
            if "too many files" in str(exc).lower():
                return error(422, f"more than {MAX_UPLOAD_FILES} files received, expected one "
                                  ".csv, or a .hea with its .mat or .dat", "files")
            return error(400, "unreadable multipart body, expected files=<.hea>, "
                              "files=<.mat|.dat> or files=<.csv>", "files")
        uploads = [v for k, v in form.multi_items() if k == "files" and hasattr(v, "read")]
        named = {Path(u.filename or "").name: u for u in uploads}
        problem = _upload_problem([Path(u.filename or "").name for u in uploads])
        if problem:
            return error(422, problem, "files")
        contents = {name: await u.read() for name, u in named.items()}
        return await run(_classify_upload, contents, t0,
                         lambda sig, t: answer(sig, t, strict))

    @app.get("/v1/models")
    async def loaded_models():
        """What is loaded, with the provenance of each artifact and how requests route."""
        return {"backend": models.backend,
                "routing": {"12 leads": (models.standard or models.universal).name,
                            "fewer leads": models.universal.name if models.universal
                            else None},
                "models": [a.describe() for a in models.loaded]}

    @app.get("/healthz")
    async def healthz():
        return {"status": "ok", "models": [a.name for a in models.loaded]}

    log.info("serving %s with backend %s%s", [a.name for a in models.loaded], models.backend,
             " (API key required)" if api_key else "")
    return app


def _upload_problem(names: list[str]) -> str | None:
    """What is wrong with the uploaded file names (None when they make one recording)."""
    expected = "expected one .csv, or a .hea with its .mat or .dat of the same name"
    if not names:
        return f"no file in field 'files', {expected}"
    if any(not _FILE_NAME.match(n) for n in names):
        return f"file names must be letters, digits, '_' or '-' with a known suffix, {expected}"
    suffixes = sorted(Path(n).suffix.lower() for n in names)
    stems = {Path(n).stem for n in names}
    if suffixes == [".csv"] or (len(stems) == 1 and suffixes in ([".dat", ".hea"],
                                                                 [".hea", ".mat"])):
        return None
    return f"got {len(names)} file(s) with suffixes {suffixes}, {expected}"


def _classify_upload(contents: dict, t0: float, answer) -> dict:
    """Write the upload to a private temporary folder and read it with the readers."""
    from ..inference.files import read_recording
    with tempfile.TemporaryDirectory(prefix="ecgpaper-upload-") as tmp:
        for name, data in contents.items():
            (Path(tmp) / name).write_bytes(data)
        main = next(n for n in contents if n.lower().endswith((".csv", ".hea")))
        try:
            record = read_recording(Path(tmp) / main)
        except (FileNotFoundError, ValueError) as exc:
            msg = str(exc).replace(str(Path(tmp)) + os.sep, "")
            raise InputError(msg, "files") from None
    return answer(Signal.from_record(record), t0)

