"""Measurements taken on other machines (a GPU, a reviewer's workstation), kept as files.

The book is built where there may be no GPU, so GPU speeds cannot be measured during the
build. `ecgpaper bench NAME --out FILE` writes its table together with where and when it
was measured (device name, driver, CUDA and torch versions, commit, date); such files,
committed under `book/measurements/`, are shown by the Performance chapter labelled as
measured elsewhere, never as computed during the build. The sim-to-real log committed
beside them is read by `ecgpaper.sim_to_real`.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
from pathlib import Path

from .fileio import atomic_write_json
from .paths import REPO_ROOT

MEASUREMENTS_DIR = REPO_ROOT / "book" / "measurements"
FORMAT = "ecgpaper-measurement-1"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_info(device: str | None = None) -> dict:
    """What the numbers were measured on: the GPU (name, memory, driver/CUDA) when
    `device` is CUDA, else the CPU (name, cores, torch threads)."""
    import os

    import torch
    info = {"torch": torch.__version__, "python": platform.python_version()}
    if device is not None and str(device).startswith("cuda") and torch.cuda.is_available():
        index = torch.device(device).index or 0
        props = torch.cuda.get_device_properties(index)
        info.update(kind="cuda", name=props.name,
                    memory_gib=round(props.total_memory / 2**30, 1),
                    cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
                    device_count=torch.cuda.device_count())
    else:
        info.update(kind="cpu", name=_cpu_name(), cores=os.cpu_count(),
                    torch_threads=torch.get_num_threads())
    return info


def provenance(device: str | None = None) -> dict:
    from .provenance import git_commit
    return {"measured": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "git_commit": git_commit(), "device": device_info(device),
            "platform": platform.platform()}


def write_measurement(path, benchmark: str, records: list[dict], device: str | None = None,
                      options: dict | None = None) -> Path:
    """Write a benchmark's records with their provenance (atomically)."""
    path = Path(path)
    atomic_write_json(path, {"format": FORMAT, "benchmark": benchmark,
                             "options": options or {}, "provenance": provenance(device),
                             "records": records}, indent=1)
    return path


def load_measurements(folder=MEASUREMENTS_DIR, benchmark: str | None = None) -> list[dict]:
    """Every measurement file in `folder` (newest first), optionally of one benchmark.
    A file that is not a measurement is an error naming it, never silently skipped."""
    folder = Path(folder)
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: unreadable measurement file ({type(exc).__name__}), "
                             "expected JSON written by `ecgpaper bench --out`") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            continue                     # other committed data (e.g. sim-to-real results)
        for key in ("benchmark", "provenance", "records"):
            if key not in data:
                raise ValueError(f"{path}: field {key!r} missing, expected a measurement "
                                 "written by `ecgpaper bench --out`")
        if benchmark is None or data["benchmark"] == benchmark:
            found.append({**data, "file": path.name})
    return sorted(found, key=lambda d: d["provenance"].get("measured", ""), reverse=True)


def where_measured(entry: dict) -> str:
    """One line saying on what, when and from which commit a loaded file was measured."""
    prov = entry.get("provenance", {})
    dev = prov.get("device", {})
    what = dev.get("name", "unknown device")
    if dev.get("kind") == "cpu" and dev.get("cores"):
        what += f", {dev['cores']} cores"
    if dev.get("kind") == "cuda" and dev.get("memory_gib"):
        what += f" ({dev['memory_gib']} GiB)"
    commit = str(prov.get("git_commit") or "unknown commit")[:9]
    return (f"`ecgpaper bench {entry.get('benchmark')}` on {what}, torch "
            f"{dev.get('torch', '?')}, measured {str(prov.get('measured', '?'))[:10]} "
            f"(commit {commit}; file {entry.get('file')})")

