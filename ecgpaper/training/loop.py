"""The training loop of the paper's Table 2, readable top to bottom: AdamW, cosine
annealing with warm restarts, class-weighted cross-entropy with label smoothing,
gradient clipping, online augmentation, early stopping on validation macro-F1, and a
resumable checkpoint after every epoch.

The loop works on in-memory tensors (`Tensors`): batches are gathered by index, so no
per-sample Python code runs in the hot path. It knows nothing about files except its
own checkpoints (`training.checkpoint`); `training.run` prepares the data and writes the
artifacts.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from ..constants import CLASSES
from ..profiles import Profile
from . import checkpoint as ckpt
from . import distributed as dist_
from .augment import AugmentConfig, apply_lead_mask, augment, lead_dropout_mask
from .device import on_gpu, resident
from .predict import Tensors, forward, predict

N_CLASSES = len(CLASSES)


@dataclass(frozen=True)
class FitConfig:
    """What the loop needs. `training.run.fit_config` builds it from a profile; the
    defaults of the Table 2 settings are the profile's own, so they live in one place."""
    max_epochs: int = Profile.max_epochs
    patience: int = Profile.patience
    batch_size: int = Profile.batch_size
    lr: float = Profile.lr
    weight_decay: float = Profile.weight_decay
    label_smoothing: float = Profile.label_smoothing
    grad_clip: float = Profile.grad_clip
    seed: int = Profile.seed
    fs: float = Profile.fs          # sampling rate of the tensors (for augmentation)
    t0: int = 10                    # CosineAnnealingWarmRestarts, in epochs
    t_mult: int = 2
    augment: AugmentConfig | None = AugmentConfig()
    universal: bool = False         # model(x, lead_idx, mask) -> (logits, attn)
    lead_dropout: bool = True       # universal model: random lead subsets in training
    lead_dropout_p_all: float = 0.5 # share of batches that keep all leads
    class_weights: bool = True      # inverse-frequency weights in the loss
    eval_batch_size: int = 256
    progress: bool = True
    # on a GPU only: the training split stays on the device and is augmented there (with
    # a device generator), bf16 autocast, torch.compile; fused AdamW is automatic
    device_data: bool = True
    amp: str = "off"                # "off" or "bf16"
    compile: bool = False


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


@dataclass
class EarlyStopping:
    """Where the run stands after `epoch` completed epochs (saved in last.pt)."""
    best_state: dict
    epoch: int = 0
    best_score: float = -1.0
    best_epoch: int = 0
    bad_epochs: int = 0
    stopped: bool = False
    history: list = field(default_factory=list)

    def update(self, f1: float, model: torch.nn.Module) -> bool:
        """Count one finished epoch; keep the weights if validation macro-F1 improved."""
        self.epoch += 1
        if f1 > self.best_score:
            self.best_score, self.best_epoch, self.bad_epochs = f1, self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
            return True
        self.bad_epochs += 1
        return False


# --- pieces --------------------------------------------------------------------------

def class_weights(y: torch.Tensor, n_classes: int = N_CLASSES) -> torch.Tensor:
    """Inverse-frequency weights N / (K * n_c) from the training labels; a class absent
    from the training set gets weight 0 (it never appears as a target)."""
    counts = torch.bincount(y.long(), minlength=n_classes).double()
    w = torch.where(counts > 0, counts.sum() / (n_classes * counts.clamp_min(1)),
                    torch.zeros_like(counts))
    return w.float()


def make_optimizer(model: torch.nn.Module, cfg: FitConfig, device: str = "cpu"
                   ) -> torch.optim.Optimizer:
    """AdamW; on CUDA the fused kernel (one launch for all parameters, same update)."""
    fused = {"fused": True} if str(device).startswith("cuda") else {}
    return torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay,
                             **fused)


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


# --- one epoch -----------------------------------------------------------------------

