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
import httpx

from ecgpaper import paper
from ecgpaper.constants import LEADS
from ecgpaper.inference.artifact import load_artifact
from ecgpaper.inference.onnx_backend import export_onnx
from ecgpaper.inference.preprocess import Signal
from ecgpaper.inference.quantize import AGREEMENT_TARGET, compare_precisions
from ecgpaper.notebook import glue, glue_all, say, setup, show_table
from ecgpaper.pages import deployment as page, serve_targets
from ecgpaper.report import fixed
from ecgpaper.serve.launch import ServerProcess
from ecgpaper.workspace import ensure_store

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
folders = page.served_folders(settings)
store = ensure_store(settings, progress=False)
test_rows = store.rows("test")
n_requests = 10 if settings.is_synthetic else 30
glue("deployment_n_requests", n_requests)

# %% [markdown]
# ## A request
#
# A client sends one recording as JSON: the sampling rate, the units, and the samples of
# each lead by name. Any non-empty subset of the twelve leads is accepted. Clinical
# metadata (age, sex, the Diagnostics measurements) is only needed by networks trained
# with it; experiment 1's network uses the signal alone. The request below is built from
# the first test record of the (synthetic) store, in microvolts at the store's sampling
# rate; only the first samples of two leads are shown.

# %% tags=["hide-input"]
say(page.preview(page.request_body(store, test_rows[0])))

# %% [markdown]
# ## Routing by lead count
#
# The service runs in a subprocess on 127.0.0.1 at a free port, exactly as
# `ecgpaper serve --models …` starts it, and stops when the cell ends. In that time the
# cell sends four requests, one malformed request, and {glue:text}`deployment_n_requests`
# timed requests of two kinds. {numref}`tbl-deployment-routing` shows the four: all
# twelve leads go to SE-ResNet18 (experiment 1); the six limb leads, lead II alone and a
# three-lead set go to UniversalECGNet (experiment 7).

# %% tags=["hide-input"]
with ServerProcess(folders) as server:
    loaded = httpx.get(f"{server.url}/v1/models").json()
    routing = page.route(server.url, store, test_rows[:len(page.LEAD_SETS)])
    refused = page.refusal(server.url, store, test_rows[0])
    torch_latency = page.latencies(server.url, store, test_rows[0], n_requests)
glue("deployment_models", ", ".join(m["name"] for m in loaded["models"]))
glue_all(refused)
show_table(routing, "Four requests to the running service: the leads sent, the network "
           "that answered, its class and probability, and the latency the service measured "
           "(synthetic test records).", "tbl-deployment-routing", presented=True)

# %% [markdown]
# The latency in the table is the service's own measurement, from reading the request
# to writing the answer, for a single request each; the timed requests below repeat
# them and measure the whole path from the client's side.
#
# ## A malformed request
#
# Every problem with a request is a 4xx answer whose message names the field and says
# what was expected; the service never answers 500. The cell above also sent a request
# naming a lead V7, which does not exist. The service answered HTTP
# **{glue:text}`deployment_refusal_status`** and named the field
# {glue:text}`deployment_refusal_field`:
#
# > {glue:text}`deployment_refusal_detail`
#
# ## Latency beside the paper's
#
# The same requests again, {glue:text}`deployment_n_requests` times each, timed by the
# client from sending the request to reading the answer: JSON parsing, checks,
# preprocessing, the network and the response. The ONNX rows run the networks with ONNX
# Runtime (`ecgpaper export`, then `ecgpaper serve --backend onnx`). The demo networks
# are smaller and see 100 Hz; `ecgpaper bench serve` measures the paper-size networks
# (12 x 5000 samples, full width).

# %% tags=["hide-input"]
for folder in folders:
    export_onnx(load_artifact(folder))
with ServerProcess(folders, backend="onnx") as server:
    onnx_latency = page.latencies(server.url, store, test_rows[0], n_requests)
glue("deployment_median_ms", fixed(torch_latency["12 leads"]["p50_ms"], 1))
show_table(page.latency_table(torch_latency, onnx_latency, paper.SERVICE_LATENCY_MS),
           "End-to-end latency of one request (batch 1) on this machine's CPU with the "
           "demo networks, beside the paper's reported 47 ms on a GPU.",
           "tbl-deployment-latency", presented=True)

# %% [markdown]
# The paper's figure was measured on a GPU with the full-size networks at 500 Hz; ours
# on this machine's CPU with the demo networks, so the two rows answer different
# questions: the paper's, how fast its deployment is; ours, how fast the same path is
# with the demo networks on this CPU.
#
# Like with like means the paper-size network: SE-ResNet18 at full width on 12 x 5000
# samples, the input the paper's 47 ms refers to. {numref}`tbl-deployment-paper-size`
# shows what `ecgpaper bench serve` measured for it (committed measurement files, with
# the machine they ran on): the network alone, and one request to `ecgpaper serve`
# end to end, with the samples as JSON numbers and as a binary body. The weights are
# freshly initialised, which does not change the time a forward pass takes.

# %% tags=["hide-input"]
show_table(page.paper_size_latency(page.committed_measurements(),
                                   paper.SERVICE_LATENCY_MS),
           "The paper-size SE-ResNet18 (width 1.0, 12 x 5000 samples at 500 Hz), batch 1, "
           "as `ecgpaper bench serve` measured it (committed measurement), beside the "
           "paper's reported end-to-end latency.", "tbl-deployment-paper-size",
           presented=True)

