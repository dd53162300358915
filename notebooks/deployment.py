# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Deployment
#
# The paper deploys its networks as a FastAPI service that takes a raw ECG as JSON,
# normalises it as in training, sends 12-lead input to SE-ResNet18 and fewer leads to
# UniversalECGNet, and answers with the rhythm and eight confidences in 47 ms per
# recording on an RTX 3060 GPU {cite:p}`kisialeu`. This page starts the same kind of
# service from the networks trained on the experiment pages (`ecgpaper serve`), sends it
# real HTTP requests and times it. The demo networks were trained on the synthetic
# twin, so their answers show the mechanics, not clinical accuracy.
#
# **On this page you will learn** what a request and a response look like, how the
# service routes by lead count, what a malformed request gets back, and how fast the
# whole path (JSON, checks, preprocessing, network, response) is on this machine beside
# the paper's figure.

# %% tags=["hide-input"]
import json

import httpx
import numpy as np
import pandas as pd

from ecgpaper import paper
from ecgpaper.benchmarks.serve import http_latency
from ecgpaper.constants import LEADS
from ecgpaper.workspace import ensure_store
from ecgpaper.inference.artifact import load_artifact
from ecgpaper.inference.onnx_backend import export_onnx
from ecgpaper.notebook import glue, say, setup, show_table
from ecgpaper.report import present
from ecgpaper.serve.launch import ServerProcess
from ecgpaper.training.artifacts import experiment_dir

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
folders = [experiment_dir(settings, "1"), experiment_dir(settings, "7")]
missing = [str(f) for f in folders if not (f / "best.pt").is_file()]
if missing:
    raise FileNotFoundError(f"no trained network in {missing}: run the pages of "
                            "experiments 1 and 7 first (`ecgpaper book --only experiment_7`)")
store = ensure_store(settings, progress=False)
test_rows = store.rows("test")
index = store.index.iloc[test_rows].reset_index(drop=True)
n_requests = 10 if settings.is_synthetic else 30

# %% [markdown]
# ## A request
#
# A client sends one recording as JSON: the sampling rate, the units, and the samples of
# each lead by name. Any non-empty subset of the twelve leads is accepted. Clinical
# metadata (age, sex, the Diagnostics measurements) is only needed by networks trained
# with it; experiment 1's network uses the signal alone. The cell below builds the
# request bodies from test records of the (synthetic) store: microvolts at 500 Hz.

# %% tags=["hide-input"]
def request_body(row: int, leads=LEADS) -> dict:
    signal = store.signal(int(test_rows[row]))
    return {"fs": store.fs, "units": "uV", "record_id": str(index.at[row, "record_id"]),
            "leads": {name: np.round(signal[LEADS.index(name)], 1).tolist()
                      for name in leads}}


example = request_body(0)
preview = {**example, "leads": {k: v[:4] + ["…"] for k, v in list(example["leads"].items())[:2]}}
say("```json\n" + json.dumps(preview, indent=1, ensure_ascii=False)[:600] + "\n```")

# %% [markdown]
# ## Routing by lead count
#
# The service runs in a subprocess on 127.0.0.1 at a free port, exactly as
# `ecgpaper serve --models …` starts it, and stops when the cell ends.
# {numref}`tbl-deployment-routing` shows four requests: all twelve leads go to
# SE-ResNet18 (experiment 1); the six limb leads, lead II alone and a three-lead set go
# to UniversalECGNet (experiment 7).

# %% tags=["hide-input"]
lead_sets = {"12 leads": LEADS, "6 limb leads": LEADS[:6], "lead II": ("II",),
             "I, II, V1": ("I", "II", "V1")}
