"""One short GPU session that settles the project's GPU figures: the steps below run in
priority order against a deadline, and the measurement file is rewritten after every
result, so a run cut off by its time limit still leaves what it measured.

1. training throughput at paper size (500 Hz, width 1.0) over whole epochs with
   validation, through the same `run_experiment` a user runs: SE-ResNet18 (batch 64) and
   UniversalECGNet (batch 32, lead dropout on), fp32 / TF32 / bf16, with and without
   torch.compile; records/s from the run's own history (its last epoch);
2. serving latency (`bench serve` on the device);
3. experiments 1 and 7 of the full profile on a twin of the database's size at 500 Hz
   with the paper's early stopping, as far as the time allows, then experiments 2-6;
4. `torchrun` with one process (NCCL on a GPU) for one epoch.

`plan(dry_run=True)` shrinks every step so the whole script runs on a CPU in about a
minute: the test suite runs it that way.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PAPER_SIZE = {"width": 1.0, "fs": 500}
# Packages the GPU machine lacks (it has torch, numpy, pandas, scipy, scikit-learn,
# pyarrow, onnxruntime, matplotlib, tqdm, pyyaml, httpx): the wheels `prepare` fetches.
WHEELS = ("wfdb", "soundfile", "cffi", "pycparser", "neurokit2", "PyWavelets", "openpyxl",
          "et-xmlfile", "fastapi", "starlette", "pydantic", "pydantic-core",
          "annotated-types", "typing-inspection", "uvicorn", "python-multipart")
WHEEL_LIMIT = 64 * 2 ** 20


@dataclass(frozen=True)
class Plan:
    device: str
    throughput_records: int        # twin for the throughput runs
    experiment_records: int        # twin for experiments 1-7 (the database's size)
    size: dict                     # width and sampling rate
    throughput_epochs: int
    max_epochs: int                # cap of the experiments (early stopping decides)
    precisions: tuple              # ("fp32", "tf32", "bf16")
    compile_options: tuple         # (False, True)
    serve_requests: int | None
    experiments: tuple             # in the order they are run while time is left


def plan(dry_run: bool = False, device: str | None = None) -> Plan:
    """The measurement's sizes: paper size on the GPU, tiny on a CPU dry run."""
    if dry_run:
        return Plan(device or "cpu", 120, 160, {"width": 0.125, "fs": 100}, 2, 2,
                    ("fp32",), (False,), 4, ("1", "7"))
    return Plan(device or "cuda", 2000, 10615, PAPER_SIZE, 2, 100,
                ("fp32", "tf32", "bf16"), (False, True), None,
                ("1", "7", "2", "3", "4", "5", "6"))


def set_precision(precision: str) -> dict:
    """TF32 flags for `precision` (fp32: off, tf32: on; bf16 trains under autocast) and
    the profile settings that go with it."""
    import torch
    tf32 = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    return {"amp": "bf16" if precision == "bf16" else "off"}


def _profile(work: Path, twin_records: int, p: Plan, **settings):
    from ..profiles import get_profile
    return get_profile("demo", name="gpu", twin_records=twin_records,
                       work_dir=str(work / f"twin-{twin_records}"), bootstrap=0,
                       **p.size, **settings)


def throughput(work: Path, p: Plan, config: str, precision: str, compiled: bool) -> dict:
    """Train `config` for a few epochs; records/s of its last epoch (after any compile
    warm-up) as its history measured it."""
    import pandas as pd

    from ..training.run import run_experiment
    prof = _profile(work, p.throughput_records, p, max_epochs=p.throughput_epochs,
                    patience=p.throughput_epochs, compile=compiled, **set_precision(precision))
    out = work / "throughput" / f"{config}-{precision}-{'compiled' if compiled else 'eager'}"
    m = run_experiment(config, prof, force=True, out_dir=out, device=p.device,
                       progress=False, log=None)
    hist = pd.read_csv(out / "history.csv")
    last = float(hist["seconds"].iloc[-1])
    return {"step": "train", "experiment": config, "precision": precision,
            "compile": compiled, "batch_size": m["batch_size"], "n_train": m["n_train"],
            "records_per_s": round(m["n_train"] / last, 1),
            "epoch_seconds": round(last, 2),
            "first_epoch_seconds": round(float(hist["seconds"].iloc[0]), 2), **p.size}


def serve_latency(p: Plan) -> list[dict]:
    from . import serve
    quick = p.device == "cpu"
    frame = serve.measure(quick=quick, progress=False, requests=p.serve_requests,
                          device=p.device)
    return [{"step": "serve", **{k: _plain(v) for k, v in row.items()}}
            for row in frame.to_dict("records")]


