"""Serving speed: batch-1 latency of the deployment path for the paper-size networks
(SE-ResNet18 width 1.0 on 12 x 5000, UniversalECGNet on 12 leads and on lead II), PyTorch
against ONNX Runtime, on the CPU and on CUDA when present:

- "model": the network call alone (what the paper's model-only figures measure);
- "end to end": one HTTP request to the service on 127.0.0.1 (JSON parse, validation,
  preprocessing, network, response), timed by the client; "end to end, binary" the same
  with the samples as a float32 body (`serve.binary`);
- `overhead_ms`: what the service adds to one request, the median over rounds of one
  request minus one network call of the same recording (`http_load.paired_overhead`);
- "model, K at once": the network called from K threads together (K = the inferences
  the service runs at once, one per core by default): what the model alone sustains on
  the machine's cores;
- "checks": the service's sample checks and quality flags for the 12-lead recording alone,
  on one core (`inference.checks.check_amplitudes`, `route.signal_flags`): the CPU work a
  request adds beside its network call whatever the backend;
- "load": N concurrent clients sending a bounded number of requests (binary bodies for
  12 leads; p50/p95/p99, requests/s, errors, which must be 0) and `share_of_model_rate`,
  its requests/s over the "K at once" rate of the model alone.

The service runs as `ecgpaper serve` in its own process (as it is deployed), with K
inferences at once and the cores shared among them (`--threads K --model-threads
cores/K`); the model-only rows use the same threads per call, so the overhead compares
like with like. The clients run in this process.

Backends: PyTorch, ONNX Runtime fp32, and ONNX Runtime int8 on the CPU (fp16 on CUDA),
from `inference.quantize`; how often reduced precision changes the answer needs trained
weights and real records, so it is measured on trained artifacts (the Deployment chapter,
the tests), not here.

Latency does not depend on the weights, so the networks are freshly initialised (seeded)
and saved as artifacts with the preprocessing of the full profile; the request bodies are
synthetic-twin records. `quick` uses the demo's 100 Hz input and a narrow network.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from .http_load import (BINARY_HEADERS, JSON_HEADERS, http_latency, in_threads,
                        latency_stats, paired_overhead)

DESCRIPTION = ("serving latency: model-only and end-to-end HTTP batch-1 latency, PyTorch vs "
               "ONNX Runtime fp32 and int8, and a concurrent load test of the service")


def add_arguments(parser) -> None:
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (load test)")
    parser.add_argument("--requests", type=int, default=None,
                        help="requests per measurement (default 30, quick 8)")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cpu, and "
                        "cuda too when present)")
    parser.add_argument("--concurrent", type=int, default=None, metavar="K",
                        help="inferences the service runs at once (default: one per core)")


def _artifacts(folder: Path, width: float, fs: int) -> dict:
    """Seeded paper-layout networks saved as best.pt with full-profile preprocessing."""
    import torch

    from ..models.registry import build_model, save_checkpoint
    from ..models.resnet1d import SEResNetConfig
    from ..models.universal import UniversalConfig
    torch.manual_seed(0)
    extra = {"fs": fs, "n_samples": 10 * fs, "source_fs": 500, "source_units": "uV",
             "channel_mean": [0.0] * 12, "channel_std": [200.0] * 12, "metadata": None,
             "morphology": None, "feature_names": []}
    out = {}
    for name, cfg in (("standard", SEResNetConfig(in_channels=12, width=width)),
                      ("universal", UniversalConfig(width=width, checkpointing=False))):
        (folder / name).mkdir(parents=True, exist_ok=True)
        out[name] = save_checkpoint(folder / name / "best.pt", build_model(cfg).eval(),
                                    experiment=None, **extra)
    return out


def _bodies() -> dict:
    """JSON bodies of one twin record: 12 leads and lead II alone (µV, 500 Hz)."""
    import json

    import numpy as np

    from ..constants import LEADS
    from ..twin.generator import generate_arrays
    x, _ = generate_arrays(n=1, counts={"SR": 1}, seed=1)
    leads = {n: np.round(x[0, k], 1).tolist() for k, n in enumerate(LEADS)}
    return {12: json.dumps({"fs": 500, "units": "uV", "leads": leads}).encode(),
            1: json.dumps({"fs": 500, "units": "uV", "leads": {"II": leads["II"]}}).encode(),
            "binary": np.round(x[0], 1).astype("<f4").tobytes()}


def _network_call(models, body: bytes):
    """The network call (inputs prepared once) for the recording in a JSON `body`."""
    from ..inference.checks import signal_from_arrays
    from ..inference.route import network_call
    from ..serve.schemas import parse_request
    req = parse_request(body)
    return network_call(models, signal_from_arrays(req.leads, req.fs, req.units))


def _model_only(models, body: bytes, n: int) -> dict:
    from ..inference.route import time_calls
    return latency_stats(time_calls(_network_call(models, body), n))


def _checks_only(body: bytes, n: int) -> dict:
    """The sample checks and quality flags of the recording in a JSON `body`, as the
    service runs them for one request (nothing kept from one call to the next)."""
    from ..inference.checks import check_amplitudes, signal_from_arrays
    from ..inference.route import signal_flags, time_calls
    from ..serve.schemas import parse_request
    req = parse_request(body)
    sig = signal_from_arrays(req.leads, req.fs, req.units, check_samples=False)

    def call():
        sig.measures = None
        check_amplitudes(sig)
        signal_flags(sig)
    return latency_stats(time_calls(call, n))


def _model_rate(models, body: bytes, n: int, workers: int) -> dict:
    """The network called `n` times from `workers` threads at once: requests/s (and the
    latency of each call) of the model alone on that many cores."""
    call = _network_call(models, body)
    for _ in range(2):
        call()
    times, lock = [], threading.Lock()

    def work(k: int):
        for _ in range(k):
            t0 = time.perf_counter()
            call()
            with lock:
                times.append(time.perf_counter() - t0)
    return latency_stats(times, in_threads(work, n, workers))


def measure(quick: bool = False, progress: bool = True, clients: int = 4,
            requests: int | None = None, device: str | None = None,
            concurrent: int | None = None):
    import pandas as pd
    import torch

    from ..commands.serve import available_cores, model_threads
    from ..inference.artifact import load_artifact
    from ..inference.onnx_backend import export_onnx
    from ..inference.quantize import quantize
    from ..inference.route import ModelSet
    from ..serve.launch import ServerProcess
    width, fs = (0.125, 100) if quick else (1.0, 500)
    n = requests or (8 if quick else 30)
    # the rates (model K at once, clients under load) over at least 400 requests, a few
    # seconds each: over a second or two, one slow moment moves a share by 10 points
    at_load = n * 2 if quick else max(n * 2, 400)
    # the overhead, a difference of two medians a few milliseconds apart, over at least
    # 100 paired rounds: over 30 a busy moment of the machine moved it by a millisecond
    pairs = n if quick else max(n, 100)
    devices = [device] if device else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    at_once = max(1, concurrent or available_cores())
    per_call = model_threads(at_once)
    bodies = _bodies()
    rows = []
    with tempfile.TemporaryDirectory(prefix="ecgpaper-bench-serve-") as tmp:
        paths = _artifacts(Path(tmp), width, fs)
        for pt in paths.values():
            art = load_artifact(pt)
            export_onnx(art)
            quantize(art, "int8", calibration_records=16)
            if "cuda" in devices:
                quantize(art, "fp16")
        for dev in devices:
            # int8 is a CPU format, fp16 a GPU one (no fast fp16 kernels on most CPUs)
            for backend in ("torch", "onnx", "onnx-int8" if dev == "cpu" else "onnx-fp16"):
                torch.set_num_threads(per_call)
                models = ModelSet.from_paths(list(paths.values()), backend=backend,
                                             device=dev, threads=per_call)
                serve_args = ["--device", dev, "--threads", str(at_once),
                              "--model-threads", str(per_call)]
                with ServerProcess(list(paths.values()), backend=backend,
                                   env={"ECGPAPER_API_KEY": ""}, extra_args=serve_args) as srv:
                    for leads, model in ((12, "SE-ResNet18"), (12, "UniversalECGNet"),
                                         (1, "UniversalECGNet")):
                        if model == "UniversalECGNet" and leads == 12:
                            one = ModelSet([models.universal], backend, dev, per_call)
                        else:
                            one = models
                        if progress:
                            print(f"bench serve: {model} {leads} lead(s) {backend} {dev}")
                        base = {"model": model, "leads": leads, "backend": backend,
                                "device": dev, "width": width, "input": f"{leads} x {10 * fs}",
                                "inferences_at_once": at_once, "threads_per_call": per_call}
                        rows.append({**base, "stage": "model", **_model_only(
                            one, bodies[leads], n), "errors": 0})
                        if model == "SE-ResNet18":
                            rows.append({**base, "stage": "checks", **_checks_only(
                                bodies[leads], n), "errors": 0})
                        if model == "UniversalECGNet" and leads == 12:
                            continue          # the service routes 12 leads to SE-ResNet18
                        rows.append({**base, "stage": f"model, {at_once} at once",
                                     **_model_rate(one, bodies[leads], at_load, at_once),
                                     "errors": 0})
                        call = _network_call(one, bodies[leads])
                        stats, extra, err = paired_overhead(call, srv.url, bodies[leads],
                                                            pairs)
                        rows.append({**base, "stage": "end to end", **stats, "errors": err,
                                     "overhead_ms": extra})
                        if leads == 12:
                            stats, extra, err = paired_overhead(
                                call, srv.url, bodies["binary"], pairs, BINARY_HEADERS)
                            rows.append({**base, "stage": "end to end, binary", **stats,
                                         "errors": err, "overhead_ms": extra})
                        body, hdrs = (bodies["binary"], BINARY_HEADERS) if leads == 12 \
                            else (bodies[leads], JSON_HEADERS)
                        stats, err = http_latency(srv.url, body, at_load, clients, hdrs)
                        rows.append({**base, "stage": f"load, {clients} clients", **stats,
                                     "errors": err})
    return with_overhead(pd.DataFrame(rows))


def with_overhead(table):
    """Per model, backend and device: each HTTP row's p50 minus the model-only p50 of the
    same run (`overhead_ms`, what the service adds), and a load row's requests/s over what
    the model alone sustains on the same cores (`share_of_model_rate`: the "K at once"
    row; tables without one fall back to one call at a time, 1000 / model p50). An HTTP
    row measured with its own paired overhead (`paired_overhead`) keeps it."""
    import numpy as np
    import pandas as pd
    table = table.copy()
    keys = ["model", "leads", "backend", "device"]
    index = table.set_index(keys).index
    model = table[table["stage"] == "model"].set_index(keys)["p50_ms"]
    ref = np.asarray(index.map(model.get), dtype=float)
    at_once = table["stage"].str.contains(" at once", regex=False)
    rate = table[at_once].set_index(keys)["req_per_s"] if at_once.any() else None
    model_rate = np.asarray(index.map(rate.get), dtype=float) if rate is not None else \
        np.full(len(table), np.nan)
    model_rate = np.where(np.isfinite(model_rate), model_rate, 1000.0 / ref)
    http = ~table["stage"].str.startswith("model") & (table["stage"] != "checks")
    paired = table["overhead_ms"] if "overhead_ms" in table else np.nan
    table["overhead_ms"] = pd.Series(paired, index=table.index, dtype=float).where(
        http).fillna((table["p50_ms"] - ref).where(http))
    load = table["stage"].str.startswith("load")
    table["share_of_model_rate"] = (table["req_per_s"] / model_rate).where(load)
    return table
