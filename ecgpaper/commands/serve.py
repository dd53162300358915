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
                             "--threads, at least 1), so that concurrent inferences do not "
                             "fight over the cores")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS has one)."""
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)


def model_threads(concurrent: int, asked: int | None = None) -> int:
    """Threads per inference: `asked`, else the cores this process may use shared among
    `concurrent` ones."""
    return asked or max(1, available_cores() // max(1, concurrent))


def run(args) -> int:
    import logging

    import uvicorn

    from ..inference.route import ModelSet
    from ..serve.app import Settings, create_app
    if not 0 < args.port < 65536:
        raise ValueError(f"--port {args.port}, expected 1-65535")
    if not args.max_body_mb > 0 or args.threads < 1:
        raise ValueError("--max-body-mb must be > 0 and --threads >= 1")
    if args.model_threads is not None and args.model_threads < 1:
        raise ValueError(f"--model-threads {args.model_threads}, expected at least 1")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    per_call = model_threads(args.threads, args.model_threads)
    if args.backend == "torch":
        import torch
        torch.set_num_threads(per_call)
    models = ModelSet.from_paths(args.models, backend=args.backend, device=args.device,
                                 threads=per_call)
    app = create_app(models, Settings(max_body_bytes=int(args.max_body_mb * 2**20),
                                      threads=args.threads))
    print(f"serving {[a.name for a in models.loaded]} on http://{args.host}:{args.port} "
          f"(docs at /docs)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0
