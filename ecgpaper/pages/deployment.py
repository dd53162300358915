"""The Deployment chapter: request bodies built from test records of the store, the
requests it sends to a running service (routing by lead count, a malformed request,
repeated requests for latency), and its tables and quoted figures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..constants import LEADS
from ..report import count, fixed, present


# the lead sets of the routing table: all twelve go to SE-ResNet18, any fewer to the
# universal model
LEAD_SETS = {"12 leads": LEADS, "6 limb leads": LEADS[:6], "lead II": ("II",),
             "I, II, V1": ("I", "II", "V1")}
# the two requests timed for latency
TIMED = {"12 leads": LEADS, "lead II": ("II",)}


def served_folders(profile) -> list:
    """The artifact folders of experiments 1 and 7, the networks the service runs; a
    clear error when either has not been trained yet."""
    from ..training.artifacts import experiment_dir
    folders = [experiment_dir(profile, "1"), experiment_dir(profile, "7")]
    missing = [str(f) for f in folders if not (f / "best.pt").is_file()]
    if missing:
        raise FileNotFoundError(f"no trained network in {missing}: run the pages of "
                                "experiments 1 and 7 first (ecgpaper book --only experiment_7)")
    return folders


def request_body(store, row: int, leads=LEADS) -> dict:
    """The JSON body of a request for store row `row`: its sampling rate, units, record
    id and the samples of the named `leads` (microvolts, one decimal)."""
    signal = store.signal(int(row))
    return {"fs": store.fs, "units": "uV",
            "record_id": str(store.index["record_id"].iloc[int(row)]),
            "leads": {name: np.round(signal[LEADS.index(name)], 1).tolist() for name in leads}}


def preview(body: dict, leads: int = 2, samples: int = 4) -> str:
    """A request body as a short JSON block for the page: the first `samples` samples of
    the first `leads` leads, then '…'."""
    shown = {name: values[:samples] + ["…"]
             for name, values in list(body["leads"].items())[:leads]}
    return "```json\n" + json.dumps({**body, "leads": shown}, indent=1, ensure_ascii=False) \
        + "\n```"


def route(url: str, store, rows) -> pd.DataFrame:
    """Send one request per lead set of `LEAD_SETS` (the k-th from store row rows[k]) and
    tabulate which network answered, its class and probability, and its latency."""
    import httpx
    answers = []
    for (name, leads), row in zip(LEAD_SETS.items(), rows):
        reply = httpx.post(f"{url}/v1/predict", json=request_body(store, row, leads),
                           timeout=120)
        reply.raise_for_status()
        out = reply.json()
        answers.append({"record": out["record_id"], "label": store.index["label"].iloc[int(row)],
                        "leads sent": name, "model": out["model"], "answer": out["rhythm"],
                        "probability": out["probabilities"][out["rhythm"]],
                        "latency (ms)": out["latency_ms"]})
    return present(pd.DataFrame(answers), decimals={"latency (ms)": 1})


def refusal(url: str, store, row: int) -> dict:
    """What the service answers to a request naming a lead that does not exist (V7)."""
    import httpx
    bad = request_body(store, row, ("II",))
    bad["leads"]["V7"] = bad["leads"]["II"]
    reply = httpx.post(f"{url}/v1/predict", json=bad, timeout=60)
    payload = reply.json()
    return {"deployment_refusal_status": reply.status_code,
            "deployment_refusal_field": payload["field"],
            "deployment_refusal_detail": payload["detail"]}


def latencies(url: str, store, row: int, n: int) -> dict[str, dict]:
    """End-to-end latency statistics of `n` requests per request of `TIMED`."""
    from ..benchmarks.http_load import http_latency
    return {name: http_latency(url, json.dumps(request_body(store, row, leads)).encode(), n)[0]
            for name, leads in TIMED.items()}


def latency_table(torch_latency: dict, onnx_latency: dict, paper_ms: float) -> pd.DataFrame:
    """The timed requests per backend on this machine, beside the paper's figure."""
    rows = [{"backend": backend, "request": name, "requests": s["n"],
             "median (ms)": s["p50_ms"], "95th percentile (ms)": s["p95_ms"],
             "device": "CPU (this machine)"}
            for backend, results in (("PyTorch", torch_latency), ("ONNX Runtime", onnx_latency))
            for name, s in results.items()]
    rows.append({"backend": "paper (reported)", "request": "12 leads", "requests": None,
                 "median (ms)": paper_ms, "95th percentile (ms)": None,
                 "device": "RTX 3060 GPU (paper)"})
    return present(pd.DataFrame(rows), decimals={"median (ms)": 1, "95th percentile (ms)": 1})