def epoch_batches(n: int, cfg: FitConfig, epoch: int, info: dist_.DistInfo) -> list:
    """This rank's shuffled batches of record indices; the order depends only on the
    seed and the epoch, so a resumed run sees the same batches."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(cfg.seed * 7919 + epoch))
    order = dist_.shard(order, info)
    per_rank_batch = max(1, cfg.batch_size // info.world_size)
    return [b for b in order.split(per_rank_batch) if len(b) > 1 or len(order) == 1]


def train_epoch(model, ddp_model, train: Tensors, batches: list, opt, crit, aug_gen,
                cfg: FitConfig, device: str, bar) -> float:
    """One pass over `batches` (augmented, lead-dropped for the universal model);
    returns the mean training loss."""
    ddp_model.train()
    total, seen = 0.0, 0
    autocast = torch.autocast("cuda", dtype=torch.bfloat16,
                              enabled=cfg.amp == "bf16" and on_gpu(device))
    for idx in bar if bar is not None else batches:
        idx = idx.to(train.x.device)
        xb, fb, yb = train.x[idx], train.feats[idx], train.y[idx]
        xb = xb.to(aug_gen.device, non_blocking=True)      # augmented where it is drawn
        if cfg.augment is not None:
            xb = augment(xb, cfg.fs, aug_gen, cfg.augment)
        mask = None
        if cfg.universal and cfg.lead_dropout:
            mask = lead_dropout_mask(len(idx), xb.shape[1], aug_gen, cfg.lead_dropout_p_all)
            xb = apply_lead_mask(xb, mask)
            mask = mask.to(device)
        xb, fb, yb = xb.to(device, non_blocking=True), fb.to(device), yb.to(device)
        with autocast:
            logits, _ = forward(ddp_model, xb, fb, cfg.universal, mask=mask)
        loss = crit(logits.float(), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        total = total + loss.detach() * len(idx)    # no GPU sync per step
        seen += len(idx)
        if bar is not None and bar.n % 10 == 0:
            bar.set_postfix(loss=f"{float(total) / max(seen, 1):.4f}")
    return float(total) / max(seen, 1)


def validate(model, val: Tensors, weights: torch.Tensor, cfg: FitConfig,
             device: str) -> tuple[float, float]:
    """(validation loss, validation macro-F1) of the current weights."""
    logits, _ = predict(model, val, cfg.universal, batch_size=cfg.eval_batch_size,
                        device=device)
    y = val.y.cpu()
    val_loss = (float(F.cross_entropy(torch.as_tensor(logits), y, weight=weights.cpu(),
                                      label_smoothing=cfg.label_smoothing))
                if len(val) else float("nan"))
    return val_loss, macro_f1(y.numpy(), logits.argmax(1))


def save_run_state(path: Path, model, opt, sched, aug_gen, state: EarlyStopping) -> None:
    ckpt.save_atomic({
        "model": model.state_dict(), "optimizer": opt.state_dict(),
        "scheduler": sched.state_dict(), "rng": ckpt.rng_state(aug_gen),
        "epoch": state.epoch, "best_score": state.best_score,
        "best_epoch": state.best_epoch, "bad_epochs": state.bad_epochs,
        "stopped": state.stopped, "best_state": state.best_state, "history": state.history,
    }, path)


def resume_run_state(path: Path, model, opt, sched, aug_gen) -> EarlyStopping:
    st = ckpt.load_state(path)
    ckpt.restore(path, st, model, opt, sched, aug_gen)
    return EarlyStopping(best_state=st["best_state"], epoch=st["epoch"],
                         best_score=st["best_score"], best_epoch=st["best_epoch"],
                         bad_epochs=st["bad_epochs"], stopped=st["stopped"],
                         history=list(st["history"]))


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
    if cfg.compile and on_gpu(device):
        ddp_model = torch.compile(ddp_model)
    opt = make_optimizer(model, cfg, device)
    sched = make_scheduler(opt, cfg)
    weights = (class_weights(train.y) if cfg.class_weights
               else torch.ones(N_CLASSES)).to(device)
    if cfg.device_data:
        train, val = resident(train, device), resident(val, device)
    # the CPU path draws exactly the numbers it always did; on a GPU with the split
    # resident, augmentation draws from a generator on the device (a different stream)
    aug_device = str(train.x.device) if on_gpu(str(train.x.device)) else "cpu"
    aug_gen = torch.Generator(device=aug_device).manual_seed(cfg.seed * 1000 + 17 + info.rank)
    crit = torch.nn.CrossEntropyLoss(weight=weights, label_smoothing=cfg.label_smoothing)
    last = Path(ckpt_dir) / "last.pt" if ckpt_dir is not None else None
    say = log if info.is_main else None

    state = EarlyStopping(best_state=copy.deepcopy(model.state_dict()))
    resumed_from = None
    if resume and last is not None and last.exists():
        state = resume_run_state(last, model, opt, sched, aug_gen)
        resumed_from = state.epoch
        if say:
            say(f"resuming after epoch {state.epoch} (best val macro-F1 "
                f"{state.best_score:.4f} at epoch {state.best_epoch})")

    show = cfg.progress and info.is_main
    ebar = _epoch_bar(cfg.max_epochs, state.epoch, show)
    if show and say is print:
        from tqdm import tqdm
        say = tqdm.write                     # keep the epoch lines above the bars
    while state.epoch < cfg.max_epochs and not state.stopped:
        t0 = time.perf_counter()
        lr = opt.param_groups[0]["lr"]
        batches = epoch_batches(len(train), cfg, state.epoch, info)
        bar = _bar(batches, f"epoch {state.epoch + 1}/{cfg.max_epochs}", show)
        train_loss = train_epoch(model, ddp_model, train, batches, opt, crit, aug_gen, cfg,
                                 device, bar)
        sched.step()
        dist_.sync_buffers(model, info)
        val_loss, f1 = validate(model, val, weights, cfg, device)
        improved = state.update(f1, model)
        state.stopped = dist_.broadcast_flag(state.bad_epochs >= cfg.patience, info)
        row = {"epoch": state.epoch, "train_loss": train_loss, "val_loss": val_loss,
               "val_f1_macro": f1, "lr": lr, "seconds": time.perf_counter() - t0}
        state.history.append(row)
        if info.is_main and ckpt_dir is not None:
            if improved and save_best is not None:
                save_best(Path(ckpt_dir) / "best.pt", model,
                          {"epoch": state.epoch, "val_f1_macro": f1})
            save_run_state(last, model, opt, sched, aug_gen, state)
        dist_.barrier(info)
        if ebar is not None:
            ebar.update(1)
            ebar.set_postfix(loss=f"{train_loss:.3f}", val_f1=f"{f1:.3f}",
                             best=f"{state.best_score:.3f}")
        if say:
            say(_format_row(row, improved))
    if ebar is not None:
        ebar.close()

    model.load_state_dict(state.best_state)
    return FitResult(history=state.history, best_epoch=state.best_epoch,
                     best_score=state.best_score, epochs_run=len(state.history),
                     stopped_early=bool(state.stopped), resumed_from=resumed_from)


def _bar(items, desc, enabled):
    if not enabled:
        return None
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