# %% [markdown]
# Where a CPU row is faster than the paper's GPU figure, the paper's 47 ms cannot have
# been the network's cost alone: a batch-1 forward pass of this network is small work,
# and the rest of a request's time is spent around it (decoding, checks, the HTTP
# exchange), which is what the gap between the first column and the others measures.
#
# ## What the service adds, and how it shares the cores
#
# Two targets make the service worth its network. First, what one request costs beyond
# the network itself should stay within {glue:text}`deployment_overhead_target` ms for
# the ONNX backends; `bench serve` measures it round after round as the difference
# between one request and one network call of the same recording, so a machine's drift
# in speed cancels. Second, four clients at once should get at least
# {glue:text}`deployment_share_target` % of the requests per second that the network
# alone sustains on the same cores. {numref}`tbl-deployment-targets` reads both from the
# committed measurement files.

# %% tags=["hide-input"]
targets = serve_targets.serve_targets(page.committed_measurements())
glue_all(serve_targets.serve_target_facts(targets))
show_table(serve_targets.serve_targets_table(targets),
           "The service's targets for the paper-size SE-ResNet18 on the CPU, per committed "
           "`bench serve` measurement and backend: the overhead of one request beyond the "
           "network alone (median of paired differences, JSON and binary float32 bodies), "
           "and four concurrent clients' throughput as a share of the network's own, with "
           "their 99th-percentile latency.", "tbl-deployment-targets", presented=True)

# %% [markdown]
# The overhead target is {glue:text}`deployment_overhead_met` (binary bodies); the
# concurrency target is {glue:text}`deployment_share_met`. With the same recording as a
# JSON body the service adds {glue:text}`deployment_json_overhead`: decoding 60,000
# numbers written as text takes longer than reading 240 kB of float32, which is why the
# service also accepts the binary body (`content-type: application/octet-stream`, see the
# README). Each file is one run of `bench serve`; a row within a fraction of a
# millisecond or a few per cent of its target can fall on the other side in a rerun.
#
# Where the share falls short, part of the reason is work the service must do: every
# request's samples are checked and its quality flags computed (the Data sources page
# lists them) on the same cores as the networks. {numref}`tbl-deployment-checks` times
# that work alone and the most it leaves of the network's rate if nothing else ran
# beside it: {glue:text}`deployment_checks_cost`. The faster the network, the larger the
# part the checks take; the HTTP exchange and the threads' hand-offs take the rest.

# %% tags=["hide-input"]
show_table(serve_targets.checks_table(targets),
           "The service's sample checks and quality flags on one core beside the network "
           "alone (medians, the 12-lead recording of `bench serve`), the share of the "
           "network's rate that leaves at most, and the share four clients reached.",
           "tbl-deployment-checks", presented=True)

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
test_signals = [Signal(store.signal(int(r)), LEADS, store.fs, "uV",
                       str(store.index["record_id"].iloc[int(r)])) for r in test_rows]
precision = compare_precisions(folders[0], test_signals)
glue_all(page.precision_facts(precision, AGREEMENT_TARGET))
show_table(page.precision_table(precision),
           "Reduced precision on this machine's CPU: experiment 1's network (demo size) on "
           "every test record of the store (synthetic twin), batch 1. The target for a "
           "reduced-precision model is the same class as fp32 on at least "
           f"{fixed(100 * AGREEMENT_TARGET, 1)} % of records.", "tbl-deployment-precision",
           presented=True)

# %% [markdown]
# int8 gives fp32's class on **{glue:text}`deployment_int8_same` %** of the
# {glue:text}`deployment_int8_records` (it {glue:text}`deployment_int8_verdict` the
# {glue:text}`deployment_agreement_target` % target) and runs the network
# {glue:text}`deployment_int8_speedup` times as fast as ONNX Runtime fp32 here; fp16 runs
# it {glue:text}`deployment_fp16_speedup` times as fast, with
# {glue:text}`deployment_fp16_same` % of classes unchanged. `ecgpaper bench serve`
# measures the same backends with the paper-size networks (see the Performance chapter).
#
# The demo network is small and trained on 900 records, so its agreement says little
# about a network that has learned the rhythms from a database-size set, whose decision
# boundaries may sit closer to the records. {numref}`tbl-deployment-int8-reference` therefore repeats the comparison on
# the reference edition's experiment 1 (trained on a 10,615-record twin, committed
# weights; `python scripts/int8_reference.py`), once with the default choice of layers
# kept in fp32 (the stem, the first two stages and the squeeze-and-excitation gates,
# where rounding errors would be carried through the most layers) and once with every
# convolution in int8, and times each choice on the paper-size network.

# %% tags=["hide-input"]
int8_reference = page.load_int8_reference()
glue_all(page.int8_reference_facts(int8_reference, AGREEMENT_TARGET))
if int8_reference is not None:
    show_table(page.int8_reference_table(int8_reference),
               "int8 against ONNX Runtime fp32 on the reference edition's experiment 1 "
               "(every test record of its database-size synthetic twin), for two choices "
               "of the layers kept in fp32, and the network-only latency of each choice on "
               "the paper-size SE-ResNet18 (batch 1, one thread; committed measurement).",
               "tbl-deployment-int8-reference", presented=True)

# %% [markdown]
# On a converged network, int8 {glue:text}`deployment_int8_reference`. So
# {glue:text}`deployment_int8_choice`.

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
# records of the demo twin; on the converged reference network
# {glue:text}`deployment_int8_choice`. The service's overhead target was
# {glue:text}`deployment_overhead_met`, the concurrency target
# {glue:text}`deployment_share_met`.