BACKEND_NAMES = {"torch": "PyTorch", "onnx": "ONNX Runtime fp32",
                 "onnx-int8": "ONNX Runtime int8", "onnx-fp16": "ONNX Runtime fp16"}


def committed_measurements() -> list[dict]:
    """The measurement files committed under book/measurements (`measurements`)."""
    from ..measurements import load_measurements
    return load_measurements()


def _paper_size(committed: list[dict]):
    """(device of the file, its paper-size SE-ResNet18 rows: width 1.0, 12 x 5000) for
    each committed `bench serve` file."""
    for entry in committed:
        if entry.get("benchmark") != "serve":
            continue
        frame = pd.DataFrame(entry["records"])
        device = (entry.get("provenance") or {}).get("device") or {}
        yield device, frame[(frame["model"] == "SE-ResNet18") & (frame["width"] == 1.0)]


def paper_size_latency(committed: list[dict], paper_ms: float) -> pd.DataFrame:
    """The paper-size SE-ResNet18 (12 x 5000, width 1.0) as `bench serve` measured it on
    each machine of the committed files: the model alone and one request end to end
    (JSON and binary bodies), per backend, beside the paper's figure. Empty rows (no
    committed serve file) leave only the paper's row."""
    rows = []
    for device, keep in _paper_size(committed):
        where = f"{str(device.get('kind', 'cpu')).upper()}, {device.get('cores', '?')} cores"
        for (backend, dev), g in keep.groupby(["backend", "device"], sort=False):
            p50 = g.set_index("stage")["p50_ms"]
            rows.append({"backend": BACKEND_NAMES.get(backend, backend),
                         "device": where if dev == "cpu" else str(dev).upper(),
                         "model alone (ms)": p50.get("model"),
                         "end to end, JSON (ms)": p50.get("end to end"),
                         "end to end, binary (ms)": p50.get("end to end, binary")})
    rows.append({"backend": "paper (reported)", "device": "RTX 3060 GPU",
                 "model alone (ms)": None, "end to end, JSON (ms)": paper_ms,
                 "end to end, binary (ms)": None})
    return present(pd.DataFrame(rows), decimals={c: 1 for c in (
        "model alone (ms)", "end to end, JSON (ms)", "end to end, binary (ms)")})


def precision_table(precision: pd.DataFrame) -> pd.DataFrame:
    """`inference.quantize.compare_precisions` for reading."""
    return present(pd.DataFrame({
        "backend": precision["backend"].map(BACKEND_NAMES),
        "network only, median (ms)": precision["median_ms"],
        "file (MB)": precision["file_mb"],
        "records": precision["records"],
        "same class as fp32 (%)": 100 * precision["identical_share"],
        "largest probability change": precision["max_abs_diff"]}),
        decimals={"same class as fp32 (%)": 1})


def precision_facts(precision: pd.DataFrame, target: float) -> dict:
    """What the page quotes about reduced precision: int8's agreement with fp32 against
    `target` (a share), and the speed-up of int8 and fp16 over ONNX Runtime fp32."""
    by = precision.set_index("backend")
    int8, fp16, fp32_ms = by.loc["onnx-int8"], by.loc["onnx-fp16"], by.loc["onnx", "median_ms"]
    return {"deployment_int8_same": fixed(100 * int8["identical_share"], 1),
            "deployment_int8_records": count(int(int8["records"]), "test record"),
            "deployment_int8_verdict": "meets" if int8["identical_share"] >= target
            else "misses",
            "deployment_agreement_target": fixed(100 * target, 1),
            "deployment_int8_speedup": fixed(fp32_ms / int8["median_ms"], 1),
            "deployment_fp16_speedup": fixed(fp32_ms / fp16["median_ms"], 1),
            "deployment_fp16_same": fixed(100 * fp16["identical_share"], 1)}