def _plain(v):
    """JSON has no NaN: an undefined figure is written as null."""
    return None if isinstance(v, float) and v != v else v


def seven_experiment_estimate(records: list[dict], reference_epochs: dict) -> dict:
    """Minutes the seven experiments would take on this device: each one's measured
    seconds per epoch (experiment 1's for 2-6 where they were not run: the same
    backbone) times its epochs to convergence, from its own run when early stopping ended
    it, else from the reference edition's run of that experiment."""
    runs = {r["experiment"]: r for r in records if r.get("step") == "experiment"
            and r.get("seconds_per_epoch")}
    parts, sources = {}, {}
    for config in ("1", "2", "3", "4", "5", "6", "7"):
        rate = (runs.get(config) or runs.get("7" if config == "7" else "1") or {}).get(
            "seconds_per_epoch")
        own = runs.get(config, {})
        epochs = own.get("epochs_run") if own.get("paper_early_stopping") else \
            reference_epochs.get(config)
        if rate is None or epochs is None:
            return {"step": "estimate", "error": f"experiment {config}: no measured rate "
                    f"or epoch count"}
        parts[config] = rate * epochs / 60
        sources[config] = "this run" if own.get("paper_early_stopping") else \
            "reference edition"
    return {"step": "estimate", "minutes_total": round(sum(parts.values()), 1),
            "minutes": {k: round(v, 2) for k, v in parts.items()},
            "epochs_from": sources}


def reference_epochs() -> dict:
    """Epochs each of the seven experiments ran in the committed reference edition."""
    from ..reference import Job, REFERENCE_DIR, run_folder
    import json
    out = {}
    for config in ("1", "2", "3", "4", "5", "6", "7"):
        for twin in ("database", "small"):
            path = run_folder(REFERENCE_DIR, Job(config, twin)) / "metrics.json"
            if path.is_file() and config not in out:
                out[config] = json.loads(path.read_text()).get("epochs_run")
    return out


