"""Model cost: parameters, forward FLOPs, batch-1 latency and batch-32 throughput of every
network at 500 Hz (5000 samples) and 100 Hz (1000 samples), on CPU and on CUDA when present.

FLOP = 2 x multiply-accumulate of convolutions, linear layers and GRUs
(`ecgpaper.models.flops`). Times are wall-clock medians under `torch.inference_mode`
after warm-up runs, with the CPU thread count set explicitly.
"""

from __future__ import annotations

import time

DESCRIPTION = "parameters, FLOPs, latency and throughput of every model (500 Hz and 100 Hz)"


def add_arguments(parser) -> None:
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cpu, and cuda if present)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: all cores)")


def model_zoo(width: float = 1.0, fs: int = 500) -> dict:
    """name -> (config, input builder(batch, T) -> tuple of tensors). Below full width the
    SE models shrink by `width` and the multi-scale CNN to 8 filters (the demo sizes)."""
    import torch

    from ..models.cnn_att_bigru import CNNAttBiGRUConfig
    from ..models.cnn_gru import CNNGRUConfig
    from ..models.multiscale_se import MultiScaleSEConfig
    from ..models.rescnn_bigru import ResCNNBiGRUConfig
    from ..models.resnet1d import SEResNetConfig
    from ..models.universal import UniversalConfig

    sig = lambda b, t: (torch.randn(b, 12, t),)
    return {
        "SE-ResNet18": (SEResNetConfig(width=width), sig),
        "SE-ResNet18-Meta (14)": (SEResNetConfig(width=width, n_meta=14),
                                  lambda b, t: (torch.randn(b, 12, t), torch.randn(b, 14))),
        "UniversalECGNet (12 leads)": (
            UniversalConfig(width=width),
            lambda b, t: (torch.randn(b, 12, t), torch.arange(12).repeat(b, 1),
                          torch.ones(b, 12, dtype=torch.bool))),
        "Multi-scale SE CNN": (MultiScaleSEConfig(filters=16 if width >= 1 else 8), sig),
        "CNN-GRU": (CNNGRUConfig(), sig),
        "CNN+Att+BiGRU": (CNNAttBiGRUConfig(), sig),
        "ResCNN+BiGRU+Att": (ResCNNBiGRUConfig(fs=fs), sig),
    }


def _time(fn, reps: int, sync) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def measure(quick: bool = False, device: str | None = None, threads: int | None = None,
            progress: bool = True, **_ignored):
    """One row per (model, sampling rate, device). quick: demo width (0.25), few repeats."""
    import os

    import pandas as pd
    import torch
    from tqdm import tqdm

    from ..models.flops import count_flops
    from ..models.registry import build_model, n_parameters

    devices = [device] if device else (["cpu"] + (["cuda"] if torch.cuda.is_available() else []))
    threads = threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    width = 0.25 if quick else 1.0
    reps1, reps32, warm = (3, 1, 1) if quick else (20, 3, 3)
    rows = []
    jobs = [(fs, T, name) for fs, T in ((500, 5000), (100, 1000)) for name in model_zoo(width, fs)]
    torch.manual_seed(0)
    for dev in devices:
        sync = torch.cuda.synchronize if dev.startswith("cuda") else (lambda: None)
        for fs, T, name in tqdm(jobs, disable=not progress, desc=f"models on {dev}"):
            cfg, make = model_zoo(width, fs)[name]
            model = build_model(cfg).eval()
            flops = count_flops(model, *make(1, T))
            model = model.to(dev)
            x1 = [t.to(dev) for t in make(1, T)]
            x32 = [t.to(dev) for t in make(32, T)]
            with torch.inference_mode():
                for _ in range(warm):
                    model(*x1)
                lat = _time(lambda: model(*x1), reps1, sync)
                if not quick:
                    model(*x32)
                    sync()
                t32 = _time(lambda: model(*x32), reps32, sync)
            rows.append({"model": name, "device": dev, "fs_hz": fs, "samples": T,
                         "width": width if "SE-ResNet18" in name or "Universal" in name else None,
                         "threads": threads if dev == "cpu" else None,
                         "params": n_parameters(model), "gflop_per_record": flops / 1e9,
                         "latency_b1_ms": lat * 1e3, "throughput_b32_records_per_s": 32 / t32})
    return pd.DataFrame(rows)