def load_int8_reference(path=None) -> dict | None:
    """The committed int8 measurement on the reference edition's experiment 1
    (`scripts/int8_reference.py`), or None where none is committed."""
    from ..reference import REFERENCE_DIR
    path = REFERENCE_DIR / "int8.json" if path is None else path
    return json.loads(path.read_text()) if path.is_file() else None


def int8_reference_table(entry: dict) -> pd.DataFrame:
    """Per choice of layers kept in fp32: agreement on the converged network's test
    records and the int8 latency of the paper-size network beside fp32's."""
    agree = pd.DataFrame(entry["agreement"]).set_index("choice")
    timing = pd.DataFrame(entry["paper_size_timing"]).set_index("choice")
    return present(pd.DataFrame({
        "int8 layers": agree.index,
        "convolutions kept in fp32": [f"{int(agree.loc[c, 'fp32_convolutions'])} of "
                                      f"{int(agree.loc[c, 'all_convolutions'])}"
                                      for c in agree.index],
        "same class as fp32 (%)": 100 * agree["identical_share"].to_numpy(),
        "classes changed": [int(round((1 - s) * n)) for s, n in
                            zip(agree["identical_share"], agree["records"])],
        "paper-size int8 (ms)": timing.loc[agree.index, "int8_median_ms"].to_numpy(),
        "paper-size fp32 (ms)": timing.loc[agree.index, "fp32_median_ms"].to_numpy()}),
        decimals={"same class as fp32 (%)": 1, "paper-size int8 (ms)": 1,
                  "paper-size fp32 (ms)": 1})


def int8_reference_facts(entry: dict | None, target: float) -> dict:
    """The sentence the page says about int8 on a converged network, from the numbers."""
    if entry is None:
        missing = ("has not been measured in this edition (no "
                   "book/measurements/reference/int8.json; `python scripts/int8_reference.py` "
                   "writes it)")
        return {"deployment_int8_reference": missing, "deployment_int8_choice": missing}
    agree = pd.DataFrame(entry["agreement"])
    timing = pd.DataFrame(entry["paper_size_timing"]).set_index("choice")
    n = int(agree["records"].iloc[0])
    parts = []
    for _, r in agree.iterrows():
        verdict = "meets" if r["identical_share"] >= target else "misses"
        parts.append(f"with {r['choice']} it keeps fp32's class on "
                     f"{fixed(100 * r['identical_share'], 1)} % ({verdict} the target) and "
                     f"runs the paper-size network in "
                     f"{fixed(timing.loc[r['choice'], 'int8_median_ms'], 1)} ms")
    fp32_ms = float(timing["fp32_median_ms"].median())
    return {"deployment_int8_reference": f"was measured on the {n:,} test records of the "
            f"reference edition's experiment 1: " + "; ".join(parts) +
            f" (fp32: {fixed(fp32_ms, 1)} ms)",
            "deployment_int8_choice": _int8_choice(agree, timing, fp32_ms, target)}


def _int8_choice(agree: pd.DataFrame, timing: pd.DataFrame, fp32_ms: float,
                 target: float) -> str:
    """Which choices of fp32 layers reach the agreement target, and what the fastest of
    them costs against the fastest choice overall and against fp32."""
    ms = timing.loc[agree["choice"], "int8_median_ms"].to_numpy()
    ok = agree["identical_share"].to_numpy() >= target
    if not ok.any():
        return (f"no choice measured reaches the {fixed(100 * target, 1)} % target: int8 "
                "should not replace fp32 for this network")
    best = int(np.flatnonzero(ok)[np.argmin(ms[ok])])
    fastest = int(np.argmin(ms))
    cost = ("it is also the fastest choice measured" if best == fastest else
            f"it costs {fixed(ms[best] - ms[fastest], 1)} ms per record against "
            f"{agree['choice'].iloc[fastest]} ({fixed(ms[fastest], 1)} ms), which "
            f"{'meets' if ok[fastest] else 'misses'} the target")
    return (f"the target is met with {agree['choice'].iloc[best]} "
            f"({fixed(100 * agree['identical_share'].iloc[best], 1)} % of classes unchanged, "
            f"{fixed(ms[best], 1)} ms, {fixed(fp32_ms / ms[best], 1)} times as fast as fp32); "
            + cost)
