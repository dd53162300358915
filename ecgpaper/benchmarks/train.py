"""Training throughput: records per second and achieved GFLOP/s of one full training step
(augmentation, forward, class-weighted loss, backward, clipping, AdamW) for SE-ResNet18
and UniversalECGNet at the demo and full (paper) sizes, on CPU and on CUDA when present.

FLOPs per step are taken as 3 x the forward FLOPs (backward costs about twice the
forward), counted with `torch.utils.flop_counter.FlopCounterMode`. The universal model
is timed with all 12 leads present (lead dropout would make the work vary per batch).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:           # torch and pandas load only when the benchmark runs
    import pandas as pd

DESCRIPTION = "training step speed: records/s and GFLOP/s, standard and universal models"


def add_arguments(parser) -> None:
    parser.add_argument("--device", default=None, help="cpu or cuda (default: both if present)")


def _configs(quick: bool, device: str):
    """(label, universal, profile name, width, n_samples, batch, timed steps)."""
    from ..profiles import get_profile
    demo, full = get_profile("demo"), get_profile("full")
    t_demo, t_full = 10 * demo.fs, 10 * full.fs
    cpu = device == "cpu"
    rows = [("SE-ResNet18", False, "demo", demo.width, t_demo, demo.batch_size, 3 if quick else 10),
            ("UniversalECGNet", True, "demo", demo.universal_width or demo.width,
             10 * (demo.universal_fs or demo.fs), demo.universal_batch_size, 2 if quick else 5)]
    if not quick or not cpu:
        # the paper's sizes; on CPU with small batches so that a step takes seconds
        rows += [("SE-ResNet18", False, "full", full.width, t_full,
                  16 if cpu else full.batch_size, 2 if cpu else 10),
                 ("UniversalECGNet", True, "full", full.width, t_full,
                  2 if cpu else full.universal_batch_size, 2 if cpu else 5)]
    return rows


def forward_flops(model, universal: bool, n_samples: int, device: str = "cpu") -> float:
    """Forward FLOPs of one record (12 leads)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    x = torch.randn(1, 12, n_samples, device=device)
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        if universal:
            model(x, torch.arange(12, device=device).unsqueeze(0),
                  torch.ones(1, 12, dtype=torch.bool, device=device))
        else:
            model(x)
    return float(fc.get_total_flops())


def _build(universal: bool, width: float, device: str):
    from ..models.registry import build_model
    if universal:
        from ..models.universal import UniversalConfig
        cfg = UniversalConfig(width=width, checkpointing=False)
    else:
        from ..models.resnet1d import SEResNetConfig
        cfg = SEResNetConfig(width=width)
    return build_model(cfg).to(device)


def time_training(model, universal: bool, n_samples: int, batch: int, steps: int,
                  device: str = "cpu", fs: float = 100.0) -> float:
    """Seconds per training step (after one warm-up step), as the training loop runs it."""
    import torch

    from ..training.augment import augment
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    crit = torch.nn.CrossEntropyLoss(weight=torch.ones(8, device=device), label_smoothing=0.1)
    gen = torch.Generator().manual_seed(0)
    x_all = torch.randn(batch, 12, n_samples)
    y = torch.randint(0, 8, (batch,), generator=gen).to(device)
    idx = torch.arange(12, device=device).expand(batch, 12)
    mask = torch.ones(batch, 12, dtype=torch.bool, device=device)
    model.train()

    def step():
        xb = augment(x_all, fs, gen).to(device, non_blocking=True)
        logits = model(xb, idx, mask)[0] if universal else model(xb)
        loss = crit(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    step()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / steps


def measure(quick: bool = False, device: str | None = None, **_) -> pd.DataFrame:
    import pandas as pd
    import torch

    from ..training.seeding import cpu_threads
    torch.set_num_threads(cpu_threads())
    devices = [device] if device else (["cpu"] + (["cuda"] if torch.cuda.is_available() else []))
    rows = []
    for dev in devices:
        for label, universal, prof, width, n, batch, steps in _configs(quick, dev):
            torch.manual_seed(0)
            model = _build(universal, width, dev)
            fwd = forward_flops(model, universal, n, dev)
            sec = time_training(model, universal, n, batch, steps, dev, fs=n / 10)
            rps = batch / sec
            rows.append({
                "model": label, "profile": prof, "device": dev,
                "threads": torch.get_num_threads() if dev == "cpu" else None,
                "width": width, "samples": n, "batch": batch,
                "forward_gflop_per_record": fwd / 1e9,
                "step_ms": 1000 * sec, "train_records_per_s": rps,
                "achieved_gflop_per_s": 3 * fwd * rps / 1e9,
            })
            del model
    return pd.DataFrame(rows)
