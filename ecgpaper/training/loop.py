"""The training loop of the paper's Table 2, readable top to bottom: AdamW, cosine
annealing with warm restarts, class-weighted cross-entropy with label smoothing,
gradient clipping, online augmentation, early stopping on validation macro-F1, and a
resumable checkpoint after every epoch.

The loop works on in-memory tensors (`Tensors`): batches are gathered by index, so no
per-sample Python code runs in the hot path. It knows nothing about files except its
own checkpoints; `training.run` prepares the data and writes the artifacts.
"""

from __future__ import annotations

import copy
import io
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from ..constants import CLASSES
from . import distributed as dist_
from .augment import AugmentConfig, apply_lead_mask, augment, lead_dropout_mask

N_CLASSES = len(CLASSES)


@dataclass(frozen=True)
class FitConfig:
    max_epochs: int = 8
    patience: int = 10
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    label_smoothing: float = 0.1
    grad_clip: float = 1.0
    t0: int = 10                    # CosineAnnealingWarmRestarts, in epochs
    t_mult: int = 2
    seed: int = 42
    fs: float = 100.0               # sampling rate of the tensors (for augmentation)
    augment: AugmentConfig | None = AugmentConfig()
    universal: bool = False         # model(x, lead_idx, mask) -> (logits, attn)
    lead_dropout_p_all: float = 0.5
    eval_batch_size: int = 256
    progress: bool = True


@dataclass
class Tensors:
    """One split in memory: signals (N, L, T) float32, features (N, n), labels (N,)."""
    x: torch.Tensor
    feats: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.y.shape[0])


@dataclass
class FitResult:
    history: list = field(default_factory=list)   # one dict per epoch
    best_epoch: int = 0
    best_score: float = float("nan")
    epochs_run: int = 0
    stopped_early: bool = False
    resumed_from: int | None = None                # completed epochs found in last.pt

    @property
    def train_seconds(self) -> float:
        return float(sum(h["seconds"] for h in self.history))


# --- pieces --------------------------------------------------------------------------

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


def class_weights(y: torch.Tensor, n_classes: int = N_CLASSES) -> torch.Tensor:
    """Inverse-frequency weights N / (K * n_c) from the training labels; a class absent
    from the training set gets weight 0 (it never appears as a target)."""
    counts = torch.bincount(y.long(), minlength=n_classes).double()
    w = torch.where(counts > 0, counts.sum() / (n_classes * counts.clamp_min(1)),
                    torch.zeros_like(counts))
    return w.float()


def make_optimizer(model: torch.nn.Module, cfg: FitConfig) -> torch.optim.Optimizer:
    return torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)


