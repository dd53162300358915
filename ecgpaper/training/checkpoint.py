"""The run-state checkpoint `last.pt`: everything an interrupted training run needs to end
exactly where an uninterrupted one would (weights, optimizer, scheduler, every random
generator, history, early-stopping state).

It is written atomically after every epoch and read only with `weights_only=True`; a
file that is not such a checkpoint is refused with a message naming it.
"""

from __future__ import annotations

import ast
import io
import random
from numbers import Integral
from pathlib import Path

import numpy as np
import torch

from ..fileio import atomic_write_bytes

EXPECTED = "a last.pt written by `ecgpaper train` (run without --resume to start over)"
KEYS = ("model", "optimizer", "scheduler", "rng", "epoch", "best_score", "best_epoch",
        "bad_epochs", "stopped", "best_state", "history")
RNG_KEYS = ("torch", "numpy", "python", "augment")


def rng_state(aug_gen: torch.Generator) -> dict:
    """Every random generator the loop draws from, as weights_only-loadable values."""
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "numpy": {"keys": torch.from_numpy(np_state[1].astype(np.int64)),
                  "pos": int(np_state[2]), "has_gauss": int(np_state[3]),
                  "cached": float(np_state[4])},
        "python": repr(random.getstate()),
        "augment": aug_gen.get_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }


def set_rng_state(state: dict, aug_gen: torch.Generator) -> None:
    torch.set_rng_state(state["torch"])
    n = state["numpy"]
    np.random.set_state(("MT19937", n["keys"].numpy().astype(np.uint32), n["pos"],
                         n["has_gauss"], n["cached"]))
    random.setstate(ast.literal_eval(state["python"]))
    aug_gen.set_state(state["augment"])
    if state.get("cuda") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_atomic(obj, path: Path) -> None:
    """torch.save into memory, then write the bytes atomically (a run killed mid-write
    leaves the previous last.pt intact)."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    atomic_write_bytes(path, buf.getvalue())


def load_state(path: Path) -> dict:
    """Read and check a last.pt; ValueError naming the file if it is not one."""
    from ..models.registry import load_weights_only
    state = load_weights_only(path, EXPECTED)
    missing = [k for k in KEYS if k not in state]
    if missing:
        raise ValueError(f"{path}: lacks {missing}, expected {EXPECTED}")
    rng = state["rng"]
    if not isinstance(rng, dict) or any(k not in rng for k in RNG_KEYS):
        raise ValueError(f"{path}: 'rng' lacks random-generator states, expected {EXPECTED}")
    for key in ("epoch", "best_epoch", "bad_epochs"):
        value = state[key]
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
            raise ValueError(f"{path}: {key}={value!r}, expected a whole number >= 0 in "
                             f"{EXPECTED}")
    if not isinstance(state["history"], list) or len(state["history"]) != state["epoch"]:
        raise ValueError(f"{path}: history does not list one row per completed epoch "
                         f"({state['epoch']}), expected {EXPECTED}")
    return state


def restore(path: Path, state: dict, model, opt, sched, aug_gen) -> None:
    """Put a checked last.pt back into the model, optimizer, scheduler and generators."""
    try:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        set_rng_state(state["rng"], aug_gen)
    except (RuntimeError, ValueError, KeyError, TypeError, IndexError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ValueError(f"{path}: does not fit this experiment's network or optimizer "
                         f"({first}), expected {EXPECTED}") from None