def experiment(work: Path, p: Plan, config: str, seconds_left: float,
               epoch_seconds: float | None) -> dict:
    """A full-profile experiment on the database-size twin, its epoch cap lowered to what
    the time left allows (the record says whether early stopping or the clock ended it)."""
    from ..training.run import run_experiment
    cap = p.max_epochs
    if epoch_seconds:
        cap = max(1, min(cap, int(seconds_left // epoch_seconds)))
    prof = _profile(work, p.experiment_records, p, max_epochs=cap, patience=10,
                    **set_precision("bf16" if p.device.startswith("cuda") else "fp32"))
    t0 = time.perf_counter()
    m = run_experiment(config, prof, resume=True, device=p.device, progress=False,
                       log=None)
    return {"step": "experiment", "experiment": config, "wall_seconds":
            round(time.perf_counter() - t0, 1), "epochs_run": m.get("epochs_run"),
            "epoch_cap": cap, "paper_early_stopping": bool(m.get("stopped_early")),
            "stopped_by": "early stopping" if m.get("stopped_early") else
            "the time budget" if cap < p.max_epochs else "the epoch cap",
            "best_epoch": m.get("best_epoch"),
            "seconds_per_epoch": (m.get("timing") or {}).get("seconds_per_epoch"),
            "accuracy": (m.get("metrics") or {}).get("accuracy"),
            "f1_macro": (m.get("metrics") or {}).get("f1_macro"),
            "n_train": m.get("n_train"), **p.size}


def torchrun_epoch(work: Path, p: Plan) -> dict:
    """One epoch of experiment 1 under torchrun with one process (NCCL on a GPU, gloo on
    a CPU): the distributed path works and what it costs."""
    size = [f"--set={k}={v}" for k, v in p.size.items()]
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           "--nproc_per_node", "1", "-m", "ecgpaper", "train", "-e", "1", "--work-dir",
           str(work / f"twin-{p.throughput_records}"), "--set", "name=gpu", "--set",
           f"twin_records={p.throughput_records}", "--set", "max_epochs=1", "--set",
           "bootstrap=0", *size, "--force", "--no-progress", "--out",
           str(work / "torchrun"), "--device", p.device]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    record = {"step": "torchrun", "processes": 1, "returncode": done.returncode,
              "wall_seconds": round(time.perf_counter() - t0, 1),
              "backend": "nccl" if p.device.startswith("cuda") else "gloo"}
    if done.returncode:
        record["error"] = done.stderr[-800:]
    return record


def _pinned(name: str) -> str:
    """`name==version` of the version installed here (the one the project runs with),
    or the bare name when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return f"{name}=={version(name)}"
    except PackageNotFoundError:
        return name


def prepare_wheels(dest: Path, python_version: str = "3.12") -> dict:
    """Download the wheels the GPU machine lacks (for its Python) into `dest` and refuse
    when they exceed what may travel with the working tree."""
    dest.mkdir(parents=True, exist_ok=True)
    platforms = [f"--platform={p}" for p in (
        "manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
        "manylinux2014_x86_64", "manylinux1_x86_64")]
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
           "--only-binary=:all:", f"--python-version={python_version}",
           "--implementation=cp", *platforms, "-d", str(dest), *map(_pinned, WHEELS)]
    subprocess.run(cmd, check=True)
    sizes = {w.name: w.stat().st_size for w in sorted(dest.glob("*.whl"))}
    total = sum(sizes.values())
    if total > WHEEL_LIMIT:
        raise SystemExit(f"{dest}: the wheels take {total / 2 ** 20:.1f} MiB, expected at "
                         f"most {WHEEL_LIMIT / 2 ** 20:.0f} MiB (what may travel)")
    return {"wheels": len(sizes), "mib": round(total / 2 ** 20, 1)}


def run(out: Path, work: Path, minutes: float = 8.0, dry_run: bool = False,
        device: str | None = None, log=print) -> dict:
    """Every step in priority order until the deadline; `out` is rewritten after each."""
    from ..measurements import write_measurement
    p = plan(dry_run, device)
    deadline = time.monotonic() + 60 * minutes
    records: list[dict] = []
    options = {"dry_run": dry_run, **dataclasses.asdict(p)}

    def save(record):
        records.extend(record if isinstance(record, list) else [record])
        write_measurement(out, "gpu", records, device=p.device, options=options)

    def left() -> float:
        return deadline - time.monotonic()

    for config in ("1", "7"):
        for precision in p.precisions:
            for compiled in p.compile_options:
                if left() < 30:
                    break
                log(f"train {config} {precision} compile={compiled}")
                save(_safely(throughput, work, p, config, precision, compiled))
    if left() > 30:
        log("serve")
        save(_safely(serve_latency, p))
    rates = {r["experiment"]: r["epoch_seconds"] * p.experiment_records / p.throughput_records
             for r in records if r.get("step") == "train" and "epoch_seconds" in r}
    for config in p.experiments:
        if left() < 60 + (rates.get(config) or rates.get("1") or 0):
            break
        log(f"experiment {config}")
        save(_safely(experiment, work, p, config, left() - 60,
                     rates.get("7" if config == "7" else "1")))
    if left() > 20:
        log("torchrun")
        save(_safely(torchrun_epoch, work, p))
    save(_safely(seven_experiment_estimate, records, reference_epochs()))
    return {"records": len(records), "file": str(out)}


def _safely(step, *args) -> dict:
    """Run one step; a failure is recorded and the next step still runs."""
    try:
        return step(*args)
    except Exception as exc:              # a broken step must not cost the others
        return {"step": step.__name__, "error": f"{type(exc).__name__}: {exc}"[:800]}


def default_out(device: str) -> Path:
    import datetime as dt

    from ..measurements import MEASUREMENTS_DIR, device_info
    name = device_info(device).get("name", device).lower()
    slug = "".join(c if c.isalnum() else "-" for c in name).strip("-")[:40]
    return MEASUREMENTS_DIR / f"gpu-{slug}-{dt.date.today().isoformat()}.json"


def main(argv=None) -> int:
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prepare", metavar="DIR", help="download the wheels the GPU machine "
                    "lacks into DIR and stop")
    ap.add_argument("--dry-run", action="store_true", help="tiny settings on the CPU")
    ap.add_argument("--minutes", type=float, default=8.0, help="deadline (default 8)")
    ap.add_argument("--device", default=None, help="default: cuda (cpu on a dry run)")
    ap.add_argument("--out", default=None, help="measurement file (default "
                    "book/measurements/gpu-<device>-<date>.json)")
    ap.add_argument("--work", default="_work/gpu-bench", help="twins and runs")
    args = ap.parse_args(argv)
    if args.prepare:
        print(prepare_wheels(Path(args.prepare)))
        return 0
    if args.minutes <= 0:
        raise SystemExit(f"--minutes: {args.minutes}, expected a positive number")
    device = args.device or ("cpu" if args.dry_run else "cuda")
    if device.startswith("cuda"):
        import torch
        if not torch.cuda.is_available():
            raise SystemExit("--device cuda: no CUDA device here; use --dry-run on a CPU")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    out = Path(args.out) if args.out else default_out(device)
    print(run(out, Path(args.work), args.minutes, args.dry_run, device))
    return 0


if __name__ == "__main__":
    sys.exit(main())
