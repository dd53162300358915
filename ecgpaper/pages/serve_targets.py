"""The service's two targets, read from the committed `bench serve` files: what one request
adds to the network's time, and the share of the network's rate four clients get, with
the sample checks and quality flags that every request pays for beside its network."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..report import fixed, present
from .deployment import BACKEND_NAMES, _paper_size

# the service's targets: what it adds to one request stays within OVERHEAD_MS of the
# network alone (ONNX backends, batch 1), and four clients get at least SHARE_TARGET of
# the requests per second the network alone sustains on the same cores
OVERHEAD_MS = 3.0
SHARE_TARGET = 0.80


def serve_targets(committed: list[dict]) -> pd.DataFrame:
    """The service's targets per committed `bench serve` file and backend, for the
    paper-size SE-ResNet18: the overhead of one request (JSON and binary bodies, each the
    median of paired differences with the network alone), four clients' throughput as a
    share of the network's own and their p99, and whether each meets its target."""
    rows = []
    for device, paper_size in _paper_size(committed):
        keep = paper_size[paper_size["device"] == "cpu"]
        machine = f"{device.get('name', 'CPU')}, {device.get('cores', '?')} cores"
        for backend, g in keep.groupby("backend", sort=False):
            by = g.set_index("stage")
            load = by.loc[by.index.str.startswith("load")]
            overhead = by["overhead_ms"].get("end to end, binary", np.nan)
            share = float(load["share_of_model_rate"].iloc[0]) if len(load) else np.nan
            network = float(by["p50_ms"].get("model", np.nan))
            checks = float(by["p50_ms"].get("checks", np.nan))
            rows.append({
                "machine": machine, "backend": BACKEND_NAMES.get(backend, backend),
                "overhead, JSON (ms)": by["overhead_ms"].get("end to end", np.nan),
                "overhead, binary (ms)": overhead,
                "overhead target met": _met(overhead <= OVERHEAD_MS, overhead)
                if backend.startswith("onnx") else "(target is for ONNX)",
                "4 clients, share of model rate": share,
                "4 clients, p99 (ms)": float(load["p99_ms"].iloc[0]) if len(load) else np.nan,
                "concurrency target met": _met(share >= SHARE_TARGET, share),
                "network alone (ms)": network, "checks and flags (ms)": checks,
                "share left beside the checks": network / (network + checks)})
    return pd.DataFrame(rows)


def _met(ok: bool, value: float) -> str:
    return "not measured" if not np.isfinite(value) else ("yes" if ok else "no")


def serve_target_facts(targets: pd.DataFrame) -> dict:
    """What the page says about the service's targets: on how many (machine, backend)
    measurements of the ONNX backends each was met, and the extremes."""
    onnx = targets[targets["backend"].str.startswith("ONNX")] if len(targets) else targets
    if not len(onnx):
        return {"deployment_overhead_met": "not measured (no committed `bench serve` file)",
                "deployment_json_overhead": "not measured",
                "deployment_checks_cost": "not measured",
                "deployment_share_met": "not measured", "deployment_overhead_target":
                fixed(OVERHEAD_MS, 0), "deployment_share_target": fixed(100 * SHARE_TARGET, 0)}

    def summary(column: str, met: str, unit: str, scale: float = 1.0) -> str:
        ok = onnx[met] == "yes"
        values = ", ".join(f"{r['backend']} on {r['machine']} {fixed(scale * r[column], 1)}{unit}"
                           for _, r in onnx.iterrows())
        return f"met in {int(ok.sum())} of {len(onnx)} measurements ({values})"
    json_ms = onnx["overhead, JSON (ms)"].astype(float)
    return {"deployment_checks_cost": _checks_cost(onnx),
            "deployment_json_overhead": f"{fixed(json_ms.min(), 1)}–{fixed(json_ms.max(), 1)} "
            f"ms, within the target in {int((json_ms <= OVERHEAD_MS).sum())} of {len(onnx)}",
            "deployment_overhead_target": fixed(OVERHEAD_MS, 0),
            "deployment_share_target": fixed(100 * SHARE_TARGET, 0),
            "deployment_overhead_met": summary("overhead, binary (ms)", "overhead target met",
                                               " ms"),
            "deployment_share_met": summary("4 clients, share of model rate",
                                            "concurrency target met", " %", 100.0)}


CHECK_COLUMNS = ("network alone (ms)", "checks and flags (ms)", "share left beside the checks")


def checks_table(targets: pd.DataFrame) -> pd.DataFrame:
    """Per measurement: the network's time, the checks' and flags' time on one core, the
    share of the network's rate they leave at most ("not measured" in files written
    before `bench serve` timed the checks), and the share four clients reached."""
    if not len(targets):
        return pd.DataFrame({"measurement": ["no committed `bench serve` file"]})
    timed = np.isfinite(targets["checks and flags (ms)"].astype(float))

    def column(values, scale=1.0):
        return [fixed(scale * v, 1) if ok else "not measured" for v, ok in zip(values, timed)]
    return present(pd.DataFrame({
        "machine": targets["machine"], "backend": targets["backend"],
        "network alone (ms)": column(targets["network alone (ms)"]),
        "checks and flags (ms)": column(targets["checks and flags (ms)"]),
        "at most, beside the checks (%)": column(targets["share left beside the checks"], 100),
        "4 clients reached (%)": [fixed(100 * v, 1) for v in
                                  targets["4 clients, share of model rate"]]}))


def _checks_cost(onnx: pd.DataFrame) -> str:
    """What the sample checks and quality flags cost beside the network, per measurement
    that timed them, and the share of the network's rate the cores would keep if nothing
    else ran beside it (network / (network + checks)): an upper bound on the share."""
    timed = onnx[np.isfinite(onnx["checks and flags (ms)"].astype(float))]
    if not len(timed):
        return "not measured in these files"
    return "; ".join(
        f"{r['backend']} on {r['machine']}: {fixed(r['checks and flags (ms)'], 1)} ms beside "
        f"a {fixed(r['network alone (ms)'], 1)} ms network, which leaves at most "
        f"{fixed(100 * r['share left beside the checks'], 0)} % (measured "
        f"{fixed(100 * r['4 clients, share of model rate'], 0)} %)"
        for _, r in timed.iterrows())


def serve_targets_table(targets: pd.DataFrame) -> pd.DataFrame:
    """`serve_targets` for reading: the share in per cent (the checks' columns go to
    `checks_table`)."""
    shown = targets.drop(columns=[c for c in CHECK_COLUMNS if c in targets])
    if len(shown):
        shown["4 clients, share of model rate"] = 100 * shown["4 clients, share of model rate"]
    shown = shown.rename(columns={"4 clients, share of model rate":
                                  "4 clients, share of model rate (%)"})
    return present(shown, decimals={c: 1 for c in shown if "(ms)" in c or "(%)" in c})
