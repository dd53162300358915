"""The Performance chapter: the project's speed targets, the machine that built the page,
the figures it quotes from each benchmark's table (checked against the targets), and the
tables of measurements committed from other machines."""

from __future__ import annotations

import os
import platform

import pandas as pd

from ..report import device_note, fixed, fmt_setting, label, present

# The project's targets: at most (seconds, minutes, milliseconds) or at least (records/s).
TARGETS = {"prepare_csv_s": 60, "store_pass_s": 2, "twin_records_per_s": 50,
           "train_min": 10, "serve_ms": 20}
VERDICT = {True: "met", False: "not met"}
# Column labels of the committed serving measurements.
SERVE_LABELS = {"p50_ms": "median (ms)", "p95_ms": "95th percentile (ms)", "n": "requests",
                "p99_ms": "99th percentile (ms)", "req_per_s": "requests/s",
                "overhead_ms": "overhead (ms)", "share_of_model_rate": "share of model rate",
                "inferences_at_once": "inferences at once", "threads_per_call":
                "threads per inference"}


def target_facts() -> dict:
    """Every target, glued as `performance_target_KEY`."""
    return {f"performance_target_{k}": fmt_setting(v) for k, v in TARGETS.items()}


def machine_table() -> pd.DataFrame:
    """The CPU, cores, torch threads and version, and GPU of this machine."""
    import torch
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return pd.DataFrame({"value": [platform.processor() or platform.machine(), os.cpu_count(),
                                   torch.get_num_threads(), torch.__version__, gpu]},
                        index=pd.Index(["CPU", "logical cores", "torch threads", "torch",
                                        "GPU"], name=""))


def prepare_facts(prep: pd.DataFrame) -> dict:
    """From the `prepare` benchmark (indexed by measurement): the whole CSV database and
    one pass over the full store, each against its target."""
    seconds = prep["full_database_s"]
    csv = float(seconds[prep.index.str.startswith("prepare store from chapman-csv")].iloc[0])
    one_pass = float(seconds[prep.index.str.startswith("first pass")].iloc[0])
    return {"performance_prepare_csv_s": fixed(csv, 1),
            "performance_prepare_csv_met": VERDICT[csv <= TARGETS["prepare_csv_s"]],
            "performance_store_pass_s": fixed(one_pass, 1),
            "performance_store_pass_met": VERDICT[one_pass <= TARGETS["store_pass_s"]]}


def twin_facts(twin: pd.DataFrame) -> dict:
    """From the `twin` benchmark: records per second in memory against the target."""
    rate = float(twin["records_per_s"].iloc[0])
    return {"performance_twin_records_per_s": fixed(rate, 1),
            "performance_twin_met": VERDICT[rate >= TARGETS["twin_records_per_s"]]}


def timing_table(times: pd.DataFrame, digits: int = 1,
                 decimals: dict | None = None) -> pd.DataFrame:
    """A timing table for reading, without the device, thread and width columns (the
    caption says the device and threads, `report.device_note`; the prose the width)."""
    shown = times.drop(columns=[c for c in ("device", "threads", "width") if c in times])
    return present(shown, digits=digits, counts=tuple(c for c in ("epochs",) if c in shown),
                   decimals=decimals)


def training_facts(times: pd.DataFrame, extra: pd.DataFrame, demo: bool) -> dict:
    """Minutes of training of the seven experiments (against the demo target) and of the
    further configurations."""
    seven = float(times["training seconds"].sum()) / 60
    further = float(extra["training seconds"].sum()) / 60
    verdict = VERDICT[seven <= TARGETS["train_min"]] if demo else \
        "the target is for the demo profile"
    return {"performance_train_minutes": fixed(seven, 1), "performance_train_met": verdict,
            "performance_variants_minutes": fixed(further, 1),
            "performance_all_minutes": fixed(seven + further, 1),
            "performance_times_device": device_note(times)}


def measured_table(entry: dict) -> tuple[pd.DataFrame, str]:
    """A committed measurement (`measurements.load_measurements`) as a presented table
    and the settings its rows share (for the caption, so that the table fits the page)."""
    frame = pd.DataFrame(entry["records"])
    same = [c for c in frame if frame[c].nunique(dropna=False) == 1 and len(frame) > 1]
    shared = "; ".join(f"{SERVE_LABELS.get(c, label(c))} {fmt_setting(frame[c].iloc[0])}"
                       for c in same if c != "errors")
    shown = frame.drop(columns=same + ["p99_ms", "input"], errors="ignore")
    decimals = {c: 1 for c in shown if c.endswith("_ms") or c == "req_per_s"}
    return present(shown, labels=SERVE_LABELS, decimals=decimals), shared


def serve_facts(committed: list[dict], paper_ms: float) -> dict:
    """The serving target from the committed files: the paper-size SE-ResNet18, one
    request end to end on the CPU, with its fastest backend."""
    frames = [pd.DataFrame(e["records"]) for e in committed if e["benchmark"] == "serve"]
    serve = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["stage", "model", "device", "width", "p50_ms", "backend"])
    e2e = serve[(serve["stage"] == "end to end") & (serve["model"] == "SE-ResNet18")
                & (serve["device"] == "cpu") & (serve["width"] == 1.0)]
    facts = {"performance_paper_serve_ms": fmt_setting(paper_ms)}
    if not len(e2e):
        return facts | {"performance_serve_backend": "not measured",
                        "performance_serve_ms": "—", "performance_serve_met": "not measured"}
    best = e2e.loc[e2e["p50_ms"].astype(float).idxmin()]
    return facts | {"performance_serve_backend": str(best["backend"]),
                    "performance_serve_ms": fixed(best["p50_ms"], 1),
                    "performance_serve_met": VERDICT[bool(best["p50_ms"] <= TARGETS["serve_ms"])]}
