"""What one recording costs a trained network: forward FLOPs (`models.flops`) and the
median batch-1 CPU latency, for the extended Table 3 of the baselines chapter."""

from __future__ import annotations

import time

import torch
from torch import nn


def example_inputs(model: nn.Module, n_samples: int) -> tuple:
    """A batch-1 input of the shape the model takes (12 leads of `n_samples` samples)."""
    x = torch.randn(1, 12, n_samples)
    cfg = model.config
    if type(cfg).__name__ == "UniversalConfig":
        return x, torch.arange(12)[None], torch.ones(1, 12, dtype=torch.bool)
    n_meta = getattr(cfg, "n_meta", 0)
    return (x, torch.randn(1, n_meta)) if n_meta else (x,)


@torch.no_grad()
def model_cost(model: nn.Module, n_samples: int, reps: int = 7) -> dict:
    """Forward GFLOP per recording and median batch-1 latency in ms (after one warm-up)."""
    from .flops import count_flops
    model.eval()
    inputs = example_inputs(model, n_samples)
    gflop = count_flops(model, *inputs) / 1e9
    model(*inputs)
    times = []
    for _ in range(max(1, reps)):
        t0 = time.perf_counter()
        model(*inputs)
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"gflop": gflop, "latency_ms": 1000 * times[len(times) // 2],
            "threads": torch.get_num_threads()}