def make_scheduler(opt: torch.optim.Optimizer, cfg: FitConfig):
    """Warm restarts stepped once per epoch: T_0 = 10 epochs, then 20, 40, ..."""
    return torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        opt, T_0=cfg.t0, T_mult=cfg.t_mult)


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Macro-F1 over the classes present in truth or prediction (0 on an empty split)."""
    if len(y_true) == 0:
        return 0.0
    from sklearn.metrics import f1_score
    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


def forward(model, x, feats, universal: bool, lead_idx=None, mask=None):
    """Logits (and attention for the universal model, else None)."""
    if universal:
        b, l = x.shape[:2]
        if lead_idx is None:
            lead_idx = torch.arange(l, device=x.device).expand(b, l)
        if mask is None:
            mask = torch.ones(b, l, dtype=torch.bool, device=x.device)
        logits, attn = model(x, lead_idx, mask)
        return logits, attn
    meta = feats if feats is not None and feats.shape[1] > 0 else None
    return model(x, meta), None


@torch.no_grad()
def predict(model, data: Tensors, universal: bool = False, leads: list[int] | None = None,
            batch_size: int = 256, device: str = "cpu"):
    """Logits (N, 8) as numpy, and attention (N, 12) with zeros at absent leads for the
    universal model (else None). `leads` selects lead positions for the universal model."""
    model.eval()
    outs, attns = [], []
    n_leads = data.x.shape[1]
    sel = torch.tensor(leads if leads is not None else list(range(n_leads)))
    for start in range(0, len(data), batch_size):
        xb = data.x[start:start + batch_size]
        fb = data.feats[start:start + batch_size].to(device)
        if universal:
            xb = xb[:, sel].to(device)
            idx = sel.to(device).expand(xb.shape[0], len(sel))
            logits, attn = forward(model, xb, fb, True, lead_idx=idx)
            full = torch.zeros(xb.shape[0], n_leads)
            full[:, sel] = attn.float().cpu()
            attns.append(full)
        else:
            logits, _ = forward(model, xb.to(device), fb, False)
        outs.append(logits.float().cpu())
    logits = torch.cat(outs) if outs else torch.zeros(0, N_CLASSES)
    attn = (torch.cat(attns) if attns else torch.zeros(0, n_leads)) if universal else None
    return logits.numpy(), (attn.numpy() if attn is not None else None)


def softmax(logits: np.ndarray) -> np.ndarray:
    return torch.softmax(torch.as_tensor(logits, dtype=torch.float64), dim=1).numpy()


# --- checkpoint of the whole run state -------------------------------------------------

def _rng_state(aug_gen: torch.Generator) -> dict:
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


def _set_rng_state(state: dict, aug_gen: torch.Generator) -> None:
    import ast
    torch.set_rng_state(state["torch"])
    n = state["numpy"]
    np.random.set_state(("MT19937", n["keys"].numpy().astype(np.uint32), n["pos"],
                         n["has_gauss"], n["cached"]))
    random.setstate(ast.literal_eval(state["python"]))
    aug_gen.set_state(state["augment"])
    if state.get("cuda") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_atomic(obj, path: Path) -> None:
    """torch.save to a temp file in the same folder, then rename over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    buf = io.BytesIO()
    torch.save(obj, buf)
    with open(tmp, "wb") as fh:
        fh.write(buf.getvalue())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_state(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


# --- the loop ------------------------------------------------------------------------

def fit(model: torch.nn.Module, train: Tensors, val: Tensors, cfg: FitConfig,
        ckpt_dir: Path | None = None, *, resume: bool = False,
        save_best: Callable[[Path, torch.nn.Module, dict], None] | None = None,
        info: dist_.DistInfo | None = None, log: Callable[[str], None] | None = print,
        ) -> FitResult:
    """Train `model` in place and leave the best epoch's weights in it.

    Writes `ckpt_dir/last.pt` after every epoch (model, optimizer, scheduler, every RNG,
    history, early-stopping state) and calls `save_best(ckpt_dir/"best.pt", model, meta)`
    when validation macro-F1 improves. With `resume=True` a run continues from last.pt
    and ends exactly where an uninterrupted run would (on CPU, same seed and threads).
    """
    info = info or dist_.DistInfo()
    device = info.device
    model.to(device)
    ddp_model = dist_.wrap(model, info)
    opt = make_optimizer(model, cfg)
    sched = make_scheduler(opt, cfg)
    weights = class_weights(train.y).to(device)
    aug_gen = torch.Generator().manual_seed(cfg.seed * 1000 + 17 + info.rank)
    crit = torch.nn.CrossEntropyLoss(weight=weights, label_smoothing=cfg.label_smoothing)

    res = FitResult()
    best_score, best_epoch, bad_epochs, start = -1.0, 0, 0, 0
    best_state = copy.deepcopy(model.state_dict())
    stopped = False
    last = Path(ckpt_dir) / "last.pt" if ckpt_dir is not None else None
    if resume and last is not None and last.exists():
        st = load_state(last)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["optimizer"])
        sched.load_state_dict(st["scheduler"])
        _set_rng_state(st["rng"], aug_gen)
        start, best_score, best_epoch = st["epoch"], st["best_score"], st["best_epoch"]
        bad_epochs, stopped = st["bad_epochs"], st["stopped"]
        best_state = st["best_state"]
        res.history = list(st["history"])
        res.resumed_from = start
        if log and info.is_main:
            log(f"resuming after epoch {start} (best val macro-F1 {best_score:.4f} "
                f"at epoch {best_epoch})")

    per_rank_batch = max(1, cfg.batch_size // info.world_size)
    epoch = start
    show = cfg.progress and info.is_main
    ebar = _epoch_bar(cfg.max_epochs, start, show)
    if show and log is print:
        from tqdm import tqdm
        log = tqdm.write                     # keep the epoch lines above the bars
    while epoch < cfg.max_epochs and not stopped:
        t0 = time.perf_counter()
        ddp_model.train()
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(
            cfg.seed * 7919 + epoch))
        order = dist_.shard(order, info)
        batches = [b for b in order.split(per_rank_batch) if len(b) > 1 or len(order) == 1]
        lr = opt.param_groups[0]["lr"]
        total, seen = 0.0, 0
        bar = _bar(batches, f"epoch {epoch + 1}/{cfg.max_epochs}", show)
        for idx in bar:
            xb, fb, yb = train.x[idx], train.feats[idx], train.y[idx]
            if cfg.augment is not None:
                xb = augment(xb, cfg.fs, aug_gen, cfg.augment)
            mask = None
            if cfg.universal:
                mask = lead_dropout_mask(len(idx), xb.shape[1], aug_gen, cfg.lead_dropout_p_all)
                xb = apply_lead_mask(xb, mask)
                mask = mask.to(device)
            xb, fb, yb = xb.to(device, non_blocking=True), fb.to(device), yb.to(device)
            logits, _ = forward(ddp_model, xb, fb, cfg.universal, mask=mask)
            loss = crit(logits.float(), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            opt.step()
            total = total + loss.detach() * len(idx)    # no GPU sync per step
            seen += len(idx)
            if hasattr(bar, "set_postfix") and (bar.n % 10 == 0):
                bar.set_postfix(loss=f"{float(total) / max(seen, 1):.4f}")
        total = float(total)
        sched.step()
        dist_.sync_buffers(model, info)

        logits, _ = predict(model, val, cfg.universal, batch_size=cfg.eval_batch_size,
                            device=device)
        y_val = val.y.numpy()
        val_loss = (float(F.cross_entropy(torch.as_tensor(logits), val.y, weight=weights.cpu(),
                                          label_smoothing=cfg.label_smoothing))
                    if len(val) else float("nan"))
        f1 = macro_f1(y_val, logits.argmax(1))
        epoch += 1
        improved = f1 > best_score
        if improved:
            best_score, best_epoch, bad_epochs = f1, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad_epochs += 1
        stopped = dist_.broadcast_flag(bad_epochs >= cfg.patience, info)
        row = {"epoch": epoch, "train_loss": total / max(seen, 1), "val_loss": val_loss,
               "val_f1_macro": f1, "lr": lr, "seconds": time.perf_counter() - t0}
        res.history.append(row)
        if info.is_main and ckpt_dir is not None:
            if improved and save_best is not None:
                save_best(Path(ckpt_dir) / "best.pt", model,
                          {"epoch": epoch, "val_f1_macro": f1})
            save_atomic({
                "model": model.state_dict(), "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(), "rng": _rng_state(aug_gen),
                "epoch": epoch, "best_score": best_score, "best_epoch": best_epoch,
                "bad_epochs": bad_epochs, "stopped": stopped, "best_state": best_state,
                "history": res.history,
            }, last)
        dist_.barrier(info)
        if ebar is not None:
            ebar.update(1)
            ebar.set_postfix(loss=f"{row['train_loss']:.3f}", val_f1=f"{f1:.3f}",
                             best=f"{best_score:.3f}")
        if log and info.is_main:
            log(_format_row(row, improved))
    if ebar is not None:
        ebar.close()

    model.load_state_dict(best_state)
    res.best_epoch, res.best_score = best_epoch, best_score
    res.epochs_run = len(res.history)
    res.stopped_early = bool(stopped)
    return res


def _bar(items, desc, enabled):
    if not enabled:
        return items
    from tqdm import tqdm
    return tqdm(items, desc=desc, leave=False, dynamic_ncols=True)


def _epoch_bar(total: int, initial: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm
    return tqdm(total=total, initial=initial, desc="epochs", unit="epoch", dynamic_ncols=True)


def _format_row(row: dict, improved: bool) -> str:
    star = " *" if improved else ""
    vl = "nan" if math.isnan(row["val_loss"]) else f"{row['val_loss']:.4f}"
    return (f"epoch {row['epoch']:3d}  train_loss {row['train_loss']:.4f}  val_loss {vl}  "
            f"val_f1_macro {row['val_f1_macro']:.4f}  lr {row['lr']:.2e}  "
            f"{row['seconds']:.1f}s{star}")