rows, refusal = [], None
with ServerProcess(folders) as server:
    health = httpx.get(f"{server.url}/healthz").json()
    loaded = httpx.get(f"{server.url}/v1/models").json()
    for k, (name, leads) in enumerate(lead_sets.items()):
        r = httpx.post(f"{server.url}/v1/predict", json=request_body(k, leads), timeout=120)
        r.raise_for_status()
        out = r.json()
        rows.append({"record": out["record_id"], "label": index.at[k, "label"],
                     "leads sent": name, "model": out["model"], "answer": out["rhythm"],
                     "probability": out["probabilities"][out["rhythm"]],
                     "latency (ms)": out["latency_ms"]})
    bad = request_body(0, ("II",))
    bad["leads"]["V7"] = bad["leads"]["II"]
    refused = httpx.post(f"{server.url}/v1/predict", json=bad, timeout=60)
    refusal = (refused.status_code, refused.json())
    torch_latency = {name: http_latency(server.url, json.dumps(request_body(0, leads)).encode(),
                                        n_requests)[0]
                     for name, leads in (("12 leads", LEADS), ("lead II", ("II",)))}
routing = pd.DataFrame(rows)
show_table(present(routing), "Four requests to the running service: the leads sent, the "
           "network that answered, its class and probability, and the latency the "
           "service measured (synthetic test records).", "tbl-deployment-routing",
           presented=True)
glue("deployment_models", ", ".join(m["name"] for m in loaded["models"]))

# %% [markdown]
# ## A malformed request
#
# Every problem with a request is a 4xx answer whose message names the field and says
# what was expected; the service never answers 500. The request below names a lead V7,
# which does not exist:

# %% tags=["hide-input"]
status, payload = refusal
say(f"HTTP **{status}**, field `{payload['field']}`:\n\n> {payload['detail']}")

# %% [markdown]
# ## Latency beside the paper's
#
# The same requests again, {glue:text}`deployment_n_requests` times each, timed by the
# client from sending the request to reading the answer: JSON parsing, checks,
# preprocessing, the network and the response. The ONNX rows run the networks with ONNX
# Runtime (`ecgpaper export`, then `ecgpaper serve --backend onnx`). The demo networks
# are smaller and see 100 Hz; `ecgpaper bench serve` measures the paper-size networks
# (12 x 5000 samples, full width).

# %% tags=["hide-input"]
for art_folder in folders:
    export_onnx(load_artifact(art_folder))
with ServerProcess(folders, backend="onnx") as server:
    onnx_latency = {name: http_latency(server.url, json.dumps(request_body(0, leads)).encode(),
                                       n_requests)[0]
                    for name, leads in (("12 leads", LEADS), ("lead II", ("II",)))}
latency = pd.DataFrame(
    [{"backend": backend, "request": name, "requests": s["n"], "median (ms)": s["p50_ms"],
      "95th percentile (ms)": s["p95_ms"], "device": "CPU (this machine)"}
     for backend, results in (("PyTorch", torch_latency), ("ONNX Runtime", onnx_latency))
     for name, s in results.items()]
    + [{"backend": "paper (reported)", "request": "12 leads", "requests": None,
        "median (ms)": paper.SERVICE_LATENCY_MS, "95th percentile (ms)": None,
        "device": "RTX 3060 GPU (paper)"}])
show_table(present(latency), "End-to-end latency of one request (batch 1) on this "
           "machine's CPU with the demo networks, beside the paper's reported 47 ms on a "
           "GPU.", "tbl-deployment-latency", presented=True)
glue("deployment_n_requests", n_requests)
glue("deployment_median_ms", f"{torch_latency['12 leads']['p50_ms']:.0f}")

# %% [markdown]
# ## Reduced precision: faster, and does the answer change?
#
# A network can run with 8-bit integer weights and activations (static quantisation in
# ONNX Runtime, calibrated on twin records: `ecgpaper export --precision int8`, then
# `--backend onnx-int8`) or in half precision (`--precision fp16`, meant for GPUs). Both
# are only worth having if they return the same rhythm as the full-precision network.
# {numref}`tbl-deployment-precision` runs experiment 1's network on every test record of
# the store with each backend and counts the records whose class differs from ONNX
# Runtime fp32, beside the network-only latency of one record and the file size.

