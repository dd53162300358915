"""Run one experiment end to end: data -> model -> fit -> test predictions -> metrics
with bootstrap CIs -> artifact folder. A finished run whose configuration hash is
unchanged is reused, not retrained.

`run_experiment` reads top to bottom as the steps below it; under torchrun every process
trains its share and rank 0 alone writes the artifacts.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..constants import LEAD_INDEX
from . import artifacts as art
from . import distributed as dist_
from .experiments import LEAD_CONFIGS, get_experiment
from .settings import effective_profile, fit_config, model_config, training_seed

__all__ = ["run_experiment", "evaluate", "effective_profile", "fit_config", "model_config",
           "training_seed"]


def evaluate(y_true: np.ndarray, proba: np.ndarray, profile) -> dict:
    """Table 4 metrics and their 95 % bootstrap intervals."""
    from ..evaluation.bootstrap import bootstrap_ci
    from ..evaluation.metrics import table4
    if len(y_true) == 0:
        return {"metrics": {}, "ci": {}, "note": "empty test split: nothing to evaluate"}
    metrics = {k: _num(v) for k, v in table4(y_true, proba).items()}
    ci = {}
    if profile.bootstrap > 0:
        df = bootstrap_ci(y_true, proba, n=profile.bootstrap, seed=profile.seed)
        for _, r in df.iterrows():
            ci[str(r["metric"])] = {"value": _num(r["value"]), "low": _num(r["low"]),
                                    "high": _num(r["high"])}
    return {"metrics": metrics, "ci": ci}


def _num(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v


def run_experiment(exp_id, profile, *, resume: bool = False, force: bool = False,
                   out_dir: Path | None = None, device: str | None = None,
                   progress: bool = True, log: Callable[[str], None] | None = print) -> dict:
    """Train and evaluate experiment `exp_id` under `profile`; return its metrics dict.

    Reuses a complete artifact folder with the same configuration hash unless `force`.
    `resume` continues an interrupted run from its last.pt. Under torchrun every process
    trains its share; rank 0 writes the artifacts.
    """
    from ..workspace import ensure_store
    from .seeding import cpu_threads, seed_everything

    exp = get_experiment(exp_id)
    say = log or (lambda _msg: None)
    info = dist_.init(device)
    store = _main_rank_first(info, lambda: ensure_store(
        profile, progress=progress and info.is_main))
    eprof = effective_profile(profile, exp)
    config = art.run_config(exp, eprof, store.manifest.get("dataset_checksum"))
    folder = Path(out_dir) if out_dir is not None else art.experiment_dir(profile, exp.id)

    if not force and art.is_complete(folder, config["hash"], art.required_files(exp)):
        if info.is_main:
            say(f"experiment {exp.id}: reusing the finished run in {folder} "
                f"(configuration {config['hash']} unchanged)")
        dist_.shutdown(info)
        return {**art.read_metrics(folder), "reused": True}

    if info.is_main:
        # a folder the user named keeps a finished run of other settings unless --force
        _prepare_folder(folder, config, resume, keep_finished=out_dir is not None and not force)
    dist_.barrier(info)
    if not exp.neural:                  # gradient boosting and the rules: no loop
        from .classic import run_classic
        metrics = run_classic(exp, eprof, store, config, folder, say) if info.is_main else {}
        dist_.shutdown(info)
        return {**metrics, "reused": False}

    threads = max(1, cpu_threads() // info.world_size) if info.device == "cpu" else None
    seed = training_seed(eprof, exp)
    seed_everything(seed, threads, info.device)
    inputs = _main_rank_first(info, lambda: _load_inputs(store, eprof, exp))
    if info.is_main:
        say(f"experiment {exp.id} ({exp.name}): {inputs.sizes()} records, "
            f"{inputs.n_features} features, {inputs.n_samples} samples at {inputs.fs} Hz, "
            f"device {info.device} x{info.world_size}")

    seed_everything(seed, threads, info.device)
    model, fcfg, result = _train(exp, eprof, inputs, config, folder, info, resume,
                                 progress, log)
    if not info.is_main:
        dist_.shutdown(info)
        return {}

    t0 = time.perf_counter()
    metrics = _test_predictions(model, inputs, exp, eprof, folder, info.device)
    eval_seconds = time.perf_counter() - t0
    _write_history(folder, result)
    metrics.update(_summary(exp, config, inputs, model, fcfg, result, eval_seconds, info,
                            threads))
    _write_provenance(folder, exp, eprof, config, info)
    art.write_json(folder / "metrics.json", metrics)   # last: marks the run complete
    acc, f1 = (metrics["metrics"].get(k) for k in ("accuracy", "f1_macro"))
    say(f"experiment {exp.id}: test accuracy {_fmt(acc)}, macro-F1 {_fmt(f1)} "
        f"(best epoch {result.best_epoch}, {result.train_seconds:.1f} s training) -> {folder}")
    dist_.shutdown(info)
    return {**metrics, "reused": False}


# --- the steps ---------------------------------------------------------------------------

def _main_rank_first(info, step: Callable):
    """Run `step` on rank 0 first (it may build caches the others then read), then on
    the other ranks; every rank gets its own result."""
    out = step() if info.is_main else None
    dist_.barrier(info)
    if not info.is_main:
        out = step()
    return out


def _load_inputs(store, eprof, exp):
    from .inputs import load_inputs
    return load_inputs(store, eprof, exp)


def _train(exp, eprof, inputs, config, folder, info, resume, progress, log):
    """Build the network and fit it; best.pt carries what inference needs to preprocess
    a new record exactly as in training."""
    from ..models.registry import build_model, save_checkpoint
    from .loop import fit
    model = build_model(model_config(eprof, exp, inputs.n_features, info.device))
    fcfg = fit_config(eprof, exp, progress=progress)
    extra = {"experiment": exp.id, "fs": inputs.fs, "n_samples": inputs.n_samples,
             "source_fs": inputs.source_fs, "source_units": "uV",
             "metadata": exp.metadata, "morphology": exp.morphology,
             "channel_mean": inputs.channel_mean, "channel_std": inputs.channel_std,
             "feature_names": inputs.feature_names,
             "feature_median": inputs.feature_stats.get("median", []),
             "feature_mean": inputs.feature_stats.get("mean", []),
             "feature_std": inputs.feature_stats.get("std", []), "config_hash": config["hash"]}

    def save_best(path, m, meta):
        save_checkpoint(path, m, **extra, **meta)

    result = fit(model, inputs.splits["train"], inputs.splits["val"], fcfg, folder,
                 resume=resume, save_best=save_best, info=info, log=log)
    return model, fcfg, result


def _test_predictions(model, inputs, exp, eprof, folder: Path, device: str) -> dict:
    """Predict the test split, write predictions (and, for the universal model, one file
    per Table 5 lead configuration with its lead attention, plus every further lead set
    of `evaluation.lead_sets`) and return the metrics block."""
    from .predict import predict, softmax
    test = inputs.splits["test"]
    y, ids = test.y.numpy(), inputs.record_ids["test"]
    if not exp.universal:
        logits, _ = predict(model, test, False, device=device)
        proba = softmax(logits)
        art.write_csv(folder / "predictions.csv", art.predictions_frame(ids, y, proba))
        return evaluate(y, proba, eprof)
    metrics: dict = {}
    lead_results = {}
    for k, names in LEAD_CONFIGS.items():
        sel = [LEAD_INDEX[n] for n in names]
        logits, attn = predict(model, test, True, leads=sel, device=device)
        proba = softmax(logits)
        frame = art.predictions_frame(ids, y, proba)
        art.write_csv(folder / f"predictions_{k}lead.csv", frame)
        art.write_npy(folder / f"attention_{k}lead.npy", attn.astype(np.float32))
        lead_results[str(k)] = {"leads": list(names), **evaluate(y, proba, eprof)}
        if k == 12:
            art.write_csv(folder / "predictions.csv", frame)
            metrics.update(lead_results[str(k)])
    metrics["lead_configs"] = lead_results
    from .lead_eval import write_lead_sets
    metrics["masking_check"] = write_lead_sets(model, test, folder, eprof.seed, device)
    return metrics


def _write_history(folder: Path, result) -> None:
    hist = pd.DataFrame(result.history,
                        columns=["epoch", "train_loss", "val_loss", "val_f1_macro", "lr",
                                 "seconds"])
    art.write_csv(folder / "history.csv", hist)


def _summary(exp, config, inputs, model, fcfg, result, eval_seconds, info, threads) -> dict:
    """Everything metrics.json says about the run besides the metrics themselves."""
    from ..models.registry import n_parameters
    from .convergence import convergence
    sizes = inputs.sizes()
    return {
        "experiment": exp.id, "name": exp.name, "model": exp.model,
        "group": exp.group, "base": exp.base, "variant": exp.variant(),
        "seed": fcfg.seed, "label_smoothing": fcfg.label_smoothing,
        "description": exp.describe(), "config_hash": config["hash"],
        "n_train": sizes["train"], "n_val": sizes["val"], "n_test": sizes["test"],
        "best_epoch": result.best_epoch, "best_val_f1_macro": _num(result.best_score),
        "epochs_run": result.epochs_run, "max_epochs": fcfg.max_epochs,
        "patience": fcfg.patience, "stopped_early": result.stopped_early,
        "convergence": convergence([h["val_f1_macro"] for h in result.history],
                                   stopped_early=result.stopped_early,
                                   max_epochs=fcfg.max_epochs).to_dict(),
        "batch_size": fcfg.batch_size, "n_parameters": n_parameters(model),
        "input": {"n_leads": int(inputs.splits["test"].x.shape[1]),
                  "n_samples": inputs.n_samples, "fs": inputs.fs,
                  "n_features": inputs.n_features, "feature_names": inputs.feature_names,
                  "paper_input": exp.paper_input,
                  "paper_n_inputs": exp.paper_n_inputs or None},
        "paper": {**exp.paper, "label": "paper's reported figure (Table 3)"},
        "timing": {"train_seconds": result.train_seconds,
                   "seconds_per_epoch": result.train_seconds / max(result.epochs_run, 1),
                   "evaluate_seconds": eval_seconds, "device": info.device,
                   "threads": threads, "world_size": info.world_size,
                   "resumed_from_epoch": result.resumed_from},
    }


def _write_provenance(folder: Path, exp, eprof, config: dict, info) -> None:
    from ..provenance import collect
    prov = collect(eprof)
    prov.update({"experiment": exp.id, "seed": training_seed(eprof, exp),
                 "data_checksum": config["data_checksum"], "device": info.device,
                 "world_size": info.world_size, "config_hash": config["hash"]})
    art.write_json(folder / "provenance.json", prov)


_OUTPUTS = {"best.pt", "last.pt", "predictions.csv", "metrics.json", "history.csv",
            "provenance.json", "config.json"}


def _fmt(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _prepare_folder(folder: Path, config: dict, resume: bool,
                    keep_finished: bool = False) -> None:
    """Start a run: the folder must be new, empty or an earlier run's (proven by its
    config.json); a fresh run clears old outputs; a resumed one must match config.json
    and have a readable last.pt, checked before anything in the folder changes. With
    `keep_finished`, a finished run of other settings there is refused, not cleared."""
    problem = art.run_folder_problem(folder)
    if problem:
        raise ValueError(problem)
    old_hash = _config_hash(folder / "config.json")
    if keep_finished and not resume and (folder / "metrics.json").is_file() and \
            old_hash != config["hash"]:
        old = json.loads((folder / "config.json").read_text())
        raise ValueError(f"{folder}: holds a finished run of experiment "
                         f"{old.get('experiment', '?')} with other settings (configuration "
                         f"{old_hash}, this run {config['hash']}); not replaced: pass "
                         "--force to replace it, or choose another --out")
    folder.mkdir(parents=True, exist_ok=True)
    cfg_path = folder / "config.json"
    last = folder / "last.pt"
    if resume and last.is_file():
        old = _config_hash(cfg_path)
        if old != config["hash"]:
            raise ValueError(f"{cfg_path}: configuration hash {old} differs from this "
                             f"run's {config['hash']} (settings or data changed), expected "
                             f"the same settings to resume; run without --resume to start "
                             f"over")
        from .checkpoint import load_state
        load_state(last)
        (folder / "metrics.json").unlink(missing_ok=True)
        return
    for p in folder.iterdir():       # only this module's own files are removed
        if p.is_file() and (p.name in _OUTPUTS or p.match("predictions_*lead.csv")
                            or p.match("attention_*lead.npy") or p.match("lead_sets*")):
            p.unlink()
    art.write_json(cfg_path, config)


def _config_hash(path: Path) -> str | None:
    """The hash in a run's config.json (None when the file is absent)."""
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())["hash"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ValueError(f"{path}: not a run configuration, expected the JSON "
                         f"config.json written by `ecgpaper train`") from None
