"""`ecgpaper serve --models DIR`: the HTTP service (FastAPI under uvicorn).

`POST /v1/predict` takes `{"fs": 500, "units": "uV", "leads": {"I": [...], ...}}`;
`POST /v1/predict/file` a WFDB pair or a figshare CSV; `GET /v1/models`, `GET /healthz`,
docs at `/docs`. Set ECGPAPER_API_KEY to require `Authorization: Bearer <key>`."""

from __future__ import annotations

from ..inference import BACKENDS

HELP = "serve trained models over HTTP (FastAPI): POST /v1/predict, docs at /docs"


def register(parser) -> None:
    parser.add_argument("--models", required=True, action="append", metavar="DIR",
                        help="artifact folder, best.pt, or a folder of artifact folders "
                             "(repeatable); the first 12-lead and the first universal model "
                             "are served")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--backend", choices=BACKENDS, default="torch",
                        help="PyTorch (default), ONNX Runtime (onnx) or its int8/fp16 "
                             "models (onnx-int8, onnx-fp16); run `ecgpaper export "
                             "[--precision int8]` first")
    parser.add_argument("--device", default="cpu",
                        help="torch device, e.g. cuda (default cpu); with --backend onnx, "
                             "cuda uses onnxruntime-gpu's CUDA provider")
    parser.add_argument("--max-body-mb", type=float, default=4.0, metavar="MB",
                        help="largest request body accepted (default 4 MB)")
    parser.add_argument("--threads", type=int, default=1,
                        help="inferences run at the same time (default 1); under concurrent "
                             "clients set it to the number of cores with --model-threads 1")
    parser.add_argument("--model-threads", type=int, default=None, metavar="N",
                        help="threads each inference uses (default: the cores divided by "
                             "--workers x --threads, at least 1), so that concurrent "
                             "inferences do not fight over the cores")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes sharing the port (default 1), each with its "
                             "own copy of the models and --threads inferences at once; under "
                             "concurrent clients one process per core with --threads 1 keeps "
                             "the requests' Python work from queueing on one interpreter lock")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS has one)."""
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)


def model_threads(concurrent: int, asked: int | None = None) -> int:
    """Threads per inference: `asked`, else the cores this process may use shared among
    `concurrent` ones (over all worker processes)."""
    return asked or max(1, available_cores() // max(1, concurrent))


# How `run` hands its settings to worker processes (uvicorn starts each one afresh).
WORKER_SETTINGS_ENV = "ECGPAPER_SERVE_SETTINGS"


def _load(settings: dict):
    """The app for `settings` (models, backend, device, threads per inference, body limit,
    concurrent inferences): what `run` builds, and each worker process again."""
    from ..inference.route import ModelSet
    from ..serve.app import Settings, create_app
    if settings["backend"] == "torch":
        import torch
        torch.set_num_threads(settings["per_call"])
    models = ModelSet.from_paths(settings["models"], backend=settings["backend"],
                                 device=settings["device"], threads=settings["per_call"])
    return models, create_app(models, Settings(max_body_bytes=settings["max_body_bytes"],
                                               threads=settings["threads"]))


def worker_app():
    """The app of one worker process of `serve --workers N` (uvicorn's factory)."""
    import json
    import os
    raw = os.environ.get(WORKER_SETTINGS_ENV)
    if not raw:
        raise RuntimeError(f"{WORKER_SETTINGS_ENV} is not set: worker processes are started "
                           "by `ecgpaper serve --workers N`")
    return _load(json.loads(raw))[1]


def run(args) -> int:
    import logging

    import json
    import os

    import uvicorn
    if not 0 < args.port < 65536:
        raise ValueError(f"--port {args.port}, expected 1-65535")
    if not args.max_body_mb > 0 or args.threads < 1:
        raise ValueError("--max-body-mb must be > 0 and --threads >= 1")
    if args.model_threads is not None and args.model_threads < 1:
        raise ValueError(f"--model-threads {args.model_threads}, expected at least 1")
    if args.workers < 1:
        raise ValueError(f"--workers {args.workers}, expected at least 1")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    settings = {"models": [str(m) for m in args.models], "backend": args.backend,
                "device": args.device, "threads": args.threads,
                "per_call": model_threads(args.threads * args.workers, args.model_threads),
                "max_body_bytes": int(args.max_body_mb * 2**20)}
    # Loaded here first in any case, so that a bad artifact fails with its message
    # before any worker starts.
    models, app = _load(settings)
    where = f"http://{args.host}:{args.port}"
    if args.workers == 1:
        print(f"serving {[a.name for a in models.loaded]} on {where} (docs at /docs)",
              flush=True)
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
        return 0
    del models, app
    os.environ[WORKER_SETTINGS_ENV] = json.dumps(settings)
    print(f"serving {args.models} on {where} with {args.workers} worker processes "
          "(docs at /docs)", flush=True)
    uvicorn.run("ecgpaper.commands.serve:worker_app", factory=True, workers=args.workers,
                host=args.host, port=args.port, log_level="info")
    return 0