# %% tags=["hide-input"]
from ecgpaper.inference.preprocess import Signal
from ecgpaper.inference.quantize import AGREEMENT_TARGET, compare_precisions

test_signals = [Signal(store.signal(int(r)), LEADS, store.fs, "uV", str(rid))
                for r, rid in zip(test_rows, index["record_id"])]
precision = compare_precisions(folders[0], test_signals)
backend_names = {"torch": "PyTorch fp32", "onnx": "ONNX Runtime fp32",
                 "onnx-int8": "ONNX Runtime int8", "onnx-fp16": "ONNX Runtime fp16"}
precision_table = pd.DataFrame({
    "backend": precision["backend"].map(backend_names),
    "network only, median (ms)": precision["median_ms"],
    "file (MB)": precision["file_mb"],
    "records": precision["records"],
    "same class as fp32 (%)": 100 * precision["identical_share"],
    "largest probability change": precision["max_abs_diff"]})
show_table(present(precision_table), "Reduced precision on this machine's CPU: experiment "
           "1's network (demo size) on every test record of the store (synthetic twin), "
           "batch 1. The target for a reduced-precision model is the same class as fp32 on "
           f"at least {100 * AGREEMENT_TARGET:.1f} % of records.", "tbl-deployment-precision",
           presented=True)
by_backend = precision.set_index("backend")
int8, fp16 = by_backend.loc["onnx-int8"], by_backend.loc["onnx-fp16"]
speedup = by_backend.loc["onnx", "median_ms"] / int8["median_ms"]
fp16_speed = by_backend.loc["onnx", "median_ms"] / fp16["median_ms"]
glue("deployment_int8_same", f"{100 * int8['identical_share']:.1f}")
say(f"int8 gives fp32's class on **{100 * int8['identical_share']:.1f} %** of the "
    f"{int(int8['records'])} test records "
    f"({'meets' if int8['identical_share'] >= AGREEMENT_TARGET else 'misses'} the "
    f"{100 * AGREEMENT_TARGET:.1f} % target) and "
    f"runs the network {speedup:.1f}x as fast as ONNX Runtime fp32 here; fp16 runs it "
    f"{fp16_speed:.1f}x as fast, with {100 * fp16['identical_share']:.1f} % of classes "
    "unchanged. `ecgpaper bench serve` measures the same backends with the paper-size "
    "networks (see the Performance chapter).")

# %% [markdown]
# ## Running it yourself
#
# ```bash
# ecgpaper serve --models _work/demo/experiments          # 12-lead + universal models
# curl -s localhost:8000/healthz
# curl -s -X POST localhost:8000/v1/predict -H 'content-type: application/json' \
#      -d '{"fs": 500, "units": "uV", "leads": {"II": [ ... 5000 samples ... ]}}'
# curl -s -X POST localhost:8000/v1/predict/file -F files=@JS00001.hea -F files=@JS00001.mat
# ```
#
# With a GPU: install the torch build for your CUDA version, then
# `ecgpaper serve --models DIR --device cuda` runs the networks on the GPU; for ONNX
# Runtime install `onnxruntime-gpu` and add `--backend onnx`. `ecgpaper bench serve`
# measures the paper-size networks on the CPU and, when CUDA is present, on the GPU: the
# figure to compare with the paper's 47 ms. Set `ECGPAPER_API_KEY` to require
# `Authorization: Bearer <key>` on every request but `/healthz`.
#
# ## Recap
#
# The service answered the twelve-lead request with SE-ResNet18 and every smaller lead
# set with UniversalECGNet ({glue:text}`deployment_models`), refused a malformed request
# with a message naming the field, and took a median of
# {glue:text}`deployment_median_ms` ms per twelve-lead request end to end on this CPU
# with the demo networks, beside the paper's 47 ms on a GPU with the full-size ones.
# The int8 network kept fp32's class on {glue:text}`deployment_int8_same` % of the test
# records.
