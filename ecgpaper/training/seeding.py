"""Seeds and thread counts: a run with the same seed on the same number of CPU threads
reproduces its result exactly."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def cpu_threads() -> int:
    """Cores available to this process (ECGPAPER_THREADS overrides: on a machine shared
    with other busy processes, fewer threads avoid OpenMP oversubscription)."""
    if os.environ.get("ECGPAPER_THREADS"):
        return max(1, int(os.environ["ECGPAPER_THREADS"]))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS/Windows
        return os.cpu_count() or 1


def seed_everything(seed: int, threads: int | None = None, device: str = "cpu",
                    strict: bool = False) -> None:
    """Seed python/numpy/torch and fix the thread count. On CPU the kernels this project
    uses are already deterministic for a fixed thread count (tests check it), while
    `torch.use_deterministic_algorithms(True)` made a training step 4x slower here, so it
    is only switched on with `strict`; on CUDA cuDNN autotuning stays on for speed."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.set_num_threads(threads or cpu_threads())
    torch.use_deterministic_algorithms(bool(strict))
    if device != "cpu":
        torch.backends.cudnn.benchmark = not strict
